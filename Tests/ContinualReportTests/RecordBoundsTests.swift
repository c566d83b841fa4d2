import ContinualCore
import Foundation
import Testing

@testable import ContinualReport

/// Every number a record carries is bounded, the validation matrix
/// is checked like the accuracy matrix, a line the strict parser refuses never reaches Foundation,
/// and a results file too large to read is refused by its size.
@Suite struct RecordBoundsTests {
  /// The text of one record line (without its newline), keys sorted.
  static func line(_ record: RunRecord) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(record), as: UTF8.self)
  }

  /// The error that decoding `text` as a results file throws, as text ("" when it decodes).
  static func failure(_ text: String) -> String {
    do {
      _ = try RecordFile.decode(Data(text.utf8), file: "runs.jsonl")
      return ""
    } catch {
      return "\(error)"
    }
  }

  static func validated(_ matrix: [[Double]]) -> RunRecord {
    var record = Fixture.record(id: "v", matrix: [[0.9, 0.1], [0.8, 0.9]])
    record.validationAccuracyMatrix = matrix
    return record
  }

  @Test(arguments: [
    ([[0.9, 0.1], [0.8, 1.5]], "validation_accuracy_matrix[1][1] is 1.5, not a fraction in [0, 1]"),
    ([[0.9, 0.1], [5.0, 0.9]], "validation_accuracy_matrix[1][0] is 5.0, not a fraction in [0, 1]"),
    ([[-3, 0.1], [0.8, 0.9]], "validation_accuracy_matrix[0][0] is -3.0, not a fraction in [0, 1]"),
    ([[0.9, 0.1], [0.8]], "validation_accuracy_matrix[1] has 1 entries but the run has 2 tasks"),
    ([[0.9, 0.1]], "a finished run needs a square validation_accuracy_matrix with a row per task, not 1 × 2"),
    ([[0.9, 0.1], [0.8, 0.9], [0.8, 0.9]], "validation_accuracy_matrix has 3 rows for 2 tasks"),
    (
      [[Double]](repeating: [Double](repeating: 0.5, count: 1_000_001), count: 2),
      "validation_accuracy_matrix has 1000001 tasks"
    ),
  ])
  func aValidationMatrixGetsTheAccuracyMatrixChecks(matrix: [[Double]], expected: String) throws {
    let message = Self.failure(try Self.line(Self.validated(matrix)) + "\n")
    #expect(message.contains("runs.jsonl:1") && message.contains(expected), "\(message)")
  }

  @Test func aGoodValidationMatrixStillReads() throws {
    let contents = try RecordFile.decode(
      Data((try Self.line(Self.validated([[0.9, 0.2], [0.7, 1.0]])) + "\n").utf8), file: "r")
    #expect(contents.records.first?.validationAverageAccuracy == 0.85)
  }

  @Test func everyNumberIsBounded() throws {
    var slow = Fixture.record(id: "t", matrix: [[0.9]])
    slow.wallSeconds = 1e308
    #expect(
      Self.failure(try Self.line(slow) + "\n").contains(
        "wall_seconds is 1e+308, not a finite, non-negative time of at most 1000000000 seconds"))
    slow.wallSeconds = 1e9
    #expect(Self.failure(try Self.line(slow) + "\n") == "", "a billion seconds is the limit, and allowed")

    var huge = Fixture.record(id: "m", matrix: [[0.9]])
    huge.peakRSSBytes = Int.max
    #expect(Self.failure(try Self.line(huge) + "\n").contains("peak_rss_bytes is \(Int.max), not a size between 0 and"))

    var lossy = Fixture.record(id: "l", matrix: [[0.9]])
    lossy.lossTerms = [["task": 1e300]]
    #expect(Self.failure(try Self.line(lossy) + "\n").contains(#"loss_terms[0]["task"] is 1e+300, not a finite Float"#))
    lossy.lossTerms = [["task": 0.5], ["task": 0.4]]
    #expect(Self.failure(try Self.line(lossy) + "\n").contains("loss_terms has 2 entries for 1 tasks"))
    lossy.lossTerms = [["task": 0.5]]
    #expect(Self.failure(try Self.line(lossy) + "\n") == "")
  }

  /// Each line also repeats `algorithm`, which Foundation would have resolved silently: the line
  /// is refused for the reason the strict parser gives, not read.
  @Test(arguments: [
    (#""a":"\ud800","#, "a high surrogate \\ud800 without its low surrogate"),
    (
      #""a":"# + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + ",",
      "nesting deeper than 64 levels"
    ),
  ])
  func aLineTheStrictParserRefusesIsRefused(prefix: String, reason: String) throws {
    let valid = try Self.line(Fixture.record(id: "s", matrix: [[0.9]]))
    let forged = "{" + prefix + valid.dropFirst().dropLast() + #","algorithm":"si"}"#
    let message = Self.failure(forged + "\n")
    #expect(
      message.contains("runs.jsonl:1") && message.contains("invalid JSON at column") && message.contains(reason),
      "\(message)")
  }

  /// A results file over the limit is refused from its size (a sparse 8 GiB file: nothing is
  /// read), naming the file and the limit.
  @Test func aResultsFileTooLargeIsRefusedByItsSize() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
    #expect(truncate(url.path, 8 << 30) == 0)
    #expect {
      try RecordFile.read(from: url)
    } throws: {
      let message = "\($0)"
      return message.contains(url.path) && message.contains("too large: 8589934592 bytes")
        && message.contains("\(RecordFile.maximumFileSize)-byte limit")
    }
  }
}
