import ContinualCore

/// The accuracy matrices of one (benchmark, scenario, algorithm) group over its finished seeds, and
/// the quantities the report's figures draw from them, each as a ``MeanEstimate`` over seeds.
///
/// `R[i][j]` is the accuracy on task `j` after training task `i` (both 0-based). A seed whose matrix
/// lacks an entry, or holds a non-finite one, is left out of that entry's estimate.
struct MatrixSummary {
  /// The algorithm stack.
  var algorithm: String
  /// One accuracy matrix per finished seed.
  var matrices: [[[Double]]]

  /// The number of tasks: the largest number of rows or columns of any matrix.
  var taskCount: Int {
    matrices.map { matrix in max(matrix.count, matrix.map(\.count).max() ?? 0) }.max() ?? 0
  }

  /// The number of seeds.
  var seedCount: Int { matrices.count }

  /// Summarises the finished records among `records` (all of one group).
  init(algorithm: String, records: [RunRecord]) {
    self.algorithm = algorithm
    matrices = records.filter { $0.status == .finished && !$0.accuracyMatrix.isEmpty }.map(\.accuracyMatrix)
  }

  /// `R[i][j]` over seeds, or `nil` when no seed has it.
  func accuracy(afterTraining i: Int, onTask j: Int) -> MeanEstimate? {
    MeanEstimate(matrices.compactMap { Self.entry($0, i, j) })
  }

  /// The mean matrix: ``accuracy(afterTraining:onTask:)`` for every `i` and `j` below ``taskCount``.
  func meanMatrix() -> [[MeanEstimate?]] {
    let count = taskCount
    return (0..<count).map { i in (0..<count).map { j in accuracy(afterTraining: i, onTask: j) } }
  }

  /// The accuracy on task `j` after training each task from `j` on: points `(i + 1, R[i][j])` for the
  /// `i ≥ j` some seed has.
  func taskCurve(_ j: Int) -> [(tasksTrained: Int, value: MeanEstimate)] {
    (j..<max(taskCount, j)).compactMap { i in accuracy(afterTraining: i, onTask: j).map { (i + 1, $0) } }
  }

  /// The average accuracy on the tasks seen so far after training each task: for each seed,
  /// `A_i = (1 / (i + 1)) Σ_{j ≤ i} R[i][j]`, then the mean and standard error of `A_i` over the seeds
  /// that have every `R[i][j]` for `j ≤ i`.
  func averageAccuracyCurve() -> [(tasksTrained: Int, value: MeanEstimate)] {
    (0..<taskCount).compactMap { i in
      let averages = matrices.compactMap { matrix -> Double? in
        let seen = (0...i).compactMap { Self.entry(matrix, i, $0) }
        return seen.count == i + 1 ? seen.reduce(0, +) / Double(i + 1) : nil
      }
      return MeanEstimate(averages).map { (i + 1, $0) }
    }
  }

  /// `matrix[i][j]` when it exists and is finite.
  static func entry(_ matrix: [[Double]], _ i: Int, _ j: Int) -> Double? {
    guard i < matrix.count, j < matrix[i].count, matrix[i][j].isFinite else { return nil }
    return matrix[i][j]
  }
}
