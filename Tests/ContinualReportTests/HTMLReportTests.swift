import ContinualCore
import ContinualReport
import Foundation
import Testing

@Suite struct HTMLReportTests {
  /// 1700000000 s after 1970 is 2023-11-14 22:13:20 UTC.
  static let date = Date(timeIntervalSince1970: 1_700_000_000)

  /// Split MNIST task-incremental: `ewc` and `a<b&c` with two seeds of three tasks each, plus a failed
  /// `ewc` run; class-incremental: `ewc` with one seed of two tasks. The table, and so the report,
  /// keeps the order in which scenarios first appear: class, then task.
  static let records: [RunRecord] = [
    Fixture.record(id: "c1", scenario: "class", seed: 1, matrix: [[0.99, 0.0], [0.0, 0.98]]),
    Fixture.record(id: "e1", seed: 1, matrix: [[0.90, 0.10, 0.10], [0.70, 0.95, 0.10], [0.60, 0.80, 0.97]]),
    Fixture.record(id: "e2", seed: 2, matrix: [[0.80, 0.10, 0.10], [0.60, 0.93, 0.10], [0.50, 0.70, 0.95]]),
    Fixture.record(id: "e3", seed: 3, matrix: [[0.5]], failure: "diverged: loss > 1e6 <script>alert('x')</script>"),
    Fixture.record(
      id: "o1", algorithm: "a<b&c", seed: 1, matrix: [[0.99, 0.1, 0.1], [0.2, 0.98, 0.1], [0.1, 0.2, 0.99]]),
    Fixture.record(
      id: "o2", algorithm: "a<b&c", seed: 2, matrix: [[0.97, 0.1, 0.1], [0.3, 0.96, 0.1], [0.2, 0.1, 0.97]]),
  ]

  let html = HTMLReport(
    records: HTMLReportTests.records, title: "Split MNIST <draft>", generatedAt: HTMLReportTests.date
  ).render()

