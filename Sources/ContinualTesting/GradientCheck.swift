import ContinualEngine

/// Compares the gradients a `Tape` computes with central finite differences.
///
/// Used by the engine's tests and by every algorithm's conformance tests: any new differentiable
/// operation or regulariser should pass it.
///
/// ```swift
/// let report = try GradientCheck.run(inputs: [x, w]) { tape, v in
///   try v[0].matmul(v[1]).relu().sum()
/// }
/// #expect(report.passed, "\(report)")
/// ```
public struct GradientCheck: CustomStringConvertible {
  /// The largest tolerance-scaled difference over all inputs: `|analytic − numeric| / (atol + rtol·max(|a|, |n|))`.
  /// A value ≤ 1 passes.
  public var worstRatio: Double
  /// Where the worst element was: input index, flat element index, analytic and numeric values.
  public var worst: (input: Int, element: Int, analytic: Float, numeric: Float)
  /// How many elements were compared.
  public var checkedElements: Int

  /// Whether every element is within tolerance.
  public var passed: Bool { worstRatio <= 1 && checkedElements > 0 }

  /// A summary naming the worst element.
  public var description: String {
    "GradientCheck(\(passed ? "passed" : "FAILED"), ratio \(worstRatio), worst at input \(worst.input) "
      + "element \(worst.element): analytic \(worst.analytic) vs numeric \(worst.numeric), \(checkedElements) elements)"
  }

  /// Checks the gradient of a scalar function with respect to each input.
  ///
  /// The function is differentiated once on a tape; then every input element is moved by `±step`
  /// and the function re-evaluated (in `Float`, differences taken in `Double`).
  ///
  /// - Parameters:
  ///   - inputs: The points at which to check; avoid kinks (ReLU at 0, ties in max) closer than `step`.
  ///   - step: The finite-difference step.
  ///   - absoluteTolerance: The absolute part of the tolerance.
  ///   - relativeTolerance: The relative part of the tolerance.
  ///   - function: Builds a one-element output from the inputs recorded on the tape.
  /// - Returns: The comparison's worst element and verdict.
  /// - Throws: Whatever `function` or the tape throws.
  public static func run(
    inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 1e-2,
    _ function: (Tape, [Variable]) throws -> Variable
  ) throws -> GradientCheck {
    let tape = Tape()
    let variables = tape.variables(inputs)
    let output = try function(tape, variables)
    let analytic = try tape.gradients(of: output, withRespectTo: variables)

    func evaluate(_ values: [Tensor]) throws -> Double {
      let t = Tape()
      return Double(try function(t, t.variables(values)).value.scalar)
    }

    var report = GradientCheck(worstRatio: 0, worst: (0, 0, 0, 0), checkedElements: 0)
    for (k, input) in inputs.enumerated() {
      let values = input.scalars
      for i in values.indices {
        var plus = inputs, minus = inputs
        var p = values, m = values
        p[i] += step
        m[i] -= step
        plus[k] = try Tensor(shape: input.shape, scalars: p)
        minus[k] = try Tensor(shape: input.shape, scalars: m)
        let numeric = (try evaluate(plus) - evaluate(minus)) / (2 * Double(step))
        let a = Double(analytic[k].scalars[i])
        let ratio =
          Swift.abs(a - numeric) / (absoluteTolerance + relativeTolerance * Swift.max(Swift.abs(a), Swift.abs(numeric)))
        report.checkedElements += 1
        if ratio > report.worstRatio || !ratio.isFinite {
          report.worstRatio = ratio.isFinite ? ratio : .infinity
          report.worst = (k, i, Float(a), Float(numeric))
        }
      }
    }
    return report
  }
}

/// Deterministic test data.
public enum TestData {
  /// A tensor of uniform values in `range` from a fixed seed.
  public static func uniform(_ shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64 = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomUniform(shape, in: range, using: &rng)
  }

  /// Uniform values whose magnitudes are at least `margin` (away from kinks at zero).
  public static func awayFromZero(_ shape: [Int], margin: Float = 0.1, seed: UInt64 = 1) -> Tensor {
    uniform(shape, in: -1...1, seed: seed).map { $0 >= 0 ? $0 + margin : $0 - margin }
  }
}
