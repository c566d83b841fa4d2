/// The axes of a square matrix of cells (a heat map or a confusion matrix): a label under the
/// column and left of the row of each ticked cell, and the two axis titles.
struct MatrixAxes {
  /// The label of each row and column, by cell index.
  var labels: [String]
  /// At most this many cells are labelled (evenly spaced, as ``LinearScale/taskTicks(_:maximumCount:)``).
  var maximumTicks: Int
  /// The title under the columns.
  var columnTitle: String
  /// The title left of the rows, rotated.
  var rowTitle: String

  /// The labels and titles of a matrix whose top-left corner is `(left, top)`, with square cells.
  func svg(left: Double, top: Double, cell: Double) -> String {
    let plot = cell * Double(labels.count)
    var parts: [String] = []
    for position in LinearScale.taskTicks(labels.count, maximumCount: maximumTicks) {
      let centre = Double(position - 1) * cell + cell / 2
      let label = labels[position - 1]
      parts.append(
        Markup.text(label, x: left + centre, y: top + plot + 15, attributes: "text-anchor=\"middle\" font-size=\"11\""))
      parts.append(
        Markup.text(
          label, x: left - 6, y: top + centre, attributes: "text-anchor=\"end\" dy=\"0.35em\" font-size=\"11\""))
    }
    parts.append(
      Markup.text(columnTitle, x: left + plot / 2, y: top + plot + 36, attributes: "text-anchor=\"middle\""))
    let middle = top + plot / 2
    parts.append(
      Markup.text(
        rowTitle, x: 18, y: middle,
        attributes: "text-anchor=\"middle\" transform=\"rotate(-90 18 \(Markup.number(middle)))\""))
    return parts.joined(separator: "\n")
  }
}
