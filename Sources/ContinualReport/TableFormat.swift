/// A file format for a ``ComparisonTable``.
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

  /// The file extension, without the dot: `md`, `csv`, `tex` or `json`.
  public var fileExtension: String {
    switch self {
    case .markdown: "md"
    case .csv: "csv"
    case .latex: "tex"
    case .json: "json"
    }
  }
}
