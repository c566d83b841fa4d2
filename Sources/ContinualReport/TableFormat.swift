/// A file format for a ``ComparisonTable``.
///
/// ``html`` is a whole report rather than a table: it also draws figures from the accuracy matrices
/// of the records the table was computed from (see ``HTMLReport``).
///
/// ```swift
/// let formats = try args.formats.map { name in
///   guard let format = TableFormat(rawValue: name) else { throw UsageError.unknownFormat(name) }
///   return format
/// }
/// ```
public enum TableFormat: String, CaseIterable, Sendable {
  /// Markdown (`.md`): the comparison table, then the final accuracy per task.
  case markdown
  /// Comma-separated values (`.csv`).
  case csv
  /// A LaTeX booktabs `tabular` (`.tex`).
  case latex
  /// JSON for programs (`.json`).
  case json
  /// A self-contained HTML report (`.html`): the tables and SVG figures of the accuracy matrices.
  case html

  /// The file extension, without the dot: `md`, `csv`, `tex`, `json` or `html`.
  public var fileExtension: String {
    switch self {
    case .markdown: "md"
    case .csv: "csv"
    case .latex: "tex"
    case .json: "json"
    case .html: "html"
    }
  }
}
