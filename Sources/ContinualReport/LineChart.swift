/// An SVG line chart of per-task values against the number of tasks trained — accuracies (drawn in
/// percent) or plain numbers such as loss terms: one line with markers per row of the table,
/// optional standard-error bands, labelled axes with ticks, a title and an optional legend on the
/// right.
///
/// Each algorithm's line is one `<polyline class="series">` (present even for a single point, which
/// only its marker shows); its band is one `<polygon class="band">`, drawn when ``drawsBands`` is set
/// and some point averages more than one seed.
struct LineChart {
  /// One algorithm's line.
  struct Series {
    /// The algorithm's name.
    var name: String
    /// Its colour and dash pattern.
    var style: SeriesStyle
    /// The points: the number of tasks trained, and the value over seeds (an accuracy as a fraction,
    /// or a plain number; see ``LineChart/values``).
    var points: [(tasksTrained: Int, value: MeanEstimate)]
  }

  /// What the values are.
  enum Values {
    /// Accuracies, given as fractions and drawn and labelled as percentages.
    case percent
    /// Plain numbers, such as the mean of a loss term over a task's steps, drawn as they are; a
    /// point's tooltip names its task.
    case plain
  }

  /// The title above the plot.
  var title: String
  /// The x-axis title.
  var xLabel = "Tasks trained"
  /// The y-axis title.
  var yLabel = "Accuracy (%)"
  /// The x axis runs from 1 to this.
  var taskCount: Int
  /// The y axis, in percent.
  var yDomain: ClosedRange<Double>
  /// The lines, in drawing order.
  var series: [Series]
  /// Whether the values are accuracies in percent or plain numbers.
  var values = Values.percent
  /// Whether to shade mean ± standard error.
  var drawsBands = false
  /// Whether to draw the legend right of the plot.
  var showsLegend = false
  /// The plot area's width in pixels.
  var plotWidth = 250.0
  /// The plot area's height in pixels.
  var plotHeight = 160.0

  /// The figure as an `<svg>` element.
  func svg() -> String {
    let (left, top, bottom) = (62.0, 34.0, 50.0)
    let legend = SeriesLegend(entries: series.map { ($0.name, $0.style) })
    let right = showsLegend ? 24 + legend.entryWidth : 16
    let titleWidth = Markup.estimatedWidth(title, fontSize: 13)
    let width = max(left + plotWidth + right, titleWidth + 20)
    let height = max(
      top + plotHeight + bottom, showsLegend ? top + 8 + Double(series.count) * SeriesLegend.rowHeight : 0)
    let x = LinearScale(domain: xDomain, start: left, end: left + plotWidth)
    let y = LinearScale(domain: yAxisDomain, start: top + plotHeight, end: top)

    var parts = [Markup.svgOpening(className: "line-chart", width: width, height: height, label: title)]
    parts.append(
      Markup.text(
        title, x: max(left + plotWidth / 2, titleWidth / 2 + 10), y: 20,
        attributes: "text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\""))
    parts.append(grid(x: x, y: y))
    if drawsBands {
      parts += series.compactMap { band(of: $0, x: x, y: y) }
    }
    for line in series {
      let points = line.points.map { (x(Double($0.tasksTrained)), y(clamped(shown($0.value.mean)))) }
      parts.append(
        "<polyline class=\"series\" data-algorithm=\"\(Markup.escaped(line.name))\" "
          + "points=\"\(Markup.points(points))\" \(line.style.strokeAttributes(width: 2)) stroke-linejoin=\"round\"/>")
    }
    for line in series {
      for point in line.points {
        let tooltip =
          "\(line.name), \(pointName(point.tasksTrained)): \(formatted(point.value)) (n = \(point.value.count))"
        parts.append(
          "<circle class=\"marker\" cx=\"\(Markup.number(x(Double(point.tasksTrained))))\" "
            + "cy=\"\(Markup.number(y(clamped(shown(point.value.mean)))))\" r=\"3.2\" fill=\"\(line.style.colour)\" "
            + "stroke=\"#ffffff\" stroke-width=\"1\"><title>\(Markup.escaped(tooltip))</title></circle>")
      }
    }
    if showsLegend {
      parts.append(legend.stacked(x: left + plotWidth + 18, y: top))
    }
    parts.append("</svg>")
    return parts.joined(separator: "\n")
  }

