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
      (row.averageAccuracy, false), (row.backwardTransfer, false), (row.forgetting, false),
    ]
    if showsForwardTransfer { metrics.append((row.forwardTransfer, false)) }
    metrics.append((row.wallSeconds, true))
    return metrics
  }

  /// The titles of the metric columns matching ``displayedMetrics(of:)``, with `%` as given.
  func displayedMetricTitles(percent: String) -> [String] {
    ["ACC (\(percent))", "BWT (\(percent))", "Forgetting (\(percent))"]
      + (showsForwardTransfer ? ["FWT (\(percent))"] : []) + ["Time (s)"]
  }
}
