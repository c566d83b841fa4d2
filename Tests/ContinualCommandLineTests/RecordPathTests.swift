import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// `continual report` arguments: a file as given, a result folder as its `records.jsonl`, and clear
/// errors for a missing path or a folder without records.
@Suite struct RecordPathTests {
  @Test func aFileIsUsedAsGiven() throws {
    try withTemporaryFolder("ck-record-path") { folder in
      let file = folder.appendingPathComponent("shard-1.jsonl")
      try Data().write(to: file)
      #expect(try recordFileURL(forArgument: file.path).path == file.path)
    }
  }

  @Test func aFolderMeansItsRecordsFile() throws {
    try withTemporaryFolder("ck-record-path") { folder in
      do {
        _ = try recordFileURL(forArgument: folder.path)
        Issue.record("a folder without records was accepted")
      } catch let error as CLIError {
        #expect(error.description.contains("folder without a records.jsonl"))
      }
      let records = folder.appendingPathComponent("records.jsonl")
      try Data().write(to: records)
      #expect(try recordFileURL(forArgument: folder.path).path == records.path)
    }
  }

  @Test func aMissingPathIsNamed() throws {
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent("ck-no-such-\(UUID().uuidString)").path
    do {
      _ = try recordFileURL(forArgument: missing)
      Issue.record("a missing path was accepted")
    } catch let error as CLIError {
      #expect(error.description == "no results file or folder at \(missing)")
    }
  }
}