  /// The page's SVG figures, parsed, with their classes.
  func figures() throws -> [(svg: XMLElements.Element, elements: XMLElements)] {
    try svgFragments(of: html).map { fragment in
      let parsed = try XMLElements(parsing: fragment)
      return (try #require(parsed.elements.first), parsed)
    }
  }

  @Test func everySVGFigureIsWellFormedXML() throws {
    let fragments = svgFragments(of: html)
    // Per group: heat maps, the colour scale, the task-curve legend, a chart per task, the average chart,
    // and the final ACC and BWT with error bars (no record has loss terms, so there is no loss-term figure).
    #expect(fragments.count == (1 + 1 + 1 + 2 + 1 + 2) + (2 + 1 + 1 + 3 + 1 + 2))
    for fragment in fragments {
      let parsed = try XMLElements(parsing: fragment)
      #expect(parsed.elements.first?.name == "svg")
      #expect(parsed.elements.first?.attributes["viewBox"] != nil)
      #expect(parsed.named("title").count >= 1, "every figure names itself for screen readers")
    }
  }

  @Test func thePageIsWellFormedXML() throws {
    let page = try XMLElements(parsing: html)
    #expect(page.elements.first?.name == "html")
    #expect(page.named("style").count == 1)
  }

  @Test func heatMapsHaveTSquaredLabelledCellsPerAlgorithm() throws {
    let heatMaps = try figures().filter { $0.svg.classes.contains("heatmap") }
    #expect(heatMaps.count == 3)
    let cellCounts = heatMaps.map { $0.elements.named("rect", class: "cell").count }
    #expect(cellCounts == [4, 9, 9])
    for map in heatMaps {
      #expect(map.elements.named("text", class: "cell-label").count == map.elements.named("rect", class: "cell").count)
      #expect(map.elements.named("polyline", class: "boundary").count == 1)
    }
    // ewc after task 3 on task 2: (0.80 + 0.70) / 2 = 75.0 %, in row 3, column 2.
    let ewc = heatMaps[1].elements
    let labels = ewc.named("text", class: "cell-label").map(\.text)
    #expect(labels[2 * 3 + 1] == "75.0")
    #expect(labels[0] == "85.0")
    #expect(ewc.elements.contains { $0.name == "text" && $0.text == "ewc (n = 2)" })
    #expect(ewc.named("title").contains { $0.text.contains("accuracy on task 2: 75.00 ± 5.00 % (n = 2)") })
    let scales = try figures().filter { $0.svg.classes.contains("colour-scale") }
    #expect(scales.count == 2)
    #expect(scales.allSatisfy { $0.elements.named("text").contains { $0.text == "Accuracy (%)" } })
  }

  @Test func lineChartsHaveOnePolylinePerAlgorithm() throws {
    let charts = try figures().filter { $0.svg.classes.contains("line-chart") }
    // Class group: 2 task charts and the average chart; task group: 3 task charts and the average chart.
    #expect(charts.count == 7)
    let lines = charts.map {
      $0.elements.named("polyline", class: "series").compactMap { $0.attributes["data-algorithm"] }
    }
    #expect(lines == [["ewc"], ["ewc"], ["ewc"]] + Array(repeating: ["ewc", "a<b&c"], count: 4))
    // Task j's chart has a point per algorithm for each task trained from j on.
    let markers = charts[3..<6].map { $0.elements.named("circle", class: "marker").count }
    #expect(markers == [6, 4, 2])
    for chart in charts {
      let texts = chart.elements.named("text").map(\.text)
      #expect(texts.contains("Tasks trained"))
      #expect(texts.contains { $0.hasSuffix("(%)") })
      #expect(texts.contains("1") && texts.contains("100"), "ticks on both axes")
    }
    // Each algorithm has one colour in every figure.
    let ewcLines = charts.flatMap { $0.elements.named("polyline", class: "series") }.filter {
      $0.attributes["data-algorithm"] == "ewc"
    }
    let ewcColours = Set(ewcLines.compactMap { $0.attributes["stroke"] })
    #expect(ewcColours.count == 1)
  }

  @Test func averageAccuracyHasStandardErrorBandsOnlyWithSeveralSeeds() throws {
    let charts = try figures().filter { $0.svg.classes.contains("line-chart") }
    let average = [charts[6], charts[2]]
    // Two seeds: a band per algorithm, with an upper and a lower point per task.
    let bands = average[0].elements.named("polygon", class: "band")
    #expect(bands.compactMap { $0.attributes["data-algorithm"] } == ["ewc", "a<b&c"])
    #expect(bands.allSatisfy { ($0.attributes["points"] ?? "").split(separator: " ").count == 6 })
    // One seed: no spread, no band; and the per-task charts have none.
    #expect(average[1].elements.named("polygon", class: "band").isEmpty)
    #expect(charts[3].elements.named("polygon", class: "band").isEmpty)
    // Average accuracy of ewc over seeds (0.90, 0.80), (0.825, 0.765), (0.79, 0.716…), by hand.
    let tooltips = average[0].elements.named("title").map(\.text)
    #expect(tooltips.contains("ewc, 1 tasks trained: 85.00 ± 5.00 % (n = 2)"))
    #expect(tooltips.contains("ewc, 2 tasks trained: 79.50 ± 3.00 % (n = 2)"))
    #expect(tooltips.contains("ewc, 3 tasks trained: 75.33 ± 3.67 % (n = 2)"))
    // The legend names both algorithms.
    #expect(average[0].elements.named("g", class: "legend-entry").count == 2)
    let texts = average[0].elements.named("text").map(\.text)
    #expect(texts.contains("ewc") && texts.contains("a<b&c"))
  }

  @Test func titleHeaderAndTablesArePresent() throws {
    let page = try XMLElements(parsing: html)
    #expect(page.named("h1").map(\.text) == ["Split MNIST <draft>"])
    #expect(page.named("title").first?.text == "Split MNIST <draft> — split-mnist")
    let facts = Dictionary(
      uniqueKeysWithValues: zip(page.named("dt").map(\.text), page.named("dd").map(\.text)))
    #expect(facts["Benchmarks"] == "split-mnist")
    #expect(facts["Scenarios"] == "class-incremental, task-incremental")
    // Seed 3 failed and the class scenario has one seed, so the seed list is not every row's n.
    #expect(facts["Seeds"] == "3 (1, 2, 3); 1 to 2 finished per row (the n column)")
    #expect(facts["Runs"] == "6 (5 finished, 1 failed)")
    #expect(facts["ContinualKit"] == ContinualKitVersion.current)
    #expect(facts["Generated"] == "2023-11-14 22:13 UTC")
    #expect(page.named("table", class: "results").count == 2)
  }

  @Test func htmlTablesShowTheMarkdownCells() throws {
    let table = ComparisonTable(records: Self.records)
    let page = try XMLElements(parsing: html)
    func markdownCells(_ markdown: String) -> [String] {
      markdown.split(separator: "\n").enumerated().filter { $0.offset != 1 }.flatMap { line in
        line.element.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
          .map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "**", with: "") }
      }
    }
    // A marked value sits in a <strong> right inside its cell.
    let elements = page.elements
    let cells = elements.indices.filter { elements[$0].name == "th" || elements[$0].name == "td" }.map { index in
      index + 1 < elements.count && elements[index + 1].name == "strong"
        ? elements[index + 1].text : elements[index].text
    }
    let expected = markdownCells(table.markdown()) + markdownCells(table.perTaskMarkdown())
    // The settings table in the header comes first.
    #expect(Array(cells.suffix(expected.count)) == expected)
    #expect(cells.contains("1 of 3 failed: diverged: loss > 1e6 <script>alert('x')</script>"))
  }

  @Test func textIsEscaped() {
    #expect(html.contains("a&lt;b&amp;c"))
    #expect(!html.contains("a<b&c"))
    #expect(html.contains("Split MNIST &lt;draft&gt;"))
    #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
  }

  @Test func selfContained() {
    let lowered = html.lowercased()
    #expect(!lowered.contains("<script"))
    #expect(!lowered.contains("http://"))
    #expect(!lowered.contains("https://"))
    #expect(!lowered.contains("<link"))
    #expect(!lowered.contains("<img"))
    #expect(!lowered.contains("@import"))
    #expect(lowered.hasPrefix("<!doctype html>"))
  }

  @Test func sameInputsGiveTheSamePage() {
    let again = HTMLReport(records: Self.records, title: "Split MNIST <draft>", generatedAt: Self.date).render()
    #expect(again == html)
  }

  @Test func writesTheReportOfATableComputedFromRecords() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let table = ComparisonTable(records: Self.records)
    #expect(table.records == Self.records)
    let urls = try ComparisonTable.write(table, formats: [.markdown, .html], to: directory, baseName: "comparison")
    #expect(urls.map(\.lastPathComponent) == ["comparison.md", "comparison.html"])
    let written = try String(contentsOf: urls[1], encoding: .utf8)
    #expect(svgFragments(of: written).count == svgFragments(of: html).count)
    #expect(try table.rendered(as: .html).contains("<h1>Continual-learning comparison</h1>"))
    #expect(TableFormat(rawValue: "html")?.fileExtension == "html")
  }

  @Test func aTableWithoutRecordsShowsTablesOnly() throws {
    let table = ComparisonTable(rows: ComparisonTable(records: Self.records).rows)
    let page = HTMLReport(table: table, generatedAt: Self.date).render()
    #expect(svgFragments(of: page).isEmpty)
    #expect(page.contains("No figures"))
    #expect(try XMLElements(parsing: page).named("table", class: "results").count == 2)
  }
}
