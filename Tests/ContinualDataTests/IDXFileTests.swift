import Foundation
import Testing

@testable import ContinualData

@Suite struct IDXFileTests {
  static let imageBytes: [UInt8] = Array(0..<12)
  static let images = Fixtures.idx(dimensions: [2, 2, 3], bytes: imageBytes)

  /// `gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]), mtime=0)` from Python 3.11's gzip module.
  static let pythonGzippedLabels: [UInt8] = [
    0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xE0, 0x60, 0x64, 0x60,
    0x60, 0x60, 0x66, 0x64, 0x62, 0x06, 0x00, 0x8B, 0xE5, 0xBD, 0xA4, 0x0B, 0x00, 0x00, 0x00,
  ]

  @Test func decodesRawImagesAndLabels() throws {
    let images = try IDXFile.decode(Data(Self.images), source: "images")
    #expect(images.dimensions == [2, 2, 3])
    #expect(images.bytes == Self.imageBytes)
    let labels = try IDXFile.decode(Data(Fixtures.idx(dimensions: [4], bytes: [7, 0, 9, 3])), source: "labels")
    #expect(labels == IDXArray(dimensions: [4], bytes: [7, 0, 9, 3]))
  }

  @Test func decodesLargeDimensionsBigEndian() throws {
    let bytes = [UInt8](repeating: 5, count: 300)
    let array = try IDXFile.decode(Data(Fixtures.idx(dimensions: [300], bytes: bytes)), source: "big")
    #expect(array.dimensions == [300])
    #expect(array.bytes == bytes)
  }

  @Test func decodesGzipFromZlibAndFromPython() throws {
    let gzipped = try IDXFile.decode(Data(Fixtures.gzip(Self.images)), source: "images.gz")
    #expect(gzipped == IDXArray(dimensions: [2, 2, 3], bytes: Self.imageBytes))
    let python = try IDXFile.decode(Data(Self.pythonGzippedLabels), source: "labels.gz")
    #expect(python == IDXArray(dimensions: [3], bytes: [1, 2, 3]))
  }

  @Test func joinsConcatenatedGzipMembers() throws {
    let file = Fixtures.idx(dimensions: [1000], bytes: (0..<1000).map { UInt8($0 % 251) })
    let joined = Fixtures.gzip(Array(file[..<400])) + Fixtures.gzip(Array(file[400...]))
    #expect(try IDXFile.decode(Data(joined), source: "two members") == IDXFile.decode(Data(file), source: "raw"))
  }

  @Test func encodeRoundTrips() throws {
    let array = IDXArray(dimensions: [2, 2, 3], bytes: Self.imageBytes)
    #expect(try IDXFile.encode(array) == Data(Self.images))
    #expect(try IDXFile.decode(IDXFile.encode(array), source: "encoded") == array)
    #expect(throws: IDXError.self) { try IDXFile.encode(IDXArray(dimensions: [2, 2], bytes: [1, 2, 3])) }
  }

  @Test func readsAFileAndNamesItInErrors() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = directory.appendingPathComponent("images.gz")
    try Data(Fixtures.gzip(Self.images)).write(to: good)
    #expect(try IDXFile.read(contentsOf: good).dimensions == [2, 2, 3])

    let bad = directory.appendingPathComponent("short-idx1-ubyte")
    try Data(Fixtures.idx(dimensions: [5], bytes: [1, 2])).write(to: bad)
    let error = #expect(throws: IDXError.self) { try IDXFile.read(contentsOf: bad) }
    #expect(error?.description == "\(bad.path): truncated: expected 5 bytes of data after the 8-byte header, found 2")

