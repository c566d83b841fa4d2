import ContinualTesting
import Foundation
import Testing

@testable import ContinualData

/// CIFAR files in the real binary layout, written by hand, and the real CIFAR-10 when present.
enum CIFARFixtures {
  /// Pixel `k` of record `r`: a value that differs between records, channels and positions.
  static func pixel(record r: Int, at k: Int) -> UInt8 { UInt8(truncatingIfNeeded: r &* 31 &+ k &* 7 &+ k / 1024) }

  /// The bytes of a `.bin` file: each record its label bytes, then its 3,072 pixels.
  static func records(_ labels: [[UInt8]], firstRecord: Int = 0) -> [UInt8] {
    labels.enumerated().flatMap { r, label in label + (0..<3072).map { pixel(record: firstRecord + r, at: $0) } }
  }

  /// A CIFAR-10 folder: batches of `perBatch` records (labels `r % 10`), a test batch of 3, the names.
  @discardableResult
  static func writeCIFAR10(in directory: URL, perBatch: Int = 2, gzipped: Bool = false) throws -> URL {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for batch in 1...5 {
      let first = (batch - 1) * perBatch
      let bytes = records((first..<(first + perBatch)).map { [UInt8($0 % 10)] }, firstRecord: first)
      try write(bytes, to: directory.appendingPathComponent("data_batch_\(batch).bin"), gzipped: gzipped)
    }
    try write(
      records([[9], [0], [5]], firstRecord: 100), to: directory.appendingPathComponent("test_batch.bin"),
      gzipped: gzipped)
    try Data(names10.joined(separator: "\n").appending("\n\n").utf8).write(
      to: directory.appendingPathComponent("batches.meta.txt"))
    return directory
  }

  /// A CIFAR-100 folder: 4 training records (coarse `r % 20`, fine `(5r) % 100`), 2 test records.
  @discardableResult
  static func writeCIFAR100(in directory: URL, gzipped: Bool = false) throws -> URL {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try write(
      records((0..<4).map { [UInt8($0 % 20), UInt8(5 * $0 % 100)] }), to: directory.appendingPathComponent("train.bin"),
      gzipped: gzipped)
    try write(
      records([[19, 99], [0, 0]], firstRecord: 50), to: directory.appendingPathComponent("test.bin"), gzipped: gzipped)
    try Data((0..<100).map { "fine\($0)" }.joined(separator: "\r\n").utf8).write(
      to: directory.appendingPathComponent("fine_label_names.txt"))
    try Data((0..<20).map { "coarse\($0)" }.joined(separator: "\n").utf8).write(
      to: directory.appendingPathComponent("coarse_label_names.txt"))
    return directory
  }

  static let names10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

  static func write(_ bytes: [UInt8], to url: URL, gzipped: Bool) throws {
    try Data(gzipped ? Fixtures.gzip(bytes) : bytes).write(to: gzipped ? url.appendingPathExtension("gz") : url)
  }

  /// The real CIFAR-10 beside the package, when present.
  static var realCIFAR10: URL? {
    let folder = RealData.sharedDirectory.appendingPathComponent("cifar-10", isDirectory: true)
    return CIFARDataset.cifar10.missingFileNames(in: folder).isEmpty ? folder : nil
  }
}

@Suite struct CIFARDatasetTests {
  @Test(arguments: [false, true])
  func cifar10PixelsLabelsAndNamesLandInPlace(gzipped: Bool) throws {
    let directory = try CIFARFixtures.writeCIFAR10(in: Fixtures.temporaryDirectory(), gzipped: gzipped)
    defer { try? FileManager.default.removeItem(at: directory) }
    let (train, test) = try CIFARDataset.load(.cifar10, from: directory)
    #expect(train.count == 10 && test.count == 3)
    #expect(train.sampleShape == [3, 32, 32])
    #expect(train.storesBytes && train.storageByteCount == 10 * 3072)
    // Batches 1…5 in order: record r has label r % 10.
    #expect(train.labels == Array(0..<10))
    #expect(test.labels == [9, 0, 5])
    #expect(train.classNames == CIFARFixtures.names10)
    // Image 7's red, green and blue planes are its record's pixel bytes 0…1023, 1024…2047, 2048…3071.
    let image = try train.inputs(at: [7]).scalars
    for k in [0, 1023, 1024, 2047, 2048, 3071] {
      #expect(image[k] == Float(CIFARFixtures.pixel(record: 7, at: k)) / 255, "pixel \(k)")
    }
    #expect(try test.inputs(at: [2]).scalars[5] == Float(CIFARFixtures.pixel(record: 102, at: 5)) / 255)
  }

