import ContinualCore
import ContinualReport
import Foundation
import Testing

/// `report` used to trust a record's stored summaries, so a forged
/// `average_accuracy: 5.0` showed as 500.00 and `wall_seconds: -5` as -5.0. A summary that the
/// accuracy matrix does not give, or an impossible time or size, is now an error naming the key.
@Suite struct RecordSummaryTests {
  /// A one-record file whose JSON has `key` replaced by `value`, and the error reading it gives.
  static func error(replacing key: String, with value: String) throws -> String {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    var object = try #require(
      JSONSerialization.jsonObject(with: JSONEncoder().encode(Fixture.ewcSeeds[0])) as? [String: Any])
    object[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
    let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try (line + Data("\n".utf8)).write(to: url)
    do {
      _ = try RecordFile.read(from: url)
    } catch {
      return String(describing: error)
    }
    Issue.record("the record with \(key) = \(value) was accepted")
    return ""
  }

  @Test(arguments: [
    ("average_accuracy", "5.0", "average_accuracy is 5.0, but the accuracy_matrix gives"),
    ("average_accuracy", "1e308", "average_accuracy is 1e+308"),
    ("bwt", "0.5", "bwt is 0.5, but the accuracy_matrix gives"),
    ("forgetting", "-0.25", "forgetting is -0.25"),
    ("wall_seconds", "-5", "wall_seconds is -5.0, not a finite, non-negative time"),
    ("peak_rss_bytes", "-1", "peak_rss_bytes is -1"),
  ])
  func forgedSummariesAreErrorsNamingTheKey(key: String, value: String, message: String) throws {
    let description = try Self.error(replacing: key, with: value)
    #expect(description.contains(message), "\(description)")
  }

  @Test func honestRecordsStillRead() throws {
    let directory = try Fixture.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("records.jsonl")
    for record in Fixture.ewcSeeds { try RecordFile.append(record, to: url) }
    #expect(try RecordFile.read(from: url).records == Fixture.ewcSeeds)
  }
}
