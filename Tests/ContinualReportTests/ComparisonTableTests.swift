import ContinualCore
import ContinualReport
import Testing

@Suite struct ComparisonTableTests {
  @Test func groupOfThreeSeedsByHand() throws {
    let table = ComparisonTable(records: Fixture.ewcSeeds)
    let row = try #require(table.rows.first)
    #expect(table.rows.count == 1)
    // ACC 0.90, 0.92, 0.97: mean 0.93, SE √0.0013 / √3 = 0.020816660.
    let accuracy = try #require(row.averageAccuracy)
    #expect(abs(accuracy.mean - 0.93) < 1e-12)
    #expect(abs(accuracy.standardError - 0.020816660) < 1e-9)
    #expect(accuracy.count == 3)
    // BWT −0.10, −0.06, 0: mean −0.053333; Σ squared deviations 0.0050667; SE √0.0025333 / √3 = 0.029059326.
    let bwt = try #require(row.backwardTransfer)
    #expect(abs(bwt.mean + 0.0533333333) < 1e-9)
    #expect(abs(bwt.standardError - 0.029059326) < 1e-9)
    // Time 10, 12, 14 s: mean 12, sd 2, SE 2 / √3 = 1.154700538.
    let time = try #require(row.wallSeconds)
    #expect(abs(time.mean - 12) < 1e-12)
    #expect(abs(time.standardError - 1.154700538) < 1e-9)
    #expect(row.forwardTransfer == nil)
  }

  @Test func failedRunsAreCountedNotAveraged() throws {
    let row = try #require(ComparisonTable(records: Fixture.ewcSeeds).rows.first)
    #expect(row.runs == 4)
    #expect(row.finished == 3)
    #expect(row.failures == ["loss diverged at task 2"])
  }

  @Test func groupWhoseRunsAllFailedHasNoMeans() throws {
    let row = try #require(ComparisonTable(records: [Fixture.ewcSeeds[3]]).rows.first)
    #expect(row.averageAccuracy == nil && row.wallSeconds == nil && row.finalTaskAccuracies.isEmpty)
    #expect(row.failures.count == 1 && row.finished == 0)
  }

  @Test func rowsOrderedByFirstAppearanceOfBenchmarkScenarioThenAlgorithm() {
    let matrix = [[0.5]]
    let records = [
      Fixture.record(id: "1", benchmark: "b", algorithm: "si", matrix: matrix),
      Fixture.record(id: "2", benchmark: "b", algorithm: "ewc", matrix: matrix),
      Fixture.record(id: "3", benchmark: "a", scenario: "task", algorithm: "ewc", matrix: matrix),
      Fixture.record(id: "4", benchmark: "a", scenario: "class", algorithm: "ewc", matrix: matrix),
      Fixture.record(id: "5", benchmark: "a", scenario: "task", algorithm: "si", matrix: matrix),
    ]
    let order = ComparisonTable(records: records).rows.map { "\($0.benchmark)/\($0.scenario)/\($0.algorithm)" }
    #expect(order == ["b/task/si", "b/task/ewc", "a/task/ewc", "a/task/si", "a/class/ewc"])
  }

  @Test func finalTaskAccuraciesAverageTheLastRow() throws {
    let row = try #require(ComparisonTable(records: Fixture.ewcSeeds).rows.first)
    // Task 1: 0.85, 0.89, 0.96 → 0.90. Task 2: 0.95, 0.95, 0.98 → 0.96, SE √0.0003 / √3 = 0.01.
    #expect(row.finalTaskAccuracies.count == 2)
    #expect(abs(row.finalTaskAccuracies[0].mean - 0.90) < 1e-12)
    #expect(abs(row.finalTaskAccuracies[1].mean - 0.96) < 1e-12)
    #expect(abs(row.finalTaskAccuracies[1].standardError - 0.01) < 1e-12)
  }
}
