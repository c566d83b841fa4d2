import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// `report` writes only where `--output` says, pipes are refused without blocking, and a failed run
/// is recorded once.
@Suite struct ReportAndFailedRunTests {
  static func folder() throws -> URL { try temporaryFolder("ck-cli-report") }

  /// A records file with one finished two-task run, in a fresh folder.
  static func recordsFile() throws -> URL {
    let url = try folder().appendingPathComponent("records.jsonl")
    let record = RunRecord(
      runID: "r1", benchmark: "split-mnist", scenario: "task", algorithm: "ewc", seed: 1, config: ["lambda": "1"],
      accuracyMatrix: [[0.9, 0.1], [0.8, 0.95]], initialAccuracies: [0.1, 0.1], wallSeconds: 1, peakRSSBytes: 1)
    try RecordFile.append(record, to: url)
    return url
  }

  /// The modification dates of `./results/comparison.*` (the default `--output`), `nil` where absent.
  static func defaultTables() -> [Date?] {
    ["md", "csv", "tex", "json"].map { ext in
      (try? FileManager.default.attributesOfItem(atPath: "results/comparison.\(ext)"))?[.modificationDate] as? Date
    }
  }

  @Test func reportWithoutOutputPrintsTheTableAndWritesNoFile() throws {
    let records = try Self.recordsFile()
    defer { try? FileManager.default.removeItem(at: records.deletingLastPathComponent()) }
    let before = Self.defaultTables()
    // Before the fix this wrote (or overwrote) ./results/comparison.{md,csv,tex,json}.
    try ContinualCommand.run(["report", records.path])
    #expect(Self.defaultTables() == before)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: records.deletingLastPathComponent().path) == ["records.jsonl"]
    )
  }

  @Test func reportWritesItsFilesWhereOutputSays() throws {
    let records = try Self.recordsFile()
    defer { try? FileManager.default.removeItem(at: records.deletingLastPathComponent()) }
    let output = records.deletingLastPathComponent().appendingPathComponent("tables")
    try ContinualCommand.run(["report", records.path, "--output", output.path, "--format", "json,csv"])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == [
        "comparison.csv", "comparison.json",
      ])
    #expect {
      try ContinualCommand.run(["report", records.path, "--format", "json"])
    } throws: {
      "\($0)".contains("--format") && "\($0)".contains("--output")
    }
  }

  @Test func aPipeGivenAsARecordFileOrAnExperimentFileIsRefusedWithoutBlocking() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let pipe = try namedPipe("records.jsonl", in: folder)
    // Before the fix: "You don't have permission" for a record file; an experiment file blocked.
    for arguments in [["report", pipe.path], ["report", folder.path], ["compare", "--config", pipe.path]] {
      #expect(throws: (any Error).self, "\(arguments)") { try ContinualCommand.run(arguments) }
      do {
        try ContinualCommand.run(arguments)
      } catch {
        #expect(
          "\(error)".contains(pipe.path) && "\(error)".contains("not a regular file (a named pipe)"),
          "\(arguments): \(error)")
      }
    }
  }

  @Test func aFailedRunIsRecordedOnceAndCountedOnce() throws {
    let output = try Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    // A learning rate of 1e20 makes the loss overflow: the run fails, deterministically.
    let options = try Parsing.options([
      "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", "finetune", "--seeds", "1", "--iterations",
      "20",
      "--train-per-task", "40", "--test-per-task", "20", "--hidden", "8", "--lr", "1e20", "--quiet", "--format", "json",
      "--output", output.path,
    ])
    let first = try runGrid(options)
    #expect(first.count == 1 && first[0].status == .failed, "\(first)")
    // Before the fix every invocation trained the run again and appended another failed record.
    let second = try runGrid(options)
    #expect(second == first)
    let lines = try RecordFile.read(from: output.appendingPathComponent("records.jsonl")).records
    #expect(lines.count == 1)
    #expect(ComparisonTable(records: second).rows.map(\.runs) == [1])
    // --force reruns it, and the table still counts the run once.
    var forced = options
    forced.force = true
    _ = try runGrid(forced)
    #expect(try RecordFile.readAll([output.appendingPathComponent("records.jsonl")]).records.count == 1)
  }
}
