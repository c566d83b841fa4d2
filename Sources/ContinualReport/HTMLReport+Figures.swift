import ContinualCore

extension HTMLReport {
  /// The records of one (benchmark, scenario), summarised per row in the table's order.
  struct FigureGroup {
    /// The benchmark's name.
    var benchmark: String
    /// The scenario.
    var scenario: String
    /// One summary per row with at least one finished matrix.
    var summaries: [MatrixSummary]
    /// The table's rows of this benchmark and scenario that have a final average accuracy.
    var rows: [ComparisonTable.Row] = []
    /// One summary per row with at least one finished seed that logged its loss terms.
    var lossTerms: [LossTermSummary] = []
    /// One summed confusion matrix per row whose finished seeds recorded one.
    var confusions: [ConfusionSummary] = []

    /// The largest task count of any algorithm.
    var taskCount: Int { summaries.map(\.taskCount).max() ?? 0 }
  }

  /// The figure groups, one per (benchmark, scenario) of the table, in its order.
  func figureGroups() -> [FigureGroup] {
    let byRow = Dictionary(grouping: table.records, by: ComparisonTable.ConfigurationKey.init)
    var groups: [FigureGroup] = []
    for row in table.rows {
      let key = ComparisonTable.ConfigurationKey(
        benchmark: row.benchmark, scenario: row.scenario, algorithm: row.algorithm, configuration: row.configuration)
      let summary = MatrixSummary(algorithm: row.label, records: byRow[key] ?? [])
      let lossTerms = LossTermSummary(row: row.label, records: byRow[key] ?? [])
      if groups.last?.benchmark != row.benchmark || groups.last?.scenario != row.scenario {
        groups.append(FigureGroup(benchmark: row.benchmark, scenario: row.scenario, summaries: []))
      }
      if summary.seedCount > 0 { groups[groups.count - 1].summaries.append(summary) }
      if row.averageAccuracy != nil { groups[groups.count - 1].rows.append(row) }
      if !lossTerms.seeds.isEmpty { groups[groups.count - 1].lossTerms.append(lossTerms) }
      if let confusion = ConfusionSummary(row: row.label, records: byRow[key] ?? []) {
        groups[groups.count - 1].confusions.append(confusion)
      }
    }
    return groups
  }

  /// Each row label's style: the palette in the table's order, so that a label has one colour in every
  /// figure.
  func seriesStyles() -> [String: SeriesStyle] {
    var styles: [String: SeriesStyle] = [:]
    for algorithm in Self.unique(table.rows.map(\.label)) {
      styles[algorithm] = SeriesStyle(index: styles.count)
    }
    return styles
  }

  /// One `<section>` of figures per figure group, numbered in order.
  func figureSections() -> [String] {
    guard !table.records.isEmpty else {
      return [
        "<p class=\"note\">No figures: this table was built from rows without the run records, "
          + "so there are no accuracy matrices to draw.</p>"
      ]
    }
    let styles = seriesStyles()
    var figureNumber = 0
    func nextNumber() -> Int {
      figureNumber += 1
      return figureNumber
    }
    return figureGroups().map { group in
      let name = "\(group.benchmark), \(Self.scenarioName(group.scenario))"
      var parts = ["<section class=\"figures\">", "<h2>\(Markup.escaped(name))</h2>"]
      if group.summaries.isEmpty || group.taskCount == 0 {
        parts.append("<p class=\"note\">No finished runs with an accuracy matrix.</p>")
      } else {
        parts.append(heatMapFigure(group, number: nextNumber()))
        parts.append(taskCurvesFigure(group, styles: styles, number: nextNumber()))
        parts.append(averageAccuracyFigure(group, styles: styles, number: nextNumber()))
        if !group.rows.isEmpty { parts.append(finalMetricsFigure(group, styles: styles, number: nextNumber())) }
        if !group.lossTerms.isEmpty { parts.append(lossTermsFigure(group, styles: styles, number: nextNumber())) }
        if !group.confusions.isEmpty { parts.append(confusionFigure(group, number: nextNumber())) }
      }
      parts.append("</section>")
      return parts.joined(separator: "\n")
    }
  }

  // MARK: - The figures

  /// The most tasks a heat map or the per-task charts show. A longer sequence (up to the 1,000
  /// tasks a record may have) is shown by this many evenly spaced tasks, the first and the last
  /// among them, and the caption says so: a heat map of every task grows with the square of the
  /// task count (a 1,000-task record made a 417 MB page).
  static let maximumFigureTasks = 25

  /// The tasks (0-based) the heat maps and per-task charts show for a sequence of `count` tasks:
  /// all of them, or ``maximumFigureTasks`` evenly spaced ones from the first to the last.
  static func shownTasks(_ count: Int) -> [Int] {
    guard count > maximumFigureTasks else { return Array(0..<count) }
    let last = Double(count - 1), steps = Double(maximumFigureTasks - 1)
    return (0..<maximumFigureTasks).map { Int((Double($0) * last / steps).rounded()) }
  }

