/// The standard continual-learning metrics of an accuracy matrix.
///
/// With `R[i][j]` the accuracy on task `j` after training task `i` (`T` tasks), and `b[j]` the accuracy
/// of the randomly initialised model on task `j`:
/// - average accuracy `ACC = (1/T) Σ_j R[T−1][j]`;
/// - backward transfer `BWT = (1/(T−1)) Σ_{j<T−1} (R[T−1][j] − R[j][j])` (negative = forgetting);
/// - forward transfer `FWT = (1/(T−1)) Σ_{j>0} (R[j−1][j] − b[j])` (Lopez-Paz & Ranzato 2017), in the
///   task- and domain-incremental scenarios only: a class-incremental model has never been trained
///   on the classes of a task before learning it, so it cannot get them right, and forward transfer
///   is undefined there (`nil`; see ``forwardTransferIsDefined(in:)``);
/// - average forgetting `F = (1/(T−1)) Σ_{j<T−1} (max_{i<T−1} R[i][j] − R[T−1][j])` (Chaudhry et al. 2018);
/// - average incremental accuracy `AIA = (1/T) Σ_i (1/(i+1)) Σ_{j≤i} R[i][j]`: the accuracy on the
///   tasks seen so far, averaged over every stage including the first (Rebuffi et al. 2017; the
///   metric of the SS-IL and iCaRL tables);
/// - learning accuracy `LA = (1/T) Σ_j R[j][j]`: each task's accuracy right after it is learnt, the
///   mean of the diagonal (Riemer et al. 2019).
///
/// Intransigence needs a second run, the reference; see ``Intransigence``.
///
/// ```swift
/// let m = try ContinualMetrics(accuracyMatrix: [[0.9, 0.1], [0.6, 0.95]])
/// m.averageAccuracy      // 0.775
/// m.backwardTransfer     // −0.3
/// m.averageIncrementalAccuracy  // (0.9 + 0.775) / 2 = 0.8375
/// m.learningAccuracy     // (0.9 + 0.95) / 2 = 0.925
/// ```
public struct ContinualMetrics: Sendable, Equatable {
  /// Mean final accuracy over all tasks.
  public var averageAccuracy: Double
  /// Mean change of each earlier task's accuracy from just after learning it to the end.
  public var backwardTransfer: Double?
  /// Mean accuracy on each task just before learning it, above the untrained model's; `nil` with one
  /// task, without initial accuracies, and in the class-incremental scenario.
  public var forwardTransfer: Double?
  /// Mean drop from each earlier task's best accuracy to its final accuracy.
  public var averageForgetting: Double?
  /// Mean over training stages of the mean accuracy on the tasks seen so far.
  public var averageIncrementalAccuracy: Double
  /// Mean accuracy on each task right after learning it: the mean of the matrix's diagonal.
  public var learningAccuracy: Double

  /// Computes the metrics.
  ///
  /// ```swift
  /// let m = try ContinualMetrics(accuracyMatrix: matrix, initialAccuracies: initial, scenario: .class)
  /// m.forwardTransfer   // nil: undefined in the class-incremental scenario
  /// ```
  ///
  /// - Parameters:
  ///   - accuracyMatrix: A lower-triangular-or-full `T × T` matrix of accuracies.
  ///   - initialAccuracies: The untrained model's accuracy per task, for forward transfer.
  ///   - scenario: The scenario the matrix was measured in, when known; forward transfer is left out
  ///     in the class-incremental one. `nil` computes it whenever `initialAccuracies` allow.
  /// - Throws: ``MetricsError`` when the matrix is empty or not square.
  public init(accuracyMatrix: [[Double]], initialAccuracies: [Double]? = nil, scenario: Scenario? = nil) throws {
    let r = accuracyMatrix
    let t = r.count
    guard t > 0, r.allSatisfy({ $0.count == t }) else { throw MetricsError.notSquare(rows: r.map(\.count)) }
    let last = r[t - 1]
    averageAccuracy = last.reduce(0, +) / Double(t)
    let seenSoFar: [Double] = (0..<t).map { (i: Int) -> Double in r[i][0...i].reduce(0, +) / Double(i + 1) }
    averageIncrementalAccuracy = seenSoFar.reduce(0, +) / Double(t)
    learningAccuracy = (0..<t).map { r[$0][$0] }.reduce(0, +) / Double(t)
    if t > 1 {
      backwardTransfer = (0..<(t - 1)).map { last[$0] - r[$0][$0] }.reduce(0, +) / Double(t - 1)
      averageForgetting =
        (0..<(t - 1)).map { j in (0..<(t - 1)).map { r[$0][j] }.max()! - last[j] }.reduce(0, +) / Double(t - 1)
      if let b = initialAccuracies, b.count == t, scenario.map(Self.forwardTransferIsDefined(in:)) ?? true {
        forwardTransfer = (1..<t).map { r[$0 - 1][$0] - b[$0] }.reduce(0, +) / Double(t - 1)
      }
    }
  }

  /// Whether forward transfer means something in `scenario`: in the task- and domain-incremental
  /// scenarios, not in the class-incremental one.
  ///
  /// Before learning task `j`, a class-incremental model has never been trained on task `j`'s
  /// classes: no loss has ever favoured them, so `R[j−1][j]` is about 0 whatever the algorithm
  /// (exactly 0 if only the classes seen so far were scored), and `R[j−1][j] − b[j]` would measure
  /// the untrained model's `b[j]` rather than any transfer. The domain-incremental head is shared,
  /// so `R[j−1][j]` is a real zero-shot accuracy on the next task; the task-incremental head gives
  /// task `j` its own outputs, still untrained before task `j`, so there forward transfer measures
  /// how well the features learnt so far separate task `j`'s classes through those untrained outputs.
  ///
  /// ```swift
  /// ContinualMetrics.forwardTransferIsDefined(in: .domain)   // true
  /// ContinualMetrics.forwardTransferIsDefined(in: .class)    // false
  /// ```
  ///
  /// - Parameter scenario: The scenario.
  /// - Returns: `false` for ``Scenario/class``, `true` otherwise.
  public static func forwardTransferIsDefined(in scenario: Scenario) -> Bool { scenario != .class }
}

/// A malformed accuracy matrix.
public enum MetricsError: Error, CustomStringConvertible {
  /// The matrix is empty or its rows differ in length from its row count.
  case notSquare(rows: [Int])
  /// A matrix and the reference it is compared with (see ``Intransigence``) cover different
  /// numbers of tasks.
  case mismatchedTaskCounts(tasks: Int, reference: Int)

  /// Names the row lengths or task counts found.
  public var description: String {
    switch self {
    case .notSquare(let rows): "the accuracy matrix must be square and non-empty; row lengths are \(rows)"
    case .mismatchedTaskCounts(let tasks, let reference):
      "the accuracy matrix has \(tasks) tasks but the reference's has \(reference); intransigence compares the "
        + "same tasks"
    }
  }
}
