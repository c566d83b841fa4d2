import Foundation

extension ComparisonTable {
  /// The table as CSV (RFC 4180): one column per mean and per standard error, for spreadsheets.
  ///
  /// Numbers are shown as in ``markdown()`` — percentages with 2 decimals (`*_pct` columns), seconds
  /// with 1 decimal (`time_s`) — and a metric no finished run has is an empty cell. Unlike the
  /// Markdown table, the FWT and baseline columns are always present, so the columns never change.
  /// `label` is the row's ``Row/label`` and `distinguishing_config` its distinguishing settings with
  /// full keys (`ewc.lambda=1e4; lr=0.001`, `no key` for a key its records lack). `n` counts the
  /// finished seeds, `runs` all runs and `failed` the failed ones, with the first reason in
  /// `first_failure`. `significantly_best` lists the metrics in which the row is marked best
  /// (`acc;bwt`; see ``Row/significantlyBest``). With a baseline, `baseline` names the baseline row and
  /// `delta_acc_*` and `delta_bwt_*` give the seed-paired difference from it in percentage points:
  /// mean, standard error, the 95 % interval and the number of paired seeds. The last columns,
  /// added after the others so that existing column positions stay, are learning accuracy
  /// (`la_pct`, `la_pct_se`), intransigence (`int_pct`, `int_pct_se`, empty without a reference row)
  /// and the label of the row intransigence is measured against (`int_reference`); see
  /// ``Row/intransigence``. For full precision use ``json()``.
  ///
  /// ```swift
  /// print(table.csv())
  /// // benchmark,scenario,algorithm,label,distinguishing_config,acc_pct,acc_pct_se,…,first_failure,
  /// //   significantly_best,baseline,…
  /// // split-mnist,task,ewc,ewc,,93.00,2.08,…,loss diverged,acc,,…
  /// ```
  ///
  /// - Returns: CSV text with a header line, ending with a newline.
  public func csv() -> String {
    let header = [
      "benchmark", "scenario", "algorithm", "label", "distinguishing_config", "acc_pct", "acc_pct_se", "inc_acc_pct",
      "inc_acc_pct_se", "bwt_pct",
      "bwt_pct_se", "forgetting_pct",
      "forgetting_pct_se", "fwt_pct", "fwt_pct_se", "time_s", "time_s_se", "n", "runs", "failed", "first_failure",
      "significantly_best", "baseline",
    ]
    let differenceColumns = ["acc", "bwt"].flatMap { metric in
      ["pct", "pct_se", "ci_low_pct", "ci_high_pct", "n"].map { "delta_\(metric)_\($0)" }
    }
    let laterColumns = ["la_pct", "la_pct_se", "int_pct", "int_pct_se", "int_reference"]
    var lines = [(header + differenceColumns + laterColumns).joined(separator: ",")]
    for row in rows {
      let settings = row.distinguishingKeys.map { key in row.configuration[key].map { "\(key)=\($0)" } ?? "no \(key)" }
      var fields = [row.benchmark, row.scenario, row.algorithm, row.label, settings.joined(separator: "; ")].map(
        Self.csvText)
      for metric in [
        row.averageAccuracy, row.incrementalAccuracy, row.backwardTransfer, row.forgetting, row.forwardTransfer,
      ] {
        let cell = metric.map(Cell.percent)
        fields += [cell?.mean ?? "", cell?.error ?? ""]
      }
      let time = row.wallSeconds.map(Cell.seconds)
      fields += [time?.mean ?? "", time?.error ?? ""]
      fields += [
        String(row.finished), String(row.runs), String(row.failures.count), Self.csvText(row.failures.first ?? ""),
      ]
      fields.append(row.significantlyBest.map(\.csvName).joined(separator: ";"))
      let comparison = baseline == nil ? nil : row.baselineComparison
      fields.append(Self.csvText(comparison?.baseline ?? ""))
      for difference in [comparison?.averageAccuracy, comparison?.backwardTransfer] {
        let percent = { (value: Double?) in value.map { Cell.fixed($0 * 100, decimals: 2) } ?? "" }
        fields += [
          percent(difference?.mean), percent(difference?.standardError),
          percent(difference?.confidenceInterval?.lowerBound),
          percent(difference?.confidenceInterval?.upperBound), difference.map { String($0.count) } ?? "",
        ]
      }
      for metric in [row.learningAccuracy, row.intransigence] {
        let cell = metric.map(Cell.percent)
        fields += [cell?.mean ?? "", cell?.error ?? ""]
      }
      fields.append(Self.csvText(row.intransigenceReference ?? ""))
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
