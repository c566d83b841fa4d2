import ContinualCore

/// A comparison of algorithms computed from run records: one row per configuration on each
/// benchmark and scenario, each metric as mean ± standard error over seeds, with failed runs counted
/// and shown.
///
/// A configuration is everything in a record's `config` except the seed, so runs that differ in any
/// setting — a hyperparameter, the learning rate, the network — are never pooled into one row. When
/// rows of one benchmark and scenario share an algorithm, each row's ``Row/label`` shows the settings
/// that tell them apart, as in `ewc (lambda=1e4)` and `ewc (lambda=1e6, labels=empirical)`.
///
/// Rows keep the order of the records: benchmarks in the order they first appear, then scenarios
/// in the order they first appear, then configurations in the order they first appear — so the
/// order a user asked for on the command line is kept, and merged files keep the order of their
/// records. Only records whose `status` is `finished` enter the means; every other record counts as
/// failed, and its `failure` reason is kept for display.
///
/// Seeds are shared between algorithms (the same data order per seed), so rows are also compared
/// seed by seed: in each column the best value of a benchmark and scenario is marked
/// (``Row/significantlyBest``) when its ``PairedDifference`` from the runner-up has a 95 %
/// confidence interval that excludes 0, and ``comparing(toBaseline:)`` adds every row's paired
/// difference from a baseline row.
///
/// Render with ``markdown()``, ``csv()``, ``latex()``, ``json()`` and ``perTaskMarkdown()``, or write
/// files with ``write(_:formats:to:baseName:)``. A table computed from records keeps them in
/// ``records``, so that it can also be written as an ``HTMLReport`` with figures of the accuracy
/// matrices:
///
/// ```swift
/// let contents = try RecordFile.readAll(shards)
/// let table = try ComparisonTable(records: contents.records).comparing(toBaseline: "finetune")
/// print(table.markdown())
/// // | Benchmark   | Scenario | Algorithm        |       ACC (%) | … | ΔACC vs finetune (%)        | … |
/// // | split-mnist | task     | ewc (lambda=1e4) |  97.12 ± 0.15 | … | +9.40 ± 0.35 [7.89, 10.91]  | … |
/// ```
public struct ComparisonTable: Sendable, Equatable {
  /// The rows, in display order.
  public var rows: [Row]
  /// The run records the rows were computed from, for the figures of the HTML report; empty for a
  /// table created from rows alone.
  public var records: [RunRecord]
  /// The name of the baseline row the rows are compared with, as given to
  /// ``comparing(toBaseline:)``; `nil` when there is none.
  public var baseline: String?

  /// Creates a table from rows already computed, keeping their labels, marks and baseline
  /// comparisons as they are.
  ///
  /// - Parameters:
  ///   - rows: The rows, in display order.
  ///   - records: The records the rows summarise, if the HTML report should draw their figures.
  ///   - baseline: The name of the baseline row the rows' ``Row/baselineComparison`` refer to.
  public init(rows: [Row], records: [RunRecord] = [], baseline: String? = nil) {
    self.rows = rows
    self.records = records
    self.baseline = baseline
  }

  /// Groups records by benchmark, scenario and configuration (the `config` without the seed),
  /// summarises each group over its seeds, labels rows that share an algorithm with the settings
  /// that tell them apart, measures each row's intransigence against the `joint` row of its
  /// benchmark, scenario and protocol settings (``Row/intransigence``), and marks the significantly
  /// best value of each column; keeps the records in ``records``.
  ///
  /// - Parameter records: Run records, for example from ``RecordFile/readAll(_:)``.
  /// - Complexity: O(*n* log *n*) in the number of records, plus O(*r*²) in the number of rows.
  public init(records: [RunRecord]) {
    var benchmarkRank: [String: Int] = [:]
    var scenarioRank: [String: Int] = [:]
    var order: [ConfigurationKey] = []
    var groups: [ConfigurationKey: [RunRecord]] = [:]
    for record in records {
      if benchmarkRank[record.benchmark] == nil { benchmarkRank[record.benchmark] = benchmarkRank.count }
      if scenarioRank[record.scenario] == nil { scenarioRank[record.scenario] = scenarioRank.count }
      let key = ConfigurationKey(record)
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(record)
    }
    // A stable sort keeps first appearance among the configurations of a benchmark and scenario.
    let keys = order.enumerated().sorted {
      (benchmarkRank[$0.element.benchmark] ?? 0, scenarioRank[$0.element.scenario] ?? 0, $0.offset)
        < (benchmarkRank[$1.element.benchmark] ?? 0, scenarioRank[$1.element.scenario] ?? 0, $1.offset)
    }.map(\.element)
    let rows = keys.map { key in
      Row(
        benchmark: key.benchmark, scenario: key.scenario, algorithm: key.algorithm, configuration: key.configuration,
        records: groups[key] ?? [])
    }
    self.init(rows: Self.markingSignificantBests(Self.withIntransigence(Self.labelled(rows))), records: records)
  }
}
