import ContinualEngine
import Foundation
import Testing

@testable import ContinualData

@Suite struct IDXDatasetTests {
  @Test(arguments: [true, false])
  func loadsFourFiles(gzipped: Bool) throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, trainCount: 12, testCount: 5, side: 3, gzipped: gzipped)
    let (train, test) = try IDXDataset.load(.fashionMNIST, from: directory)
    #expect(train.inputs.shape == [12, 1, 3, 3])
    #expect(test.inputs.shape == [5, 1, 3, 3])
    #expect(train.sampleShape == [1, 3, 3])
    #expect(train.labels == (0..<12).map { $0 % 10 })
    #expect(test.labels == [0, 1, 2, 3, 4])
    #expect(train.classNames == IDXDataset.fashionMNIST.classNames)
    // Image i, pixel k holds byte (i + k) % 256, scaled by 1/255.
    #expect(Fixtures.pixels(of: train, at: 2) == (0..<9).map { Float(2 + $0) / 255 })
  }

  @Test func scalesBytesToTheUnitInterval() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let images = URL(fileURLWithPath: directory.path).appendingPathComponent("images")
    let labels = URL(fileURLWithPath: directory.path).appendingPathComponent("labels")
    try Data(Fixtures.idx(dimensions: [1, 2, 2], bytes: [0, 51, 255, 128])).write(to: images)
    try Data(Fixtures.idx(dimensions: [1], bytes: [9])).write(to: labels)
    let set = try IDXDataset.loadPair(images: images, labels: labels, classNames: IDXDataset.mnist.classNames)
    #expect(set.inputs.scalars == [0, 0.2, 1, Float(128) / 255])
    #expect(set.labels == [9])
  }

  @Test func prefersGzippedFilesToRawOnes() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, trainCount: 4, gzipped: false, trainLabels: [1, 1, 1, 1])
    try Fixtures.writeDataset(in: directory, trainCount: 4, gzipped: true, trainLabels: [2, 2, 2, 2])
    #expect(IDXDataset.File.trainLabels.location(in: directory)?.lastPathComponent == "train-labels-idx1-ubyte.gz")
    #expect(try IDXDataset.load(.mnist, from: directory).train.labels == [2, 2, 2, 2])
  }

  @Test func rejectsALabelOutOfRangeNamingFileIndexAndValue() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, trainCount: 4, trainLabels: [0, 3, 10, 1])
    let error = #expect(throws: DatasetError.self) { try IDXDataset.load(.mnist, from: directory) }
    let file = directory.appendingPathComponent("train-labels-idx1-ubyte.gz").path
    #expect(error == .labelOutOfRange(file: file, index: 2, value: 10, classCount: 10))
    #expect(error?.description == "\(file): label 10 at index 2 is outside 0..<10")
  }

  @Test func rejectsDifferentImageAndLabelCounts() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, trainCount: 4, trainLabels: [0, 1, 2])
    let error = #expect(throws: DatasetError.self) { try IDXDataset.load(.mnist, from: directory) }
    #expect(error?.description.contains("train-images-idx3-ubyte.gz holds 4 images but") == true)
    #expect(error?.description.contains("train-labels-idx1-ubyte.gz holds 3 labels") == true)
  }

  @Test func rejectsImagesThatAreNotRankThree() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory)
    let images = directory.appendingPathComponent("t10k-images-idx3-ubyte.gz")
    try Data(Fixtures.gzip(Fixtures.idx(dimensions: [5, 9], bytes: [UInt8](repeating: 0, count: 45)))).write(to: images)
    let error = #expect(throws: DatasetError.self) { try IDXDataset.load(.mnist, from: directory) }
    #expect(
      error
        == .unexpectedDimensions(
          file: images.path, expected: "3 dimensions [count, rows, columns]", dimensions: [5, 9]))
  }

  @Test func listsMissingFiles() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory)
    try FileManager.default.removeItem(at: directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
    try FileManager.default.removeItem(at: directory.appendingPathComponent("train-images-idx3-ubyte.gz"))
    let error = #expect(throws: DatasetError.self) { try IDXDataset.load(.mnist, from: directory) }
    #expect(
      error
        == .missingFiles(
          dataset: "MNIST", directory: directory.path, files: ["train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]))
  }

  @Test func reportsAMalformedFileByPath() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory)
    let labels = directory.appendingPathComponent("train-labels-idx1-ubyte.gz")
    let gzipped = try Data(contentsOf: labels)
    try gzipped.prefix(gzipped.count - 6).write(to: labels)
    let error = #expect(throws: IDXError.self) { try IDXDataset.load(.mnist, from: directory) }
    #expect(error?.description.hasPrefix("\(labels.path): corrupt gzip stream") == true, "\(String(describing: error))")
  }
}

/// The real datasets in the shared data directory, when present (`../shared/data` beside the package).
enum RealData {
  static let sharedDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data", isDirectory: true)

  static func directory(of dataset: IDXDataset) -> URL? {
    let folder = sharedDirectory.appendingPathComponent(dataset.folderName, isDirectory: true)
    return IDXDataset.missingFiles(in: folder).isEmpty ? folder : nil
  }

  /// Runs a test only where `dataset` is in the shared data directory, and says so where it is not.
  static func required(_ dataset: IDXDataset) -> ConditionTrait {
    .enabled(
      if: directory(of: dataset) != nil,
      Comment(
        rawValue:
          "\(dataset.displayName) is not in ../shared/data/\(dataset.folderName) beside the package; skipping the "
          + "real-data test"))
  }
}

@Suite struct RealDatasetTests {
  @Test(RealData.required(.mnist))
  func loadsMNIST() throws {
    let directory = try #require(RealData.directory(of: .mnist))
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: RealData.sharedDirectory, environment: [:]).path
        == directory.path)
    let (train, test) = try IDXDataset.load(.mnist, from: directory)
    #expect(train.inputs.shape == [60_000, 1, 28, 28])
    #expect(test.inputs.shape == [10_000, 1, 28, 28])
    #expect(train.classHistogram == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    #expect(test.classHistogram == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    for set in [train, test] {
      let (low, high) = set.inputs.withUnsafeBufferPointer { ($0.min() ?? -1, $0.max() ?? -1) }
      #expect(low == 0 && high == 1)
    }
  }

  @Test(RealData.required(.fashionMNIST))
  func loadsFashionMNIST() throws {
    let directory = try #require(RealData.directory(of: .fashionMNIST))
    let (train, test) = try IDXDataset.load(.fashionMNIST, from: directory)
    #expect(train.classHistogram == [Int](repeating: 6_000, count: 10))
    #expect(test.classHistogram == [Int](repeating: 1_000, count: 10))
    #expect(train.classNames[9] == "Ankle boot")
  }
}
