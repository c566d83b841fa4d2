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
  /// hold one, and still read (the tables show `—` for it, see `RunRecord.forwardTransfer`). The
  /// validation accuracy matrix, which `--validation` selects on, has the accuracy matrix's rules and
  /// shape. Every other number is bounded: wall time at most ``maximumWallSeconds``, peak memory at
  /// most ``maximumPeakRSSBytes``, loss terms finite `Float`s, no more of them than tasks.
  var inconsistency: String? {
    let tasks = accuracyMatrix.first?.count ?? 0
    if let problem = Self.matrixProblem(
      accuracyMatrix, key: "accuracy_matrix", tasks: tasks, finished: status == .finished)
    {
      return problem
    }
    if let validation = validationAccuracyMatrix,
      let problem = Self.matrixProblem(
        validation, key: "validation_accuracy_matrix", tasks: tasks, finished: status == .finished)
    {
      return problem
    }
    if let problem = confusionProblem { return problem }
    if let initial = initialAccuracies {
      guard initial.count == tasks else { return "initial_accuracies has \(initial.count) entries for \(tasks) tasks" }
      if let j = initial.firstIndex(where: { !(0...1).contains($0) }) {
        return "initial_accuracies[\(j)] is \(initial[j]), not a fraction in [0, 1]"
      }
    }
    return boundsProblem ?? summaryMismatch
  }

  /// Why the confusion matrix and the per-class accuracies cannot describe a run: the matrix must
  /// be square with at most `ContinualTrainer.maximumConfusionColumns` columns and counts that are
  /// not negative, and the per-class accuracies must be present exactly with it and equal what it
  /// gives.
  var confusionProblem: String? {
    guard let confusion = confusionMatrix else {
      return classAccuracies == nil ? nil : "class_accuracies without a confusion_matrix"
    }
    let side = confusion.count
    guard side <= ContinualTrainer.maximumConfusionColumns else {
      return "confusion_matrix has \(side) rows; at most \(ContinualTrainer.maximumConfusionColumns)"
    }
    if let i = confusion.firstIndex(where: { $0.count != side }) {
      return "confusion_matrix[\(i)] has \(confusion[i].count) entries for \(side) rows"
    }
    for (i, row) in confusion.enumerated() {
      if let j = row.firstIndex(where: { $0 < 0 }) {
        return "confusion_matrix[\(i)][\(j)] is \(row[j]), a negative count"
      }
    }
    guard let accuracies = classAccuracies, accuracies.count == side,
      zip(accuracies, Self.classAccuracies(of: confusion)).allSatisfy({ a, b in
        a == b || (a != nil && b != nil && Swift.abs(a! - b!) <= 1e-9)
      })
    else { return "class_accuracies are not the confusion_matrix's diagonal over its row sums" }
    return nil
  }

  /// The longest time a record may report: 10⁹ seconds (about 32 years).
  static let maximumWallSeconds = 1e9
  /// The largest peak memory a record may report: 2⁵⁰ bytes (1 PiB).
  static let maximumPeakRSSBytes = 1 << 50
  /// The largest magnitude of a recorded loss term: `Float`'s largest finite value, since losses are
  /// computed in `Float`.
  static let maximumLossMagnitude = Double(Float.greatestFiniteMagnitude)

  /// Why a matrix of accuracies (test or validation) cannot describe a run of `tasks` tasks.
  ///
  /// The rules: one column per task, at most ``maximumTaskCount`` of them; no more rows than tasks,
  /// exactly as many for a finished run; every entry a fraction in [0, 1].
  static func matrixProblem(_ matrix: [[Double]], key: String, tasks: Int, finished: Bool) -> String? {
    let columns = matrix.first?.count ?? 0
    guard columns <= maximumTaskCount else { return "\(key) has \(columns) tasks; at most \(maximumTaskCount)" }
    for (i, row) in matrix.enumerated() where row.count != tasks {
      return key == "accuracy_matrix"
        ? "\(key)[\(i)] has \(row.count) entries but accuracy_matrix[0] has \(tasks)"
        : "\(key)[\(i)] has \(row.count) entries but the run has \(tasks) tasks (accuracy_matrix[0])"
    }
    guard matrix.count <= tasks else { return "\(key) has \(matrix.count) rows for \(tasks) tasks" }
    if finished && (tasks == 0 || matrix.count != tasks) {
      return "a finished run needs a square \(key) with a row per task, not \(matrix.count) × \(tasks)"
    }
    for (i, row) in matrix.enumerated() {
      if let j = row.firstIndex(where: { !(0...1).contains($0) }) {
        return "\(key)[\(i)][\(j)] is \(row[j]), not a fraction in [0, 1]"
      }
    }
    return nil
  }

  /// The first number outside its bounds among those a record carries besides its accuracies.
  private var boundsProblem: String? {
    guard wallSeconds.isFinite, (0...Self.maximumWallSeconds).contains(wallSeconds) else {
      let most = Int(Self.maximumWallSeconds)
      return "wall_seconds is \(wallSeconds), not a finite, non-negative time of at most \(most) seconds"
    }
    guard (0...Self.maximumPeakRSSBytes).contains(peakRSSBytes) else {
      return "peak_rss_bytes is \(peakRSSBytes), not a size between 0 and \(Self.maximumPeakRSSBytes) bytes"
    }
    if let lossTerms {
      let tasks = accuracyMatrix.first?.count ?? 0
      guard lossTerms.count <= (tasks > 0 ? tasks : Self.maximumTaskCount) else {
        return "loss_terms has \(lossTerms.count) entries for \(tasks) tasks"
      }
      for (task, terms) in lossTerms.enumerated() {
        for (name, value) in terms.sorted(by: { $0.key < $1.key })
        where !value.isFinite || abs(value) > Self.maximumLossMagnitude {
          return "loss_terms[\(task)][\"\(name)\"] is \(value), not a finite Float"
        }
      }
    }
    return nil
  }

  /// The first stored summary that differs from what the accuracy matrix gives, or `nil`.
  private var summaryMismatch: String? {
    let metrics =
      status == .finished
      ? try? ContinualMetrics(accuracyMatrix: accuracyMatrix, initialAccuracies: initialAccuracies) : nil
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
