import ContinualCore

extension ComparisonTable {
  /// One configuration on one benchmark and scenario, summarised over its seeds.
  ///
  /// A configuration is everything in a record's `config` but the seed: two sets of runs of one
  /// algorithm that differ in any setting (a hyperparameter, the learning rate, the network) are two
  /// rows, never one. When rows of one benchmark and scenario share an algorithm, their ``label``
  /// names the settings that tell them apart, as in `ewc (lambda=1e4)` and `ewc (lambda=1e6)`.
  ///
  /// Accuracies, BWT, forgetting, FWT, learning accuracy and intransigence are fractions (0.97 is
  /// 97 %); renderers show them as percentages. Its JSON form (see ``ComparisonTable/json()``) uses snake_case keys and
  /// also
  /// carries the `finished` and `failed` counts.
  ///
  /// ```swift
  /// let row = table.rows[0]
  /// print(row.label, row.averageAccuracy?.mean ?? .nan, "\(row.failures.count) of \(row.runs) failed")
  /// ```
  public struct Row: Sendable, Equatable, Codable {
    /// The benchmark's name.
    public var benchmark: String
    /// The scenario: `task`, `domain` or `class`.
    public var scenario: String
    /// The algorithm stack, such as `slnid+mas`.
    public var algorithm: String
    /// The name shown in the tables: ``algorithm``, followed by the settings that tell this row apart
    /// from other rows of the same algorithm, benchmark and scenario, as in `ewc (lambda=1e4)`.
    public var label: String
    /// The configuration: the records' `config` without the seed; empty for a row built by hand.
    public var configuration: [String: String]
    /// The keys of ``configuration`` that differ between rows of the same algorithm, benchmark and
    /// scenario, in the order the label shows them; empty when the algorithm has one row. A key the
    /// row's records lack is listed too (the label says `no key`).
    public var distinguishingKeys: [String]
    /// The metrics of each finished seed, by increasing seed, for seed-paired comparisons.
    public var seedResults: [SeedResult]
    /// The metrics in which this row is best within its benchmark and scenario, and better than the
    /// runner-up by a significant seed-paired difference (see ``ComparisonTable/init(records:)``).
    public var significantlyBest: [Metric]
    /// The seed-paired differences from the baseline row, when the table has a baseline (see
    /// ``ComparisonTable/comparing(toBaseline:)``) and this row's benchmark and scenario have it.
    public var baselineComparison: BaselineComparison?
    /// Every run in the group, finished or not.
    public var runs: Int
    /// The reason of each run that did not finish, in record order.
    public var failures: [String]
    /// Average accuracy after the last task, over finished runs.
    public var averageAccuracy: MeanEstimate?
    /// Average incremental accuracy (the mean over stages of the accuracy on the tasks seen so
    /// far), over finished runs; computed from the accuracy matrix when a record lacks it.
    public var incrementalAccuracy: MeanEstimate?
    /// Backward transfer, over finished runs that have it.
    public var backwardTransfer: MeanEstimate?
    /// Average forgetting, over finished runs that have it.
    public var forgetting: MeanEstimate?
    /// Forward transfer, over finished runs that have it (none in the class-incremental scenario,
    /// where it is undefined).
    public var forwardTransfer: MeanEstimate?
    /// Learning accuracy (each task's accuracy right after it is learnt, averaged over tasks), over
    /// finished runs; computed from the accuracy matrix when a record lacks it.
    public var learningAccuracy: MeanEstimate?
    /// Intransigence (Chaudhry et al. 2018) against ``intransigenceReference``, over the seeds both
    /// rows finished: per seed, the mean over tasks `k` of `a*_k − R[k][k]`, with `a*_k` the
    /// reference's `R[k][k]` for the same seed (see `Intransigence`). `nil` when the table has no
    /// reference row for this row; set by ``ComparisonTable/init(records:)``.
    public var intransigence: MeanEstimate?
    /// The label of the `joint` row this row's ``intransigence`` is measured against, or `nil`.
    public var intransigenceReference: String?
    /// Wall-clock seconds, over finished runs.
    public var wallSeconds: MeanEstimate?
    /// Final accuracy on each task (the last row of the accuracy matrix), over finished runs.
    public var finalTaskAccuracies: [MeanEstimate]

    /// How many runs finished (and so enter the means).
    public var finished: Int { runs - failures.count }

    /// The settings that tell this row apart from rows of the same algorithm: ``configuration``
    /// restricted to ``distinguishingKeys`` (a key the records lack is left out).
    public var distinguishingSettings: [String: String] {
      configuration.filter { distinguishingKeys.contains($0.key) }
    }