  @Test(arguments: [false, true])
  func cifar100ReadsFineOrCoarseLabels(gzipped: Bool) throws {
    let directory = try CIFARFixtures.writeCIFAR100(in: Fixtures.temporaryDirectory(), gzipped: gzipped)
    defer { try? FileManager.default.removeItem(at: directory) }
    let fine = try CIFARDataset.load(.cifar100, from: directory)
    #expect(fine.train.labels == [0, 5, 10, 15])
    #expect(fine.test.labels == [99, 0])
    #expect(fine.train.classCount == 100 && fine.train.classNames[5] == "fine5")
    let coarse = try CIFARDataset.load(.cifar100, from: directory, labels: .coarse)
    #expect(coarse.train.labels == [0, 1, 2, 3])
    #expect(coarse.test.labels == [19, 0])
    #expect(coarse.train.classNames.count == 20 && coarse.train.classNames[19] == "coarse19")
    // Two label bytes precede the pixels.
    #expect(try fine.train.inputs(at: [3]).scalars[4] == Float(CIFARFixtures.pixel(record: 3, at: 4)) / 255)
  }

  /// Runs `change` on a valid CIFAR-10 folder and returns the loading error's description.
  static func error(after change: (URL) throws -> Void, dataset: CIFARDataset = .cifar10) throws -> String {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    if dataset == .cifar10 {
      try CIFARFixtures.writeCIFAR10(in: directory)
    } else {
      try CIFARFixtures.writeCIFAR100(in: directory)
    }
    try change(directory)
    do {
      _ = try CIFARDataset.load(dataset, from: directory)
    } catch let error as DatasetError {
      return error.description
    } catch let error as IDXError {
      return error.description
    }
    Issue.record("the changed folder loaded")
    return ""
  }

  @Test func truncatedAndEmptyFilesNameTheFileAndTheLeftover() throws {
    let truncated = try Self.error(after: { directory in
      let url = directory.appendingPathComponent("data_batch_3.bin")
      try Data(try Data(contentsOf: url).prefix(3073 + 100)).write(to: url)
    })
    #expect(
      truncated.contains("data_batch_3.bin: holds 3173 bytes")
        && truncated.contains("(1 records and 100 bytes left over)"), "\(truncated)")
    let empty = try Self.error(after: { try Data().write(to: $0.appendingPathComponent("test_batch.bin")) })
    #expect(empty.contains("test_batch.bin: holds 0 bytes"), "\(empty)")
  }

  @Test func corruptGzipIsNamed() throws {
    let message = try Self.error(after: { directory in
      try FileManager.default.removeItem(at: directory.appendingPathComponent("data_batch_2.bin"))
      var bytes = Fixtures.gzip(CIFARFixtures.records([[1]]))
      bytes[bytes.count / 2] ^= 0xFF
      try Data(bytes).write(to: directory.appendingPathComponent("data_batch_2.bin.gz"))
    })
    #expect(message.contains("data_batch_2.bin.gz"), "\(message)")
  }

  @Test func labelsOutsideTheClassesAreNamed() throws {
    let ten = try Self.error(after: { directory in
      try Data(CIFARFixtures.records([[1], [10]])).write(to: directory.appendingPathComponent("data_batch_1.bin"))
    })
    #expect(ten.contains("data_batch_1.bin: label 10 at index 1 is outside 0..<10"), "\(ten)")
    let fine = try Self.error(
      after: { try Data(CIFARFixtures.records([[3, 100]])).write(to: $0.appendingPathComponent("test.bin")) },
      dataset: .cifar100)
    #expect(fine.contains("test.bin: label 100 at index 0 is outside 0..<100"), "\(fine)")
    let directory = try CIFARFixtures.writeCIFAR100(in: Fixtures.temporaryDirectory())
    defer { try? FileManager.default.removeItem(at: directory) }
    try Data(CIFARFixtures.records([[20, 1]])).write(to: directory.appendingPathComponent("train.bin"))
    let coarse = #expect(throws: DatasetError.self) {
      try CIFARDataset.load(.cifar100, from: directory, labels: .coarse)
    }
    #expect(coarse?.description.contains("train.bin: label 20 at index 0 is outside 0..<20") == true)
    // A bad fine label is an error even when coarse labels are read, and the other way round.
    try Data(CIFARFixtures.records([[2, 1], [3, 150]])).write(to: directory.appendingPathComponent("train.bin"))
    let fineWhileCoarse = #expect(throws: DatasetError.self) {
      try CIFARDataset.load(.cifar100, from: directory, labels: .coarse)
    }
    #expect(fineWhileCoarse?.description.contains("train.bin: label 150 at index 1 is outside 0..<100") == true)
    try Data(CIFARFixtures.records([[25, 1]])).write(to: directory.appendingPathComponent("train.bin"))
    let coarseWhileFine = #expect(throws: DatasetError.self) { try CIFARDataset.load(.cifar100, from: directory) }
    #expect(coarseWhileFine?.description.contains("train.bin: label 25 at index 0 is outside 0..<20") == true)
  }

  @Test func classNameFilesMustListEveryClass() throws {
    let short = try Self.error(after: {
      try Data("a\nb\nc\n".utf8).write(to: $0.appendingPathComponent("batches.meta.txt"))
    })
    #expect(short.contains("batches.meta.txt: holds 3 class names; expected 10"), "\(short)")
    let blank = try Self.error(after: { directory in
      try Data(
        (CIFARFixtures.names10.prefix(4) + [""] + CIFARFixtures.names10.dropFirst(4)).joined(separator: "\n").utf8
      )
      .write(to: directory.appendingPathComponent("batches.meta.txt"))
    })
    #expect(blank.contains("batches.meta.txt: line 5 is blank"), "\(blank)")
  }

  @Test func missingFilesAreListed() throws {
    let message = try Self.error(after: { directory in
      try FileManager.default.removeItem(at: directory.appendingPathComponent("data_batch_4.bin"))
      try FileManager.default.removeItem(at: directory.appendingPathComponent("batches.meta.txt"))
    })
    #expect(message.contains("the CIFAR-10 files data_batch_4.bin[.gz], batches.meta.txt are missing"), "\(message)")
  }

  @Test func dataDirectoryFindsCIFARFoldersByTheMNISTRules() throws {
    let root = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let folder = try CIFARFixtures.writeCIFAR10(in: root.appendingPathComponent("data/cifar-10"))
    let environment = ["HOME": root.appendingPathComponent("home").path]
    let data = root.appendingPathComponent("data")
    #expect(try DataDirectory.resolve(dataset: .cifar10, explicit: data, environment: environment).path == folder.path)
    #expect(
      try DataDirectory.resolve(dataset: .cifar10, explicit: folder, environment: environment).path == folder.path)
    #expect(
      try DataDirectory.resolve(
        dataset: .cifar10, explicit: nil, environment: environment.merging(["CONTINUAL_DATA": data.path]) { $1 }
      ).path
        == folder.path)
    let error = #expect(throws: DatasetError.self) {
      try DataDirectory.resolve(dataset: .cifar100, explicit: data, environment: environment)
    }
    let message = error?.description ?? ""
    for expected in [
      "Cannot find the CIFAR-100 dataset",
      "1. \(data.path) (--data-dir): has no 'cifar-100' folder and lacks train.bin[.gz]",
      "(a directory named by --data-dir is the only place searched)",
      "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
      "'cifar-100-binary'",
    ] {
      #expect(message.contains(expected), "missing “\(expected)” in:\n\(message)")
    }
  }

  @Test(
    .enabled(
      if: CIFARFixtures.realCIFAR10 != nil,
      "CIFAR-10 is not in ../shared/data/cifar-10 beside the package; skipping the real-data test"))
  func loadsTheRealCIFAR10() throws {
    let directory = try #require(CIFARFixtures.realCIFAR10)
    let (train, test) = try CIFARDataset.load(.cifar10, from: directory)
    #expect(train.count == 50_000 && test.count == 10_000)
    #expect(train.classHistogram == [Int](repeating: 5_000, count: 10))
    #expect(test.classHistogram == [Int](repeating: 1_000, count: 10))
    #expect(train.classNames == CIFARFixtures.names10)
    #expect(train.storageByteCount == 50_000 * 3_072)
    let statistics = train.channelStatistics()
    // The usual CIFAR-10 channel means are 0.491, 0.482, 0.447 (this copy was rebuilt from JPEGs).
    for (mean, usual) in zip(statistics.mean, [Float(0.491), 0.482, 0.447]) {
      #expect(abs(mean - usual) < 0.01, "\(statistics)")
    }
  }
}

