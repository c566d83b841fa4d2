import ContinualCore
import ContinualEngine
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// The CIFAR benchmarks end to end on generated files in the real binary layout (CIFAR-100 is not
/// available on our machines): loading, per-channel normalisation, the task split, augmentation,
/// training and the run record.
@Suite struct CIFARBenchmarkTests {
  /// A data directory with `cifar-10/` (`perClass` training and 1 test image per class) and
  /// `cifar-100/` (`perClass` training and 1 test image per fine class).
  static func writeData(perClass: Int = 2) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-cli-\(UUID().uuidString)")
    var rng = SeededGenerator(seed: 3)
    func records(_ labels: [[UInt8]]) -> Data {
      Data(labels.flatMap { $0 + (0..<3072).map { _ in UInt8(rng.nextInt(below: 256)) } })
    }
    let ten = root.appendingPathComponent("cifar-10")
    try FileManager.default.createDirectory(at: ten, withIntermediateDirectories: true)
    for batch in 1...5 {
      // Batch b holds the training images of classes 2(b−1) and 2(b−1)+1.
      let labels = (0..<(2 * perClass)).map { [UInt8(2 * (batch - 1) + $0 % 2)] }
      try records(labels).write(to: ten.appendingPathComponent("data_batch_\(batch).bin"))
    }
    try records((0..<10).map { [UInt8($0)] }).write(to: ten.appendingPathComponent("test_batch.bin"))
    try Data((0..<10).map { "class\($0)" }.joined(separator: "\n").utf8).write(
      to: ten.appendingPathComponent("batches.meta.txt"))
    let hundred = root.appendingPathComponent("cifar-100")
    try FileManager.default.createDirectory(at: hundred, withIntermediateDirectories: true)
    let train = (0..<(100 * perClass)).map { [UInt8($0 % 100 / 5), UInt8($0 % 100)] }
    try records(train).write(to: hundred.appendingPathComponent("train.bin"))
    try records((0..<100).map { [UInt8($0 / 5), UInt8($0)] }).write(to: hundred.appendingPathComponent("test.bin"))
    try Data((0..<100).map { "fine\($0)" }.joined(separator: "\n").utf8).write(
      to: hundred.appendingPathComponent("fine_label_names.txt"))
    try Data((0..<20).map { "coarse\($0)" }.joined(separator: "\n").utf8).write(
      to: hundred.appendingPathComponent("coarse_label_names.txt"))
    return root
  }

  static func options(_ benchmark: String, data: URL, output: URL, extra: [String] = []) throws -> Options {
    try Parsing.options(
      [
        "--benchmark", benchmark, "--scenario", "task", "--algorithms", "finetune", "--seeds", "1", "--iterations", "2",
        "--batch-size", "4",
        "--train-per-task", "0", "--test-per-task", "0", "--hidden", "8", "--quiet", "--format", "json", "--data-dir",
        data.path,
        "--output", output.path,
      ] + extra)
  }

  @Test func splitCIFAR10And100HasSixTasksAndRecordsItsNormalisation() throws {
    let data = try Self.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let options = try Self.options("split-cifar10-100", data: data, output: data.appendingPathComponent("out"))
    let factory = BenchmarkFactory(dataDirectory: data)
    let sequence = try factory.sequence(try Benchmark(named: "split-cifar10-100"), options: options, seed: 1)
    #expect(sequence.classesPerTask == [10, 10, 10, 10, 10, 10])
    #expect(sequence.sampleShape == [3, 32, 32])
    #expect(sequence.tasks[0].sourceClasses == Array(0..<10) && sequence.tasks[0].train.count == 20)
    #expect(sequence.tasks[5].sourceClasses == Array(40..<50) && sequence.tasks[5].classNames.first == "fine40")
    // Each dataset is normalised by its own training set's statistics.
    let tenStatistics = try #require(sequence.tasks[0].train.normalisationStatistics)
    let hundredStatistics = try #require(sequence.tasks[1].train.normalisationStatistics)
    #expect(tenStatistics != hundredStatistics)
    #expect(sequence.tasks[1].test.normalisationStatistics == hundredStatistics)
    let records = try runGrid(options)
    #expect(records.count == 1 && records[0].status == .finished)
    #expect(records[0].accuracyMatrix.count == 6)
    #expect(records[0].config["augment"] == "crop-flip")
    #expect(records[0].notes?["normalisation.cifar10"] == tenStatistics.description)
    #expect(records[0].notes?["normalisation.cifar100"] == hundredStatistics.description)
  }

  @Test func splitCIFAR100DefaultsToTenTasksOfTen() throws {
    let data = try Self.writeData(perClass: 1)
    defer { try? FileManager.default.removeItem(at: data) }
    let factory = BenchmarkFactory(dataDirectory: data)
    let options = try Self.options("split-cifar100", data: data, output: data.appendingPathComponent("out"))
    #expect(
      try factory.sequence(try Benchmark(named: "split-cifar100"), options: options, seed: 1).classesPerTask
        == [Int](repeating: 10, count: 10))
    let twenty = try Self.options("split-cifar100", data: data, output: data, extra: ["--tasks", "20"])
    #expect(
      try factory.sequence(try Benchmark(named: "split-cifar100"), options: twenty, seed: 1).classesPerTask
        == [Int](repeating: 5, count: 20))
    let ten = try Self.options("split-cifar10", data: data, output: data)
    #expect(
      try factory.sequence(try Benchmark(named: "split-cifar10"), options: ten, seed: 1).classesPerTask == [
        2, 2, 2, 2, 2,
      ])
  }

  @Test func theSameSeedGivesTheSameAugmentedRun() throws {
    let data = try Self.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    func run(_ name: String, _ extra: [String] = []) throws -> RunRecord {
      try #require(
        runGrid(try Self.options("split-cifar10", data: data, output: data.appendingPathComponent(name), extra: extra))
          .first)
    }
    let first = try run("a"), second = try run("b"), plain = try run("c", ["--augment", "none"])
    #expect(first.accuracyMatrix == second.accuracyMatrix && first.lossTerms == second.lossTerms)
    #expect(first.lossTerms != plain.lossTerms)
    #expect(first.runID != plain.runID)
  }
}
