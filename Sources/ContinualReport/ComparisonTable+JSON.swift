import Foundation

extension ComparisonTable {
  /// The table as JSON for programs: an array of row objects with full-precision numbers.
  ///
  /// Each object has `benchmark`, `scenario`, `algorithm`, `label` (the row's name in the tables,
  /// such as `ewc (lambda=1e4)`), `config` (the configuration: the records' `config` without the
  /// seed), `distinguishing_keys` (the keys of `config` the label shows, in its order), `runs`,
  /// `finished`, `failed`, `failures` (the reasons), `final_task_accuracies` (an array), and
  /// `average_accuracy`, `average_incremental_accuracy`, `bwt`, `forgetting`, `fwt`,
  /// `learning_accuracy`, `intransigence` and `wall_seconds` — each `{"mean", "standard_error", "n"}`
  /// or `null` — and `intransigence_reference`, the label of the `joint` row intransigence is
  /// measured against (`null` without one). `seeds` holds each finished
  /// seed's metrics, `significantly_best` the metrics in which the row is marked best, and
  /// `vs_baseline` (`null` without a baseline) the baseline row's label and the seed-paired
  /// differences from it, each `{"mean", "standard_error", "n", "ci95_lower", "ci95_upper"}`.
  /// Accuracies are fractions, not percentages. Keys are sorted, so the output is stable; it decodes
  /// back into `[ComparisonTable.Row]`.
  ///
  /// ```swift
  /// let text = try table.json()
  /// let rows = try JSONDecoder().decode([ComparisonTable.Row].self, from: Data(text.utf8))
  /// ```
  ///
  /// - Returns: Pretty-printed JSON ending with a newline.
  /// - Throws: `EncodingError` when a number is not finite (only possible for records built in memory,
  ///   since ``RecordFile`` never writes one).
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n"
  }
}
