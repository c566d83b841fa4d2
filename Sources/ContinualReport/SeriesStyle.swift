/// How one algorithm is drawn in every line chart of a report: its colour, and a dash pattern once the
/// palette's colours are used up.
///
/// The colours are the Okabe–Ito qualitative palette (distinguishable with the common forms of colour
/// blindness), reordered so that the first four are the most distinct on white and the pale yellow is
/// replaced by a darker one. The ninth series reuses the first colour with a dashed line, and so on.
struct SeriesStyle: Equatable {
  /// The stroke and fill colour, as `#rrggbb`.
  var colour: String
  /// An SVG `stroke-dasharray`, or `nil` for a solid line.
  var dashes: String?

  /// The palette's colours, in the order they are handed out.
  static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#A08C00"]

  /// The dash patterns for the first, second, … round through the palette.
  static let dashPatterns: [String?] = [nil, "7 4", "2 3", "9 3 2 3"]

  /// The style of the series at `index` (0-based) in the report's order of algorithms.
  init(index: Int) {
    colour = Self.palette[index % Self.palette.count]
    dashes = Self.dashPatterns[(index / Self.palette.count) % Self.dashPatterns.count]
  }

  /// The SVG presentation attributes of a line in this style, `stroke-width` included.
  func strokeAttributes(width: Double) -> String {
    let dash = dashes.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    return "stroke=\"\(colour)\" stroke-width=\"\(Markup.number(width))\" fill=\"none\"\(dash)"
  }
}
