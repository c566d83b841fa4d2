import ContinualCore
import ContinualData
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// The data is part of a run's identity: a rerun on changed data trains again
/// instead of skipping runs that finished on the old data or resuming their checkpoints.
@Suite struct DataIdentityCommandTests {
  /// A data directory whose `mnist/` holds four raw IDX files: 100 training and 50 test images of
  /// 8×8, label `i % 10`, pixel `k` of image `i` `(7 i + k) % 256`.
  static func writeData() throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ck-cli-data-\(UUID().uuidString)")
    let folder = root.appendingPathComponent("mnist")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    func images(_ count: Int) throws -> Data {
      let pixels: [UInt8] = (0..<(count * 64)).map { k in
        let (image, pixel) = k.quotientAndRemainder(dividingBy: 64)
        return UInt8((7 * image + pixel) % 256)
      }
      return try IDXFile.encode(IDXArray(dimensions: [count, 8, 8], bytes: pixels))
    }
    func labels(_ count: Int) throws -> Data {
      try IDXFile.encode(IDXArray(dimensions: [count], bytes: (0..<count).map { UInt8($0 % 10) }))
    }
    try images(100).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
    try labels(100).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
    try images(50).write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
    try labels(50).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
    return root
  }

  static func options(data: URL) throws -> Options {
    try Parsing.options([
      "--benchmark", "split-mnist", "--scenario", "task", "--algorithms", "ewc", "--seeds", "1", "--iterations", "4",
      "--batch-size", "8",
      "--train-per-task", "0", "--test-per-task", "0", "--hidden", "8", "--quiet", "--format", "json", "--data-dir",
      data.path,
      "--output", data.appendingPathComponent("out").path,
    ])
  }

  @Test func aRerunOnChangedDataTrainsAgainAndNeverResumesTheOldDatasCheckpoint() throws {
    let data = try Self.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let options = try Self.options(data: data)
    let first = try runGrid(options)[0]
    let fingerprint = try #require(first.config["data"])
    #expect(fingerprint.hasPrefix("mnist 1x8x8 100+50 10 classes crc "), "\(fingerprint)")
    // Unchanged data: the run is skipped.
    #expect(try runGrid(options)[0] == first)

    // Leave a checkpoint of the run on the old data, as a killed sweep would.
    let prepared = try PreparedRun(
      benchmark: try Benchmark(named: "split-mnist"), scenario: .task,
      stack: ResolvedStack("ewc", settings: [:], known: options.known), seed: 1,
      factory: BenchmarkFactory(dataDirectory: data), options: options)
    let stale = CheckpointDirectory(
      url: options.output.appendingPathComponent("checkpoints/\(first.runID)"), identity: first.runID)
    _ = try prepared.trainer.run(
      prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: 1, checkpoints: stale)

    // Correct one training pixel. Before the fix the run was "already finished" (and, without its
    // record, resumed from the old data's checkpoint).
    let images = data.appendingPathComponent("mnist/train-images-idx3-ubyte")
    var bytes = try [UInt8](Data(contentsOf: images))
    bytes[16 + 100] ^= 0xFF
    try Data(bytes).write(to: images)
    let rerun = try runGrid(options)[0]
    #expect(rerun.runID != first.runID && rerun.config["data"] != fingerprint)
    #expect(rerun.notes?["resumed_after_task"] == nil, "the run resumed from a checkpoint trained on other data")
    #expect(
      try RecordFile.read(from: options.output.appendingPathComponent("records.jsonl")).records.map(\.runID) == [
        first.runID, rerun.runID,
      ])
    #expect(try stale.load() != nil, "the old data's checkpoint belongs to another run and is left alone")
  }

  @Test func theBuiltInDatasetHasAnIdentityToo() throws {
    let factory = BenchmarkFactory(dataDirectory: nil)
    let identity = try factory.dataIdentity("permuted-builtin")
    #expect(identity.hasPrefix("builtin 1x28x28 30000+5000 10 classes crc "), "\(identity)")
    #expect(try factory.dataIdentity("split-builtin") == identity, "one dataset, one identity, whatever the benchmark")
  }
}
