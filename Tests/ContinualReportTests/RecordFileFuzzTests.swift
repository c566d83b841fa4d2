import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

/// Fuzz-style tests of the record-file reader: seeded corruptions of a results file, each of which
/// must be read with every line accounted for (a record, or a torn line skipped with a warning) and
/// render in every table format, or be rejected with ``RecordFileError/malformedLine(file:line:reason:)``
/// naming the file and a line. A crash or trap fails the run.
@Suite struct RecordFileFuzzTests {
  static let records = Fixture.ewcSeeds + [Fixture.siSeed]

  static func originalBytes(in directory: URL) throws -> [UInt8] {
    let url = directory.appendingPathComponent("original.jsonl")
    for record in records { try RecordFile.append(record, to: url) }
    return [UInt8](try Data(contentsOf: url))
  }

  /// The lines of `bytes` that hold anything but whitespace.
  static func nonBlankLines(_ bytes: [UInt8]) -> Int {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).filter { line in
      line.contains { ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains($0) }
    }.count
  }

  @Test func corruptRecordFilesAreReadLineByLineOrRejectedNamingTheLine() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let original = try Self.originalBytes(in: directory)
    let url = directory.appendingPathComponent("mutant.jsonl")
    var tally = FuzzTally("record file (JSON Lines)")
    for corruption in Corruption.mutants(of: original, seed: 31, truncationStride: 7, bitFlips: 250, overwrites: 250) {
      try Data(corruption.bytes).write(to: url)
      let lines = Self.nonBlankLines(corruption.bytes)
      do {
        let contents = try RecordFile.read(from: url)
        // Every line is a record or a torn line skipped with a warning: nothing vanishes silently.
        #expect(contents.records.count + contents.warnings.count == lines, "\(corruption): \(contents.warnings)")
        #expect(
          contents.warnings.allSatisfy { $0.hasPrefix("\(url.path): torn record skipped at line ") }, "\(corruption)")
        if corruption.kind == .truncation {
          #expect(
            contents.records == Array(Self.records.prefix(contents.records.count)),
            "\(corruption): a cut changed a record")
          #expect(contents.warnings.count <= 1, "\(corruption)")
        }
        let table = ComparisonTable(records: contents.records)
        for format in TableFormat.allCases {
          #expect(throws: Never.self, "\(corruption): \(format)") { _ = try table.rendered(as: format) }
        }
        tally.stillValid()
      } catch let error as RecordFileError {
        #expect(
          corruption.kind != .truncation, "\(corruption): a truncation must leave a readable prefix, got \(error)")
        guard case .malformedLine(let file, let line, let reason) = error else {
          Issue.record("\(corruption): expected a malformed line, got \(error)")
          continue
        }
        #expect(file == url.path && (1...max(lines, 1)).contains(line) && !reason.isEmpty, "\(corruption): \(error)")
        tally.rejected()
      } catch {
        Issue.record("\(corruption): an untyped error \(error)")
      }
    }
    tally.report()
    #expect(tally.tried >= 500 + original.count / 7)
  }

  static func line(_ edit: (inout [String: Any]) -> Void) -> String {
    var object = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(Fixture.siSeed)) as! [String: Any]
    edit(&object)
    return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
  }

  @Test(arguments: [
    ("seed a string", line { $0["seed"] = "1" }, "expected UInt64 at seed"),
    ("seed negative", line { $0["seed"] = -1 }, "invalid JSON"),
    ("run_id a number", line { $0["run_id"] = 7 }, "expected String at run_id"),
    ("matrix a string", line { $0["accuracy_matrix"] = "[[0.9]]" }, "at accuracy_matrix"),
    (
      "matrix entry a string", line { $0["accuracy_matrix"] = [[0.9, "NaN"], [0.8, 0.9]] },
      "expected Double at accuracy_matrix[0][1]"
    ),
    ("config value a number", line { $0["config"] = ["lambda": 1] }, "expected String at config.lambda"),
    ("status missing", line { $0["status"] = nil }, #"missing key "status""#),
    ("wall seconds null", line { $0["wall_seconds"] = NSNull() }, "null where Double was expected at wall_seconds"),
    ("an array", "[1, 2, 3]", "expected"),
    ("null", "null", "null where"),
    (
      "a ragged matrix", line { $0["accuracy_matrix"] = [[0.9, 0.1], [0.8]] },
      "accuracy_matrix[1] has 1 entries but accuracy_matrix[0] has 2"
    ),
    (
      "more rows than tasks",
      line {
        $0["status"] = "failed"
        $0["accuracy_matrix"] = [[0.9], [0.8]]
      }, "accuracy_matrix has 2 rows for 1 tasks"
    ),
    (
      "a finished run cut short", line { $0["accuracy_matrix"] = [[0.9, 0.1]] },
      "a finished run needs a square accuracy_matrix"
    ),
    (
      "an accuracy above 1", line { $0["accuracy_matrix"] = [[0.9, 0.1], [0.8, 97.5]] },
      "accuracy_matrix[1][1] is 97.5, not a fraction in [0, 1]"
    ),
    ("a negative initial accuracy", line { $0["initial_accuracies"] = [0.1, -0.1] }, "initial_accuracies[1] is -0.1"),
    (
      "initial accuracies of the wrong length", line { $0["initial_accuracies"] = [0.1] },
      "initial_accuracies has 1 entries for 2 tasks"
    ),
    ("a million tasks", "built in the test", "accuracy_matrix has 1000001 tasks; at most 1000"),
    ("deep nesting", "100 000 nested arrays", "invalid JSON"),
  ])
  func wrongTypesInAMiddleLineNameTheKey(name: String, line: String, reason: String) throws {
    // Long lines are built here rather than passed as arguments, which the test log prints.
    let line =
      switch name {
      case "deep nesting":
        "{\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
      case "a million tasks":
        Self.line {
          $0["status"] = "failed"
          $0["accuracy_matrix"] = [Array(repeating: 0.5, count: 1_000_001)]
        }
      default: line
      }
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("runs.jsonl")
    try RecordFile.append(Self.records[0], to: url)
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data((line + "\n").utf8))
    try handle.close()
    try RecordFile.append(Self.records[1], to: url)

    let error = try #require(throws: RecordFileError.self, "\(name)") { try RecordFile.read(from: url) }
    guard case .malformedLine(let file, 2, let why) = error else {
      Issue.record("\(name): expected a malformed line 2, got \(error)")
      return
    }
    #expect(file == url.path)
    #expect(why.contains(reason), "\(name): \(why)")
  }
}
