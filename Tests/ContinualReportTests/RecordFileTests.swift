import ContinualCore
import ContinualReport
import Foundation
import Testing

@Suite struct RecordFileTests {
  let records = Fixture.ewcSeeds

  /// A new scratch folder with `runs.jsonl` holding the first `count` records, appended one by one.
  func appended(_ count: Int) throws -> (directory: URL, url: URL) {
    let directory = try Fixture.scratchDirectory()
    let url = directory.appendingPathComponent("runs.jsonl")
    for record in records.prefix(count) { try RecordFile.append(record, to: url) }
    return (directory, url)
  }

  @Test func appendThenReadRoundTrips() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("nested/deeper/runs.jsonl")
    for record in records { try RecordFile.append(record, to: url) }
    let contents = try RecordFile.read(from: url)
    #expect(contents.records == records)
    #expect(contents.warnings.isEmpty)
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.split(separator: "\n").count == records.count)
    #expect(text.hasPrefix(#"{"accuracy_matrix":[[0.95,0.1],[0.85,0.95]],"algorithm":"ewc","average_accuracy":"#))
  }

  @Test func tornLastLineIsSkippedWithWarning() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("runs.jsonl")
    let lines = try records.prefix(3).map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    try (lines[0] + "\n" + lines[1] + "\n" + lines[2].prefix(40)).write(to: url, atomically: true, encoding: .utf8)
    let contents = try RecordFile.read(from: url)
    #expect(contents.records == Array(records.prefix(2)))
    #expect(
      contents.warnings == [
        "\(url.path): torn record skipped at line 3 (an incomplete line left by an interrupted write)"
      ])
  }

  @Test(arguments: [
    ("not json at all", "invalid JSON"),
    (#"{"run_id":"x"}"#, #"missing key ""#),
    (#"{"run_id":"x"}}"#, "invalid JSON"),
  ])
  func badMiddleLineIsAnErrorNamingTheLine(line: String, reason: String) throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("runs.jsonl")
    try RecordFile.append(records[0], to: url)
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data((line + "\n").utf8))
    try handle.close()
    try RecordFile.append(records[1], to: url)

    let error = try #require(throws: RecordFileError.self) { try RecordFile.read(from: url) }
    guard case .malformedLine(let file, let lineNumber, let why) = error else {
      Issue.record("unexpected error \(error)")
      return
    }
    #expect(file == url.path)
    #expect(lineNumber == 2)
    #expect(why.contains(reason))
    #expect(error.description.hasPrefix("\(url.path):2: not a run record"))
  }

  @Test func appendAfterAKillNeverLosesEarlierRecords() throws {
    let (directory, url) = try appended(3)
    defer { try? FileManager.default.removeItem(at: directory) }
    let intact = try Data(contentsOf: url)
    // Simulate a kill in the middle of writing the third line.
    let firstTwoLines = intact.split(separator: UInt8(ascii: "\n")).prefix(2).reduce(0) { $0 + $1.count + 1 }
    let handle = try FileHandle(forWritingTo: url)
    try handle.truncate(atOffset: UInt64(firstTwoLines + 25))
    try handle.close()

    try RecordFile.append(records[3], to: url)

    let after = try Data(contentsOf: url)
    #expect(after.prefix(firstTwoLines + 25) == intact.prefix(firstTwoLines + 25))  // nothing rewritten
    let contents = try RecordFile.read(from: url)
    #expect(contents.records == [records[0], records[1], records[3]])
    #expect(
      contents.warnings == [
        "\(url.path): torn record skipped at line 3 (an incomplete line left by an interrupted write)"
      ])
  }

  @Test func appendAfterAKillJustBeforeTheNewlineKeepsTheCompleteRecord() throws {
    let (directory, url) = try appended(2)
    defer { try? FileManager.default.removeItem(at: directory) }
    let handle = try FileHandle(forWritingTo: url)
    let size = try handle.seekToEnd()
    try handle.truncate(atOffset: size - 1)
    try handle.close()

    try RecordFile.append(records[2], to: url)

    let contents = try RecordFile.read(from: url)
    #expect(contents.records == Array(records.prefix(3)))
    #expect(contents.warnings.isEmpty)
  }

  @Test func readAllMergesShardsAndDropsDuplicates() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = directory.appendingPathComponent("shard-0.jsonl")
    let second = directory.appendingPathComponent("shard-1.jsonl")
    var failedThenRetried = records[3]
    failedThenRetried.runID = "ewc-2"
    try RecordFile.append(records[0], to: first)
    try RecordFile.append(failedThenRetried, to: first)
    try RecordFile.append(records[1], to: second)
    try RecordFile.append(records[2], to: second)
    try RecordFile.append(records[0], to: second)

    let contents = try RecordFile.readAll([first, second])

    #expect(contents.records == [records[0], records[1], records[2]])
    #expect(
      contents.warnings == [
        // The newest finished copy is kept (`compare` after `--force` shows it too).
        "run ewc-1 appears 2 times (\(first.path):1, \(second.path):3); kept the finished record at \(second.path):3",
        "run ewc-2 appears 2 times (\(first.path):2, \(second.path):1); kept the finished record at \(second.path):1",
      ])
  }

  /// After `--force`, `compare` showed the newest record and `report` the oldest.
  @Test func afterARerunTheNewestFinishedRecordIsKept() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    var rerun = records[0]
    rerun.wallSeconds += 1
    try RecordFile.append(records[0], to: url)
    try RecordFile.append(records[1], to: url)
    try RecordFile.append(rerun, to: url)
    #expect(try RecordFile.readAll([url]).records == [rerun, records[1]])
  }

  @Test func missingFileIsAnErrorNamingIt() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).jsonl")
    let error = try #require(throws: RecordFileError.self) { try RecordFile.read(from: url) }
    #expect(error.description.contains(url.path))
  }
}
