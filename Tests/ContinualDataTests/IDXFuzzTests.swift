import ContinualTesting
import Foundation
import Testing

@testable import ContinualData

/// Fuzz-style tests of the IDX and gzip readers: hundreds of seeded corruptions of valid files, each
/// of which must either be rejected with an ``IDXError`` naming the file, or — when the corruption
/// happens to leave a valid file — decode faithfully. A crash or trap fails the whole test run.
@Suite struct IDXFuzzTests {
  static let imageDimensions = [3, 5, 4]
  static let imageFile = Fixtures.idx(
    dimensions: imageDimensions, bytes: (0..<60).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
  static let labelFile = Fixtures.idx(dimensions: [40], bytes: (0..<40).map { UInt8($0 % 10) })

  /// Checks one decoding of a corrupt raw IDX file and counts it.
  static func checkRaw(_ corruption: Corruption, original: [UInt8], dimensions: [Int], tally: inout FuzzTally) {
    let headerSize = 4 + 4 * dimensions.count
    do {
      let decoded = try IDXFile.decode(Data(corruption.bytes), source: "mutant.idx")
      // A corruption that still parses must parse faithfully: re-encoding gives the corrupt bytes back.
      #expect(try IDXFile.encode(decoded) == Data(corruption.bytes), "\(corruption)")
      #expect(corruption.kind != .truncation, "\(corruption): a truncated file was accepted")
      if corruption.touched.lowerBound >= headerSize {
        #expect(decoded.dimensions == dimensions, "\(corruption): a change to the data changed the dimensions")
      }
      tally.stillValid()
    } catch let error as IDXError {
      #expect(error.description.hasPrefix("mutant.idx: "), "\(corruption): \(error)")
      #expect(
        Self.isExpected(error, for: corruption, original: original, headerSize: headerSize), "\(corruption): \(error)")
      tally.rejected()
    } catch {
      Issue.record("\(corruption): an untyped error \(error)")
    }
  }

  /// Whether `error` is the one a corruption of this kind and place must give.
  static func isExpected(_ error: IDXError, for corruption: Corruption, original: [UInt8], headerSize: Int) -> Bool {
    switch (corruption.kind, error) {
    case (.truncation, .truncatedHeader(_, _, let found)):
      return corruption.touched.lowerBound < headerSize && found == corruption.touched.lowerBound
    case (.truncation, .truncated(_, let header, let expected, let found)):
      return header == headerSize && expected == original.count - headerSize
        && found == corruption.touched.lowerBound - headerSize
    case (.truncation, _):
      return false
    case (.bitFlip, _) where corruption.touched.lowerBound >= headerSize:
      return false  // a flipped pixel or label is still a valid file
    case (.bitFlip, .badMagic): return corruption.touched.lowerBound < 2
    case (.bitFlip, .unsupportedType(_, let code)):
      return corruption.touched.lowerBound == 2 && code == corruption.bytes[2]
    case (.bitFlip, .unsupportedRank), (.bitFlip, .truncatedHeader): return corruption.touched.lowerBound == 3
    case (.bitFlip, .truncated), (.bitFlip, .trailingBytes), (.bitFlip, .invalidDimensions):
      return corruption.touched.lowerBound >= 3
    default:
      return corruption.kind == .overwrite
    }
  }

  @Test(arguments: [("images", imageFile, imageDimensions), ("labels", labelFile, [40])])
  func corruptRawFilesAreRejectedOrDecodeFaithfully(name: String, original: [UInt8], dimensions: [Int]) {
    var tally = FuzzTally("IDX raw \(name)")
    for corruption in Corruption.mutants(of: original, seed: 8, bitFlips: 150, overwrites: 150) {
      Self.checkRaw(corruption, original: original, dimensions: dimensions, tally: &tally)
    }
    tally.report()
    #expect(tally.tried >= 300 + original.count)
    #expect(tally.rejectedCount >= original.count, "every truncation is rejected")
  }

