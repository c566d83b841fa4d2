import ContinualCore
import Foundation

/// What `continual report` does with its tables: prints the Markdown table, and writes files only
/// into a folder named by `--output`.
///
/// `compare` writes its tables next to the records it made, in its `--output` (default
/// `results`). `report` reads records from anywhere, so a default folder would be a guess: before,
/// `continual report other/records.jsonl` silently overwrote `./results/comparison.*` — the tables
/// of whatever sweep ran in the current folder. Writing next to the records file was the other
/// choice; it would overwrite that sweep's own `compare` tables with a table of other runs whenever
/// several files are merged, and has no answer for files in several folders. So without
/// `--output` nothing is written; `--format` without `--output` is an error, since the formats
/// name files.
///
/// - Parameters:
///   - records: The records read.
///   - options: The report's options (`--output`, `--format`, `--baseline`).
/// - Throws: ``CLIError`` for `--format` without `--output`, and the errors of writing tables.
func writeReport(_ records: [RunRecord], options: Options) throws {
  guard options.given.contains("--output") else {
    if options.given.contains("--format") {
      throw CLIError(
        "report: --format names the files to write; give --output DIR as well (without --output, "
          + "report prints the table only)")
    }
    try writeTables(records, options: options, writingFiles: false)
    options.console.note(
      "no --output: the table is printed only; give --output DIR to write "
        + "comparison.{md,csv,tex,json} there")
    return
  }
  try writeTables(records, options: options)
}
