import ContinualCore
import ContinualReport
import Foundation
import Testing

/// The HTML report's figure of final ACC and BWT per row with error bars (mean ±
/// SEM over seeds), and its loss-term curves per task.
@Suite struct HTMLSummaryFigureTests {
  /// ``HTMLReportTests/records`` with loss terms: ewc's two seeds log `task` and `ewc`, `a<b&c`'s
  /// first seed logs `task` only, and its second seed (like the class-incremental run) none, as a
  /// record written before loss terms were kept.
  static let records: [RunRecord] = HTMLReportTests.records.map { record in
    var record = record
    switch record.runID {
    case "e1": record.lossTerms = [["task": 0.5, "ewc": 0], ["task": 0.3, "ewc": 0.02], ["task": 0.2, "ewc": 0.04]]
    case "e2": record.lossTerms = [["task": 0.7, "ewc": 0], ["task": 0.5, "ewc": 0.04], ["task": 0.4, "ewc": 0.06]]
    case "o1": record.lossTerms = [["task": 0.4], ["task": 0.2], ["task": 0.1]]
    default: break
    }
    return record
  }

  let html = HTMLReport(records: HTMLSummaryFigureTests.records, generatedAt: HTMLReportTests.date).render()

  /// The `<figure>` of class `name`, one per figure group, as the parsed elements of its SVGs.
  func figures(_ name: String) throws -> [[XMLElements]] {
    var result: [[XMLElements]] = []
    var rest = html[...]
    while let start = rest.range(of: "<figure class=\"\(name)\">"),
      let end = rest.range(of: "</figure>", range: start.upperBound..<rest.endIndex)
    {
      result.append(
        try svgFragments(of: String(rest[start.lowerBound..<end.upperBound])).map(XMLElements.init(parsing:)))
      rest = rest[end.upperBound...]
    }
    return result
  }

  /// Each error bar's row, mean and SEM as its attributes give them.
  func bars(_ chart: XMLElements) -> [[String]] {
    chart.named("g", class: "error-bar").map {
      [$0.attributes["data-row"] ?? "", $0.attributes["data-mean"] ?? "", $0.attributes["data-error"] ?? ""]
    }
  }

