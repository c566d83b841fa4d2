import ContinualCore
import ContinualReport
import Foundation
import Testing

/// The confusion matrix in records (`confusion_matrix`, `class_accuracies`) and its figure in the
/// HTML report, checked structurally: no headless browser is installed on the build machine or in
/// CI, so the page is parsed as XML and its SVG elements are counted and read instead.
@Suite struct ConfusionMatrixReportTests {
  /// A class-incremental record of 2 tasks × 2 classes whose model predicts the newest task's
  /// classes for most old samples (rows: true class; columns: predicted class).
  static func biased(id: String, seed: UInt64) -> RunRecord {
    var record = Fixture.record(id: id, scenario: "class", seed: seed, matrix: [[0.9, 0.0], [0.2, 0.95]])
    record = RunRecord(
      runID: record.runID, benchmark: record.benchmark, scenario: record.scenario, algorithm: "finetune", seed: seed,
      config: record.config, accuracyMatrix: record.accuracyMatrix, wallSeconds: 1, peakRSSBytes: 1_000_000,
      finishedAt: Date(timeIntervalSince1970: 1_700_000_000),
      confusionMatrix: [[2, 0, 6, 2], [0, 2, 3, 5], [0, 0, 9, 1], [0, 0, 1, 9]])
    return record
  }

  static func line(_ record: RunRecord) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(record), as: UTF8.self)
  }

  @Test func perClassAccuracyIsTheDiagonalOverTheRowSums() {
    let record = Self.biased(id: "b1", seed: 1)
    #expect(record.classAccuracies == [0.2, 0.2, 0.9, 0.9])
    #expect(RunRecord.classAccuracies(of: [[0, 0], [1, 3]]) == [nil, 0.75])
  }

  @Test func aRecordWithAConfusionMatrixRoundTrips() throws {
    let record = Self.biased(id: "b1", seed: 1)
    let text = try Self.line(record)
    #expect(text.contains("\"confusion_matrix\":[[2,0,6,2],[0,2,3,5],[0,0,9,1],[0,0,1,9]]"))
    #expect(text.contains("\"class_accuracies\":[0.2,0.2,0.9,0.9]"))
    let read = try RecordFile.decode(Data((text + "\n").utf8), file: "r.jsonl")
    #expect(read.records == [record])
  }

  @Test func aClassWithoutTestSamplesHasANullAccuracyThatRoundTrips() throws {
    var record = Self.biased(id: "b1", seed: 1)
    record = RunRecord(
      runID: record.runID, benchmark: record.benchmark, scenario: record.scenario, algorithm: record.algorithm,
      seed: 1, config: record.config, accuracyMatrix: record.accuracyMatrix, wallSeconds: 1, peakRSSBytes: 1_000_000,
      finishedAt: Date(timeIntervalSince1970: 1_700_000_000),
      confusionMatrix: [[2, 0, 6, 2], [0, 0, 0, 0], [0, 0, 9, 1], [0, 0, 1, 9]])
    let text = try Self.line(record)
    #expect(text.contains("\"class_accuracies\":[0.2,null,0.9,0.9]"))
    #expect(try RecordFile.decode(Data((text + "\n").utf8), file: "r.jsonl").records == [record])
  }

  @Test func oldRecordsWithoutTheFieldsStillLoadAndKeepTheirBytes() throws {
    let old = Fixture.record(id: "old", scenario: "class", matrix: [[0.9, 0.0], [0.2, 0.95]])
    let text = try Self.line(old)
    #expect(!text.contains("confusion"))
    #expect(!text.contains("class_accuracies"))
    let read = try RecordFile.decode(Data((text + "\n").utf8), file: "r.jsonl")
    #expect(read.records.first?.confusionMatrix == nil)
    #expect(read.records.first?.classAccuracies == nil)
  }

  @Test(arguments: [
    ("[[1,2],[3]]", "confusion_matrix[1] has 1 entries for 2 rows"),
    ("[[1,-2],[3,4]]", "confusion_matrix[0][1] is -2, a negative count"),
  ])
  func malformedConfusionMatricesAreRejected(matrix: String, reason: String) throws {
    let good = try Self.line(Self.biased(id: "b1", seed: 1))
    let start = try #require(good.range(of: "\"confusion_matrix\":"))
    let end = try #require(good.range(of: "]],", range: start.upperBound..<good.endIndex))
    let forged = good.replacingCharacters(in: start.upperBound..<end.upperBound, with: matrix + ",")
    #expect {
      try RecordFile.decode(Data((forged + "\n").utf8), file: "r.jsonl")
    } throws: { "\($0)".contains(reason) }
  }

  @Test func forgedClassAccuraciesAreRejected() throws {
    let good = try Self.line(Self.biased(id: "b1", seed: 1))
    let forged = good.replacingOccurrences(of: "\"class_accuracies\":[0.2,", with: "\"class_accuracies\":[0.7,")
    #expect(forged != good)
    #expect {
      try RecordFile.decode(Data((forged + "\n").utf8), file: "r.jsonl")
    } throws: { "\($0)".contains("class_accuracies are not the confusion_matrix's diagonal") }
  }

  @Test func theReportDrawsTheConfusionMatrixWithTheBiasMeasured() throws {
    let records = [Self.biased(id: "b1", seed: 1), Self.biased(id: "b2", seed: 2)]
    let html = HTMLReport(records: records, generatedAt: Date(timeIntervalSince1970: 0)).render()
    let page = try XMLElements(parsing: html)
    let figures = page.named("figure", class: "confusion-matrices")
    #expect(figures.count == 1)
    let svgs = page.named("svg", class: "confusion")
    #expect(svgs.count == 1)
    let fragment = try #require(svgFragments(of: html).first { $0.contains("class=\"confusion\"") })
    let figure = try XMLElements(parsing: fragment)
    #expect(figure.named("title").first?.text == "Confusion matrix of finetune (n = 2)")
    // 4 × 4 cells, each with its share of the row in its tooltip: class 0 predicted as 2 is 12 of 20.
    let cells = figure.named("rect", class: "cell")
    #expect(cells.count == 16)
    let titles = figure.named("title").map(\.text)
    #expect(titles.contains("Class 0 predicted as 2: 60.0 % (12 samples)"))
    #expect(titles.contains("Class 3 predicted as 3: 90.0 % (18 samples)"))
    // The last task's classes (2 and 3) take 8 + 8 + 10 + 10 = 36 of every seed's 40 predictions, and
    // hold half of the samples.
    #expect(
      figure.named("text", class: "bias").map(\.text) == [
        "last task's classes: 90.0 % of predictions, 50.0 % of samples"
      ])
    // One boundary line each way between the two tasks' classes.
    #expect(figure.named("line", class: "task-boundary").count == 2)
    // Cell colours follow the row shares: the diagonal of class 2 is darker than class 0's.
    let fills = cells.map { $0.attributes["fill"] ?? "" }
    #expect(fills[0] != fills[10])
  }

  @Test func aReportWithoutConfusionMatricesHasNoSuchFigure() throws {
    let html = HTMLReport(records: Fixture.ewcSeeds, generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(try XMLElements(parsing: html).named("figure", class: "confusion-matrices").isEmpty)
  }
}