    /// The value of `metric` for each finished seed that has it.
    ///
    /// - Parameter metric: The metric.
    /// - Returns: Values by seed.
    public func values(of metric: Metric) -> [UInt64: Double] {
      var values: [UInt64: Double] = [:]
      for result in seedResults {
        if let value = result.value(of: metric), values[result.seed] == nil { values[result.seed] = value }
      }
      return values
    }

    enum CodingKeys: String, CodingKey {
      case benchmark, scenario, algorithm, label, runs, finished, failed, failures
      case configuration = "config", distinguishingKeys = "distinguishing_keys", seedResults = "seeds"
      case significantlyBest = "significantly_best", baselineComparison = "vs_baseline"
      case averageAccuracy = "average_accuracy", incrementalAccuracy = "average_incremental_accuracy"
      case backwardTransfer = "bwt", forgetting, forwardTransfer = "fwt"
      case wallSeconds = "wall_seconds", finalTaskAccuracies = "final_task_accuracies"
      case learningAccuracy = "learning_accuracy", intransigence, intransigenceReference = "intransigence_reference"
    }

    /// Creates a row from its parts.
    ///
    /// - Parameters:
    ///   - benchmark: The benchmark's name.
    ///   - scenario: The scenario.
    ///   - algorithm: The algorithm stack.
    ///   - runs: Every run in the group.
    ///   - failures: The reason of each run that did not finish.
    ///   - averageAccuracy: Average accuracy over finished runs.
    ///   - incrementalAccuracy: Average incremental accuracy over finished runs.
    ///   - backwardTransfer: Backward transfer over finished runs.
    ///   - forgetting: Average forgetting over finished runs.
    ///   - forwardTransfer: Forward transfer over finished runs.
    ///   - wallSeconds: Wall-clock seconds over finished runs.
    ///   - finalTaskAccuracies: Final accuracy on each task over finished runs.
    ///   - label: The name shown in the tables; `nil` for the algorithm's name.
    ///   - configuration: The records' `config` without the seed.
    ///   - distinguishingKeys: The keys of `configuration` the label shows.
    ///   - seedResults: The metrics of each finished seed.
    ///   - significantlyBest: The metrics in which the row is significantly best.
    ///   - baselineComparison: The seed-paired differences from the baseline row.
    ///   - learningAccuracy: Learning accuracy over finished runs.
    ///   - intransigence: Intransigence against the reference row.
    ///   - intransigenceReference: The label of the reference row.
    public init(
      benchmark: String, scenario: String, algorithm: String, runs: Int, failures: [String] = [],
      averageAccuracy: MeanEstimate?, incrementalAccuracy: MeanEstimate? = nil, backwardTransfer: MeanEstimate? = nil,
      forgetting: MeanEstimate? = nil,
      forwardTransfer: MeanEstimate? = nil, wallSeconds: MeanEstimate?, finalTaskAccuracies: [MeanEstimate] = [],
      label: String? = nil, configuration: [String: String] = [:], distinguishingKeys: [String] = [],
      seedResults: [SeedResult] = [],
      significantlyBest: [Metric] = [], baselineComparison: BaselineComparison? = nil,
      learningAccuracy: MeanEstimate? = nil,
      intransigence: MeanEstimate? = nil, intransigenceReference: String? = nil
    ) {
      self.benchmark = benchmark
      self.scenario = scenario
      self.algorithm = algorithm
      self.label = label ?? algorithm
      self.configuration = configuration
      self.distinguishingKeys = distinguishingKeys
      self.seedResults = seedResults
      self.significantlyBest = significantlyBest
      self.baselineComparison = baselineComparison
      self.runs = runs
      self.failures = failures
      self.averageAccuracy = averageAccuracy
      self.incrementalAccuracy = incrementalAccuracy
      self.backwardTransfer = backwardTransfer
      self.forgetting = forgetting
      self.forwardTransfer = forwardTransfer
      self.learningAccuracy = learningAccuracy
      self.intransigence = intransigence
      self.intransigenceReference = intransigenceReference
      self.wallSeconds = wallSeconds
      self.finalTaskAccuracies = finalTaskAccuracies
    }