  @Test(arguments: [("images", imageFile), ("labels", labelFile)])
  func corruptGzipFilesAreRejectedOrDecodeToTheOriginal(name: String, original: [UInt8]) throws {
    let expected = try IDXFile.decode(Data(original), source: "original")
    let gzipped = Fixtures.gzip(original)
    var tally = FuzzTally("IDX gzip \(name)")
    var acceptedOutsideTheHeader = 0
    for corruption in Corruption.mutants(of: gzipped, seed: 9, bitFlips: 200, overwrites: 200) {
      do {
        let decoded = try IDXFile.decode(Data(corruption.bytes), source: "mutant.gz")
        // The CRC-32 and length trailer catch changes to the data; only unchecked header fields
        // (flags' text bit, modification time, extra flags, operating system) or unused padding
        // bits of the deflate stream may change without an error, and then the data must be intact.
        #expect(decoded == expected, "\(corruption): the data changed without an error")
        #expect(corruption.kind != .truncation, "\(corruption): a truncated stream was accepted")
        if !(3..<10).contains(corruption.touched.lowerBound) || corruption.touched.upperBound > 10 {
          acceptedOutsideTheHeader += 1
        }
        tally.stillValid()
      } catch let error as IDXError {
        #expect(error.description.hasPrefix("mutant.gz: "), "\(corruption): \(error)")
        if corruption.touched.lowerBound >= 2, case .corruptGzip(_, let offset, _) = error {
          #expect((0...corruption.bytes.count).contains(offset), "\(corruption): offset \(offset) outside the stream")
        } else if corruption.touched.lowerBound >= 2 {
          Issue.record("\(corruption): expected a gzip error, got \(error)")
        }
        tally.rejected()
      } catch {
        Issue.record("\(corruption): an untyped error \(error)")
      }
    }
    tally.report()
    #expect(tally.tried >= 400 + gzipped.count)
    // Outside the header's unchecked fields, only a few unused padding bits of the deflate stream may change unnoticed.
    #expect(
      acceptedOutsideTheHeader <= tally.tried / 50,
      "\(acceptedOutsideTheHeader) corruptions outside the header went unnoticed: \(tally)")
  }

  @Test func corruptFilesInADatasetDirectoryNameTheFile() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, trainCount: 12, testCount: 5, side: 3, gzipped: true)
    let labels = directory.appendingPathComponent("train-labels-idx1-ubyte.gz")
    let images = directory.appendingPathComponent("t10k-images-idx3-ubyte.gz")
    var tally = FuzzTally("IDX dataset directory (gzip)")
    for file in [labels, images] {
      let original = [UInt8](try Data(contentsOf: file))
      for corruption in Corruption.mutants(of: original, seed: 10, truncationStride: 4, bitFlips: 40, overwrites: 40) {
        try Data(corruption.bytes).write(to: file)
        do {
          let (train, test) = try IDXDataset.load(.mnist, from: directory)
          #expect(
            train.count == 12 && test.count == 5,
            "\(file.lastPathComponent), \(corruption): counts changed without an error")
          tally.stillValid()
        } catch let error as IDXError {
          #expect(error.description.hasPrefix(file.path), "\(corruption): \(error)")
          tally.rejected()
        } catch let error as DatasetError {
          #expect(error.description.contains(file.path), "\(corruption): \(error)")
          tally.rejected()
        }
      }
      try Data(original).write(to: file)
    }
    tally.report()
    #expect(tally.tried >= 160)
  }

  // MARK: - Targeted cases

  @Test func aDeclaredSizeOfTwoToTheFortyIsRejectedBeforeAllocating() throws {
    // 65536 × 65536 × 256 = 2⁴⁰ bytes declared, none present: the reader must compare before it allocates.
    let header = Fixtures.idx(dimensions: [65536, 65536, 256], bytes: [1, 2, 3])
    for (bytes, source) in [(header, "huge.idx"), (Fixtures.gzip(header), "huge.gz")] {
      let error = #expect(throws: IDXError.self) { try IDXFile.decode(Data(bytes), source: source) }
      #expect(error == .truncated(source: source, headerSize: 16, expected: 1 << 40, found: 3))
    }
  }

  /// A valid gzip stream of a small IDX file with one defect, by name.
  static func gzipWithDefect(_ name: String) -> [UInt8] {
    var g = Fixtures.gzip(IDXFileTests.images)
    switch name {
    case "compression method 7": g[2] = 7
    case "reserved flag bits": g[3] = 0xE0
    case "bad length trailer": g[g.count - 1] ^= 0x01
    case "a name flag with no name": g = Array(g[..<3]) + [0x08] + Array(g[4..<10]) + [0x41, 0x42]
    default: g = [0x1F, 0x8B]  // only the magic
    }
    return g
  }

  @Test(arguments: [
    ("compression method 7", "unknown compression method"),
    ("reserved flag bits", "unknown header flags set"),
    ("bad length trailer", "incorrect length check"),
    ("a name flag with no name", "truncated"),
    ("only the magic", "truncated"),
  ])
  func corruptGzipHeadersAndTrailersAreNamed(name: String, reason: String) {
    let gzipped = Self.gzipWithDefect(name)
    let error = #expect(throws: IDXError.self, "\(name)") { try IDXFile.decode(Data(gzipped), source: "bad.gz") }
    guard case .corruptGzip(let source, _, let why) = error else {
      Issue.record("\(name): expected a gzip error, got \(String(describing: error))")
      return
    }
    #expect(source == "bad.gz")
    #expect(why.contains(reason), "\(name): \(why)")
  }

  @Test func aHugeDeclaredLengthInTheGzipTrailerIsRejectedQuickly() {
    // ISIZE = 2³² − 1 in the trailer of a tiny stream: a first-guess buffer must not trust it.
    var gzipped = Fixtures.gzip(IDXFileTests.images)
    for i in 1...4 { gzipped[gzipped.count - i] = 0xFF }
    let start = ContinuousClock.now
    let error = #expect(throws: IDXError.self) {
      try Gzip.decompress(Data(gzipped), source: "isize.gz", limit: IDXFile.maximumDecompressedSize)
    }
    #expect(error?.description.contains("incorrect length check") == true, "\(String(describing: error))")
    #expect(ContinuousClock.now - start < .seconds(1))
  }

  @Test func aCorruptSecondMemberNamesWhereItStarts() {
    let first = Fixtures.gzip(Array(IDXFileTests.images[..<10]))
    let second = Fixtures.gzip(Array(IDXFileTests.images[10...]))
    let truncated = first + second.dropLast(5)
    let error = #expect(throws: IDXError.self) { try IDXFile.decode(Data(truncated), source: "two.gz") }
    #expect(
      error?.description.contains("the gzip member that starts at byte \(first.count)") == true,
      "\(String(describing: error))")

    let garbageMember = first + [0x1F, 0x8B, 0x08, 0x00, 0xDE, 0xAD]
    let garbage = #expect(throws: IDXError.self) { try IDXFile.decode(Data(garbageMember), source: "two.gz") }
    guard case .corruptGzip(_, let offset, _) = garbage else {
      Issue.record("expected a gzip error, got \(String(describing: garbage))")
      return
    }
    #expect(offset >= first.count, "the error should point into the second member, not at \(offset)")
  }
}

