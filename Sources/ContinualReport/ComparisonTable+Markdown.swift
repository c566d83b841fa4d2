import Foundation

extension ComparisonTable {
  /// The table in Markdown: mean ± standard error of each metric, the number of finished seeds `n`,
  /// and the failed runs.
  ///
  /// The columns are ACC, Inc. ACC, BWT, forgetting, FWT, LA (learning accuracy), intransigence (against
  /// the `joint` row, see ``Row/intransigence``) and time. Accuracies, BWT, forgetting, FWT, LA and
  /// intransigence are percentages with 2 decimals, time is seconds with 1 decimal; the FWT column
  /// appears only when some row has forward transfer or is class-incremental (where it is undefined
  /// and shows `—`), and intransigence is `—` in rows without a reference row. A metric some finished
  /// runs lack shows its own count, as in `1.20 ± 0.00 (n = 1)`; a metric no run has shows `—`.
  /// The Algorithm column shows each row's ``Row/label``. A value in bold is the best of its column
  /// within its benchmark and scenario, significantly better than the runner-up (see
  /// ``Row/significantlyBest``). With a baseline (``comparing(toBaseline:)``), two columns give each
  /// row's seed-paired difference from it, as `+1.23 ± 0.45 [0.20, 2.26] (n = 3)`: mean ± standard
  /// error, the 95 % confidence interval, and the number of paired seeds, in percentage points.
  /// Columns are padded so the table also reads well in a terminal.
  ///
  /// ```swift
  /// print(ComparisonTable(records: records).markdown())
  /// // | Benchmark   | Scenario | Algorithm |      ACC (%) |      BWT (%) | … |   n | Failed         |
  /// // |-------------|----------|-----------|-------------:|-------------:|---|----:|----------------|
  /// // | split-mnist | task     | ewc       | 93.00 ± 2.08 | -5.33 ± 2.91 | … |   3 | 1 of 4 failed… |
  /// ```
  ///
  /// - Returns: A Markdown table ending with a newline.
  public func markdown() -> String {
    summaryCells().markdown()
  }

  /// The final accuracy on each task, per group, in Markdown: the last row of the accuracy matrix,
  /// as mean ± standard error over finished seeds, in percent with 2 decimals.
  ///
  /// There is one column per task up to the largest task count of any row; a row with fewer tasks
  /// shows `—` in the rest.
  ///
  /// ```swift
  /// print(table.perTaskMarkdown())
  /// // | Benchmark   | Scenario | Algorithm |       Task 1 |       Task 2 |
  /// // |-------------|----------|-----------|-------------:|-------------:|
  /// // | split-mnist | task     | slnid     | 97.10 ± 0.20 | 98.40 ± 0.10 |
  /// ```
  ///
  /// - Returns: A Markdown table ending with a newline.
  public func perTaskMarkdown() -> String {
    perTaskCells().markdown()
  }
}
