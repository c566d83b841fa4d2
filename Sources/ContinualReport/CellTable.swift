/// The text of a table's cells before rendering, so that the Markdown and HTML forms of a table show
/// exactly the same cells.
struct CellTable {
  /// A body cell: its row and column, from 0.
  struct Position: Hashable {
    var row: Int
    var column: Int
  }

  /// The column titles.
  var header: [String]
  /// Whether each column is right-aligned (numbers) rather than left-aligned (names).
  var rightAligned: [Bool]
  /// The body rows, each with one cell per column.
  var rows: [[String]]
  /// The body cells shown in bold (Markdown `**…**`, HTML `<strong>`).
  var emphasised: Set<Position> = []
}
