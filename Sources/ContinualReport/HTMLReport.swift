import ContinualCore
import Foundation

/// A single self-contained HTML page reporting a comparison: a header describing the runs, the
/// comparison table and the final accuracy per task, and for each benchmark and scenario up to six
/// SVG figures drawn from the records.
///
/// The figures, per (benchmark, scenario):
///
/// 1. the accuracy matrix `R[i][j]` of each algorithm as a heat map, mean over seeds, each cell
///    labelled with its percentage, with a colour-scale legend;
/// 2. the accuracy on each task as training proceeds: one small chart per task, one line per
///    algorithm, from the moment the task is trained;
/// 3. the average accuracy over the tasks trained so far against the number of tasks trained, one
///    line per algorithm with a shaded band of ± one standard error over seeds;
/// 4. the final average accuracy and backward transfer of each row as a dot plot with error bars of
///    ± one standard error of the mean over seeds (the table's ``MeanEstimate``s);
/// 5. the objective's terms per task (the records' `loss_terms`: the head's loss and each
///    regulariser's penalty, each averaged over a task's steps): one chart per term, one line per row
///    that logs it, with ± one standard error bands; left out when no record has loss terms;
/// 6. the confusion matrix after the last task of each row, counts summed over seeds, rows
///    normalised (class-incremental and domain-incremental records keep one, `confusion_matrix`),
///    with the share of predictions on the last task's classes; left out when no record has one.
///
/// The page needs nothing else: the CSS is inline, the figures are inline SVG, and there is no
/// JavaScript and no reference to the network, so it can be mailed, archived or opened offline. Each
/// algorithm keeps one colour in every figure. All text from the records is escaped, and the page is
/// also well-formed XML, so any `<svg>` can be copied out as a stand-alone figure.
///
/// ```swift
/// let contents = try RecordFile.readAll([URL(filePath: "results/records.jsonl")])
/// let html = HTMLReport(records: contents.records).render()
/// try html.write(to: URL(filePath: "results/report.html"), atomically: true, encoding: .utf8)
/// ```
///
/// ``ComparisonTable/rendered(as:)`` with ``TableFormat/html`` produces the same page for a table
/// computed from records; a table built from rows alone has no matrices, and its page shows the
/// tables only.
public struct HTMLReport: Sendable {
  /// The table to show; its ``ComparisonTable/records`` supply the figures.
  public var table: ComparisonTable
  /// The page's heading.
  public var title: String
  /// The generation time shown in the header.
  public var generatedAt: Date

  /// Creates a report of a table and the records it was computed from.
  ///
  /// - Parameters:
  ///   - table: The comparison; figures are drawn when it has ``ComparisonTable/records``.
  ///   - title: The page's heading.
  ///   - generatedAt: The generation time shown in the header (fix it for reproducible output).
  public init(table: ComparisonTable, title: String = "Continual-learning comparison", generatedAt: Date = Date()) {
    self.table = table
    self.title = title
    self.generatedAt = generatedAt
  }

  /// Creates a report of run records, summarised as ``ComparisonTable/init(records:)`` does.
  ///
  /// - Parameters:
  ///   - records: Run records, for example from ``RecordFile/readAll(_:)``.
  ///   - title: The page's heading.
  ///   - generatedAt: The generation time shown in the header (fix it for reproducible output).
  public init(records: [RunRecord], title: String = "Continual-learning comparison", generatedAt: Date = Date()) {
    self.init(table: ComparisonTable(records: records), title: title, generatedAt: generatedAt)
  }

  /// The whole page.
  ///
  /// ```swift
  /// let page = HTMLReport(records: records, generatedAt: Date(timeIntervalSince1970: 0)).render()
  /// ```
  ///
  /// - Returns: An HTML5 document (UTF-8 text) that is also well-formed XML, ending with a newline.
  /// - Complexity: O(*r* + *g* · *T*²) for *r* records and *g* groups of at most *T* tasks.
  public func render() -> String {
    let benchmarks = Self.unique(table.rows.map(\.benchmark))
    var parts = [
      "<!DOCTYPE html>",
      "<html lang=\"en\">",
      "<head>",
      "<meta charset=\"utf-8\"/>",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
      "<meta name=\"generator\" content=\"ContinualKit \(Markup.escaped(ContinualKitVersion.current))\"/>",
      "<title>\(Markup.escaped(([title] + benchmarks).joined(separator: " — ")))</title>",
      "<style>\n\(Self.styleSheet)</style>",
      "</head>",
      "<body>",
      "<main>",
      header(),
      tablesSection(),
    ]
    parts += figureSections()
    parts += ["</main>", "</body>", "</html>"]
    return parts.joined(separator: "\n") + "\n"
  }

  // MARK: - Header and tables

