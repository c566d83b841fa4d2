import ContinualCore
import Testing

@Suite struct ContinualMetricsTests {
  // R[i][j]: accuracy on task j after training task i; b: the untrained model's accuracies.
  static let matrix: [[Double]] = [
    [0.90, 0.20, 0.10],
    [0.95, 0.80, 0.30],
    [0.60, 0.50, 0.95],
  ]
  static let initial: [Double] = [0.10, 0.15, 0.20]

  static func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-12 } ?? false }

  @Test func handComputedThreeTaskMatrix() throws {
    let m = try ContinualMetrics(accuracyMatrix: Self.matrix, initialAccuracies: Self.initial)
    // ACC = (0.60 + 0.50 + 0.95) / 3
    #expect(Self.close(m.averageAccuracy, 2.05 / 3), "\(m)")
    // BWT = ((0.60 − 0.90) + (0.50 − 0.80)) / 2
    #expect(Self.close(m.backwardTransfer, -0.3), "\(m)")
    // FWT = ((R[0][1] − b₁) + (R[1][2] − b₂)) / 2 = (0.05 + 0.10) / 2
    #expect(Self.close(m.forwardTransfer, 0.075), "\(m)")
    // Forgetting uses the best earlier accuracy: (max(0.90, 0.95) − 0.60 + max(0.20, 0.80) − 0.50) / 2
    #expect(Self.close(m.averageForgetting, 0.325), "\(m)")
    // Incremental: (0.90 + (0.95 + 0.80)/2 + (0.60 + 0.50 + 0.95)/3) / 3 — later columns of early rows ignored.
    #expect(Self.close(m.averageIncrementalAccuracy, (0.90 + 0.875 + 2.05 / 3) / 3), "\(m)")
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
    #expect(Self.close(m.averageAccuracy, 0.775))
    #expect(Self.close(m.backwardTransfer, -0.3))
    #expect(Self.close(m.averageIncrementalAccuracy, 0.8375))
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
