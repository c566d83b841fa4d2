/// The key of a line chart: one entry per algorithm with its line style, marker and name.
struct SeriesLegend {
  /// The algorithms' names and styles, in drawing order.
  var entries: [(name: String, style: SeriesStyle)]

  /// The height of one entry.
  static let rowHeight = 20.0
  /// The width of an entry's sample line.
  static let sampleWidth = 26.0

  /// The width of the widest entry.
  var entryWidth: Double {
    Self.sampleWidth + 8 + (entries.map { Markup.estimatedWidth($0.name, fontSize: 12) }.max() ?? 0)
  }

  /// The entries as SVG elements, stacked downwards from (`x`, `y`), the top left of the first.
  func stacked(x: Double, y: Double) -> String {
    entries.enumerated().map { index, entry in
      self.entry(entry, x: x, y: y + Double(index) * Self.rowHeight)
    }.joined(separator: "\n")
  }

  /// The legend as a stand-alone `<svg>` element, its entries in rows no wider than `maximumWidth`.
  func svg(maximumWidth: Double) -> String {
    var placed: [(x: Double, y: Double)] = []
    var (x, y, widest) = (0.0, 0.0, 0.0)
    for entry in entries {
      let width = Self.sampleWidth + 8 + Markup.estimatedWidth(entry.name, fontSize: 12) + 22
      if x > 0, x + width > maximumWidth {
        (x, y) = (0, y + Self.rowHeight)
      }
      placed.append((x, y))
      x += width
      widest = max(widest, x)
    }
    var parts = [
      Markup.svgOpening(
        className: "legend", width: max(widest, 1), height: y + Self.rowHeight + 4,
        label: "Legend: one line per algorithm")
    ]
    for (entry, place) in zip(entries, placed) {
      parts.append(self.entry(entry, x: place.x, y: place.y + 2))
    }
    parts.append("</svg>")
    return parts.joined(separator: "\n")
  }

  /// One entry: a sample line with a marker, then the name, its top left at (`x`, `y`).
  func entry(_ entry: (name: String, style: SeriesStyle), x: Double, y: Double) -> String {
    let middle = y + Self.rowHeight / 2
    return "<g class=\"legend-entry\"><line x1=\"\(Markup.number(x))\" y1=\"\(Markup.number(middle))\" "
      + "x2=\"\(Markup.number(x + Self.sampleWidth))\" y2=\"\(Markup.number(middle))\" "
      + "\(entry.style.strokeAttributes(width: 2))/><circle cx=\"\(Markup.number(x + Self.sampleWidth / 2))\" "
      + "cy=\"\(Markup.number(middle))\" r=\"3.5\" fill=\"\(entry.style.colour)\" stroke=\"#ffffff\" "
      + "stroke-width=\"1\"/>"
      + Markup.text(entry.name, x: x + Self.sampleWidth + 6, y: middle, attributes: "dy=\"0.35em\"")
      + "</g>"
  }
}
