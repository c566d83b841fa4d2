import ContinualCore
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

  /// `value` to four significant digits (`%.4g`: `0.1235`, `1.5e-05`), never showing `-0`.
  static func significant(_ value: Double) -> String {
    let text = String(format: "%.4g", value)
    return text == "-0" ? "0" : text
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

  /// A paired difference in percentage points: `+1.23 ± 0.45 [0.20, 2.26] (n = 3)`, `+1.23 (n = 1)`
  /// with one pair (no interval), or `—`.
  static func difference(_ difference: PairedDifference?) -> String {
    guard let difference else { return "—" }
    let mean = signed(difference.mean * 100)
    guard let interval = difference.confidenceInterval else { return "\(mean) (n = \(difference.count))" }
    let (low, high) = (fixed(interval.lowerBound * 100, decimals: 2), fixed(interval.upperBound * 100, decimals: 2))
    return "\(mean) ± \(fixed(difference.standardError * 100, decimals: 2)) [\(low), \(high)] (n "
      + "= \(difference.count))"
  }

  /// `value` with 2 decimals and a `+` when it is positive.
  static func signed(_ value: Double) -> String {
    let text = fixed(value, decimals: 2)
    return text.hasPrefix("-") || text.allSatisfy({ $0 == "0" || $0 == "." }) ? text : "+" + text
  }

  /// `none`, or `1 of 3 failed: <first failure reason>`, on one line.
  static func failures(of row: ComparisonTable.Row) -> String {
    guard let first = row.failures.first else { return "none" }
    let reason = first.split(whereSeparator: \.isNewline).joined(separator: " ")
    return "\(row.failures.count) of \(row.runs) failed: \(reason)"
  }
}

extension ComparisonTable {
  /// Whether any row has forward transfer, or is class-incremental (where forward transfer is
  /// undefined, and the column says so with `—`), so the human-readable tables need its column.
  var showsForwardTransfer: Bool {
    rows.contains { $0.forwardTransfer != nil || $0.scenario == Scenario.class.rawValue }
  }

  /// The metrics of `row` shown in the human-readable tables, in column order, with whether each is
  /// a time (seconds) rather than a percentage and whether the row is significantly best in it.
  func displayedMetrics(of row: Row) -> [(estimate: MeanEstimate?, isTime: Bool, isBest: Bool)] {
    var metrics: [Metric] = [.averageAccuracy, .incrementalAccuracy, .backwardTransfer, .forgetting]
    if showsForwardTransfer { metrics.append(.forwardTransfer) }
    metrics += [.learningAccuracy, .intransigence]
    return metrics.map { (row.estimate(of: $0), false, row.significantlyBest.contains($0)) } + [
      (row.wallSeconds, true, false)
    ]
  }

  /// The titles of the metric columns matching ``displayedMetrics(of:)``, with `%` as given.
  func displayedMetricTitles(percent: String) -> [String] {
    ["ACC (\(percent))", "Inc. ACC (\(percent))", "BWT (\(percent))", "Forgetting (\(percent))"]
      + (showsForwardTransfer ? ["FWT (\(percent))"] : []) + [
        "LA (\(percent))", "Intransigence (\(percent))", "Time (s)",
      ]
  }

  /// The titles of the columns of differences from the baseline, or none without a baseline, with
  /// `%`, `Δ` and the baseline's name written as the format needs.
  func baselineTitles(percent: String, delta: String = "Δ", name: (String) -> String = { $0 }) -> [String] {
    guard let baseline else { return [] }
    return ["\(delta)ACC vs \(name(baseline)) (\(percent))", "\(delta)BWT vs \(name(baseline)) (\(percent))"]
  }

  /// Whether `row` is the baseline row of its benchmark and scenario.
  static func isBaseline(_ row: Row) -> Bool { row.baselineComparison?.baseline == row.label }

  /// The cells of the differences of `row` from the baseline (`baseline` in the baseline's own row),
  /// matching ``baselineTitles(percent:)``.
  func baselineCells(of row: Row, format: (PairedDifference?) -> String = Cell.difference) -> [String] {
    guard baseline != nil else { return [] }
    if Self.isBaseline(row) { return ["baseline", "baseline"] }
    guard let comparison = row.baselineComparison else { return ["—", "—"] }
    return [format(comparison.averageAccuracy), format(comparison.backwardTransfer)]
  }

  /// Whether some benchmark and scenario has more than one row, so that the best values can be marked.
  var comparesRows: Bool {
    Dictionary(grouping: rows) { [$0.benchmark, $0.scenario] }.values.contains { $0.count > 1 }
  }

  /// The notes that explain the marks, the FWT and intransigence columns and the difference
  /// columns, in the order the tables show them.
  func notes() -> [String] {
    (comparesRows ? [Self.significanceNote] : []) + (forwardTransferNote.map { [$0] } ?? [])
      + (rows.isEmpty ? [] : [intransigenceNote])
      + (baseline.map { [baselineNote($0)] } ?? [])
  }

  /// The cells of the comparison table shown by ``markdown()`` and the HTML report: names, each
  /// displayed metric as `mean ± error` (emphasised where the row is significantly best), the
  /// differences from the baseline, the finished seed count and the failures.
  func summaryCells() -> CellTable {
    let titles =
      ["Benchmark", "Scenario", "Algorithm"] + displayedMetricTitles(percent: "%") + baselineTitles(percent: "%") + [
        "n", "Failed",
      ]
    var emphasised: Set<CellTable.Position> = []
    let body = rows.enumerated().map { rowIndex, row in
      let metrics = displayedMetrics(of: row)
      for (column, metric) in metrics.enumerated() where metric.isBest {
        emphasised.insert(CellTable.Position(row: rowIndex, column: 3 + column))
      }
      return [row.benchmark, row.scenario, row.label]
        + metrics.map { Self.estimateCell($0.estimate, isTime: $0.isTime, row: row) }
        + baselineCells(of: row) + [String(row.finished), Cell.failures(of: row)]
    }
    let aligned = [false, false, false] + Array(repeating: true, count: titles.count - 4) + [false]
    return CellTable(header: titles, rightAligned: aligned, rows: body, emphasised: emphasised)
  }

  /// The cells of the final accuracy per task shown by ``perTaskMarkdown()`` and the HTML report: one
  /// column per task up to the largest task count of any row, `—` where a row has fewer tasks.
  func perTaskCells() -> CellTable {
    let taskCount = rows.map(\.finalTaskAccuracies.count).max() ?? 0
    let titles = ["Benchmark", "Scenario", "Algorithm"] + (0..<taskCount).map { "Task \($0 + 1)" }
    let body = rows.map { row in
      [row.benchmark, row.scenario, row.label]
        + (0..<taskCount).map { task in
          Self.estimateCell(
            task < row.finalTaskAccuracies.count ? row.finalTaskAccuracies[task] : nil, isTime: false, row: row)
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
