import ContinualEngine
import Testing

/// Approximate equality with swift-numerics' semantics, shared by every test.
///
/// Two numbers `a` and `b` are approximately equal when they are equal (so equal infinities match),
/// or when `|a − b|` is finite and at most `max(absoluteTolerance, relativeTolerance · max(|a|, |b|))`.
/// NaN never matches. Arrays, tensors and named tensors match element by element, and only when
/// their counts, shapes and names agree.
///
/// The tolerances follow `isApproximatelyEqual` in swift-numerics' `RealModule`:
/// - neither given: a relative tolerance of `√ulpOfOne` (about half the digits right) and an absolute
///   one of `relativeTolerance · leastNormalMagnitude`;
/// - only `relativeTolerance`: that, with the same tiny absolute tolerance;
/// - `absoluteTolerance` (with or without `relativeTolerance`, which then defaults to zero).
///
/// The relation is reflexive (for non-NaN values) and symmetric, but not transitive.
///
/// ```swift
/// expectApproximatelyEqual(fisher.scalars, [0.1875, 0.1875], absoluteTolerance: 1e-6)
/// expectApproximatelyEqual(gradients, expected, relativeTolerance: 1e-4)
/// ```
public enum ApproximateEquality {
  /// The tolerances a comparison resolves to, as swift-numerics chooses them.
  ///
  /// - Parameters:
  ///   - absoluteTolerance: The absolute tolerance, non-negative and finite; see ``ApproximateEquality``
  ///     for the default.
  ///   - relativeTolerance: The relative tolerance in `0...1`; see ``ApproximateEquality`` for the default.
  /// - Returns: The absolute and the relative tolerance to compare with.
  public static func tolerances<T: BinaryFloatingPoint>(
    absoluteTolerance: T?, relativeTolerance: T?
  ) -> (absolute: T, relative: T) {
    let relative = relativeTolerance ?? (absoluteTolerance == nil ? T.ulpOfOne.squareRoot() : 0)
    let absolute = absoluteTolerance ?? relative * T.leastNormalMagnitude
    precondition(
      absolute >= 0 && absolute.isFinite, "absoluteTolerance must be non-negative and finite, not \(absolute)")
    precondition(relative >= 0 && relative <= 1, "relativeTolerance must lie in 0...1, not \(relative)")
    return (absolute, relative)
  }

