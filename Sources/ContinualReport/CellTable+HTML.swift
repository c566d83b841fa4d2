extension CellTable {
  /// The table as an HTML `<table>` with a `<thead>` and a `<tbody>`, inside a `<div class="table-scroll">`
  /// that scrolls sideways when the table is wider than the page; every cell's text is escaped, and
  /// right-aligned columns get the class `num`, and emphasised cells wrap their text in `<strong>`.
  ///
  /// - Parameters:
  ///   - className: The table's `class` attribute.
  ///   - caption: An optional caption, shown above the table.
  /// - Returns: The `<div>` holding the table, on several lines.
  func html(className: String, caption: String? = nil) -> String {
    func cell(_ tag: String, _ text: String, column: Int, strong: Bool = false) -> String {
      let alignment = rightAligned[column] ? " class=\"num\"" : ""
      let content = strong ? "<strong>\(Markup.escaped(text))</strong>" : Markup.escaped(text)
      return "<\(tag)\(alignment)>\(content)</\(tag)>"
    }
    var lines = ["<div class=\"table-scroll\">", "<table class=\"\(Markup.escaped(className))\">"]
    if let caption { lines.append("<caption>\(Markup.escaped(caption))</caption>") }
    lines.append("<thead><tr>" + header.enumerated().map { cell("th", $1, column: $0) }.joined() + "</tr></thead>")
    lines.append("<tbody>")
    for (rowIndex, row) in rows.enumerated() {
      let cells = row.enumerated().map { column, text in
        cell("td", text, column: column, strong: emphasised.contains(Position(row: rowIndex, column: column)))
      }
      lines.append("<tr>" + cells.joined() + "</tr>")
    }
    lines += ["</tbody>", "</table>", "</div>"]
    return lines.joined(separator: "\n")
  }
}
