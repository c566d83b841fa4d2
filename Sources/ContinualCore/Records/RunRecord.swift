import Foundation

/// One finished (or failed) run, as written to a results file: one JSON object per line.
///
/// Tables are always computed from records, never from memory, so a sweep split across machines
/// merges by concatenating record files.
///
/// ```json
/// {"algorithm":"ewc","benchmark":"permuted-builtin","scenario":"domain","seed":1,
///  "accuracy_matrix":[[0.97,0.11],[0.95,0.96]],"average_accuracy":0.955,"bwt":-0.02,...}
/// ```
public struct RunRecord: Codable, Sendable, Equatable {
  /// The ContinualKit version that produced the record.
  public var version: String
  /// Which build of the command trained the run (a fingerprint of its executable, such as
  /// `exe 48213576 crc 9c0e51d2`), so that a sweep does not reuse a record made by other code.
  /// Absent in records written before it existed, and when the executable could not be read: a
  /// sweep treats such a record as made by another build.
  public var build: String?
  /// A stable identity of the run's full configuration (a hash), for resuming sweeps.
  public var runID: String
  /// The benchmark's name, such as `split-mnist`.
  public var benchmark: String
  /// `task`, `domain` or `class`.
  public var scenario: String
  /// The algorithm stack, such as `ewc` or `slnid+mas`.
  public var algorithm: String
  /// The seed.
  public var seed: UInt64
  /// Every setting of the run (protocol knobs and hyperparameters), as strings.
  public var config: [String: String]
  /// Whether the run finished or failed.
  public var status: RunStatus
  /// Why a failed run failed (task, iteration and the objective term for a divergence).
  public var failure: String?
  /// `R[i][j]`: accuracy on task `j` after training task `i` (fractions in [0, 1]).
  public var accuracyMatrix: [[Double]]
  /// Accuracy of the untrained model on each task (for forward transfer), evaluated as after
  /// training the first task (in the class-incremental scenario, task `j` among the classes of tasks
  /// `0…j`).
  public var initialAccuracies: [Double]?
  /// Mean accuracy over all tasks after the last task.
  public var averageAccuracy: Double?
  /// Backward transfer.
  public var bwt: Double?
  /// Forward transfer (against the randomly initialised model); absent in the class-incremental
  /// scenario, where it is undefined (see ``ContinualMetrics/forwardTransferIsDefined(in:)``).
  /// Records written before that rule may hold one; tables read ``forwardTransfer`` instead.
  public var fwt: Double?
  /// Average forgetting.
  public var forgetting: Double?
  /// Average incremental accuracy: the accuracy on the tasks seen so far, averaged over stages.
  /// Absent from records written before version 0.2.0.
  public var averageIncrementalAccuracy: Double?
  /// Learning accuracy: the mean over tasks of each task's accuracy right after it is learnt (the
  /// accuracy matrix's diagonal). Absent from records written before it existed; tables compute it
  /// from their accuracy matrix.
  public var learningAccuracy: Double?
  /// Mean of each objective term over each task's last epoch, by task then term name.
  public var lossTerms: [[String: Double]]?
  /// Wall-clock seconds of the run.
  public var wallSeconds: Double
  /// The process's peak resident set size when the run finished.
  public var peakRSSBytes: Int
  /// When the run finished (ISO 8601).
  public var finishedAt: String
  /// Facts about the run that are neither settings nor results, keyed like settings (HNet's
  /// `hnet.compression_ratio`); absent when there are none.
  public var notes: [String: String]?
  /// `V[i][j]`: accuracy on task `j`'s held-out validation images after training task `i`; absent
  /// when the run held out none (`--validation`). Model selection reads this, never the test matrix.
  public var validationAccuracyMatrix: [[Double]]?
  /// The confusion matrix after the last task: entry `[c][ĉ]` counts the test samples of output
  /// column `c` (class-incremental: the classes of all tasks in task order; domain-incremental: the
  /// shared classes) predicted as column `ĉ`. Kept after the last task only, for runs of at most
  /// 100 output columns (`ContinualTrainer.maximumConfusionColumns`); absent in the
  /// task-incremental scenario and from records written before it existed.
  public var confusionMatrix: [[Int]]?
  /// The accuracy on each output column's test samples after the last task (the confusion
  /// matrix's diagonal over its row sums), `nil` for a column without samples; present exactly
  /// when ``confusionMatrix`` is.
  public var classAccuracies: [Double?]?