  /// The heading and the description of the runs.
  func header() -> String {
    let records = table.records
    var facts: [(String, String)] = [
      ("Benchmarks", Self.unique(table.rows.map(\.benchmark)).joined(separator: ", ")),
      ("Scenarios", Self.unique(table.rows.map(\.scenario)).map(Self.scenarioName).joined(separator: ", ")),
      ("Algorithms", Self.unique(table.rows.map(\.algorithm)).joined(separator: ", ")),
    ]
    if !records.isEmpty {
      facts.append(("Seeds", Self.seedSummary(records.map(\.seed)) + seedCountNote()))
    }
    let runs = table.rows.map(\.runs).reduce(0, +)
    let failed = table.rows.map(\.failures.count).reduce(0, +)
    facts.append(("Runs", "\(runs) (\(runs - failed) finished, \(failed) failed)"))
    var version = ContinualKitVersion.current
    let recordVersions = Self.unique(records.map(\.version)).sorted()
    if !recordVersions.isEmpty, recordVersions != [ContinualKitVersion.current] {
      version += " (records written by \(recordVersions.joined(separator: ", ")))"
    }
    facts.append(("ContinualKit", version))
    facts.append(("Generated", Self.timestamp(generatedAt)))
    var lines = ["<header>", "<h1>\(Markup.escaped(title))</h1>", "<dl class=\"facts\">"]
    lines += facts.map { "<div><dt>\(Markup.escaped($0.0))</dt><dd>\(Markup.escaped($0.1))</dd></div>" }
    lines.append("</dl>")
    let shared = Self.sharedSettings(records)
    if !shared.isEmpty {
      let settings = CellTable(
        header: ["Setting", "Value"], rightAligned: [false, false], rows: shared.map { [$0.key, $0.value] })
      lines += [
        "<details>", "<summary>Settings shared by every run</summary>", settings.html(className: "settings"),
        "</details>",
      ]
    }
    lines.append("</header>")
    return lines.joined(separator: "\n")
  }

  /// The comparison table, its notes, and the final accuracy per task.
  func tablesSection() -> String {
    var lines = [
      "<section class=\"tables\">",
      "<h2>Comparison</h2>",
      "<p class=\"note\">Mean ± standard error over finished seeds. ACC (final average accuracy), Inc. ACC (average "
        + "incremental accuracy: accuracy on the tasks seen so far, averaged over stages), BWT, forgetting, FWT, LA "
        + "(learning accuracy: each task's accuracy right after training it, averaged over tasks) and intransigence "
        + "in percent; n is the number of finished seeds; a metric only some seeds have shows its own n.</p>",
      table.summaryCells().html(className: "results"),
    ]
    lines += table.notes().map { "<p class=\"note\">\(Markup.escaped($0))</p>" }
    lines += [
      "<h3>Final accuracy per task (%)</h3>",
      "<p class=\"note\">The last row of the accuracy matrix: accuracy on each task after training every task.</p>",
      table.perTaskCells().html(className: "results per-task"),
      "</section>",
    ]
    return lines.joined(separator: "\n")
  }

  /// Empty when every row finished every seed of the records; otherwise how many finished seeds
  /// the rows have, so that the seed list in the header is not read as every row's n.
  func seedCountNote() -> String {
    let distinct = Set(table.records.map(\.seed)).count
    let counts = table.rows.map(\.finished)
    guard let low = counts.min(), let high = counts.max(), low != distinct || high != distinct else { return "" }
    let range = low == high ? "\(low)" : "\(low) to \(high)"
    return "; \(range) finished per row (the n column)"
  }

  // MARK: - Helpers

  /// `values` without repeats, in order of first appearance.
  static func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
  }

  /// `task-incremental (task)` for `task`, and so on; other names as they are.
  static func scenarioName(_ scenario: String) -> String {
    ["task", "domain", "class"].contains(scenario) ? "\(scenario)-incremental" : scenario
  }

  /// `3 (1, 2, 3)`, or `20 (1–20)` for a long run of consecutive seeds.
  static func seedSummary(_ seeds: [UInt64]) -> String {
    let distinct = Array(Set(seeds)).sorted()
    guard let first = distinct.first, let last = distinct.last else { return "none" }
    let consecutive = last - first == UInt64(distinct.count - 1)
    let list =
      distinct.count > 6 && consecutive ? "\(first)–\(last)" : distinct.map(String.init).joined(separator: ", ")
    return "\(distinct.count) (\(list))"
  }

  /// `2025-06-01 14:03 UTC`.
  static func timestamp(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
    return formatter.string(from: date)
  }

  /// The settings every record has with the same value, other than the grid's own axes, by key.
  static func sharedSettings(_ records: [RunRecord]) -> [(key: String, value: String)] {
    guard let first = records.first else { return [] }
    let axes: Set<String> = ["algorithm", "benchmark", "scenario", "seed"]
    return first.config.filter { key, value in
      !axes.contains(key) && records.allSatisfy { $0.config[key] == value }
    }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
}