    let missing = directory.appendingPathComponent("nothing-here")
    let unreadable = #expect(throws: IDXError.self) { try IDXFile.read(contentsOf: missing) }
    #expect(unreadable?.description.hasPrefix("\(missing.path): cannot be read") == true)
  }

  @Test(
    arguments: [
      ("empty", [], "header truncated"),
      ("short header", [0, 0, 8, 3, 0, 0, 0, 2], "an IDX header of this rank needs 16 bytes, the data has only 8"),
      (
        "wrong magic", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0],
        "not an IDX file: the magic number must start with two zero bytes, found 0x50 0x4B 0x03 0x04"
      ),
      (
        "float type", Fixtures.idx(dimensions: [1], bytes: [0, 0, 0, 0], typeCode: 0x0D),
        "unsupported IDX element type 0x0D (32-bit float) at byte offset 2"
      ),
      (
        "unknown type", Fixtures.idx(dimensions: [1], bytes: [0], typeCode: 0x42),
        "unsupported IDX element type 0x42 (unknown)"
      ),
      ("rank 0", [0, 0, 8, 0], "unsupported IDX rank 0"),
      ("rank 5", Fixtures.idx(dimensions: [1, 1, 1, 1, 1], bytes: [0]), "unsupported IDX rank 5"),
      (
        "truncated", Fixtures.idx(dimensions: [2, 2, 3], bytes: Array(0..<11)),
        "truncated: expected 12 bytes of data after the 16-byte header, found 11"
      ),
      (
        "extra bytes", Fixtures.idx(dimensions: [3], bytes: [1, 2, 3, 4, 5]),
        "unexpected extra bytes: expected 3 bytes of data after the 8-byte header, found 5 (the first extra byte "
          + "is at byte offset 11)"
      ),
      (
        "huge dimensions", Fixtures.idx(dimensions: [Int(UInt32.max), Int(UInt32.max), Int(UInt32.max)], bytes: []),
        "describe more elements than can be addressed"
      ),
    ] as [(String, [UInt8], String)])
  func rejectsMalformedFiles(name: String, bytes: [UInt8], message: String) {
    let error = #expect(throws: IDXError.self, "\(name)") { try IDXFile.decode(Data(bytes), source: "fixture.idx") }
    let description = error?.description ?? ""
    #expect(description.hasPrefix("fixture.idx: "), "\(name): \(description)")
    #expect(description.contains(message), "\(name): \(description)")
  }

  @Test func rejectsATruncatedIDXInsideAValidGzipStream() {
    let gzipped = Fixtures.gzip(Fixtures.idx(dimensions: [10], bytes: [1, 2, 3]))
    let error = #expect(throws: IDXError.self) { try IDXFile.decode(Data(gzipped), source: "labels.gz") }
    #expect(error == .truncated(source: "labels.gz", headerSize: 8, expected: 10, found: 3))
  }

  @Test func rejectsEveryTruncationOfAGzipStream() {
    let gzipped = Fixtures.gzip(Self.images)
    for length in 2..<gzipped.count {
      let error = #expect(throws: IDXError.self, "cut to \(length) bytes") {
        try IDXFile.decode(Data(gzipped[..<length]), source: "cut.gz")
      }
      guard case .corruptGzip(let source, _, _) = error else {
        Issue.record("cut to \(length) bytes: expected a gzip error, got \(String(describing: error))")
        continue
      }
      #expect(source == "cut.gz")
    }
    let error = #expect(throws: IDXError.self) { try IDXFile.decode(Data(gzipped.dropLast(4)), source: "cut.gz") }
    #expect(error?.description.contains("truncated") == true, "\(String(describing: error))")
  }

  @Test(arguments: [false, true])
  func neverAcceptsABitFlipSilently(compressible: Bool) throws {
    // Incompressible data is stored verbatim (a stored block, whose header has unused padding bits);
    // compressible data is Huffman-coded.
    let bytes = (0..<200).map { compressible ? UInt8($0 % 5) : UInt8(truncatingIfNeeded: $0 &* 151 &+ $0 >> 3) }
    let file = Fixtures.idx(dimensions: [200], bytes: bytes)
    let original = try IDXFile.decode(Data(file), source: "raw")
    let gzipped = Fixtures.gzip(file)
    // Bytes 10 onwards: the deflate data and the CRC-32 / length trailer (the 10-byte header has no checksum).
    var rejected = 0
    for position in 10..<gzipped.count {
      for bit in 0..<8 {
        var flipped = gzipped
        flipped[position] ^= 1 << bit
        do {
          let decoded = try IDXFile.decode(Data(flipped), source: "flipped.gz")
          #expect(decoded == original, "bit \(bit) of byte \(position) changed the data without an error")
        } catch is IDXError {
          rejected += 1
        }
      }
    }
    #expect(rejected > (gzipped.count - 10) * 8 - 8, "only \(rejected) of \((gzipped.count - 10) * 8) flips rejected")
  }

  @Test func reportsAChecksumMismatch() {
    let gzipped = Fixtures.gzip(Self.images)
    var badChecksum = gzipped
    badChecksum[gzipped.count - 8] ^= 0x01
    let error = #expect(throws: IDXError.self) { try IDXFile.decode(Data(badChecksum), source: "flipped.gz") }
    #expect(
      error?.description.hasPrefix("flipped.gz: corrupt gzip stream at compressed byte offset") == true,
      "\(String(describing: error))")
    #expect(error?.description.contains("incorrect data check") == true, "\(String(describing: error))")
  }

  @Test func rejectsTrailingGarbageAfterTheGzipStream() {
    let gzipped = Fixtures.gzip(Self.images) + [0x00, 0x01, 0x02]
    let error = #expect(throws: IDXError.self) { try IDXFile.decode(Data(gzipped), source: "trailing.gz") }
    #expect(
      error?.description.contains("3 bytes of trailing data after the end of the gzip stream") == true,
      "\(String(describing: error))")
  }

  @Test func capsTheDecompressedSize() throws {
    let gzipped = Data(Fixtures.gzip([UInt8](repeating: 0, count: 10_000)))
    #expect(try Gzip.decompress(gzipped, source: "zeros.gz", limit: 10_000).count == 10_000)
    let error = #expect(throws: IDXError.self) { try Gzip.decompress(gzipped, source: "zeros.gz", limit: 9_999) }
    #expect(error == .decompressedTooLarge(source: "zeros.gz", limit: 9_999))
    #expect(IDXFile.maximumDecompressedSize == 1 << 30)
  }
}
