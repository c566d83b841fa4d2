/// The standard continual-learning metrics of an accuracy matrix.
///
/// With `R[i][j]` the accuracy on task `j` after training task `i` (`T` tasks), and `b[j]` the accuracy
/// of the randomly initialised model on task `j`:
/// - average accuracy `ACC = (1/T) Σ_j R[T−1][j]`;
/// - backward transfer `BWT = (1/(T−1)) Σ_{j<T−1} (R[T−1][j] − R[j][j])` (negative = forgetting);
/// - forward transfer `FWT = (1/(T−1)) Σ_{j>0} (R[j−1][j] − b[j])` (Lopez-Paz & Ranzato 2017);
/// - average forgetting `F = (1/(T−1)) Σ_{j<T−1} (max_{i<T−1} R[i][j] − R[T−1][j])` (Chaudhry et al. 2018);
/// - average incremental accuracy `AIA = (1/T) Σ_i (1/(i+1)) Σ_{j≤i} R[i][j]`: the accuracy on the
///   tasks seen so far, averaged over every stage including the first (Rebuffi et al. 2017; the
///   metric of the SS-IL and iCaRL tables).
///
/// ```swift
/// let m = try ContinualMetrics(accuracyMatrix: [[0.9, 0.1], [0.6, 0.95]])
/// m.averageAccuracy      // 0.775
/// m.backwardTransfer     // −0.3
/// m.averageIncrementalAccuracy  // (0.9 + 0.775) / 2 = 0.8375
/// ```
public struct ContinualMetrics: Sendable, Equatable {
  /// Mean final accuracy over all tasks.
  public var averageAccuracy: Double
  /// Mean change of each earlier task's accuracy from just after learning it to the end.
  public var backwardTransfer: Double?
  /// Mean accuracy on each task just before learning it, above the untrained model's.
  public var forwardTransfer: Double?
  /// Mean drop from each earlier task's best accuracy to its final accuracy.
  public var averageForgetting: Double?
  /// Mean over training stages of the mean accuracy on the tasks seen so far.
  public var averageIncrementalAccuracy: Double

  /// Computes the metrics.
  ///
  /// - Parameters:
  ///   - accuracyMatrix: A lower-triangular-or-full `T × T` matrix of accuracies.
  ///   - initialAccuracies: The untrained model's accuracy per task, for forward transfer.
  /// - Throws: ``MetricsError`` when the matrix is empty or not square.
  public init(accuracyMatrix: [[Double]], initialAccuracies: [Double]? = nil) throws {
    let r = accuracyMatrix
    let t = r.count
    guard t > 0, r.allSatisfy({ $0.count == t }) else { throw MetricsError.notSquare(rows: r.map(\.count)) }
    let last = r[t - 1]
    averageAccuracy = last.reduce(0, +) / Double(t)
    let seenSoFar: [Double] = (0..<t).map { (i: Int) -> Double in r[i][0...i].reduce(0, +) / Double(i + 1) }
    averageIncrementalAccuracy = seenSoFar.reduce(0, +) / Double(t)
    if t > 1 {
      backwardTransfer = (0..<(t - 1)).map { last[$0] - r[$0][$0] }.reduce(0, +) / Double(t - 1)
      averageForgetting = (0..<(t - 1)).map { j in (0..<(t - 1)).map { r[$0][j] }.max()! - last[j] }.reduce(0, +) / Double(t - 1)
      if let b = initialAccuracies, b.count == t {
        forwardTransfer = (1..<t).map { r[$0 - 1][$0] - b[$0] }.reduce(0, +) / Double(t - 1)
      }
    }
  }
}

/// A malformed accuracy matrix.
public enum MetricsError: Error, CustomStringConvertible {
  /// The matrix is empty or its rows differ in length from its row count.
  case notSquare(rows: [Int])

  /// Names the row lengths found.
  public var description: String {
    switch self {
    case .notSquare(let rows): "the accuracy matrix must be square and non-empty; row lengths are \(rows)"
    }
  }
}
