import ContinualCore
import ContinualReport
import Foundation
import Testing

/// A row is one configuration — everything in `config` but the seed — and rows of
/// one algorithm are labelled with the settings that tell them apart, in every format.
@Suite struct ConfigurationRowsTests {
  /// The settings the command line records for an EWC run, with `ewc.lambda` as given and the seed.
  static func config(lambda: String, seed: UInt64, extra: [String: String] = [:]) -> [String: String] {
    [
      "benchmark": "split-mnist", "scenario": "task", "algorithm": "ewc", "lr": "0.001", "hidden": "256,256",
      "ewc.lambda": lambda, "ewc.labels": "true", "seed": String(seed),
    ].merging(extra) { _, new in new }
  }

  /// Two seeds of EWC at one λ, as one sweep folder writes them.
  static func sweep(lambda: String, accuracies: [Double]) -> [RunRecord] {
    accuracies.enumerated().map { index, accuracy in
      let seed = UInt64(index + 1)
      return Fixture.record(
        id: "ewc-\(lambda)-\(seed)", seed: seed, matrix: [[accuracy]], config: config(lambda: lambda, seed: seed))
    }
  }

  /// Two folders that differ only in `ewc.lambda`, written and merged as `continual report a b` does.
  static func merged() throws -> ComparisonTable {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = directory.appendingPathComponent("lambda-1e4/records.jsonl")
    let second = directory.appendingPathComponent("lambda-1e6/records.jsonl")
    for record in sweep(lambda: "1e4", accuracies: [0.80, 0.90]) { try RecordFile.append(record, to: first) }
    for record in sweep(lambda: "1e6", accuracies: [0.60, 0.70]) { try RecordFile.append(record, to: second) }
    return ComparisonTable(records: try RecordFile.readAll([first, second]).records)
  }

  @Test func aMergeOfTwoFoldersThatDifferInOneSettingGivesTwoRows() throws {
    let table = try Self.merged()
    #expect(table.rows.count == 2)
    #expect(table.rows.map(\.label) == ["ewc (lambda=1e4)", "ewc (lambda=1e6)"])
    #expect(table.rows.map(\.distinguishingKeys) == [["ewc.lambda"], ["ewc.lambda"]])
    #expect(table.rows.map(\.distinguishingSettings) == [["ewc.lambda": "1e4"], ["ewc.lambda": "1e6"]])
    // Never pooled: each row has its own two seeds, 0.80 and 0.90 → 0.85, 0.60 and 0.70 → 0.65.
    #expect(table.rows.map(\.finished) == [2, 2])
    #expect(abs((table.rows[0].averageAccuracy?.mean ?? 0) - 0.85) < 1e-12)
    #expect(abs((table.rows[1].averageAccuracy?.mean ?? 0) - 0.65) < 1e-12)
    #expect(table.rows[0].configuration["seed"] == nil && table.rows[0].configuration["ewc.lambda"] == "1e4")
  }

  @Test func everyFormatShowsTheDistinguishingLabels() throws {
    let table = try Self.merged()
    let markdown = try table.rendered(as: .markdown)
    #expect(markdown.contains("| split-mnist | task     | ewc (lambda=1e4) |"))
    #expect(markdown.contains("| split-mnist | task     | ewc (lambda=1e6) |"))
    let csv = table.csv()
    #expect(csv.hasPrefix("benchmark,scenario,algorithm,label,distinguishing_config,acc_pct,"))
    #expect(csv.contains("\nsplit-mnist,task,ewc,ewc (lambda=1e4),ewc.lambda=1e4,85.00,"))
    #expect(csv.contains("\nsplit-mnist,task,ewc,ewc (lambda=1e6),ewc.lambda=1e6,65.00,"))
    let latex = table.latex()
    // 0.80 − 0.60 = 0.90 − 0.70 = 0.20 on both seeds: significantly best, so bold.
    #expect(latex.contains("split-mnist & task & ewc (lambda=1e4) & $\\mathbf{85.00"))
    #expect(latex.contains("split-mnist & task & ewc (lambda=1e6) & $65.00"))
    let json = try table.json()
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    #expect(objects.map { $0["label"] as? String } == ["ewc (lambda=1e4)", "ewc (lambda=1e6)"])
    #expect(objects.map { $0["distinguishing_keys"] as? [String] } == [["ewc.lambda"], ["ewc.lambda"]])
    #expect(objects.map { ($0["config"] as? [String: String])?["ewc.lambda"] } == ["1e4", "1e6"])
    #expect(try JSONDecoder().decode([ComparisonTable.Row].self, from: Data(json.utf8)) == table.rows)
    let html = HTMLReport(table: table, generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(html.contains("<td>ewc (lambda=1e4)</td>") && html.contains("<td>ewc (lambda=1e6)</td>"))
    // The heat maps are titled by row, each over its own two seeds.
    #expect(html.contains("ewc (lambda=1e4) (n = 2)") && html.contains("ewc (lambda=1e6) (n = 2)"))
    // Two seeds per row and two distinct seeds: the header's seed count is every row's n.
    #expect(html.contains("<dd>2 (1, 2)</dd>"))
  }

  @Test func labelsShowOnlyTheDifferingKeysInAFixedOrder() throws {
    let records = [
      Fixture.record(id: "a", matrix: [[0.5]], config: Self.config(lambda: "1e4", seed: 1)),
      Fixture.record(
        id: "b", matrix: [[0.5]],
        config: Self.config(lambda: "1e6", seed: 1, extra: ["ewc.labels": "empirical", "lr": "0.01"])),
      Fixture.record(
        id: "c", matrix: [[0.5]], config: Self.config(lambda: "1e4", seed: 1, extra: ["weight_decay": "0.1"])),
      Fixture.record(id: "d", algorithm: "si", matrix: [[0.5]], config: ["si.c": "1", "seed": "1"]),
    ]
    let labels = ComparisonTable(records: records).rows.map(\.label)
    // The algorithm's own keys first, without their prefix, then the others by name; a key a row
    // lacks is `no key`. The single si row keeps its name.
    #expect(
      labels == [
        "ewc (labels=true, lambda=1e4, lr=0.001, no weight_decay)",
        "ewc (labels=empirical, lambda=1e6, lr=0.01, no weight_decay)",
        "ewc (labels=true, lambda=1e4, lr=0.001, weight_decay=0.1)",
        "si",
      ])
  }

