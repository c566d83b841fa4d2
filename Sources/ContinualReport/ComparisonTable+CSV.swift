import Foundation

extension ComparisonTable {
  /// The table as CSV (RFC 4180): one column per mean and per standard error, for spreadsheets.
  ///
  /// Numbers are shown as in ``markdown()`` — percentages with 2 decimals (`*_pct` columns), seconds
  /// with 1 decimal (`time_s`) — and a metric no finished run has is an empty cell. Unlike the
  /// Markdown table, the FWT columns are always present, so the columns never change. `n` counts the
  /// finished seeds, `runs` all runs and `failed` the failed ones, with the first reason in
  /// `first_failure`. For full precision use ``json()``.
  ///
  /// ```swift
  /// print(table.csv())
  /// // benchmark,scenario,algorithm,acc_pct,acc_pct_se,inc_acc_pct,…,n,runs,failed,first_failure
  /// // split-mnist,task,ewc,93.00,2.08,-5.33,…,3,4,1,loss diverged
  /// ```
  ///
  /// - Returns: CSV text with a header line, ending with a newline.
  public func csv() -> String {
    let header = [
      "benchmark", "scenario", "algorithm", "acc_pct", "acc_pct_se", "inc_acc_pct", "inc_acc_pct_se", "bwt_pct", "bwt_pct_se", "forgetting_pct",
      "forgetting_pct_se", "fwt_pct", "fwt_pct_se", "time_s", "time_s_se", "n", "runs", "failed", "first_failure",
    ]
    var lines = [header.joined(separator: ",")]
    for row in rows {
      var fields = [row.benchmark, row.scenario, row.algorithm].map(Self.csvText)
      for metric in [row.averageAccuracy, row.incrementalAccuracy, row.backwardTransfer, row.forgetting, row.forwardTransfer] {
        let cell = metric.map(Cell.percent)
        fields += [cell?.mean ?? "", cell?.error ?? ""]
      }
      let time = row.wallSeconds.map(Cell.seconds)
      fields += [time?.mean ?? "", time?.error ?? ""]
      fields += [String(row.finished), String(row.runs), String(row.failures.count), Self.csvText(row.failures.first ?? "")]
      lines.append(fields.map(Self.csvField).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A text cell that a spreadsheet cannot run as a formula: one starting with `=`, `+`, `-`, `@`,
  /// a tab or a carriage return gets a leading `'` (numbers are written by the table itself and
  /// never pass through here).
  static func csvText(_ text: String) -> String {
    guard let first = text.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
    return "'" + text
  }

  /// Quotes a field that holds a comma, a quote or a line break, doubling its quotes.
  static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
