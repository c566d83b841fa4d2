import ContinualCore
import ContinualReport
import Foundation
import Testing

/// A record of the longest allowed sequence, 1,000 tasks, makes a report of sensible size: the
/// figures show 25 evenly spaced tasks and say which.
@Suite struct LongSequenceReportTests {
  /// A finished record of `tasks` tasks: accuracy 0.9 on trained tasks, 0.1 on the others.
  static func record(tasks: Int) -> RunRecord {
    let matrix = (0..<tasks).map { i in (0..<tasks).map { j in j <= i ? 0.9 : 0.1 } }
    return Fixture.record(id: "long", matrix: matrix, initial: Array(repeating: 0.1, count: tasks))
  }

  @Test func aThousandTaskRecordMakesASmallPageThatSaysWhatItLeftOut() throws {
    // Before the cap the heat map alone had a million cells: a 417 MB page.
    let html = HTMLReport(records: [Self.record(tasks: 1000)], generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(html.utf8.count < 3_000_000, "\(html.utf8.count) bytes")
    #expect(html.components(separatedBy: "<rect class=\"cell\"").count - 1 == 25 * 25)
    #expect(html.contains("Of the 1000 tasks, 25 evenly spaced ones are shown (tasks 1, 43, 84,"))
    #expect(html.contains(", 1000), so that the page stays small"))
    #expect(html.contains("After training task 1000, accuracy on task 958: 90.00"))
  }

  @Test func shortSequencesShowEveryTask() {
    let html = HTMLReport(records: [Self.record(tasks: 25)], generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(html.components(separatedBy: "<rect class=\"cell\"").count - 1 == 25 * 25)
    #expect(!html.contains("evenly spaced ones are shown"))
  }
}
