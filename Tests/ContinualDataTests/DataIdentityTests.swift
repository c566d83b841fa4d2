import ContinualEngine
import Foundation
import Testing

@testable import ContinualData

/// A dataset's identity changes with any pixel, label, class name, size or
/// shape, and not with how the same data is stored (gzipped or raw, which folder).
@Suite struct DataIdentityTests {
  static func identity(of directory: URL, as dataset: IDXDataset = .mnist) throws -> DataIdentity {
    let (train, test) = try IDXDataset.load(dataset, from: directory)
    return DataIdentity(name: "mnist", train: train, test: test)
  }

  @Test func theSameDataHasOneIdentityHoweverItIsStored() throws {
    let raw = try Fixtures.temporaryDirectory(), gzipped = try Fixtures.temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(at: raw)
      try? FileManager.default.removeItem(at: gzipped)
    }
    try Fixtures.writeDataset(in: raw, gzipped: false)
    try Fixtures.writeDataset(in: gzipped, gzipped: true)
    let identity = try Self.identity(of: raw)
    #expect(identity == (try Self.identity(of: gzipped)))
    #expect(identity.fingerprint.hasPrefix("mnist 1x3x3 12+5 10 classes crc "), "\(identity)")
    #expect(identity.checksum.count == 16)
  }

  @Test func anyChangeToTheDataChangesTheIdentity() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, gzipped: false)
    let original = try Self.identity(of: directory)
    var seen: Set<String> = [original.fingerprint]

    func changed(_ file: IDXDataset.File, at offset: Int, _ what: String) throws {
      let url = directory.appendingPathComponent(file.fileName)
      var bytes = try [UInt8](Data(contentsOf: url))
      let kept = bytes
      bytes[offset] = bytes[offset] == 1 ? 2 : 1
      try Data(bytes).write(to: url)
      defer { try? Data(kept).write(to: url) }
      let identity = try Self.identity(of: directory)
      #expect(seen.insert(identity.fingerprint).inserted, "changing \(what) kept the identity \(identity)")
    }
    try changed(.trainImages, at: 16 + 20, "one training pixel")
    try changed(.testImages, at: 16 + 3, "one test pixel")
    try changed(.trainLabels, at: 8 + 4, "one training label")
    try changed(.testLabels, at: 8 + 0, "one test label")

    // Other class names (the same files read as Fashion-MNIST), other sizes, another shape.
    let (train, test) = try IDXDataset.load(.fashionMNIST, from: directory)
    #expect(seen.insert(DataIdentity(name: "mnist", train: train, test: test).fingerprint).inserted)
    try Fixtures.writeDataset(in: directory, trainCount: 13, gzipped: false)
    #expect(seen.insert(try Self.identity(of: directory).fingerprint).inserted)
    try Fixtures.writeDataset(in: directory, side: 4, gzipped: false)
    #expect(seen.insert(try Self.identity(of: directory).fingerprint).inserted)
  }

  @Test func theBuiltInDatasetIsIdentifiedByWhatItsGeneratorMakes() {
    let a = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 7)
    let b = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 7)
    let other = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 8)
    let identity = DataIdentity(name: "builtin", train: a.train, test: a.test)
    #expect(identity == DataIdentity(name: "builtin", train: b.train, test: b.test))
    #expect(identity != DataIdentity(name: "builtin", train: other.train, test: other.test))
    #expect(identity.fingerprint.hasPrefix("builtin 1x28x28 40+20 10 classes crc "))
  }

  @Test func theChecksumContinuesAcrossPieces() {
    let whole = Data("continual learning".utf8)
    let first = Checksum.crc32(whole.prefix(9))
    #expect(Checksum.crc32(whole.suffix(from: 9), continuing: first) == Checksum.crc32(whole))
  }
}