  /// Whether two numbers are approximately equal (see ``ApproximateEquality`` for the rule).
  ///
  /// - Parameters:
  ///   - a: One number.
  ///   - b: The other.
  ///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
  ///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
  /// - Returns: `true` when `a` and `b` are equal or within the tolerance.
  public static func isApproximatelyEqual<T: BinaryFloatingPoint>(
    _ a: T, _ b: T, absoluteTolerance: T? = nil, relativeTolerance: T? = nil
  ) -> Bool {
    let (absolute, relative) = tolerances(absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    return matches(a, b, absolute: absolute, relative: relative)
  }

  /// The first element at which two arrays differ beyond the tolerance, or a count mismatch.
  ///
  /// - Parameters:
  ///   - actual: The computed values.
  ///   - expected: The expected values.
  ///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
  ///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
  /// - Returns: A message naming the first mismatching index and both values; `nil` when they match.
  public static func firstMismatch<T: BinaryFloatingPoint>(
    _ actual: [T], _ expected: [T], absoluteTolerance: T? = nil, relativeTolerance: T? = nil
  ) -> String? {
    guard actual.count == expected.count else {
      return "\(actual.count) values where \(expected.count) were expected: \(actual) vs \(expected)"
    }
    let (absolute, relative) = tolerances(absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    for (index, (a, b)) in zip(actual, expected).enumerated()
    where !matches(a, b, absolute: absolute, relative: relative) {
      return "[\(index)]: \(a) is not approximately \(b) (|Δ| = \(abs(a - b)), "
        + "tolerance max(\(absolute), \(relative) · \(max(abs(a), abs(b)))))"
    }
    return nil
  }

  private static func matches<T: BinaryFloatingPoint>(_ a: T, _ b: T, absolute: T, relative: T) -> Bool {
    if a == b { return true }
    let delta = abs(a - b)
    return delta.isFinite && delta <= max(absolute, relative * max(abs(a), abs(b)))
  }
}

/// Records an issue at the caller when two numbers are not approximately equal, with swift-numerics'
/// `isApproximatelyEqual` semantics (see ``ApproximateEquality``).
///
/// ```swift
/// expectApproximatelyEqual(loss, 0.2200948, absoluteTolerance: 1e-5)
/// ```
///
/// - Parameters:
///   - actual: The computed value.
///   - expected: The expected value.
///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
///   - sourceLocation: Where a mismatch is reported; the calling line by default.
public func expectApproximatelyEqual<T: BinaryFloatingPoint>(
  _ actual: T, _ expected: T, absoluteTolerance: T? = nil, relativeTolerance: T? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  if let mismatch = ApproximateEquality.firstMismatch(
    [actual], [expected], absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
  {
    Issue.record(Comment(rawValue: "value" + mismatch.dropFirst(3)), sourceLocation: sourceLocation)
  }
}

/// Records an issue at the caller when a value is absent or not approximately equal to `expected`
/// (see ``ApproximateEquality``).
///
/// ```swift
/// expectApproximatelyEqual(metrics.backwardTransfer, -0.3, absoluteTolerance: 1e-12)
/// ```
///
/// - Parameters:
///   - actual: The computed value, or `nil`.
///   - expected: The expected value.
///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
///   - sourceLocation: Where a mismatch is reported; the calling line by default.
public func expectApproximatelyEqual<T: BinaryFloatingPoint>(
  _ actual: T?, _ expected: T, absoluteTolerance: T? = nil, relativeTolerance: T? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let actual else {
    Issue.record(Comment(rawValue: "value: nil where \(expected) was expected"), sourceLocation: sourceLocation)
    return
  }
  expectApproximatelyEqual(
    actual, expected, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance,
    sourceLocation: sourceLocation)
}

/// Records an issue at the caller naming the first index at which two arrays are not approximately
/// equal, or their counts when they differ (see ``ApproximateEquality``).
///
/// ```swift
/// expectApproximatelyEqual(fisher.tensors[0].scalars, [0.1875, 0.1875], absoluteTolerance: 1e-6)
/// ```
///
/// - Parameters:
///   - actual: The computed values.
///   - expected: The expected values.
///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
///   - sourceLocation: Where a mismatch is reported; the calling line by default.
public func expectApproximatelyEqual<T: BinaryFloatingPoint>(
  _ actual: [T], _ expected: [T], absoluteTolerance: T? = nil, relativeTolerance: T? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  if let mismatch = ApproximateEquality.firstMismatch(
    actual, expected, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
  {
    Issue.record(Comment(rawValue: "values" + mismatch), sourceLocation: sourceLocation)
  }
}

/// Records an issue at the caller when two tensors differ in shape, or naming the first flat index
/// at which they are not approximately equal (see ``ApproximateEquality``).
///
/// ```swift
/// expectApproximatelyEqual(gradient, try Tensor(shape: [1, 2], scalars: [0.1, 0.2]), absoluteTolerance: 1e-6)
/// ```
///
/// - Parameters:
///   - actual: The computed tensor.
///   - expected: The expected tensor.
///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
///   - sourceLocation: Where a mismatch is reported; the calling line by default.
public func expectApproximatelyEqual(
  _ actual: Tensor, _ expected: Tensor, absoluteTolerance: Float? = nil, relativeTolerance: Float? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  if let mismatch = tensorMismatch(actual, expected, absoluteTolerance, relativeTolerance) {
    Issue.record(Comment(rawValue: "tensor" + mismatch), sourceLocation: sourceLocation)
  }
}

/// Records an issue at the caller when two sets of named tensors differ in names or shapes, or naming
/// the first tensor and flat index at which they are not approximately equal (see
/// ``ApproximateEquality``).
///
/// ```swift
/// expectApproximatelyEqual(importances, expected, relativeTolerance: 1e-5)
/// ```
///
/// - Parameters:
///   - actual: The computed tensors.
///   - expected: The expected tensors.
///   - absoluteTolerance: The absolute tolerance; see ``ApproximateEquality`` for the default.
///   - relativeTolerance: The relative tolerance; see ``ApproximateEquality`` for the default.
///   - sourceLocation: Where a mismatch is reported; the calling line by default.
public func expectApproximatelyEqual(
  _ actual: NamedTensors, _ expected: NamedTensors, absoluteTolerance: Float? = nil, relativeTolerance: Float? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.names == expected.names else {
    Issue.record(
      Comment(rawValue: "named tensors: names \(actual.names) where \(expected.names) were expected"),
      sourceLocation: sourceLocation)
    return
  }
  for (name, (a, b)) in zip(actual.names, zip(actual.tensors, expected.tensors)) {
    if let mismatch = tensorMismatch(a, b, absoluteTolerance, relativeTolerance) {
      Issue.record(Comment(rawValue: "'\(name)'" + mismatch), sourceLocation: sourceLocation)
      return
    }
  }
}

private func tensorMismatch(_ actual: Tensor, _ expected: Tensor, _ absolute: Float?, _ relative: Float?) -> String? {
  guard actual.shape == expected.shape else { return ": shape \(actual.shape) where \(expected.shape) was expected" }
  return ApproximateEquality.firstMismatch(
    actual.scalars, expected.scalars, absoluteTolerance: absolute, relativeTolerance: relative)
}
