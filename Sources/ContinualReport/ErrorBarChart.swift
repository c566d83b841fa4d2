/// An SVG dot plot of one metric per table row, with error bars: one line per row, top to bottom in
/// the table's order, the row's label on the left, a marker at the mean (in percent, on the x axis)
/// and a bar with end caps from mean − SEM to mean + SEM, the standard error of the mean over seeds
/// (``MeanEstimate/standardError``).
///
/// Each row is one `<g class="error-bar">` whose `data-row`, `data-mean` and `data-error` attributes
/// give its label and the mean and SEM as the tables print them (percent, 2 decimals); it holds the
/// bar and its caps (`<line class="bar">`, `<line class="cap">`, only when the SEM is not 0) and the
/// marker (`<circle class="point">`, with a tooltip). With ``marksZero``, a dashed `<line class="zero">`
/// marks 0.
struct ErrorBarChart {
  /// One row's estimate.
  struct Entry {
    /// The row's label.
    var name: String
    /// Its colour.
    var style: SeriesStyle
    /// The metric over seeds, as a fraction.
    var estimate: MeanEstimate
  }

  /// The title above the plot.
  var title: String
  /// The x-axis title.
  var xLabel: String
  /// The rows, top to bottom.
  var entries: [Entry]
  /// The x axis, in percent (widened to start and end on a tick).
  var domain: ClosedRange<Double>
  /// Whether to draw a dashed line at 0 (for a difference such as BWT; the axis then includes 0).
  var marksZero = false
  /// The plot area's width in pixels.
  var plotWidth = 260.0
  /// The height of one row in pixels.
  static let rowHeight = 22.0

  /// At most this many ticks on the x axis.
  var tickCount: Int { max(3, Int(plotWidth / 45)) }

  /// The x axis's range: ``domain`` widened to start and end on a tick.
  var axisDomain: ClosedRange<Double> { LinearScale.widened(domain, maximumCount: tickCount) }

  /// An x axis for the percentages `low` and `high` (the ends of every bar), including 0 when
  /// `includingZero` is set, with some room when every value is the same.
  static func domain(low: [Double], high: [Double], includingZero: Bool) -> ClosedRange<Double> {
    let values = (low + high + (includingZero ? [0] : [])).filter(\.isFinite)
    guard let lower = values.min(), let upper = values.max() else { return 0...100 }
    return lower < upper ? lower...upper : (lower - 1)...(upper + 1)
  }

  /// The figure as an `<svg>` element.
  func svg() -> String {
    let labelWidth = entries.map { Markup.estimatedWidth($0.name, fontSize: 12) }.max() ?? 0
    let (left, top, bottom, right) = (labelWidth + 16, 34.0, 50.0, 18.0)
    let plotHeight = Double(max(entries.count, 1)) * Self.rowHeight
    let titleWidth = Markup.estimatedWidth(title, fontSize: 13)
    let width = max(left + plotWidth + right, titleWidth + 20)
    let x = LinearScale(domain: axisDomain, start: left, end: left + plotWidth)
    var parts = [
      Markup.svgOpening(className: "error-bars", width: width, height: top + plotHeight + bottom, label: title)
    ]
    parts.append(
      Markup.text(
        title, x: max(left + plotWidth / 2, titleWidth / 2 + 10), y: 20,
        attributes: "text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\""))
    parts.append(axis(x: x, top: top, bottom: top + plotHeight))
    for (index, entry) in entries.enumerated() {
      let y = top + (Double(index) + 0.5) * Self.rowHeight
      parts.append(Markup.text(entry.name, x: left - 8, y: y, attributes: "text-anchor=\"end\" dy=\"0.35em\""))
      parts.append(bar(entry, x: x, y: y))
    }
    parts.append("</svg>")
    return parts.joined(separator: "\n")
  }

  /// One row's group: the bar and caps from mean − SEM to mean + SEM, and the marker at the mean.
  func bar(_ entry: Entry, x: LinearScale, y: Double) -> String {
    let (mean, error) = Cell.percent(entry.estimate)
    let centre = x(clamped(entry.estimate.mean * 100))
    let (low, high) = (
      x(clamped((entry.estimate.mean - entry.estimate.standardError) * 100)),
      x(clamped((entry.estimate.mean + entry.estimate.standardError) * 100))
    )
    var parts = [
      "<g class=\"error-bar\" data-row=\"\(Markup.escaped(entry.name))\" data-mean=\"\(mean)\" data-error=\"\(error)\">"
    ]
    if entry.estimate.standardError > 0 {
      let (yText, colour) = (Markup.number(y), entry.style.colour)
      parts.append(
        "<line class=\"bar\" x1=\"\(Markup.number(low))\" y1=\"\(yText)\" x2=\"\(Markup.number(high))\" "
          + "y2=\"\(yText)\" stroke=\"\(colour)\" stroke-width=\"2\"/>")
      for end in [low, high] {
        parts.append(
          "<line class=\"cap\" x1=\"\(Markup.number(end))\" y1=\"\(Markup.number(y - 5))\" "
            + "x2=\"\(Markup.number(end))\" y2=\"\(Markup.number(y + 5))\" stroke=\"\(colour)\" stroke-width=\"2\"/>")
      }
    }
    let tooltip = "\(entry.name): \(mean) ± \(error) % (n = \(entry.estimate.count))"
    parts.append(
      "<circle class=\"point\" cx=\"\(Markup.number(centre))\" cy=\"\(Markup.number(y))\" r=\"4\" "
        + "fill=\"\(entry.style.colour)\" "
        + "stroke=\"#ffffff\" stroke-width=\"1\"><title>\(Markup.escaped(tooltip))</title></circle>")
    parts.append("</g>")
    return parts.joined(separator: "\n")
  }

  /// `percent` limited to the x axis.
  func clamped(_ percent: Double) -> Double {
    min(max(percent, axisDomain.lowerBound), axisDomain.upperBound)
  }

  /// Gridlines, the zero line, the x axis with its ticks and labels, and the axis title.
  func axis(x: LinearScale, top: Double, bottom: Double) -> String {
    var parts: [String] = []
    for value in x.ticks(maximumCount: tickCount) {
      parts.append(Markup.gridline(from: (x(value), top), to: (x(value), bottom)))
      parts += Markup.xTick(LinearScale.label(value), x: x(value), axis: bottom)
    }
    if marksZero, axisDomain.contains(0) {
      parts.append(
        Markup.line(
          from: (x(0), top), to: (x(0), bottom), class: "zero",
          "stroke=\"#888888\" stroke-width=\"1\" stroke-dasharray=\"4 3\""))
    }
    parts += Markup.frame(left: x.start, right: x.end, top: top, bottom: bottom, xTitle: xLabel)
    return parts.joined(separator: "\n")
  }
}
