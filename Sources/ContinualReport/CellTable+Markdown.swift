extension CellTable {
  /// The table in GitHub-flavoured Markdown with padded columns, readable as plain text in a terminal:
  /// one line per row, ending with a newline; emphasised cells are wrapped in `**`.
  func markdown() -> String {
    let body = rows.enumerated().map { rowIndex, row in
      row.enumerated().map { column, cell in
        let escaped = Self.markdownEscaped(cell)
        return emphasised.contains(Position(row: rowIndex, column: column)) ? "**\(escaped)**" : escaped
      }
    }
    let cells = [header.map(Self.markdownEscaped)] + body
    var widths = Array(repeating: 3, count: header.count)
    for line in cells {
      for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      let padded = cells.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return rightAligned[column] ? padding + cell : cell + padding
      }
      return "| " + padded.joined(separator: " | ") + " |"
    }
    let rule = widths.enumerated().map { column, width in
      rightAligned[column] ? String(repeating: "-", count: width + 1) + ":" : String(repeating: "-", count: width + 2)
    }
    var lines = [line(cells[0]), "|" + rule.joined(separator: "|") + "|"]
    lines += cells.dropFirst().map(line)
    return lines.joined(separator: "\n") + "\n"
  }

  /// Escapes the column separator and keeps the cell on one line.
  static func markdownEscaped(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "|", with: "\\|")
  }
}
