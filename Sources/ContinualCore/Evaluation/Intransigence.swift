/// Intransigence (Chaudhry et al. 2018, "Riemannian Walk"): how much less well a continual learner
/// learns each new task than a reference model does.
///
/// For task `k`, `I_k = a*_k − R[k][k]`, where `R[k][k]` is the learner's accuracy on task `k` right
/// after training it and `a*_k` is the reference's accuracy on task `k` when it has been trained on
/// the data of tasks `0…k`. Positive values mean the learner is less able to learn new tasks (for
/// example because a penalty holds it near old solutions); lower is better. ``mean`` averages over
/// all `T` tasks, `I = (1/T) Σ_k I_k`, which is the reference's learning accuracy minus the
/// learner's (see ``ContinualMetrics/learningAccuracy``). Chaudhry et al. report `I_k` of the last
/// task; the mean over tasks uses every task and varies less.
///
/// The reference must be trained on the same tasks, in the same order, with the same protocol. The
/// comparison tables use the `joint` algorithm's run of the same configuration and seed: its
/// `R[k][k]` is the accuracy on task `k` after training on tasks `0…k` together (cumulative
/// training, continuing from its model of tasks `0…k−1`, rather than a fresh model per `k` as
/// Chaudhry et al. train).
///
/// ```swift
/// let learner = [[0.90, 0.10], [0.60, 0.80]]
/// let joint = [[0.92, 0.10], [0.90, 0.95]]
/// let intransigence = try Intransigence(accuracyMatrix: learner, referenceAccuracyMatrix: joint)
/// intransigence.perTask  // [0.02, 0.15]
/// intransigence.mean     // 0.085
/// ```
public struct Intransigence: Sendable, Equatable {
  /// `I_k = a*_k − R[k][k]` for each task `k`, in order.
  public var perTask: [Double]
  /// The mean of ``perTask``.
  public var mean: Double

  /// Compares the diagonal of a learner's accuracy matrix with the reference's.
  ///
  /// - Parameters:
  ///   - accuracyMatrix: The learner's `T × T` accuracy matrix `R`.
  ///   - referenceAccuracyMatrix: The reference's `T × T` accuracy matrix; its diagonal is `a*`.
  /// - Throws: ``MetricsError/notSquare(rows:)`` when either matrix is empty or not square, and
  ///   ``MetricsError/mismatchedTaskCounts(tasks:reference:)`` when they cover different numbers of
  ///   tasks.
  public init(accuracyMatrix: [[Double]], referenceAccuracyMatrix: [[Double]]) throws {
    for matrix in [accuracyMatrix, referenceAccuracyMatrix] {
      guard !matrix.isEmpty, matrix.allSatisfy({ $0.count == matrix.count }) else {
        throw MetricsError.notSquare(rows: matrix.map(\.count))
      }
    }
    guard accuracyMatrix.count == referenceAccuracyMatrix.count else {
      throw MetricsError.mismatchedTaskCounts(tasks: accuracyMatrix.count, reference: referenceAccuracyMatrix.count)
    }
    perTask = accuracyMatrix.indices.map { referenceAccuracyMatrix[$0][$0] - accuracyMatrix[$0][$0] }
    mean = perTask.reduce(0, +) / Double(perTask.count)
  }
}