  @Test func stackKeysKeepTheirPrefixWhenTheShortNamesWouldClash() {
    let records = [
      Fixture.record(
        id: "a", algorithm: "ewc+mas", matrix: [[0.5]], config: ["ewc.lambda": "1", "mas.lambda": "1", "seed": "1"]),
      Fixture.record(
        id: "b", algorithm: "ewc+mas", matrix: [[0.5]], config: ["ewc.lambda": "2", "mas.lambda": "3", "seed": "1"]),
    ]
    #expect(
      ComparisonTable(records: records).rows.map(\.label) == [
        "ewc+mas (ewc.lambda=1, mas.lambda=1)", "ewc+mas (ewc.lambda=2, mas.lambda=3)",
      ])
  }

  @Test func theSameSettingsInAnotherScenarioNeedNoLabel() {
    let records = [
      Fixture.record(id: "a", scenario: "task", matrix: [[0.5]], config: ["ewc.lambda": "1e4"]),
      Fixture.record(id: "b", scenario: "class", matrix: [[0.5]], config: ["ewc.lambda": "1e8"]),
    ]
    #expect(ComparisonTable(records: records).rows.map(\.label) == ["ewc", "ewc"])
  }

  @Test func theHeaderSaysWhenRowsHaveDifferentSeedCounts() {
    var records = Self.sweep(lambda: "1e4", accuracies: [0.8, 0.9, 0.7])
    records += Self.sweep(lambda: "1e6", accuracies: [0.6])
    let html = HTMLReport(records: records, generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(html.contains("<dd>3 (1, 2, 3); 1 to 3 finished per row (the n column)</dd>"))
  }
}

/// Rows in the order the user asked for — the order records first appear in.
@Suite struct RowOrderTests {
  @Test func benchmarksScenariosAndConfigurationsKeepFirstAppearance() {
    let matrix = [[0.5]]
    let records = [
      Fixture.record(id: "1", benchmark: "b", scenario: "class", algorithm: "si", matrix: matrix),
      Fixture.record(id: "2", benchmark: "b", scenario: "task", algorithm: "ewc", matrix: matrix),
      Fixture.record(id: "3", benchmark: "b", scenario: "class", algorithm: "ewc", matrix: matrix),
      Fixture.record(id: "4", benchmark: "a", scenario: "task", algorithm: "finetune", matrix: matrix),
      Fixture.record(id: "5", benchmark: "b", scenario: "class", algorithm: "si", seed: 2, matrix: matrix),
      Fixture.record(id: "6", benchmark: "a", scenario: "class", algorithm: "ewc", matrix: matrix),
    ]
    let order = ComparisonTable(records: records).rows.map { "\($0.benchmark)/\($0.scenario)/\($0.label)" }
    #expect(order == ["b/class/si", "b/class/ewc", "b/task/ewc", "a/class/ewc", "a/task/finetune"])
  }

  @Test func variantsOfOneAlgorithmKeepTheirOrder() {
    let records = [
      Fixture.record(id: "1", matrix: [[0.5]], config: ["ewc.lambda": "1e6"]),
      Fixture.record(id: "2", algorithm: "si", matrix: [[0.5]]),
      Fixture.record(id: "3", matrix: [[0.5]], config: ["ewc.lambda": "1e2"]),
    ]
    let labels = ComparisonTable(records: records).rows.map(\.label)
    #expect(labels == ["ewc (lambda=1e6)", "si", "ewc (lambda=1e2)"])
  }
}

/// Records whose `config` disagrees with their own algorithm column still get distinct labels.
@Suite struct HandMadeConfigurationTests {
  @Test func aConfigThatDisagreesWithItsColumnsIsShown() {
    let records = [
      Fixture.record(id: "a", matrix: [[0.5]], config: ["algorithm": "ewc"]),
      Fixture.record(id: "b", matrix: [[0.5]], config: ["algorithm": "ewc-old"]),
    ]
    #expect(ComparisonTable(records: records).rows.map(\.label) == ["ewc (algorithm=ewc)", "ewc (algorithm=ewc-old)"])
  }
}
