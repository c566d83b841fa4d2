import ContinualCore
import ContinualTesting
import Foundation
import Testing

@testable import ContinualReport

/// Record lines that name a key twice, and record files that are not regular files.
@Suite struct RecordFileStrictnessTests {
  @Test func aPipeIsNotARecordFileAndNothingBlocks() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = try namedPipe("records.jsonl", in: directory)
    #expect(throws: RecordFileError.unreadable(file: url.path, reason: "not a regular file (a named pipe)")) {
      try RecordFile.read(from: url)
    }
  }

  @Test func aRecordLineNamingAKeyTwiceIsAnErrorNamingTheKeyAndLine() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    try RecordFile.append(Fixture.record(id: "a", matrix: [[0.9]]), to: url)
    try RecordFile.append(Fixture.record(id: "b", matrix: [[0.8]]), to: url)
    var text = try String(contentsOf: url, encoding: .utf8)
    // A second "seed" in line 2: Foundation's decoder kept one of the two values without a word.
    text = text.replacingOccurrences(
      of: "\"seed\":1,", with: "\"seed\":1,\"seed\":7,", options: [],
      range: text.range(of: "\"run_id\":\"b\"").map { $0.lowerBound..<text.endIndex })
    try Data(text.utf8).write(to: url)
    #expect {
      try RecordFile.read(from: url)
    } throws: {
      let message = "\($0)"
      return message.contains("\(url.path):2") && message.contains("the key \"seed\" appears twice")
    }
    // Nested objects too.
    try Data((#"{"config":{"a":"1","a":"2"}}"# + "\n").utf8).write(to: url)
    #expect {
      try RecordFile.read(from: url)
    } throws: {
      "\($0)".contains("\(url.path):1") && "\($0)".contains("the key \"a\" appears twice")
    }
  }
}
