import ContinualCore

/// The confusion matrices of one row (benchmark, scenario, algorithm, configuration) summed over its
/// finished seeds that recorded one (`RunRecord.confusionMatrix`, after the last task).
struct ConfusionSummary {
  /// The row's label.
  var row: String
  /// Counts summed over the seeds, `[true column][predicted column]`.
  var counts: [[Int]]
  /// The number of seeds summed.
  var seedCount: Int
  /// The number of tasks of the runs.
  var taskCount: Int

  /// Sums the finished records' confusion matrices of the most common size; `nil` when none has one.
  init?(row: String, records: [RunRecord]) {
    let matrices = records.filter { $0.status == .finished }.compactMap { record in
      record.confusionMatrix.map { (matrix: $0, tasks: record.accuracyMatrix.count) }
    }
    guard
      let side = Dictionary(grouping: matrices, by: \.matrix.count).max(by: { $0.value.count < $1.value.count })?.key,
      side > 0
    else { return nil }
    let same = matrices.filter { $0.matrix.count == side }
    var counts = [[Int]](repeating: [Int](repeating: 0, count: side), count: side)
    for (matrix, _) in same {
      for i in 0..<side { for j in 0..<side { counts[i][j] += matrix[i][j] } }
    }
    self.row = row
    self.counts = counts
    seedCount = same.count
    taskCount = same.map(\.tasks).max() ?? 0
  }

  /// Row `c`'s share predicted as column `ĉ`, or `nil` for a row without samples.
  func fraction(_ c: Int, _ predicted: Int) -> Double? {
    let total = counts[c].reduce(0, +)
    return total == 0 ? nil : Double(counts[c][predicted]) / Double(total)
  }

  /// The columns of the last task, when the columns split evenly into tasks (class-incremental
  /// runs of equal tasks); `nil` otherwise (domain-incremental: columns are shared by every task).
  var lastTaskColumns: Range<Int>? {
    let side = counts.count
    guard taskCount > 1, side > taskCount, side % taskCount == 0 else { return nil }
    return (side - side / taskCount)..<side
  }

  /// The share of all predictions that fall on the last task's columns, and those columns' share
  /// of the samples: the recency bias in two numbers.
  var lastTaskShares: (predicted: Double, samples: Double)? {
    guard let last = lastTaskColumns else { return nil }
    let total = counts.joined().reduce(0, +)
    guard total > 0 else { return nil }
    let predicted = counts.map { row in last.map { row[$0] }.reduce(0, +) }.reduce(0, +)
    let samples = last.map { counts[$0].reduce(0, +) }.reduce(0, +)
    return (Double(predicted) / Double(total), Double(samples) / Double(total))
  }
}

/// One row's confusion matrix as an SVG heat map: row `c` is the true class (output column), column
/// `ĉ` the predicted one, each cell coloured by the share of class `c`'s test samples predicted as
/// `ĉ` (``ColourScale``), so each row sums to 100 % and the diagonal is the per-class accuracy.
/// Dark lines separate the tasks' classes when the columns split evenly into tasks, so a model
/// biased towards the newest classes shows a bright band of columns on the right.
struct ConfusionMatrixFigure {
  /// The summed counts.
  var summary: ConfusionSummary

  /// The side of one cell: 30 px for a few classes, down to 3 px for 100.
  var cellSize: Double { min(30, max(3, (320 / Double(max(summary.counts.count, 1))).rounded(.down))) }

  /// The figure as an `<svg>` element.
  func svg() -> String {
    let count = summary.counts.count
    let cell = cellSize
    let (left, top, bottom, right) = (58.0, 50.0, 46.0, 12.0)
    let plot = cell * Double(count)
    let title = "\(summary.row) (n = \(summary.seedCount))"
    let subtitle = summary.lastTaskShares.map { shares in
      "last task's classes: \(Cell.fixed(shares.predicted * 100, decimals: 1)) % of predictions, "
        + "\(Cell.fixed(shares.samples * 100, decimals: 1)) % of samples"
    }
    let width = max(
      left + plot + right, Markup.estimatedWidth(title, fontSize: 13) + 20,
      Markup.estimatedWidth(subtitle ?? "", fontSize: 11) + 20)
    var parts = [
      Markup.svgOpening(
        className: "confusion", width: width, height: top + plot + bottom, label: "Confusion matrix of \(title)"),
      Markup.text(
        title, x: left + plot / 2, y: 18, attributes: "text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\""),
    ]
    if let subtitle {
      parts.append(
        Markup.text(
          subtitle, x: left + plot / 2, y: 34, attributes: "class=\"bias\" text-anchor=\"middle\" font-size=\"11\""))
    }
    for c in 0..<count {
      for predicted in 0..<count {
        let share = summary.fraction(c, predicted)
        let tooltip =
          "Class \(c) predicted as \(predicted): "
          + (share.map { "\(Cell.fixed($0 * 100, decimals: 1)) % (\(summary.counts[c][predicted]) samples)" }
            ?? "no samples")
        parts.append(
          "<rect class=\"cell\" x=\"\(Markup.number(left + Double(predicted) * cell))\" "
            + "y=\"\(Markup.number(top + Double(c) * cell))\" width=\"\(Markup.number(cell))\" "
            + "height=\"\(Markup.number(cell))\" "
            + "fill=\"\(share.map(ColourScale.colour) ?? "#e6e6e6")\"><title>\(Markup.escaped(tooltip))</title></rect>")
        if cell >= 26, let share {
          parts.append(
            Markup.text(
              Cell.fixed(share * 100, decimals: 0), x: left + (Double(predicted) + 0.5) * cell,
              y: top + (Double(c) + 0.5) * cell,
              attributes: "class=\"cell-label\" text-anchor=\"middle\" dy=\"0.35em\" font-size=\"10\" "
                + "fill=\"\(ColourScale.textColour(on: share))\""))
        }
      }
    }
    parts.append(taskBoundaries(left: left, top: top, cell: cell, count: count))
    parts.append(axes(left: left, top: top, cell: cell, count: count))
    parts.append("</svg>")
    return parts.joined(separator: "\n")
  }

  /// Lines between the tasks' classes, when the columns split evenly into tasks.
  func taskBoundaries(left: Double, top: Double, cell: Double, count: Int) -> String {
    guard summary.lastTaskColumns != nil else { return "" }
    let perTask = count / summary.taskCount
    let plot = cell * Double(count)
    return stride(from: perTask, to: count, by: perTask).map { k in
      let at = Double(k) * cell
      let stroke = "stroke=\"#111111\" stroke-width=\"1\""
      return Markup.line(from: (left + at, top), to: (left + at, top + plot), class: "task-boundary", stroke) + "\n"
        + Markup.line(from: (left, top + at), to: (left + plot, top + at), class: "task-boundary", stroke)
    }.joined(separator: "\n")
  }

  /// Class numbers along both axes, and the axis titles.
  func axes(left: Double, top: Double, cell: Double, count: Int) -> String {
    MatrixAxes(
      labels: (0..<count).map(String.init), maximumTicks: 20, columnTitle: "Predicted class", rowTitle: "True class"
    )
    .svg(left: left, top: top, cell: cell)
  }
}
