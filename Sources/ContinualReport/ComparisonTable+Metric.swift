import ContinualCore

extension ComparisonTable {
  /// A per-seed metric of a row that can be compared between rows seed by seed: the accuracy-like
  /// columns of the table (not the wall time, which depends on the machine's load rather than the
  /// seed).
  ///
  /// ```swift
  /// for metric in ComparisonTable.Metric.allCases where table.rows[0].significantlyBest.contains(metric) {
  ///   print("best \(metric.rawValue)")
  /// }
  /// ```
  public enum Metric: String, CaseIterable, Sendable, Codable {
    /// Final average accuracy.
    case averageAccuracy = "average_accuracy"
    /// Average incremental accuracy.
    case incrementalAccuracy = "average_incremental_accuracy"
    /// Backward transfer.
    case backwardTransfer = "bwt"
    /// Average forgetting (lower is better).
    case forgetting
    /// Forward transfer.
    case forwardTransfer = "fwt"
    /// Learning accuracy: each task's accuracy right after it is learnt, averaged over tasks.
    case learningAccuracy = "learning_accuracy"
    /// Intransigence against the reference row (lower is better; see
    /// ``ComparisonTable/Row/intransigence``).
    case intransigence

    /// Whether a larger value is better: true for every metric but forgetting and intransigence.
    public var higherIsBetter: Bool { self != .forgetting && self != .intransigence }

    /// The short name used in CSV column names: `acc`, `inc_acc`, `bwt`, `forgetting`, `fwt`, `la`,
    /// `int`.
    var csvName: String { places.csvName }

    /// Where the metric is kept: in a seed's results, in a row, and its CSV name.
    var places: (seed: KeyPath<SeedResult, Double?>, row: KeyPath<Row, MeanEstimate?>, csvName: String) {
      switch self {
      case .averageAccuracy: (\.averageAccuracy, \.averageAccuracy, "acc")
      case .incrementalAccuracy: (\.incrementalAccuracy, \.incrementalAccuracy, "inc_acc")
      case .backwardTransfer: (\.backwardTransfer, \.backwardTransfer, "bwt")
      case .forgetting: (\.forgetting, \.forgetting, "forgetting")
      case .forwardTransfer: (\.forwardTransfer, \.forwardTransfer, "fwt")
      case .learningAccuracy: (\.learningAccuracy, \.learningAccuracy, "la")
      case .intransigence: (\.intransigence, \.intransigence, "int")
      }
    }
  }

  /// The metrics of one finished seed of a row, kept so that rows can be compared seed by seed
  /// (see ``PairedDifference``). Fractions, like the row's estimates.
  ///
  /// ```swift
  /// let bySeed = row.values(of: .averageAccuracy)   // [seed: accuracy]
  /// ```
  public struct SeedResult: Sendable, Equatable, Codable {
    /// The seed.
    public var seed: UInt64
    /// Final average accuracy.
    public var averageAccuracy: Double?
    /// Average incremental accuracy.
    public var incrementalAccuracy: Double?
    /// Backward transfer.
    public var backwardTransfer: Double?
    /// Average forgetting.
    public var forgetting: Double?
    /// Forward transfer.
    public var forwardTransfer: Double?
    /// Learning accuracy.
    public var learningAccuracy: Double?
    /// Intransigence against the reference row's run of the same seed (set by the table, not by the
    /// record alone).
    public var intransigence: Double?

    enum CodingKeys: String, CodingKey {
      case seed, averageAccuracy = "average_accuracy", incrementalAccuracy = "average_incremental_accuracy"
      case backwardTransfer = "bwt", forgetting, forwardTransfer = "fwt", learningAccuracy = "learning_accuracy"
      case intransigence
    }

    /// Creates a seed's results from its parts.
    ///
    /// - Parameters:
    ///   - seed: The seed.
    ///   - averageAccuracy: Final average accuracy.
    ///   - incrementalAccuracy: Average incremental accuracy.
    ///   - backwardTransfer: Backward transfer.
    ///   - forgetting: Average forgetting.
    ///   - forwardTransfer: Forward transfer.
    ///   - learningAccuracy: Learning accuracy.
    ///   - intransigence: Intransigence against the reference row's run of the same seed.
    public init(
      seed: UInt64, averageAccuracy: Double?, incrementalAccuracy: Double? = nil, backwardTransfer: Double? = nil,
      forgetting: Double? = nil, forwardTransfer: Double? = nil, learningAccuracy: Double? = nil,
      intransigence: Double? = nil
    ) {
      self.seed = seed
      self.averageAccuracy = averageAccuracy
      self.incrementalAccuracy = incrementalAccuracy
      self.backwardTransfer = backwardTransfer
      self.forgetting = forgetting
      self.forwardTransfer = forwardTransfer
      self.learningAccuracy = learningAccuracy
      self.intransigence = intransigence
    }

    /// The results of a finished record (without intransigence, which needs the reference row).
    init(_ record: RunRecord) {
      self.init(
        seed: record.seed, averageAccuracy: record.averageAccuracy, incrementalAccuracy: record.incrementalAccuracy,
        backwardTransfer: record.bwt, forgetting: record.forgetting, forwardTransfer: record.forwardTransfer,
        learningAccuracy: record.diagonalAccuracy)
    }

    /// The value of `metric`, when the seed has it.
    ///
    /// - Parameter metric: The metric.
    /// - Returns: Its value as a fraction, or `nil`.
    public func value(of metric: Metric) -> Double? {
      self[keyPath: metric.places.seed]
    }
  }
}

extension RunRecord {
  /// Average incremental accuracy, computed from the accuracy matrix when the record lacks it
  /// (records written before version 0.2.0).
  var incrementalAccuracy: Double? {
    averageIncrementalAccuracy ?? (try? ContinualMetrics(accuracyMatrix: accuracyMatrix))?.averageIncrementalAccuracy
  }

  /// Learning accuracy, computed from the accuracy matrix when the record lacks it (records written
  /// before the field existed).
  var diagonalAccuracy: Double? {
    learningAccuracy ?? (try? ContinualMetrics(accuracyMatrix: accuracyMatrix))?.learningAccuracy
  }
}
