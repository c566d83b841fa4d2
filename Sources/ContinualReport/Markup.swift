/// Text and numbers as they are written into the HTML report and its SVG figures.
///
/// Everything the report writes is also well-formed XML, so each `<svg>` can be copied out as a
/// stand-alone figure.
enum Markup {
  /// `text` escaped for HTML and XML element content and quoted attribute values: `&`, `<`, `>`, `"`
  /// and `'` become references, and control characters that XML 1.0 forbids become U+FFFD.
  static func escaped(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.count)
    for scalar in text.unicodeScalars {
      if let reference = references[scalar] {
        escaped += reference
        continue
      }
      let control = scalar.value < 0x20 && !["\t", "\n", "\r"].contains(scalar)
      let forbidden = control || (0xFFFE...0xFFFF).contains(scalar.value)
      escaped.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
    }
    return escaped
  }

  /// The characters written as references.
  static let references: [Unicode.Scalar: String] = [
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;",
  ]

  /// An SVG `<line>` from `start` to `end`, with a class when given, then `attributes` (its stroke).
  static func line(
    from start: (x: Double, y: Double), to end: (x: Double, y: Double), class name: String? = nil, _ attributes: String
  ) -> String {
    let named = name.map { "class=\"\($0)\" " } ?? ""
    return "<line \(named)x1=\"\(number(start.x))\" y1=\"\(number(start.y))\" x2=\"\(number(end.x))\" "
      + "y2=\"\(number(end.y))\" \(attributes)/>"
  }

  /// A coordinate or length for SVG: at most one decimal, no `-0`, and `0` for a non-finite value.
  static func number(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let text = Cell.fixed(value, decimals: 1)
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
  }

  /// `points="x1,y1 x2,y2 …"` for a `<polyline>` or `<polygon>`.
  static func points(_ points: [(x: Double, y: Double)]) -> String {
    points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
  }
}

extension Markup {
  /// The font of every SVG figure, given on each `<svg>` so that a figure copied out of the report
  /// keeps it.
  static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"

  /// A generous estimate of the width of `text` in pixels at `fontSize`, for laying out labels and
  /// legends without measuring: 0.6 em per character (sans-serif text averages about 0.5 em).
  static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
    Double(text.count) * fontSize * 0.6
  }

  /// The opening tag of a figure's `<svg>` element, with its size, `viewBox`, class and font, and a
  /// `<title>` child that names it for screen readers.
  static func svgOpening(className: String, width: Double, height: Double, label: String) -> String {
    let (w, h) = (number(width.rounded(.up)), number(height.rounded(.up)))
    return "<svg class=\"\(escaped(className))\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" "
      + "font-family=\"\(escaped(fontFamily))\" font-size=\"12\"><title>\(escaped(label))</title>"
  }

  /// A `<text>` element at (`x`, `y`) with escaped content and extra attributes.
  static func text(_ content: String, x: Double, y: Double, attributes: String = "") -> String {
    let extra = attributes.isEmpty ? "" : " " + attributes
    return "<text x=\"\(number(x))\" y=\"\(number(y))\"\(extra)>\(escaped(content))</text>"
  }

  /// A light gridline across the plot from `start` to `end`.
  static func gridline(from start: (x: Double, y: Double), to end: (x: Double, y: Double)) -> String {
    line(from: start, to: end, class: "gridline", "stroke=\"#e4e4e4\" stroke-width=\"1\"")
  }

  /// A dark tick mark from `start` to `end`.
  static func tick(from start: (x: Double, y: Double), to end: (x: Double, y: Double)) -> String {
    line(from: start, to: end, "stroke=\"#444444\"")
  }

  /// A tick 5 pixels below the x axis at `x` and its label centred under it.
  static func xTick(_ label: String, x: Double, axis bottom: Double) -> [String] {
    [
      tick(from: (x, bottom), to: (x, bottom + 5)),
      text(label, x: x, y: bottom + 18, attributes: "text-anchor=\"middle\" font-size=\"11\""),
    ]
  }

  /// A plot's frame: the y axis at `left` and the x axis at `bottom` as one polyline, and the x axis's
  /// title centred 38 pixels below it.
  static func frame(left: Double, right: Double, top: Double, bottom: Double, xTitle: String) -> [String] {
    [
      "<polyline class=\"axis\" points=\"\(points([(left, top), (left, bottom), (right, bottom)]))\" "
        + "fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>",
      text(xTitle, x: (left + right) / 2, y: bottom + 38, attributes: "text-anchor=\"middle\""),
    ]
  }
}
