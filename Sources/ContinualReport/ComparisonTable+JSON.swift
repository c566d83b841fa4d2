import Foundation

extension ComparisonTable {
  /// The table as JSON for programs: an array of row objects with full-precision numbers.
  ///
  /// Each object has `benchmark`, `scenario`, `algorithm`, `runs`, `finished`, `failed`, `failures`
  /// (the reasons), `final_task_accuracies` (an array), and `average_accuracy`,
  /// `average_incremental_accuracy`, `bwt`, `forgetting`,
  /// `fwt` and `wall_seconds` — each `{"mean", "standard_error", "n"}` or `null`. Accuracies are
  /// fractions, not percentages. Keys are sorted, so the output is stable; it decodes back into
  /// `[ComparisonTable.Row]`.
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
