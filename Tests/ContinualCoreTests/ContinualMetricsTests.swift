import ContinualCore
import ContinualTesting
import Testing

@Suite struct ContinualMetricsTests {
  // R[i][j]: accuracy on task j after training task i; b: the untrained model's accuracies.
  static let matrix: [[Double]] = [
    [0.90, 0.20, 0.10],
    [0.95, 0.80, 0.30],
    [0.60, 0.50, 0.95],
  ]
  static let initial: [Double] = [0.10, 0.15, 0.20]

  @Test func handComputedThreeTaskMatrix() throws {
    let m = try ContinualMetrics(accuracyMatrix: Self.matrix, initialAccuracies: Self.initial)
    // ACC = (0.60 + 0.50 + 0.95) / 3
    expectApproximatelyEqual(m.averageAccuracy, 2.05 / 3, absoluteTolerance: 1e-12)
    // BWT = ((0.60 − 0.90) + (0.50 − 0.80)) / 2
    expectApproximatelyEqual(m.backwardTransfer, -0.3, absoluteTolerance: 1e-12)
    // FWT = ((R[0][1] − b₁) + (R[1][2] − b₂)) / 2 = (0.05 + 0.10) / 2
    expectApproximatelyEqual(m.forwardTransfer, 0.075, absoluteTolerance: 1e-12)
    // Forgetting uses the best earlier accuracy: (max(0.90, 0.95) − 0.60 + max(0.20, 0.80) − 0.50) / 2
    expectApproximatelyEqual(m.averageForgetting, 0.325, absoluteTolerance: 1e-12)
    // Incremental: (0.90 + (0.95 + 0.80)/2 + (0.60 + 0.50 + 0.95)/3) / 3 — later columns of early rows ignored.
    expectApproximatelyEqual(m.averageIncrementalAccuracy, (0.90 + 0.875 + 2.05 / 3) / 3, absoluteTolerance: 1e-12)
  }

  @Test func learningAccuracyIsTheDiagonalMean() throws {
    // LA = (R[0][0] + R[1][1] + R[2][2]) / 3 = (0.90 + 0.80 + 0.95) / 3 = 2.65 / 3 = 0.88333…;
    // the entries off the diagonal (0.95 after task 2 on task 1, say) do not enter.
    let m = try ContinualMetrics(accuracyMatrix: Self.matrix)
    expectApproximatelyEqual(m.learningAccuracy, 2.65 / 3, absoluteTolerance: 1e-12)
    #expect(try ContinualMetrics(accuracyMatrix: [[0.7]]).learningAccuracy == 0.7)
  }

  @Test(arguments: [(Scenario.task, true), (.domain, true), (.class, false)])
  func forwardTransferIsUndefinedInClassIncrementalLearning(scenario: Scenario, defined: Bool) throws {
    let m = try ContinualMetrics(accuracyMatrix: Self.matrix, initialAccuracies: Self.initial, scenario: scenario)
    #expect(ContinualMetrics.forwardTransferIsDefined(in: scenario) == defined)
    // Defined: (0.05 + 0.10) / 2 as in the hand-computed case; the other metrics do not depend on the scenario.
    if defined {
      expectApproximatelyEqual(m.forwardTransfer, 0.075, absoluteTolerance: 1e-12)
    } else {
      #expect(m.forwardTransfer == nil, "\(m)")
    }
    expectApproximatelyEqual(m.backwardTransfer, -0.3, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(m.learningAccuracy, 2.65 / 3, absoluteTolerance: 1e-12)
  }

  @Test func recordsLeaveForwardTransferOutInClassIncrementalLearning() {
    func record(_ scenario: String) -> RunRecord {
      RunRecord(
        runID: scenario, benchmark: "split-mnist", scenario: scenario, algorithm: "finetune", seed: 1, config: [:],
        accuracyMatrix: Self.matrix, initialAccuracies: Self.initial, wallSeconds: 1, peakRSSBytes: 1)
    }
    expectApproximatelyEqual(record("domain").fwt, 0.075, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(record("domain").forwardTransfer, 0.075, absoluteTolerance: 1e-12)
    #expect(record("class").fwt == nil && record("class").forwardTransfer == nil)
    expectApproximatelyEqual(record("class").learningAccuracy, 2.65 / 3, absoluteTolerance: 1e-12)
    // A class-incremental record written before the rule keeps its stored value, but tables read none.
    var old = record("class")
    old.fwt = 0.075
    #expect(old.forwardTransfer == nil)
  }

  @Test func forwardTransferNeedsOneInitialAccuracyPerTask() throws {
    #expect(try ContinualMetrics(accuracyMatrix: Self.matrix).forwardTransfer == nil)
    #expect(try ContinualMetrics(accuracyMatrix: Self.matrix, initialAccuracies: [0.1, 0.2]).forwardTransfer == nil)
  }

  @Test func oneTaskHasOnlyAnAverage() throws {
    let m = try ContinualMetrics(accuracyMatrix: [[0.7]], initialAccuracies: [0.5])
    #expect(m.averageAccuracy == 0.7 && m.averageIncrementalAccuracy == 0.7)
    #expect(m.backwardTransfer == nil && m.forwardTransfer == nil && m.averageForgetting == nil)
  }

  @Test func docExample() throws {
    let m = try ContinualMetrics(accuracyMatrix: [[0.9, 0.1], [0.6, 0.95]])
    expectApproximatelyEqual(m.averageAccuracy, 0.775, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(m.backwardTransfer, -0.3, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(m.averageIncrementalAccuracy, 0.8375, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(m.learningAccuracy, 0.925, absoluteTolerance: 1e-12)
  }

  @Test(arguments: [[[0.9, 0.1], [0.6]], [], [[0.5, 0.5]]] as [[[Double]]])
  func nonSquareMatricesAreRejected(_ matrix: [[Double]]) throws {
    #expect {
      _ = try ContinualMetrics(accuracyMatrix: matrix)
    } throws: { error in
      guard case MetricsError.notSquare(let rows) = error else { return false }
      return rows == matrix.map(\.count) && "\(error)".contains("\(rows)")
    }
  }
}