  @Test func thePageWithTheNewFiguresIsWellFormed() throws {
    let page = try XMLElements(parsing: html)
    #expect(page.elements.first?.name == "html")
    // Per group: heat maps, colour scale, legend, task charts, average chart, ACC and BWT, then (task group
    // only, the class run has no loss terms) the legend and one chart per term.
    #expect(svgFragments(of: html).count == (1 + 1 + 1 + 2 + 1 + 2) + (2 + 1 + 1 + 3 + 1 + 2 + 1 + 2))
    for fragment in svgFragments(of: html) { #expect(try XMLElements(parsing: fragment).named("title").count >= 1) }
    // A caption's text after its <strong>Figure n.</strong>.
    let captions = page.named("figcaption").map { $0.text.trimmingCharacters(in: .whitespaces) }
    #expect(captions.count == 4 + 5)
    #expect(page.named("strong").map(\.text).suffix(9) == (1...9).map { "Figure \($0)." })
    #expect(captions[3].hasPrefix("Final average accuracy (ACC) and backward transfer (BWT) of each row"))
    #expect(captions[8].hasPrefix("The objective's terms while training each task"))
  }

  @Test func errorBarsAreTheMeanAndSEMOverSeedsByHand() throws {
    let figures = try figures("final-metrics")
    #expect(figures.count == 2 && figures.allSatisfy { $0.count == 2 })
    let (classACC, classBWT, taskACC, taskBWT) = (figures[0][0], figures[0][1], figures[1][0], figures[1][1])
    // ewc, task scenario, final rows (0.60, 0.80, 0.97) and (0.50, 0.70, 0.95): ACC 0.79 and 0.71667,
    // mean 0.75333, SEM = |0.79 − 0.71667| / 2 = 0.03667. a<b&c: ACC 0.43 and 0.42333 → 42.67 ± 0.33.
    #expect(bars(taskACC) == [["ewc", "75.33", "3.67"], ["a<b&c", "42.67", "0.33"]])
    // BWT of ewc: ((0.60 − 0.90) + (0.80 − 0.95)) / 2 = −0.225
    // and ((0.50 − 0.80) + (0.70 − 0.93)) / 2 = −0.265, mean −0.245, SEM 0.02.
    // a<b&c: (−0.89 − 0.78) / 2 = −0.835 and (−0.77 − 0.86) / 2 = −0.815 → −82.50 ± 1.00.
    #expect(bars(taskBWT) == [["ewc", "-24.50", "2.00"], ["a<b&c", "-82.50", "1.00"]])
    // One class-incremental seed: (0.0 + 0.98) / 2 = 49 %, BWT 0.0 − 0.99; no spread, so no bar.
    #expect(bars(classACC) == [["ewc", "49.00", "0.00"]] && bars(classBWT) == [["ewc", "-99.00", "0.00"]])
    #expect(classACC.named("line", class: "bar").isEmpty && classACC.named("line", class: "cap").isEmpty)
    // Each bar runs from mean − SEM to mean + SEM around its marker, with a cap at each end.
    for chart in [taskACC, taskBWT] {
      let points = chart.named("circle", class: "point")
      let lines = chart.named("line", class: "bar")
      #expect(points.count == 2 && lines.count == 2 && chart.named("line", class: "cap").count == 4)
      for (point, line) in zip(points, lines) {
        let centre = Double(point.attributes["cx"] ?? "") ?? .nan
        let (low, high) = (Double(line.attributes["x1"] ?? "") ?? .nan, Double(line.attributes["x2"] ?? "") ?? .nan)
        #expect(
          low < centre && centre < high && abs((centre - low) - (high - centre)) <= 0.11, "\(low) \(centre) \(high)")
      }
    }
    #expect(taskACC.named("title").map(\.text).contains("ewc: 75.33 ± 3.67 % (n = 2)"))
    // BWT is drawn against a dashed zero line; the axis titles name the metric.
    #expect(
      taskBWT.named("text").map(\.text).contains("BWT (%)") && taskACC.named("text").map(\.text).contains("ACC (%)"))
    // A dashed line marks a BWT of 0; accuracies have none.
    #expect(taskBWT.named("line", class: "zero").count == 1 && classBWT.named("line", class: "zero").count == 1)
    #expect(taskACC.named("line", class: "zero").isEmpty)
  }

  @Test func lossTermsArePlottedPerTaskAndRow() throws {
    let figures = try figures("loss-terms")
    #expect(figures.count == 1, "the class-incremental group has no loss terms, so no figure")
    let charts = try #require(figures.first).filter { $0.elements.first?.classes.contains("line-chart") == true }
    #expect(charts.count == 2)
    let (task, ewc) = (charts[0], charts[1])
    #expect(task.named("text").map(\.text).contains("Task loss") && ewc.named("text").map(\.text).contains("Term ewc"))
    #expect(task.named("polyline", class: "series").compactMap { $0.attributes["data-algorithm"] } == ["ewc", "a<b&c"])
    #expect(ewc.named("polyline", class: "series").compactMap { $0.attributes["data-algorithm"] } == ["ewc"])
    // ewc's task loss: (0.5 + 0.7) / 2 = 0.6, (0.3 + 0.5) / 2 = 0.4, (0.2 + 0.4) / 2 = 0.3, each ± |difference| / 2 =
    // 0.1.
    let tooltips = task.named("title").map(\.text)
    #expect(tooltips.contains("ewc, task 1: 0.6 ± 0.1 (n = 2)"))
    #expect(tooltips.contains("ewc, task 3: 0.3 ± 0.1 (n = 2)"))
    #expect(tooltips.contains("a<b&c, task 2: 0.2 ± 0 (n = 1)"))
    // The ewc penalty: 0 on the first task, then (0.02 + 0.04) / 2 = 0.03 ± 0.01 and 0.05 ± 0.01.
    let penalty = ewc.named("title").map(\.text)
    #expect(penalty.contains("ewc, task 1: 0 ± 0 (n = 2)") && penalty.contains("ewc, task 2: 0.03 ± 0.01 (n = 2)"))
    // Bands only where there are several seeds; values are plain numbers, not percentages.
    #expect(task.named("polygon", class: "band").compactMap { $0.attributes["data-algorithm"] } == ["ewc"])
    #expect(
      task.named("text").map(\.text).contains("Task") && !task.named("text").map(\.text).contains { $0.contains("%") })
  }

  @Test func noLossTermsMeansNoLossTermFigure() {
    let plain = HTMLReport(records: HTMLReportTests.records, generatedAt: HTMLReportTests.date).render()
    #expect(!plain.contains("<figure class=\"loss-terms\">") && plain.contains("<figure class=\"final-metrics\">"))
  }
}
