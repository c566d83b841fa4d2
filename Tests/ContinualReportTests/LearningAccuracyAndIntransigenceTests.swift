import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

/// Learning accuracy and intransigence (against the `joint` row of the same
/// configuration and seed) in every table format, and forward transfer left undefined in the
/// class-incremental scenario.
@Suite struct LearningAccuracyAndIntransigenceTests {
  /// A two-task record with the protocol setting `lr` and the algorithm's own `ewc.lambda`.
  static func run(_ id: String, _ algorithm: String, seed: UInt64, _ matrix: [[Double]], lr: String = "0.001")
    -> RunRecord
  {
    var config = ["lr": lr, "algorithm": algorithm, "seed": String(seed)]
    if algorithm == "ewc" { config["ewc.lambda"] = "1e4" }
    return Fixture.record(id: id, algorithm: algorithm, seed: seed, matrix: matrix, config: config)
  }

  /// joint, seeds 1–2: diagonals (0.90, 0.95) and (0.92, 0.90) → LA 0.925 and 0.91.
  /// ewc, seeds 1–3: diagonals (0.88, 0.70), (0.90, 0.80), (0.90, 0.80) → LA 0.79, 0.85, 0.85.
  static let records: [RunRecord] = [
    run("j1", "joint", seed: 1, [[0.90, 0.10], [0.85, 0.95]]),
    run("j2", "joint", seed: 2, [[0.92, 0.10], [0.80, 0.90]]),
    run("e1", "ewc", seed: 1, [[0.88, 0.10], [0.80, 0.70]]),
    run("e2", "ewc", seed: 2, [[0.90, 0.10], [0.85, 0.80]]),
    run("e3", "ewc", seed: 3, [[0.90, 0.10], [0.85, 0.80]]),
  ]

  @Test func learningAccuracyByHand() throws {
    let ewc = try #require(ComparisonTable(records: Self.records).rows.first { $0.algorithm == "ewc" })
    // LA 0.79, 0.85, 0.85: mean 0.83; deviations −0.04, 0.02, 0.02; variance 0.0024 / 2 = 0.0012;
    // SE = √0.0012 / √3 = 0.02.
    let la = try #require(ewc.learningAccuracy)
    expectApproximatelyEqual(la.mean, 0.83, absoluteTolerance: 1e-12)
    #expect(abs(la.standardError - 0.02) < 1e-12)
    #expect(la.count == 3)
    #expect(ewc.seedResults.map(\.learningAccuracy).allSatisfy { $0 != nil })
  }

  @Test func intransigenceAgainstTheJointRowOfTheSameSeedByHand() throws {
    let table = ComparisonTable(records: Self.records)
    let ewc = try #require(table.rows.first { $0.algorithm == "ewc" })
    // Per seed, I = LA(joint) − LA(ewc) = mean over k of (R_joint[k][k] − R_ewc[k][k]):
    // seed 1: ((0.90 − 0.88) + (0.95 − 0.70)) / 2 = 0.135; seed 2: ((0.92 − 0.90) + (0.90 − 0.80)) / 2 = 0.06;
    // seed 3 has no joint run and is left out. Mean 0.0975, SE = |0.135 − 0.06| / 2 = 0.0375.
    #expect(ewc.intransigenceReference == "joint")
    let intransigence = try #require(ewc.intransigence)
    expectApproximatelyEqual(intransigence.mean, 0.0975, absoluteTolerance: 1e-12)
    #expect(abs(intransigence.standardError - 0.0375) < 1e-12)
    #expect(intransigence.count == 2)
    expectApproximatelyEqual(ewc.seedResults[0].intransigence, 0.135, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(ewc.seedResults[1].intransigence, 0.06, absoluteTolerance: 1e-12)
    #expect(ewc.seedResults[2].intransigence == nil)
    // The reference against itself: 0 on every seed.
    let joint = try #require(table.rows.first { $0.algorithm == "joint" })
    #expect(
      joint.intransigence == MeanEstimate(mean: 0, standardError: 0, count: 2)
        && joint.intransigenceReference == "joint")
    #expect(ComparisonTable.Metric.intransigence.higherIsBetter == false)
  }