  /// A caption's note on the tasks left out, or `""` when every task is shown.
  static func shownTasksNote(_ shown: [Int], of count: Int) -> String {
    guard shown.count < count else { return "" }
    return
      " Of the \(count) tasks, \(shown.count) evenly spaced ones are shown "
      + "(tasks \(shown.map { String($0 + 1) }.joined(separator: ", "))), "
      + "so that the page stays small; every entry is in the records and in the per-task table."
  }

  /// A numbered figure: `<figure class="…">`, its parts, then its caption after "Figure N.", one per line.
  static func figure(_ className: String, number: Int, _ parts: [String], caption: String) -> String {
    (["<figure class=\"\(className)\">"] + parts + [
      "<figcaption><strong>Figure \(number).</strong> \(caption)</figcaption>", "</figure>",
    ]).joined(separator: "\n")
  }

  /// Small multiples side by side: the charts inside `<div class="multiples">`.
  static func multiples(_ charts: [String]) -> [String] {
    ["<div class=\"multiples\">", charts.joined(separator: "\n"), "</div>"]
  }

  /// Figure: one heat map per algorithm and the colour scale.
  func heatMapFigure(_ group: FigureGroup, number: Int) -> String {
    let shown = Self.shownTasks(group.taskCount)
    let maps = group.summaries.map { summary in
      HeatMapFigure(
        title: "\(summary.algorithm) (n = \(summary.seedCount))",
        matrix: shown.map { i in shown.map { j in summary.accuracy(afterTraining: i, onTask: j) } },
        tasks: shown.map { $0 + 1 }
      ).svg()
    }
    return Self.figure(
      "heatmaps", number: number, Self.multiples(maps) + [ColourScale.legendSVG()],
      caption: "Accuracy matrices on \(Markup.escaped(group.benchmark)) "
        + "(\(Markup.escaped(Self.scenarioName(group.scenario)))): the cell in row <i>i</i>, column <i>j</i> is the "
        + "accuracy (%) on task <i>j</i> after training task <i>i</i>, mean over the n finished seeds. Cells right of "
        + "the dark staircase are tasks not yet "
        + "trained.\(Markup.escaped(Self.shownTasksNote(shown, of: group.taskCount)))")
  }

  /// Figure: one confusion matrix per row that recorded one, and the colour scale.
  func confusionFigure(_ group: FigureGroup, number: Int) -> String {
    let maps = group.confusions.map { ConfusionMatrixFigure(summary: $0).svg() }
    let place = "\(Markup.escaped(group.benchmark)) (\(Markup.escaped(Self.scenarioName(group.scenario))))"
    var caption = "Confusion matrices after the last task on \(place): "
    caption += "the cell in row <i>c</i>, column <i>ĉ</i> is the share (%) of class <i>c</i>'s test samples "
    caption += "predicted as class <i>ĉ</i>, counts summed over the n finished seeds; the diagonal is each class's "
    caption += "accuracy. Classes are the network's outputs in task order, and dark lines separate the tasks' "
    caption += "classes: a bright band of columns on the right is a bias towards the newest classes, as the line "
    caption += "under each title measures."
    return Self.figure(
      "confusion-matrices", number: number, Self.multiples(maps) + [ColourScale.legendSVG()], caption: caption)
  }

  /// Figure: one chart per task, one line per algorithm, from the task's training on.
  func taskCurvesFigure(_ group: FigureGroup, styles: [String: SeriesStyle], number: Int) -> String {
    let taskCount = group.taskCount
    let shown = Self.shownTasks(taskCount)
    let curves = shown.map { task in group.summaries.map { $0.taskCurve(task) } }
    let domain = LinearScale.percentDomain(containing: curves.flatMap { $0.flatMap { $0.map { $0.value.mean * 100 } } })
    let charts = zip(shown, curves).map { task, lines in
      let series = zip(group.summaries, lines).filter { !$0.1.isEmpty }.map { summary, points in
        LineChart.Series(
          name: summary.algorithm, style: styles[summary.algorithm] ?? SeriesStyle(index: 0), points: points)
      }
      return LineChart(
        title: "Task \(task + 1)", yLabel: "Accuracy on task \(task + 1) (%)", taskCount: taskCount, yDomain: domain,
        series: series
      ).svg()
    }
    let legend = SeriesLegend(
      entries: group.summaries.map { ($0.algorithm, styles[$0.algorithm] ?? SeriesStyle(index: 0)) })
    return Self.figure(
      "task-curves", number: number, [legend.svg(maximumWidth: 1100)] + Self.multiples(charts),
      caption: "Accuracy on each task as training proceeds, mean over seeds: "
        + "the chart of task <i>j</i> shows its accuracy after training tasks <i>j</i>, <i>j</i> + 1, …; "
        + "a falling line is forgetting.\(Markup.escaped(Self.shownTasksNote(shown, of: taskCount)))")
  }