/// Well-formed IDX files with degenerate contents (no images, 0×0 or 1×1 images, a single class) —
/// what a corruption of the dimensions can produce — must give a typed error or a usable benchmark
/// all the way to the task sequences, never a trap.
@Suite struct DegenerateDatasetTests {
  @Test(
    arguments: [
      ("no training images", 0, 5, 3, nil),
      ("no images at all", 0, 0, 3, nil),
      ("0×0 images", 12, 5, 0, nil),
      ("1×1 images", 12, 5, 1, nil),
      ("a single class", 12, 5, 3, [UInt8](repeating: 4, count: 12)),
    ] as [(String, Int, Int, Int, [UInt8]?)])
  func degenerateDatasetsGiveTypedErrorsOrUsableSequences(
    name: String, train: Int, test: Int, side: Int, labels: [UInt8]?
  ) throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(
      in: directory, trainCount: train, testCount: test, side: side, gzipped: false, trainLabels: labels)
    let data: (train: LabelledImages, test: LabelledImages)
    do {
      data = try IDXDataset.load(.mnist, from: directory)
    } catch is DatasetError {
      return
    }
    #expect(data.train.count == train && data.test.count == test, "\(name)")
    let builders: [(String, () throws -> TaskSequence)] = [
      ("split", { try .split(data, tasks: 5) }),
      ("split, shuffled", { try .split(data, tasks: 5, randomGroupingSeed: 3) }),
      ("permuted", { try .permuted(data, tasks: 3, permuteFirstTask: true, seed: 1) }),
      ("permuted, padded", { try .permuted(data, tasks: 3, padTo32: true, seed: 1) }),
      ("rotated", { try .rotated(data, tasks: 3) }),
      ("subsampled", { try .split(data, tasks: 5).subsample(trainPerTask: 4, testPerTask: 2, seed: 1) }),
    ]
    for (kind, build) in builders {
      do {
        let sequence = try build()
        #expect(sequence.count >= 1, "\(name), \(kind)")
      } catch let error as DatasetError {
        #expect(!error.description.isEmpty, "\(name), \(kind)")
      } catch {
        Issue.record("\(name), \(kind): an untyped error \(error)")
      }
    }
  }
}