  @Test func noJointRowMeansNoIntransigenceAndANoteSaysWhy() throws {
    let table = ComparisonTable(records: Self.records.filter { $0.algorithm == "ewc" })
    #expect(table.rows.allSatisfy { $0.intransigence == nil && $0.intransigenceReference == nil })
    let markdown = try table.rendered(as: .markdown)
    let ewc = try #require(markdown.split(separator: "\n").first { $0.contains("| ewc ") })
    #expect(ewc.contains("| 83.00 ± 2.00 |                 — |"), "\(ewc)")
    #expect(
      markdown.contains(
        "Intransigence: — because no 'joint' row of the same benchmark, scenario and protocol settings")
    )
  }

  @Test func aJointRowOfOtherProtocolSettingsIsNotTheReference() throws {
    // joint at another learning rate is another experiment: no reference, so no intransigence.
    let records = [Self.run("j", "joint", seed: 1, [[0.9, 0.1], [0.8, 0.9]], lr: "0.01"), Self.records[2]]
    let table = ComparisonTable(records: records)
    #expect(table.rows.first { $0.algorithm == "ewc" }?.intransigence == nil)
    // An algorithm's own settings (ewc.lambda) and reset_optimiser (which HNet sets for itself) do
    // not stop the pairing.
    var reset = Self.records[2]
    reset.config["reset_optimiser"] = "true"
    let paired = ComparisonTable(records: [Self.records[0], reset]).rows.first { $0.algorithm == "ewc" }
    expectApproximatelyEqual(paired?.intransigence?.mean, 0.135, absoluteTolerance: 1e-12)
  }

  @Test func everyFormatHasTheNewColumns() throws {
    let table = ComparisonTable(records: Self.records)
    let markdown = try table.rendered(as: .markdown)
    let header = try #require(markdown.split(separator: "\n").first)
    // Existing columns keep their order; LA and intransigence come after them, before the time.
    let titles = header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(
      Array(titles.prefix(9)) == [
        "Benchmark", "Scenario", "Algorithm", "ACC (%)", "Inc. ACC (%)", "BWT (%)", "Forgetting (%)", "LA (%)",
        "Intransigence (%)",
      ])
    #expect(markdown.contains("| 83.00 ± 2.00 | 9.75 ± 3.75 (n = 2) |"), "\(markdown)")
    #expect(markdown.contains("Intransigence (Chaudhry et al. 2018; lower is better)"))

    let csv = table.csv().split(separator: "\n", omittingEmptySubsequences: false)
    #expect(csv[0].hasSuffix(",delta_bwt_n,la_pct,la_pct_se,int_pct,int_pct_se,int_reference"))
    #expect(
      csv[0].hasPrefix("benchmark,scenario,algorithm,label,distinguishing_config,acc_pct,acc_pct_se,inc_acc_pct,"))
    #expect(csv[2].hasSuffix(",83.00,2.00,9.75,3.75,joint"), "\(csv[2])")

    let latex = table.latex()
    #expect(latex.contains(#"& Forgetting (\%) & LA (\%) & Intransigence (\%) & Time (s) &"#))
    #expect(latex.contains(#"$83.00 \pm 2.00$ & $9.75 \pm 3.75$ ($n = 2$)"#))
    #expect(latex.contains("% Intransigence (Chaudhry et al. 2018"))

    let text = try table.json()
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    let ewc = try #require(objects.first { $0["algorithm"] as? String == "ewc" })
    let la = try #require(ewc["learning_accuracy"] as? [String: Any])
    let intransigence = try #require(ewc["intransigence"] as? [String: Any])
    expectApproximatelyEqual(la["mean"] as? Double, 0.83, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(intransigence["mean"] as? Double, 0.0975, absoluteTolerance: 1e-12)
    #expect(ewc["intransigence_reference"] as? String == "joint")
    let seeds = try #require(ewc["seeds"] as? [[String: Any]])
    expectApproximatelyEqual(seeds[0]["intransigence"] as? Double, 0.135, absoluteTolerance: 1e-12)
    #expect(seeds[2]["intransigence"] == nil)
    #expect(try JSONDecoder().decode([ComparisonTable.Row].self, from: Data(text.utf8)) == table.rows)

    let html = HTMLReport(table: table, generatedAt: Date(timeIntervalSince1970: 0)).render()
    let page = try XMLElements(parsing: html)
    #expect(
      page.named("th").map(\.text).contains("LA (%)") && page.named("th").map(\.text).contains("Intransigence (%)"))
    #expect(page.named("td").map(\.text).contains("9.75 ± 3.75 (n = 2)"))
  }

  @Test func rowsWrittenBeforeTheNewKeysStillDecode() throws {
    let table = ComparisonTable(records: Self.records)
    var objects = try #require(try JSONSerialization.jsonObject(with: Data(try table.json().utf8)) as? [[String: Any]])
    for index in objects.indices {
      for key in ["learning_accuracy", "intransigence", "intransigence_reference"] { objects[index][key] = nil }
    }
    let old = try JSONSerialization.data(withJSONObject: objects)
    let rows = try JSONDecoder().decode([ComparisonTable.Row].self, from: old)
    #expect(rows.count == 2 && rows.allSatisfy { $0.learningAccuracy == nil && $0.intransigence == nil })
  }

  @Test func recordsWithoutLearningAccuracyStillReadAndGetItFromTheirMatrix() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    var lines: [String] = []
    for record in Self.records {
      var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any])
      #expect(object["learning_accuracy"] != nil)
      object["learning_accuracy"] = nil
      lines.append(
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    let records = try RecordFile.read(from: url).records
    #expect(records.allSatisfy { $0.learningAccuracy == nil })
    let ewc = try #require(ComparisonTable(records: records).rows.first { $0.algorithm == "ewc" })
    expectApproximatelyEqual(ewc.learningAccuracy?.mean, 0.83, absoluteTolerance: 1e-12)
    expectApproximatelyEqual(ewc.intransigence?.mean, 0.0975, absoluteTolerance: 1e-12)
  }

  @Test func aForgedLearningAccuracyIsAnError() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    var object = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.records[0])) as? [String: Any])
    object["learning_accuracy"] = 0.5
    try (JSONSerialization.data(withJSONObject: object) + Data("\n".utf8)).write(to: url)
    #expect {
      _ = try RecordFile.read(from: url)
    } throws: { error in
      "\(error)".contains("learning_accuracy is 0.5, but the accuracy_matrix gives 0.925")
    }
  }
}