  /// Figure: average accuracy on the tasks seen so far, with standard-error bands.
  func averageAccuracyFigure(_ group: FigureGroup, styles: [String: SeriesStyle], number: Int) -> String {
    let series = group.summaries.map { summary in
      LineChart.Series(
        name: summary.algorithm, style: styles[summary.algorithm] ?? SeriesStyle(index: 0),
        points: summary.averageAccuracyCurve())
    }
    let values = series.flatMap { $0.points.map { ($0.value.mean - $0.value.standardError) * 100 } }
    let chart = LineChart(
      title: "Average accuracy on the tasks trained so far", yLabel: "Average accuracy (%)", taskCount: group.taskCount,
      yDomain: LinearScale.percentDomain(containing: values), series: series, drawsBands: true, showsLegend: true,
      plotWidth: 520, plotHeight: 300)
    let seeds = group.summaries.map(\.seedCount)
    let bands =
      seeds.contains { $0 > 1 }
      ? "the shaded band is ± one standard error over seeds (n "
        + "= \(Self.unique(seeds.map(String.init)).joined(separator: ", ")))"
      : "a single seed per algorithm, so there are no standard-error bands"
    return Self.figure(
      "average-accuracy", number: number, [chart.svg()],
      caption: "Average accuracy on the tasks trained so far, (1 / <i>i</i>) "
        + "Σ<sub><i>j</i> ≤ <i>i</i></sub> <i>R</i><sub><i>i</i>,<i>j</i></sub>, against the number "
        + "of tasks trained "
        + "<i>i</i>, mean over seeds; \(bands).")
  }

  /// Figure: final average accuracy and backward transfer per row, mean ± SEM over seeds.
  func finalMetricsFigure(_ group: FigureGroup, styles: [String: SeriesStyle], number: Int) -> String {
    func chart(
      _ title: String, _ label: String, _ estimate: (ComparisonTable.Row) -> MeanEstimate?, includingZero: Bool
    ) -> String? {
      let entries = group.rows.compactMap { row in
        estimate(row).map {
          ErrorBarChart.Entry(name: row.label, style: styles[row.label] ?? SeriesStyle(index: 0), estimate: $0)
        }
      }
      guard !entries.isEmpty else { return nil }
      let low = entries.map { ($0.estimate.mean - $0.estimate.standardError) * 100 }
      let high = entries.map { ($0.estimate.mean + $0.estimate.standardError) * 100 }
      let domain =
        includingZero
        ? ErrorBarChart.domain(low: low, high: high, includingZero: true)
        : LinearScale.percentDomain(containing: low)
      return ErrorBarChart(title: title, xLabel: label, entries: entries, domain: domain, marksZero: includingZero)
        .svg()
    }
    let charts = [
      chart("Final average accuracy", "ACC (%)", \.averageAccuracy, includingZero: false),
      chart("Backward transfer", "BWT (%)", \.backwardTransfer, includingZero: true),
    ].compactMap { $0 }
    let seeds = Self.unique(group.rows.map { String($0.finished) })
    return Self.figure(
      "final-metrics", number: number, Self.multiples(charts),
      caption: "Final average accuracy (ACC) and backward transfer (BWT) of each "
        + "row, mean over the n finished seeds (n = \(seeds.joined(separator: ", "))) with error bars of ± one "
        + "standard error of the mean (sample standard deviation / √n; no bar with one seed); the "
        + "dashed line marks a "
        + "BWT of 0.")
  }

  /// Figure: each objective term per task, one chart per term, one line per row that has it.
  func lossTermsFigure(_ group: FigureGroup, styles: [String: SeriesStyle], number: Int) -> String {
    let names = Self.unique(group.lossTerms.flatMap(\.termNames))
    let ordered = names.filter { $0 == "task" } + names.filter { $0 != "task" }
    let charts = ordered.map { name in
      let series = group.lossTerms.compactMap { summary -> LineChart.Series? in
        let points = summary.curve(name)
        guard !points.isEmpty else { return nil }
        return LineChart.Series(name: summary.row, style: styles[summary.row] ?? SeriesStyle(index: 0), points: points)
      }
      let low = series.flatMap { $0.points.map { $0.value.mean - $0.value.standardError } }
      let high = series.flatMap { $0.points.map { $0.value.mean + $0.value.standardError } }
      let lower = min(low.filter(\.isFinite).min() ?? 0, 0)
      let upper = high.filter(\.isFinite).max() ?? 1
      return LineChart(
        title: name == "task" ? "Task loss" : "Term \(name)", xLabel: "Task", yLabel: "Mean over the task's steps",
        taskCount: group.taskCount, yDomain: lower...(upper > lower ? upper : lower + 1), series: series,
        values: .plain,
        drawsBands: true
      ).svg()
    }
    let legend = SeriesLegend(entries: group.lossTerms.map { ($0.row, styles[$0.row] ?? SeriesStyle(index: 0)) })
    return Self.figure(
      "loss-terms", number: number, [legend.svg(maximumWidth: 1100)] + Self.multiples(charts),
      caption: "The objective's terms while training each task: the head's loss "
        + "(task) and each regulariser's penalty, each the mean over the task's steps, then over seeds, with a band of "
        + "± one standard error where there are several seeds; a row has a line in the chart of each term it "
        + "logs.")
  }
}
