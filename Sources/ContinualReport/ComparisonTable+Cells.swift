import Foundation

/// The text of table cells, shared by every renderer so that all formats show the same numbers.
enum Cell {
  /// `value` with a fixed number of decimals, never showing `-0.00`.
  static func fixed(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", value)
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
      return String(text.dropFirst())
    }
    return text
  }

  /// The mean and standard error of an accuracy-like estimate as percentages with 2 decimals.
  static func percent(_ estimate: MeanEstimate) -> (mean: String, error: String) {
    (fixed(estimate.mean * 100, decimals: 2), fixed(estimate.standardError * 100, decimals: 2))
  }

  /// The mean and standard error of a time in seconds with 1 decimal.
  static func seconds(_ estimate: MeanEstimate) -> (mean: String, error: String) {
    (fixed(estimate.mean, decimals: 1), fixed(estimate.standardError, decimals: 1))
  }

  /// The estimate's seed count when it differs from the row's finished runs (a metric some runs lack).
  static func unusualCount(_ estimate: MeanEstimate, in row: ComparisonTable.Row) -> Int? {
    estimate.count == row.finished ? nil : estimate.count
  }

  /// `none`, or `1 of 3 failed: <first failure reason>`, on one line.
  static func failures(of row: ComparisonTable.Row) -> String {
    guard let first = row.failures.first else { return "none" }
    let reason = first.split(whereSeparator: \.isNewline).joined(separator: " ")
    return "\(row.failures.count) of \(row.runs) failed: \(reason)"
  }
}

extension ComparisonTable {
  /// Whether any row has forward transfer, so the human-readable tables need its column.
  var showsForwardTransfer: Bool { rows.contains { $0.forwardTransfer != nil } }

  /// The metrics of `row` shown in the human-readable tables, in column order, with whether each is
  /// a time (seconds) rather than a percentage.
  func displayedMetrics(of row: Row) -> [(estimate: MeanEstimate?, isTime: Bool)] {
    var metrics: [(MeanEstimate?, Bool)] = [
      (row.averageAccuracy, false), (row.incrementalAccuracy, false), (row.backwardTransfer, false), (row.forgetting, false),
    ]
    if showsForwardTransfer { metrics.append((row.forwardTransfer, false)) }
    metrics.append((row.wallSeconds, true))
    return metrics
  }

  /// The titles of the metric columns matching ``displayedMetrics(of:)``, with `%` as given.
  func displayedMetricTitles(percent: String) -> [String] {
    ["ACC (\(percent))", "Inc. ACC (\(percent))", "BWT (\(percent))", "Forgetting (\(percent))"]
      + (showsForwardTransfer ? ["FWT (\(percent))"] : []) + ["Time (s)"]
  }

  /// The cells of the comparison table shown by ``markdown()`` and the HTML report: names, each
  /// displayed metric as `mean ± error`, the finished seed count and the failures.
  func summaryCells() -> CellTable {
    let titles = ["Benchmark", "Scenario", "Algorithm"] + displayedMetricTitles(percent: "%") + ["n", "Failed"]
    let body = rows.map { row in
      [row.benchmark, row.scenario, row.algorithm]
        + displayedMetrics(of: row).map { Self.estimateCell($0.estimate, isTime: $0.isTime, row: row) }
        + [String(row.finished), Cell.failures(of: row)]
    }
    let aligned = [false, false, false] + Array(repeating: true, count: titles.count - 4) + [false]
    return CellTable(header: titles, rightAligned: aligned, rows: body)
  }

  /// The cells of the final accuracy per task shown by ``perTaskMarkdown()`` and the HTML report: one
  /// column per task up to the largest task count of any row, `—` where a row has fewer tasks.
  func perTaskCells() -> CellTable {
    let taskCount = rows.map(\.finalTaskAccuracies.count).max() ?? 0
    let titles = ["Benchmark", "Scenario", "Algorithm"] + (0..<taskCount).map { "Task \($0 + 1)" }
    let body = rows.map { row in
      [row.benchmark, row.scenario, row.algorithm]
        + (0..<taskCount).map { task in
          Self.estimateCell(task < row.finalTaskAccuracies.count ? row.finalTaskAccuracies[task] : nil, isTime: false, row: row)
        }
    }
    let aligned = [false, false, false] + Array(repeating: true, count: taskCount)
    return CellTable(header: titles, rightAligned: aligned, rows: body)
  }

  /// `mean ± error`, with the estimate's own seed count when it differs from the row's, or `—`.
  static func estimateCell(_ estimate: MeanEstimate?, isTime: Bool, row: Row) -> String {
    guard let estimate else { return "—" }
    let (mean, error) = isTime ? Cell.seconds(estimate) : Cell.percent(estimate)
    let count = Cell.unusualCount(estimate, in: row).map { " (n = \($0))" } ?? ""
    return "\(mean) ± \(error)\(count)"
  }
}