  /// The x axis's data range: the tasks, with a quarter task of room at each end for the markers.
  var xDomain: ClosedRange<Double> { 0.75...(Double(max(taskCount, 1)) + 0.25) }

  /// At most this many ticks on the y axis.
  var yTickCount: Int { max(3, Int(plotHeight / 30)) }

  /// The y axis's range: ``yDomain`` widened to start and end on a tick.
  var yAxisDomain: ClosedRange<Double> { LinearScale.widened(yDomain, maximumCount: yTickCount) }

  /// `value` as drawn: times 100 for percentages, as it is otherwise.
  func shown(_ value: Double) -> Double {
    values == .percent ? value * 100 : value
  }

  /// A point's value as its tooltip gives it: `85.00 ± 5.00 %`, or `0.1235 ± 0.002` to four
  /// significant digits for plain numbers.
  func formatted(_ value: MeanEstimate) -> String {
    switch values {
    case .percent:
      let (mean, error) = Cell.percent(value)
      return "\(mean) ± \(error) %"
    case .plain: return "\(Cell.significant(value.mean)) ± \(Cell.significant(value.standardError))"
    }
  }

  /// How a tooltip names a point's x value: `3 tasks trained`, or `task 3` for plain values.
  func pointName(_ tasksTrained: Int) -> String {
    values == .percent ? "\(tasksTrained) tasks trained" : "task \(tasksTrained)"
  }

  /// A drawn value limited to the y axis.
  func clamped(_ shown: Double) -> Double {
    min(max(shown, yAxisDomain.lowerBound), yAxisDomain.upperBound)
  }

  /// Gridlines, axes, ticks, tick labels and axis titles.
  func grid(x: LinearScale, y: LinearScale) -> String {
    let (left, right, top, bottom) = (x.start, x.end, y.end, y.start)
    var parts: [String] = []
    for value in y.ticks(maximumCount: yTickCount) {
      let position = y(value)
      parts.append(Markup.gridline(from: (left, position), to: (right, position)))
      parts.append(Markup.tick(from: (left - 5, position), to: (left, position)))
      parts.append(
        Markup.text(
          values == .percent ? LinearScale.label(value) : Cell.significant(value), x: left - 8, y: position,
          attributes: "text-anchor=\"end\" dy=\"0.35em\" font-size=\"11\""))
    }
    for task in LinearScale.taskTicks(taskCount, maximumCount: max(2, Int(plotWidth / 22))) {
      parts += Markup.xTick(String(task), x: x(Double(task)), axis: bottom)
    }
    parts += Markup.frame(left: left, right: right, top: top, bottom: bottom, xTitle: xLabel)
    let middle = (top + bottom) / 2
    parts.append(
      Markup.text(
        yLabel, x: 18, y: middle,
        attributes: "text-anchor=\"middle\" transform=\"rotate(-90 18 \(Markup.number(middle)))\""))
    return parts.joined(separator: "\n")
  }

  /// The shaded mean ± standard error of `line`, or `nil` when no point averages more than one seed.
  func band(of line: Series, x: LinearScale, y: LinearScale) -> String? {
    guard line.points.contains(where: { $0.value.count > 1 }) else { return nil }
    let upper = line.points.map { point in
      (x(Double(point.tasksTrained)), y(clamped(shown(point.value.mean + point.value.standardError))))
    }
    let lower = line.points.reversed().map { point in
      (x(Double(point.tasksTrained)), y(clamped(shown(point.value.mean - point.value.standardError))))
    }
    return
      "<polygon class=\"band\" data-algorithm=\"\(Markup.escaped(line.name))\" "
      + "points=\"\(Markup.points(upper + lower))\" "
      + "fill=\"\(line.style.colour)\" fill-opacity=\"0.2\" stroke=\"none\"/>"
  }
}
