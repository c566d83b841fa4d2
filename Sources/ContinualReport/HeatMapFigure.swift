/// The accuracy matrix of one algorithm as an SVG heat map: row `i` is "after training task `i + 1`",
/// column `j` is "accuracy on task `j + 1`", each cell coloured by ``ColourScale`` and labelled with
/// its percentage.
///
/// A dark staircase (on a white halo, so that it shows on dark cells too) separates the trained
/// tasks (`j ≤ i`, on and left of the diagonal) from those not yet trained. Each cell has a
/// `<title>` (a tooltip) with the mean, standard error and seed count.
struct HeatMapFigure {
  /// The figure's title, such as `ewc (n = 3)`.
  var title: String
  /// The mean matrix, square, `nil` where no seed has the entry.
  var matrix: [[MeanEstimate?]]
  /// The task number (1-based) of each row and column: every task, or those a long sequence is
  /// shown by.
  var tasks: [Int]

  /// A heat map of `matrix`, whose rows and columns are `tasks` (by default 1, 2, …).
  init(title: String, matrix: [[MeanEstimate?]], tasks: [Int]? = nil) {
    self.title = title
    self.matrix = matrix
    self.tasks = tasks ?? Array(1...max(matrix.count, 1))
  }

  /// The side of one cell in pixels: large for few tasks, at least 26 so that labels fit.
  var cellSize: Double {
    min(46, max(26, (240 / Double(max(matrix.count, 1))).rounded(.down)))
  }

  /// The figure as an `<svg>` element.
  func svg() -> String {
    let count = matrix.count
    let cell = cellSize
    let (left, top, bottom, right) = (58.0, 34.0, 46.0, 12.0)
    let plot = cell * Double(count)
    let width = max(left + plot + right, Markup.estimatedWidth(title, fontSize: 13) + 20)
    let height = top + plot + bottom
    let (decimals, fontSize) = cell >= 40 ? (1, 11.0) : (0, cell >= 30 ? 11.0 : 10.0)

    var parts = [
      Markup.svgOpening(className: "heatmap", width: width, height: height, label: "Accuracy matrix of \(title)")
    ]
    parts.append(
      Markup.text(
        title, x: left + plot / 2, y: 20, attributes: "text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\""))
    for i in 0..<count {
      for j in 0..<count {
        let (x, y) = (left + Double(j) * cell, top + Double(i) * cell)
        let estimate = j < matrix[i].count ? matrix[i][j] : nil
        let fill = estimate.map { ColourScale.colour($0.mean) } ?? "#e6e6e6"
        let tooltip =
          estimate.map { estimate in
            let (mean, error) = Cell.percent(estimate)
            return
              "After training task \(tasks[i]), accuracy on task \(tasks[j]): \(mean) ± \(error) % (n "
              + "= \(estimate.count))"
          } ?? "After training task \(tasks[i]), accuracy on task \(tasks[j]): no data"
        parts.append(
          "<rect class=\"cell\" x=\"\(Markup.number(x))\" y=\"\(Markup.number(y))\" width=\"\(Markup.number(cell))\" "
            + "height=\"\(Markup.number(cell))\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1\">"
            + "<title>\(Markup.escaped(tooltip))</title></rect>")
        let label = estimate.map { Cell.fixed($0.mean * 100, decimals: decimals) } ?? "—"
        let colour = estimate.map { ColourScale.textColour(on: $0.mean) } ?? "#555555"
        parts.append(
          Markup.text(
            label, x: x + cell / 2, y: y + cell / 2,
            attributes:
              "class=\"cell-label\" text-anchor=\"middle\" dy=\"0.35em\" "
              + "font-size=\"\(Markup.number(fontSize))\" fill=\"\(colour)\""
          ))
      }
    }
    parts.append(staircase(left: left, top: top, cell: cell, count: count))
    parts.append(axes(left: left, top: top, cell: cell, count: count))
    parts.append("</svg>")
    return parts.joined(separator: "\n")
  }

  /// The line between trained (`j ≤ i`) and untrained (`j > i`) cells: dark on a white halo.
  func staircase(left: Double, top: Double, cell: Double, count: Int) -> String {
    guard count > 1 else { return "" }
    var points: [(x: Double, y: Double)] = []
    for i in 0..<(count - 1) {
      let x = left + Double(i + 1) * cell
      points += [(x, top + Double(i) * cell), (x, top + Double(i + 1) * cell)]
    }
    points.append((left + Double(count) * cell, top + Double(count - 1) * cell))
    let shape = "points=\"\(Markup.points(points))\" fill=\"none\" stroke-linejoin=\"miter\" stroke-linecap=\"square\""
    return "<polyline class=\"boundary-halo\" \(shape) stroke=\"#ffffff\" stroke-width=\"4\"/>\n"
      + "<polyline class=\"boundary\" \(shape) stroke=\"#111111\" stroke-width=\"1.6\"/>"
  }

  /// Task numbers along both axes, and the axis titles.
  func axes(left: Double, top: Double, cell: Double, count: Int) -> String {
    MatrixAxes(
      labels: tasks.prefix(count).map(String.init), maximumTicks: 25, columnTitle: "Accuracy on task",
      rowTitle: "After training task"
    )
    .svg(left: left, top: top, cell: cell)
  }
}
