import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// A grid with `--validation` chooses each algorithm's point on held-out
/// training images, and the table reports the test results of that point only.
@Suite struct ValidationSelectionTests {
  /// EWC at λ = 0 learns every task; at λ = 10¹⁵ the penalty pins every weight task 1 used, so
  /// later tasks learn only through their own output units (measured with 40 iterations and 400
  /// training images per task: 89 % against 95 % on validation). λ = 0 is the known best point:
  /// selection on validation must pick it, and the table must show its test numbers alone.
  @Test func aGridWithValidationPicksTheKnownBestPoint() throws {
    let root = try temporaryFolder("ck-validation")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try builtinSweepOptions(
      [
        "--algorithms", "ewc", "--grid", "ewc.lambda=1e15,0", "--validation", "0.2", "--seeds", "2",
        "--iterations", "30", "--train-per-task", "300", "--test-per-task", "100",
      ], output: root)
    let records = try runGrid(options)
    #expect(
      records.count == 4
        && records.allSatisfy { $0.validationAccuracyMatrix?.count == 5 && $0.config["validation"] == "0.2" })
    let selection = ValidationSelection(records: records)
    #expect(selection.points.map(\.label) == ["ewc (lambda=1e+15)", "ewc (lambda=0)"])
    #expect(selection.points.map(\.chosen) == [false, true], "\(selection.points)")
    #expect(selection.points[1].validation.mean > selection.points[0].validation.mean + 0.02, "\(selection.points)")
    #expect(selection.table.rows.count == 1 && selection.table.rows[0].label == "ewc (lambda=0; chosen on validation)")
    let chosen = records.filter { $0.config["ewc.lambda"] == "0" }
    #expect(selection.table.rows[0].averageAccuracy == MeanEstimate(chosen.compactMap(\.averageAccuracy)))

    try writeTables(records, options: options)
    let grid = try String(contentsOf: root.appendingPathComponent("selection.md"), encoding: .utf8)
    #expect(grid.contains("| ewc (lambda=0) |") && grid.contains("| yes |"))
  }

  /// The choice reads only the validation matrices: swapping the test matrices does not change it.
  @Test func theTestSetIsNeverConsulted() throws {
    func record(_ lambda: String, seed: UInt64, validation: Double, test: Double) -> RunRecord {
      RunRecord(
        runID: "\(lambda)-\(seed)", benchmark: "b", scenario: "task", algorithm: "ewc", seed: seed,
        config: ["ewc.lambda": lambda],
        accuracyMatrix: [[test, test], [test, test]], wallSeconds: 1, peakRSSBytes: 1,
        validationAccuracyMatrix: [[validation, validation], [validation, validation]])
    }
    // λ=1 is better on validation, λ=2 on test: λ=1 is chosen.
    let records = [1, 2].flatMap { seed in
      [
        record("1", seed: UInt64(seed), validation: 0.9, test: 0.5),
        record("2", seed: UInt64(seed), validation: 0.8, test: 0.99),
      ]
    }
    let selection = ValidationSelection(records: records)
    #expect(selection.points.first { $0.chosen }?.label == "ewc (lambda=1)")
    #expect(selection.table.rows.map(\.averageAccuracy?.mean) == [0.5])
  }

  /// selection.csv treats text cells as the comparison CSV does: a formula-like cell gets a leading
  /// `'`, a cell with a comma is quoted.
  @Test func theGridCSVNeutralisesFormulas() {
    let record = RunRecord(
      runID: "r", benchmark: "=cmd", scenario: "task", algorithm: "ewc", seed: 1, config: ["ewc.lambda": "1"],
      accuracyMatrix: [[0.5]], wallSeconds: 1, peakRSSBytes: 1, validationAccuracyMatrix: [[0.5]])
    let row = ValidationSelection(records: [record]).csv.split(separator: "\n")[1]
    #expect(row.hasPrefix("'=cmd,task,ewc,ewc,"), "\(row)")
  }

  /// `--validation` takes a share strictly between 0 and 1, and is a configuration of its own.
  @Test func theFractionIsCheckedAndRecorded() throws {
    for bad in ["0", "1", "-0.1", "x", "0.5.1"] {
      #expect(Parsing.error(["--validation", bad])?.contains("--validation takes the share") == true, "\(bad)")
    }
    let options = try Parsing.options(["--validation", "0.10"])
    #expect(
      options.protocolConfig(benchmark: try Benchmark(named: "split-builtin"), scenario: .task)["validation"] == "0.1")
    #expect(
      try Parsing.options([]).protocolConfig(benchmark: try Benchmark(named: "split-builtin"), scenario: .task)[
        "validation"] == nil)
  }
}

/// A run that holds out validation data resumes from its checkpoint with the validation matrix it
/// had, so the resumed record equals the uninterrupted one.
@Suite struct ValidationCheckpointTests {
  @Test func theValidationMatrixSurvivesAResume() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ck-validation-resume-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try Parsing.options([
      "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", "ewc", "--validation", "0.25", "--seeds",
      "1",
      "--iterations", "10", "--train-per-task", "200", "--test-per-task", "50", "--quiet", "--output", root.path,
    ])
    let stack = try ResolvedStack("ewc", settings: options.settings(for: .task), known: options.known)
    let prepared = try PreparedRun(
      benchmark: try Benchmark(named: "split-builtin"), scenario: .task, stack: stack, seed: 1,
      factory: BenchmarkFactory(dataDirectory: nil),
      options: options)
    let uninterrupted = try prepared.trainer.run(
      prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: 1)
    let folder = CheckpointDirectory(url: root.appendingPathComponent("checkpoint"), identity: "v")
    _ = try prepared.trainer.run(
      prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: 1, checkpoints: folder)
    let saved = try #require(try folder.load())
    #expect(saved.validationMatrix == Array(try #require(uninterrupted.validationMatrix).prefix(saved.completedTasks)))
    let resumed = try prepared.trainer.run(
      prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: 1, resumingFrom: saved)
    #expect(
      resumed.validationMatrix == uninterrupted.validationMatrix
        && resumed.accuracyMatrix == uninterrupted.accuracyMatrix)
  }
}