/// Seeded corruptions of CIFAR files: each is rejected with an error naming the file, or loads
/// faithfully — never a crash.
@Suite struct CIFARFuzzTests {
  static let original = CIFARFixtures.records([[3], [7]])

  @Test(arguments: [false, true])
  func corruptFilesAreRejectedOrReadFaithfully(gzipped: Bool) throws {
    var tally = FuzzTally("CIFAR-10 \(gzipped ? "gzipped" : "raw") batch")
    let source = gzipped ? Fixtures.gzip(Self.original) : Self.original
    let directory = try CIFARFixtures.writeCIFAR10(in: Fixtures.temporaryDirectory())
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent(gzipped ? "data_batch_1.bin.gz" : "data_batch_1.bin")
    if gzipped { try FileManager.default.removeItem(at: directory.appendingPathComponent("data_batch_1.bin")) }
    for corruption in Corruption.mutants(
      of: source, seed: 5, truncationStride: gzipped ? 7 : 97, bitFlips: 60, overwrites: 60)
    {
      try Data(corruption.bytes).write(to: url)
      do {
        let (train, _) = try CIFARDataset.load(.cifar10, from: directory)
        // Accepted: the file is still whole records with valid labels, read as they are.
        let bytes = gzipped ? nil : corruption.bytes
        if let bytes {
          #expect(bytes.count % 3073 == 0 && bytes.count > 0, "\(corruption)")
          #expect(
            train.labels.prefix(bytes.count / 3073)
              == ArraySlice(stride(from: 0, to: bytes.count, by: 3073).map { Int(bytes[$0]) }))
        }
        tally.stillValid()
      } catch let error as DatasetError {
        #expect(error.description.contains("data_batch_1.bin"), "\(corruption): \(error)")
        tally.rejected()
      } catch let error as IDXError {
        #expect(error.description.contains("data_batch_1.bin"), "\(corruption): \(error)")
        tally.rejected()
      }
    }
    tally.report()
  }
}
