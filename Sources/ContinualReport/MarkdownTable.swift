/// A GitHub-flavoured Markdown table with padded columns, readable as plain text in a terminal.
struct MarkdownTable {
  var header: [String]
  /// Whether each column is right-aligned (numbers) rather than left-aligned (names).
  var rightAligned: [Bool]
  var rows: [[String]]

  /// The table, one line per row, ending with a newline.
  func rendered() -> String {
    let cells = ([header] + rows).map { $0.map(Self.escape) }
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
  static func escape(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "|", with: "\\|")
  }
}
