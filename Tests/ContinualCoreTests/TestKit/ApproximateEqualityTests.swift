import ContinualEngine
import ContinualTesting
import Testing

/// `expectApproximatelyEqual` follows swift-numerics' `isApproximatelyEqual`, and reports a mismatch
/// at the calling line, naming the first mismatching index or name and both values.
@Suite struct ApproximateEqualityTests {
  @Test func toleranceSemanticsFollowSwiftNumerics() {
    // Equal values match, infinities included; NaN never does, not even itself.
    #expect(ApproximateEquality.isApproximatelyEqual(Float.infinity, .infinity))
    #expect(!ApproximateEquality.isApproximatelyEqual(Float.infinity, .greatestFiniteMagnitude, relativeTolerance: 1))
    #expect(!ApproximateEquality.isApproximatelyEqual(Float.nan, .nan, absoluteTolerance: 1))
    // The bound is max(absolute, relative · max(|a|, |b|)), not their sum.
    #expect(ApproximateEquality.isApproximatelyEqual(100.0, 101.0, absoluteTolerance: 1e-3, relativeTolerance: 0.01))
    #expect(!ApproximateEquality.isApproximatelyEqual(1.0, 1.02, absoluteTolerance: 0.015, relativeTolerance: 0.01))
    // Absolute alone: relative is zero, so large values get no slack.
    #expect(!ApproximateEquality.isApproximatelyEqual(1e6, 1e6 + 1, absoluteTolerance: 0.5))
    // The default: relative √ulpOfOne, absolute √ulpOfOne · leastNormalMagnitude.
    let defaults = ApproximateEquality.tolerances(absoluteTolerance: Float?.none, relativeTolerance: nil)
    #expect(defaults.relative == Float.ulpOfOne.squareRoot())
    #expect(defaults.absolute == Float.ulpOfOne.squareRoot() * .leastNormalMagnitude)
    #expect(ApproximateEquality.isApproximatelyEqual(Float(1), 1 + 1e-4))
    #expect(!ApproximateEquality.isApproximatelyEqual(Float(1), 1 + 1e-3))
    #expect(!ApproximateEquality.isApproximatelyEqual(Float(0), 1e-30))
    // Symmetric, but not transitive.
    #expect(ApproximateEquality.isApproximatelyEqual(1.0, 1.1, relativeTolerance: 0.1))
    #expect(ApproximateEquality.isApproximatelyEqual(1.1, 1.0, relativeTolerance: 0.1))
    #expect(ApproximateEquality.isApproximatelyEqual(1.1, 1.21, relativeTolerance: 0.1))
    #expect(!ApproximateEquality.isApproximatelyEqual(1.0, 1.21, relativeTolerance: 0.1))
  }

  @Test func matchingValuesRecordNothing() throws {
    expectApproximatelyEqual(Float(0.1) + 0.2, 0.3)
    expectApproximatelyEqual(Double?.some(2.05 / 3), 0.683333333333, absoluteTolerance: 1e-12)
    expectApproximatelyEqual([Float(1), 2, .infinity], [1, 2 + 1e-6, .infinity], absoluteTolerance: 1e-5)
    try expectApproximatelyEqual(Tensor(shape: [1, 2], scalars: [0.1, 0.2]), Tensor(rows: [[0.1, 0.2 + 1e-7]]))
    let named = try NamedTensors(names: ["w", "b"], tensors: [Tensor([1, 2]), Tensor([3])])
    expectApproximatelyEqual(named, named.mapTensors { $0 * 1.000_01 }, relativeTolerance: 1e-4)
  }

  @Test func aMismatchIsRecordedAtTheCallerNamingTheIndexAndBothValues() {
    let line = #line + 2
    withKnownIssue {
      expectApproximatelyEqual([Float(1), 2, 3, 4], [1, 2, 3.5, 5], absoluteTolerance: 0.1)
    } matching: { issue in
      issue.sourceLocation?.line == line && issue.sourceLocation?.fileID == #fileID
        && issue.mentions("[2]", "3.0", "3.5") && !issue.mentions("[3]")
    }
  }

  @Test func aScalarMismatchAndAMissingValueAreRecorded() {
    withKnownIssue {
      expectApproximatelyEqual(Float(0.5), 0.52, absoluteTolerance: 1e-3)
    } matching: {
      $0.mentions("0.5", "0.52")
    }
    withKnownIssue {
      expectApproximatelyEqual(Double?.none, 0.3)
    } matching: {
      $0.mentions("nil", "0.3")
    }
    withKnownIssue {
      expectApproximatelyEqual(Float.nan, .nan, absoluteTolerance: 1)
    } matching: {
      $0.mentions("nan")
    }
  }

  @Test func countsAndShapesMustAgree() throws {
    withKnownIssue {
      expectApproximatelyEqual([Float(1), 2], [1, 2, 3])
    } matching: {
      $0.mentions("2 values", "3")
    }
    let row = try Tensor(shape: [1, 2], scalars: [1, 2])
    let column = try Tensor(shape: [2, 1], scalars: [1, 2])
    withKnownIssue {
      expectApproximatelyEqual(row, column)
    } matching: {
      $0.mentions("shape [1, 2]", "[2, 1]")
    }
  }

  @Test func namedTensorsNameTheFirstMismatchingTensor() throws {
    let expected = try NamedTensors(names: ["0.weight", "0.bias"], tensors: [Tensor([1, 2]), Tensor([3, 4])])
    let actual = try NamedTensors(names: ["0.weight", "0.bias"], tensors: [Tensor([1, 2]), Tensor([3, 4.5])])
    withKnownIssue {
      expectApproximatelyEqual(actual, expected, absoluteTolerance: 1e-3)
    } matching: {
      $0.mentions("'0.bias'[1]", "4.5", "4.0")
    }
    let renamed = try NamedTensors(names: ["0.weight", "1.bias"], tensors: expected.tensors)
    withKnownIssue {
      expectApproximatelyEqual(renamed, expected)
    } matching: {
      $0.mentions("1.bias", "0.bias")
    }
  }
}
