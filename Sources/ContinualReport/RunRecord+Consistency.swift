import ContinualCore

extension RunRecord {
  /// The most tasks a record may describe (the command line's `--tasks` limit); a larger matrix can
  /// only come from a damaged or forged file, and its figures would cost time quadratic in it.
  static let maximumTaskCount = 1_000

  /// Why the record's numbers cannot describe a run, or `nil` when they can.
  ///
  /// A record read from a file is checked before it is trusted: the accuracy matrix has one column
  /// per task (at most ``maximumTaskCount``) and no more rows than tasks — exactly as many for a
  /// finished run — every accuracy is a fraction in [0, 1], and the initial accuracies, when
  /// present, have one entry per task. The stored summaries (average accuracy, BWT, FWT,
  /// forgetting, incremental and learning accuracy) must be what the matrix gives — tables show
  /// them, so a forged `average_accuracy: 5.0` would otherwise read `500.00` — and the wall time and
  /// peak memory must be finite and not negative. A stored FWT is checked against the formula in
  /// every scenario: class-incremental records written before forward transfer was left out there
  /// hold one, and still read (the tables show `—` for it, see `RunRecord.forwardTransfer`).
  var inconsistency: String? {
    let tasks = accuracyMatrix.first?.count ?? 0
    guard tasks <= Self.maximumTaskCount else { return "accuracy_matrix has \(tasks) tasks; at most \(Self.maximumTaskCount)" }
    for (i, row) in accuracyMatrix.enumerated() where row.count != tasks {
      return "accuracy_matrix[\(i)] has \(row.count) entries but accuracy_matrix[0] has \(tasks)"
    }
    guard accuracyMatrix.count <= tasks else { return "accuracy_matrix has \(accuracyMatrix.count) rows for \(tasks) tasks" }
    if status == "finished" && (tasks == 0 || accuracyMatrix.count != tasks) {
      return "a finished run needs a square accuracy_matrix with a row per task, not \(accuracyMatrix.count) × \(tasks)"
    }
    for (i, row) in accuracyMatrix.enumerated() {
      if let j = row.firstIndex(where: { !(0...1).contains($0) }) {
        return "accuracy_matrix[\(i)][\(j)] is \(row[j]), not a fraction in [0, 1]"
      }
    }
    if let initial = initialAccuracies {
      guard initial.count == tasks else { return "initial_accuracies has \(initial.count) entries for \(tasks) tasks" }
      if let j = initial.firstIndex(where: { !(0...1).contains($0) }) {
        return "initial_accuracies[\(j)] is \(initial[j]), not a fraction in [0, 1]"
      }
    }
    guard wallSeconds.isFinite, wallSeconds >= 0 else { return "wall_seconds is \(wallSeconds), not a finite, non-negative time" }
    guard peakRSSBytes >= 0 else { return "peak_rss_bytes is \(peakRSSBytes), not a non-negative size" }
    return summaryMismatch
  }

  /// The first stored summary that differs from what the accuracy matrix gives, or `nil`.
  private var summaryMismatch: String? {
    let metrics = status == "finished" ? try? ContinualMetrics(accuracyMatrix: accuracyMatrix, initialAccuracies: initialAccuracies) : nil
    let pairs: [(String, Double?, Double?)] = [
      ("average_accuracy", averageAccuracy, metrics?.averageAccuracy), ("bwt", bwt, metrics?.backwardTransfer),
      ("fwt", fwt, metrics?.forwardTransfer), ("forgetting", forgetting, metrics?.averageForgetting),
      ("average_incremental_accuracy", averageIncrementalAccuracy, metrics?.averageIncrementalAccuracy),
      ("learning_accuracy", learningAccuracy, metrics?.learningAccuracy),
    ]
    for (key, stored, computed) in pairs {
      guard let stored else { continue }
      guard let computed else { return "\(key) is \(stored), but the run's accuracy_matrix gives none" }
      guard stored.isFinite, abs(stored - computed) <= 1e-9 * max(1, abs(computed)) else {
        return "\(key) is \(stored), but the accuracy_matrix gives \(computed)"
      }
    }
    return nil
  }
}
