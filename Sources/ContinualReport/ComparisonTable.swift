import ContinualCore

/// A comparison of algorithms computed from run records: one row per (benchmark, scenario,
/// algorithm), each metric as mean ± standard error over seeds, with failed runs counted and shown.
///
/// Rows are ordered by benchmark name, then scenario name, then by the order in which each algorithm
/// first appears in the records — so the order a user asked for on the command line is kept.
/// Only records whose `status` is `finished` enter the means; every other record counts as failed, and
/// its `failure` reason is kept for display.
///
/// Render with ``markdown()``, ``csv()``, ``latex()``, ``json()`` and ``perTaskMarkdown()``, or write
/// files with ``write(_:formats:to:baseName:)``. A table computed from records keeps them in
/// ``records``, so that it can also be written as an ``HTMLReport`` with figures of the accuracy
/// matrices:
///
/// ```swift
/// let contents = try RecordFile.readAll(shards)
/// let table = ComparisonTable(records: contents.records)
/// print(table.markdown())
/// // | Benchmark   | Scenario | Algorithm |       ACC (%) | … |
/// // | split-mnist | task     | ewc       |  97.12 ± 0.15 | … |
/// ```
public struct ComparisonTable: Sendable, Equatable {
  /// The rows, in display order.
  public var rows: [Row]
  /// The run records the rows were computed from, for the figures of the HTML report; empty for a
  /// table created from rows alone.
  public var records: [RunRecord]

  /// Creates a table from rows already computed.
  ///
  /// - Parameters:
  ///   - rows: The rows, in display order.
  ///   - records: The records the rows summarise, if the HTML report should draw their figures.
  public init(rows: [Row], records: [RunRecord] = []) {
    self.rows = rows
    self.records = records
  }

  /// Groups records by (benchmark, scenario, algorithm) and summarises each group over its seeds,
  /// keeping the records in ``records``.
  ///
  /// - Parameter records: Run records, for example from ``RecordFile/readAll(_:)``.
  /// - Complexity: O(*n* log *n*) in the number of records.
  public init(records: [RunRecord]) {
    struct Key: Hashable {
      var benchmark: String
      var scenario: String
      var algorithm: String
    }
    var algorithmRank: [String: Int] = [:]
    var groups: [Key: [RunRecord]] = [:]
    for record in records {
      if algorithmRank[record.algorithm] == nil { algorithmRank[record.algorithm] = algorithmRank.count }
      let key = Key(benchmark: record.benchmark, scenario: record.scenario, algorithm: record.algorithm)
      groups[key, default: []].append(record)
    }
    let keys = groups.keys.sorted {
      ($0.benchmark, $0.scenario, algorithmRank[$0.algorithm] ?? 0)
        < ($1.benchmark, $1.scenario, algorithmRank[$1.algorithm] ?? 0)
    }
    rows = keys.map { key in
      Row(benchmark: key.benchmark, scenario: key.scenario, algorithm: key.algorithm, records: groups[key] ?? [])
    }
    self.records = records
  }
}
