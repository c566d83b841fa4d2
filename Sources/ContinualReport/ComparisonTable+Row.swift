import ContinualCore

extension ComparisonTable {
  /// One (benchmark, scenario, algorithm) group summarised over its seeds.
  ///
  /// Accuracies, BWT, forgetting and FWT are fractions (0.97 is 97 %); renderers show them as
  /// percentages. Its JSON form (see ``ComparisonTable/json()``) uses snake_case keys and also
  /// carries the `finished` and `failed` counts.
  ///
  /// ```swift
  /// let row = table.rows[0]
  /// print(row.algorithm, row.averageAccuracy?.mean ?? .nan, "\(row.failures.count) of \(row.runs) failed")
  /// ```
  public struct Row: Sendable, Equatable, Codable {
    /// The benchmark's name.
    public var benchmark: String
    /// The scenario: `task`, `domain` or `class`.
    public var scenario: String
    /// The algorithm stack, such as `slnid+mas`.
    public var algorithm: String
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
    /// Forward transfer, over finished runs that have it.
    public var forwardTransfer: MeanEstimate?
    /// Wall-clock seconds, over finished runs.
    public var wallSeconds: MeanEstimate?
    /// Final accuracy on each task (the last row of the accuracy matrix), over finished runs.
    public var finalTaskAccuracies: [MeanEstimate]

    /// How many runs finished (and so enter the means).
    public var finished: Int { runs - failures.count }

    enum CodingKeys: String, CodingKey {
      case benchmark, scenario, algorithm, runs, finished, failed, failures
      case averageAccuracy = "average_accuracy", incrementalAccuracy = "average_incremental_accuracy"
      case backwardTransfer = "bwt", forgetting, forwardTransfer = "fwt"
      case wallSeconds = "wall_seconds", finalTaskAccuracies = "final_task_accuracies"
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
    public init(
      benchmark: String, scenario: String, algorithm: String, runs: Int, failures: [String] = [],
      averageAccuracy: MeanEstimate?, incrementalAccuracy: MeanEstimate? = nil, backwardTransfer: MeanEstimate? = nil,
      forgetting: MeanEstimate? = nil,
      forwardTransfer: MeanEstimate? = nil, wallSeconds: MeanEstimate?, finalTaskAccuracies: [MeanEstimate] = []
    ) {
      self.benchmark = benchmark
      self.scenario = scenario
      self.algorithm = algorithm
      self.runs = runs
      self.failures = failures
      self.averageAccuracy = averageAccuracy
      self.incrementalAccuracy = incrementalAccuracy
      self.backwardTransfer = backwardTransfer
      self.forgetting = forgetting
      self.forwardTransfer = forwardTransfer
      self.wallSeconds = wallSeconds
      self.finalTaskAccuracies = finalTaskAccuracies
    }

    /// Summarises one group's records.
    init(benchmark: String, scenario: String, algorithm: String, records: [RunRecord]) {
      let finished = records.filter { $0.status == "finished" }
      let finalRows = finished.compactMap(\.accuracyMatrix.last)
      let taskCount = finalRows.map(\.count).max() ?? 0
      self.init(
        benchmark: benchmark, scenario: scenario, algorithm: algorithm, runs: records.count,
        failures: records.filter { $0.status != "finished" }.map { $0.failure ?? "status \($0.status)" },
        averageAccuracy: MeanEstimate(finished.compactMap(\.averageAccuracy)),
        incrementalAccuracy: MeanEstimate(
          finished.compactMap {
            $0.averageIncrementalAccuracy ?? (try? ContinualMetrics(accuracyMatrix: $0.accuracyMatrix))?.averageIncrementalAccuracy
          }),
        backwardTransfer: MeanEstimate(finished.compactMap(\.bwt)),
        forgetting: MeanEstimate(finished.compactMap(\.forgetting)),
        forwardTransfer: MeanEstimate(finished.compactMap(\.fwt)),
        wallSeconds: MeanEstimate(finished.map(\.wallSeconds)),
        finalTaskAccuracies: (0..<taskCount).compactMap { task in
          MeanEstimate(finalRows.compactMap { task < $0.count ? $0[task] : nil })
        })
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
        finalTaskAccuracies: try container.decode([MeanEstimate].self, forKey: .finalTaskAccuracies))
    }

    /// Encodes every key, with `null` for a metric no finished run has, plus the `finished` and
    /// `failed` counts.
    ///
    /// - Parameter encoder: The encoder.
    /// - Throws: `EncodingError` when a number cannot be encoded.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(benchmark, forKey: .benchmark)
      try container.encode(scenario, forKey: .scenario)
      try container.encode(algorithm, forKey: .algorithm)
      try container.encode(runs, forKey: .runs)
      try container.encode(finished, forKey: .finished)
      try container.encode(failures.count, forKey: .failed)
      try container.encode(failures, forKey: .failures)
      try container.encode(averageAccuracy, forKey: .averageAccuracy)
      try container.encode(incrementalAccuracy, forKey: .incrementalAccuracy)
      try container.encode(backwardTransfer, forKey: .backwardTransfer)
      try container.encode(forgetting, forKey: .forgetting)
      try container.encode(forwardTransfer, forKey: .forwardTransfer)
      try container.encode(wallSeconds, forKey: .wallSeconds)
      try container.encode(finalTaskAccuracies, forKey: .finalTaskAccuracies)
    }
  }
}