/// Forward transfer is undefined in the class-incremental scenario, so the tables
/// show `—` there with a note, also for records written before the rule that still hold a value.
@Suite struct ClassIncrementalForwardTransferTests {
  /// `R[0][1] = 0.30`, `b[1] = 0.10`: FWT 0.20 wherever it is defined.
  static func record(_ id: String, scenario: String, seed: UInt64 = 1) -> RunRecord {
    Fixture.record(id: id, scenario: scenario, seed: seed, matrix: [[0.9, 0.3], [0.8, 0.9]], initial: [0.1, 0.1])
  }

  @Test func classIncrementalRowsShowADashAndANote() throws {
    let table = ComparisonTable(records: [Self.record("t", scenario: "task"), Self.record("c", scenario: "class")])
    #expect(abs((table.rows[0].forwardTransfer?.mean ?? 0) - 0.2) < 1e-12 && table.rows[1].forwardTransfer == nil)
    let markdown = try table.rendered(as: .markdown)
    let lines = markdown.split(separator: "\n")
    let classRow = try #require(lines.first { $0.contains("| class ") })
    let taskRow = try #require(lines.first { $0.contains("| task ") })
    #expect(taskRow.contains("| 20.00 ± 0.00 |") && classRow.contains("|            — |"), "\(markdown)")
    #expect(markdown.contains("FWT: — in class-incremental rows, where forward transfer is undefined"))
    #expect(table.latex().contains("% FWT: — in class-incremental rows"))
    #expect(table.csv().split(separator: "\n")[2].contains(",10.00,0.00,,,"), "the class row's fwt_pct cells are empty")
  }

  @Test func aClassIncrementalOnlyTableStillHasTheColumnAndTheNote() throws {
    let table = ComparisonTable(records: [Self.record("c", scenario: "class")])
    #expect(table.markdown().contains(" FWT (%) |"))
    #expect(try table.rendered(as: .markdown).contains("\nFWT: — in class-incremental rows"))
    #expect(
      !ComparisonTable(records: [Fixture.siSeed]).markdown().contains("FWT"), "no FWT and no class rows: no column")
  }

  @Test func aClassIncrementalRecordWrittenBeforeTheRuleStillReadsButShowsNoForwardTransfer() throws {
    var old = Self.record("c", scenario: "class")
    old.fwt = 0.2  // what ContinualKit wrote before forward transfer was left out in class-IL
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    try RecordFile.append(old, to: url)
    let read = try RecordFile.read(from: url).records
    #expect(read.first?.fwt == 0.2)
    #expect(ComparisonTable(records: read).rows.first?.forwardTransfer == nil)
    #expect(ComparisonTable(records: read).rows.first?.seedResults.first?.forwardTransfer == nil)
  }
}