  /// The mean validation accuracy over all tasks after the last task, when the run held out
  /// validation data: the number `--validation` selects on.
  public var validationAverageAccuracy: Double? {
    guard status == .finished, let last = validationAccuracyMatrix?.last, !last.isEmpty else { return nil }
    return last.reduce(0, +) / Double(last.count)
  }

  enum CodingKeys: String, CodingKey {
    case version, build, runID = "run_id", benchmark, scenario, algorithm, seed, config, status, failure
    case accuracyMatrix = "accuracy_matrix", initialAccuracies = "initial_accuracies"
    case averageAccuracy = "average_accuracy", bwt, fwt, forgetting, lossTerms = "loss_terms"
    case averageIncrementalAccuracy = "average_incremental_accuracy", learningAccuracy = "learning_accuracy"
    case wallSeconds = "wall_seconds", peakRSSBytes = "peak_rss_bytes", finishedAt = "finished_at", notes
    case validationAccuracyMatrix = "validation_accuracy_matrix"
    case confusionMatrix = "confusion_matrix", classAccuracies = "class_accuracies"
  }

  /// Creates a record.
  public init(
    version: String = ContinualKitVersion.current, runID: String, benchmark: String, scenario: String,
    algorithm: String,
    seed: UInt64, config: [String: String], status: RunStatus = .finished, failure: String? = nil,
    accuracyMatrix: [[Double]], initialAccuracies: [Double]? = nil, lossTerms: [[String: Double]]? = nil,
    wallSeconds: Double, peakRSSBytes: Int, finishedAt: Date = Date(), notes: [String: String]? = nil,
    validationAccuracyMatrix: [[Double]]? = nil, confusionMatrix: [[Int]]? = nil, build: String? = nil
  ) {
    self.validationAccuracyMatrix = validationAccuracyMatrix
    self.confusionMatrix = confusionMatrix
    self.classAccuracies = confusionMatrix.map(Self.classAccuracies(of:))
    self.build = build
    self.version = version
    self.runID = runID
    self.benchmark = benchmark
    self.scenario = scenario
    self.algorithm = algorithm
    self.seed = seed
    self.config = config
    self.status = status
    self.failure = failure
    self.accuracyMatrix = accuracyMatrix
    self.initialAccuracies = initialAccuracies
    self.lossTerms = lossTerms
    self.wallSeconds = wallSeconds
    self.peakRSSBytes = peakRSSBytes
    self.finishedAt = ISO8601DateFormatter().string(from: finishedAt)
    self.notes = notes
    if status == .finished,
      let metrics = try? ContinualMetrics(
        accuracyMatrix: accuracyMatrix, initialAccuracies: initialAccuracies, scenario: Scenario(rawValue: scenario))
    {
      averageAccuracy = metrics.averageAccuracy
      bwt = metrics.backwardTransfer
      fwt = metrics.forwardTransfer
      forgetting = metrics.averageForgetting
      averageIncrementalAccuracy = metrics.averageIncrementalAccuracy
      learningAccuracy = metrics.learningAccuracy
    }
  }

  /// Each row's diagonal entry over the row's sum, `nil` for a row without samples.
  ///
  /// - Parameter confusion: Counts, `[true column][predicted column]`.
  /// - Returns: One accuracy per row.
  public static func classAccuracies(of confusion: [[Int]]) -> [Double?] {
    confusion.enumerated().map { c, row in
      let total = row.reduce(0, +)
      return total == 0 || c >= row.count ? nil : Double(row[c]) / Double(total)
    }
  }

  /// Forward transfer as the tables show it: ``fwt``, except in the class-incremental scenario, where
  /// forward transfer is undefined and this is `nil` even for a record written before that rule.
  public var forwardTransfer: Double? {
    Scenario(rawValue: scenario).map(ContinualMetrics.forwardTransferIsDefined(in:)) == false ? nil : fwt
  }
}

/// The version string written into every record.
public enum ContinualKitVersion {
  /// The current ContinualKit version.
  public static let current = "0.3.0"
}

/// How a run ended, as its record's `status` says: `finished` or `failed`.
public enum RunStatus: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
  /// Every task trained and evaluated.
  case finished
  /// Training stopped (the loss diverged); ``RunRecord/failure`` says where and why.
  case failed

  /// `finished` or `failed`, as records write it.
  public var description: String { rawValue }
}