    /// Summarises the records of one configuration.
    init(benchmark: String, scenario: String, algorithm: String, configuration: [String: String], records: [RunRecord])
    {
      let finished = records.filter { $0.status == .finished }
      let finalRows = finished.compactMap(\.accuracyMatrix.last)
      let taskCount = finalRows.map(\.count).max() ?? 0
      self.init(
        benchmark: benchmark, scenario: scenario, algorithm: algorithm, runs: records.count,
        failures: records.filter { $0.status != .finished }.map { $0.failure ?? "status \($0.status)" },
        averageAccuracy: MeanEstimate(finished.compactMap(\.averageAccuracy)),
        incrementalAccuracy: MeanEstimate(finished.compactMap(\.incrementalAccuracy)),
        backwardTransfer: MeanEstimate(finished.compactMap(\.bwt)),
        forgetting: MeanEstimate(finished.compactMap(\.forgetting)),
        forwardTransfer: MeanEstimate(finished.compactMap(\.forwardTransfer)),
        wallSeconds: MeanEstimate(finished.map(\.wallSeconds)),
        finalTaskAccuracies: (0..<taskCount).compactMap { task in
          MeanEstimate(finalRows.compactMap { task < $0.count ? $0[task] : nil })
        },
        configuration: configuration, seedResults: finished.map(SeedResult.init).sorted { $0.seed < $1.seed },
        learningAccuracy: MeanEstimate(finished.compactMap(\.diagonalAccuracy)))
    }

    /// Decodes a row written by ``ComparisonTable/json()``.
    ///
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` when a required key is missing or has the wrong type.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      self.init(
        benchmark: try container.decode(String.self, forKey: .benchmark),
        scenario: try container.decode(String.self, forKey: .scenario),
        algorithm: try container.decode(String.self, forKey: .algorithm),
        runs: try container.decode(Int.self, forKey: .runs),
        failures: try container.decode([String].self, forKey: .failures),
        averageAccuracy: try container.decodeIfPresent(MeanEstimate.self, forKey: .averageAccuracy),
        incrementalAccuracy: try container.decodeIfPresent(MeanEstimate.self, forKey: .incrementalAccuracy),
        backwardTransfer: try container.decodeIfPresent(MeanEstimate.self, forKey: .backwardTransfer),
        forgetting: try container.decodeIfPresent(MeanEstimate.self, forKey: .forgetting),
        forwardTransfer: try container.decodeIfPresent(MeanEstimate.self, forKey: .forwardTransfer),
        wallSeconds: try container.decodeIfPresent(MeanEstimate.self, forKey: .wallSeconds),
        finalTaskAccuracies: try container.decode([MeanEstimate].self, forKey: .finalTaskAccuracies),
        label: try container.decodeIfPresent(String.self, forKey: .label),
        configuration: try container.decodeIfPresent([String: String].self, forKey: .configuration) ?? [:],
        distinguishingKeys: try container.decodeIfPresent([String].self, forKey: .distinguishingKeys) ?? [],
        seedResults: try container.decodeIfPresent([SeedResult].self, forKey: .seedResults) ?? [],
        significantlyBest: try container.decodeIfPresent([Metric].self, forKey: .significantlyBest) ?? [],
        baselineComparison: try container.decodeIfPresent(BaselineComparison.self, forKey: .baselineComparison),
        learningAccuracy: try container.decodeIfPresent(MeanEstimate.self, forKey: .learningAccuracy),
        intransigence: try container.decodeIfPresent(MeanEstimate.self, forKey: .intransigence),
        intransigenceReference: try container.decodeIfPresent(String.self, forKey: .intransigenceReference))
    }

    /// Encodes every key, with `null` for a metric no finished run has (and for `vs_baseline` without
    /// a baseline, and for `intransigence` and `intransigence_reference` without a reference row),
    /// plus the `finished` and `failed` counts.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: `EncodingError` when a number cannot be encoded.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(benchmark, forKey: .benchmark)
      try container.encode(scenario, forKey: .scenario)
      try container.encode(algorithm, forKey: .algorithm)
      try container.encode(label, forKey: .label)
      try container.encode(configuration, forKey: .configuration)
      try container.encode(distinguishingKeys, forKey: .distinguishingKeys)
      try container.encode(runs, forKey: .runs)
      try container.encode(finished, forKey: .finished)
      try container.encode(failures.count, forKey: .failed)
      try container.encode(failures, forKey: .failures)
      try container.encode(averageAccuracy, forKey: .averageAccuracy)
      try container.encode(incrementalAccuracy, forKey: .incrementalAccuracy)
      try container.encode(backwardTransfer, forKey: .backwardTransfer)
      try container.encode(forgetting, forKey: .forgetting)
      try container.encode(forwardTransfer, forKey: .forwardTransfer)
      try container.encode(learningAccuracy, forKey: .learningAccuracy)
      try container.encode(intransigence, forKey: .intransigence)
      try container.encode(intransigenceReference, forKey: .intransigenceReference)
      try container.encode(wallSeconds, forKey: .wallSeconds)
      try container.encode(finalTaskAccuracies, forKey: .finalTaskAccuracies)
      try container.encode(seedResults, forKey: .seedResults)
      try container.encode(significantlyBest, forKey: .significantlyBest)
      try container.encode(baselineComparison, forKey: .baselineComparison)
    }
  }
}
