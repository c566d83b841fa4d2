import ContinualCore
import ContinualTesting
import Testing

@Suite struct IntransigenceTests {

  @Test func handComputedThreeTasks() throws {
    // Learner R and reference (joint) R*; only the diagonals matter:
    //   R[k][k]  = 0.90, 0.70, 0.60
    //   R*[k][k] = 0.92, 0.88, 0.85
    //   I_k = R*[k][k] − R[k][k] = 0.02, 0.18, 0.25;  I = (0.02 + 0.18 + 0.25) / 3 = 0.15,
    // which is also LA(R*) − LA(R) = (2.65 − 2.20) / 3.
    let learner: [[Double]] = [[0.90, 0.10, 0.10], [0.50, 0.70, 0.10], [0.40, 0.50, 0.60]]
    let joint: [[Double]] = [[0.92, 0.10, 0.10], [0.90, 0.88, 0.10], [0.89, 0.87, 0.85]]
    let intransigence = try Intransigence(accuracyMatrix: learner, referenceAccuracyMatrix: joint)
    expectApproximatelyEqual(intransigence.perTask, [0.02, 0.18, 0.25], absoluteTolerance: 1e-12)
    expectApproximatelyEqual(intransigence.mean, 0.15, absoluteTolerance: 1e-12)
    let la =
      try ContinualMetrics(accuracyMatrix: joint).learningAccuracy
      - ContinualMetrics(accuracyMatrix: learner).learningAccuracy
    expectApproximatelyEqual(intransigence.mean, la, absoluteTolerance: 1e-12)
  }

  @Test func aLearnerBetterThanTheReferenceIsNegative() throws {
    // A learner that fits each new task better than joint training: I = ((0.9 − 0.95) + (0.8 − 0.9)) / 2 =
    // −0.075.
    let intransigence = try Intransigence(
      accuracyMatrix: [[0.95, 0], [0.5, 0.9]], referenceAccuracyMatrix: [[0.9, 0], [0.9, 0.8]])
    expectApproximatelyEqual(intransigence.mean, -0.075, absoluteTolerance: 1e-12)
  }

  @Test func theReferenceAgainstItselfIsZero() throws {
    let matrix: [[Double]] = [[0.9, 0.1], [0.8, 0.7]]
    #expect(try Intransigence(accuracyMatrix: matrix, referenceAccuracyMatrix: matrix).perTask == [0, 0])
  }

  @Test func docExample() throws {
    let intransigence = try Intransigence(
      accuracyMatrix: [[0.90, 0.10], [0.60, 0.80]], referenceAccuracyMatrix: [[0.92, 0.10], [0.90, 0.95]])
    expectApproximatelyEqual(intransigence.perTask[0], 0.02, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(intransigence.perTask[1], 0.15, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(intransigence.mean, 0.085, absoluteTolerance: 1e-12)
  }

  @Test func matricesOfDifferentTaskCountsAreRejected() {
    #expect {
      _ = try Intransigence(accuracyMatrix: [[0.9]], referenceAccuracyMatrix: [[0.9, 0.1], [0.8, 0.7]])
    } throws: { error in
      guard case MetricsError.mismatchedTaskCounts(let tasks, let reference) = error else { return false }
      return tasks == 1 && reference == 2 && "\(error)".contains("1 tasks but the reference's has 2")
    }
    #expect(throws: MetricsError.self) {
      try Intransigence(accuracyMatrix: [[0.9, 0.1]], referenceAccuracyMatrix: [[0.9]])
    }
  }
}
