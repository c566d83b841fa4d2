import ContinualEngine
import Foundation

/// Reads and writes IDX files, the format MNIST and Fashion-MNIST are distributed in.
///
/// An IDX file is a big-endian header — two zero bytes, an element type code, the rank, then one
/// 32-bit size per dimension — followed by the elements in row-major order. ContinualKit reads the
/// unsigned-byte type (`0x08`) that image and label files use, and decompresses gzipped files
/// (those starting with `1f 8b`) transparently:
///
/// ```swift
/// let labels = try IDXFile.read(contentsOf: URL(fileURLWithPath: "mnist/train-labels-idx1-ubyte.gz"))
/// print(labels.dimensions)   // [60000]
/// ```
///
/// Reading validates everything before trusting it: the magic bytes, the type code, the rank
/// (1 to 4), that the sizes multiply without overflow (the non-zero ones too, when one is zero),
/// and that the data after the header has exactly the length the dimensions imply.
public enum IDXFile {
  /// The largest decompressed size accepted for a gzipped file: 1 GiB.
  public static let maximumDecompressedSize = 1 << 30

  /// The largest IDX file read from disk, raw or gzipped: 1 GiB (MNIST's largest file is 47 MB).
  /// The size is checked (`fstat`) before anything is read or mapped.
  public static let maximumFileSize = 1 << 30

  /// The element type code of unsigned bytes, the only type supported.
  public static let unsignedByteType: UInt8 = 0x08

  /// Reads an IDX file, gzipped or not.
  ///
  /// - Parameter url: The file to read.
  /// - Returns: The file's dimensions and elements.
  /// - Throws: ``IDXError`` naming the file's path and the problem:
  ///   ``IDXError/fileTooLarge(source:size:limit:)`` for a file over ``maximumFileSize``.
  public static func read(contentsOf url: URL) throws -> IDXArray {
    try decode(readFile(url, limit: maximumFileSize), source: url.path)
  }

  /// The bytes of a data file of at most `limit` bytes, its size checked before anything is read.
  ///
  /// - Throws: ``IDXError/fileTooLarge(source:size:limit:)`` or ``IDXError/unreadable(source:reason:)``,
  ///   naming the file.
  static func readFile(_ url: URL, limit: Int) throws -> Data {
    do {
      return try RegularFile.read(url, limit: limit)
    } catch {
      if error.isTooLarge { throw IDXError.fileTooLarge(source: url.path, size: error.size ?? limit + 1, limit: limit) }
      throw IDXError.unreadable(source: url.path, reason: error.reason)
    }
  }

  /// Decodes the bytes of an IDX file, decompressing them first if they are gzipped.
  ///
  /// - Parameters:
  ///   - data: The file's bytes.
  ///   - source: Where the bytes came from (usually a path), used in error messages.
  /// - Returns: The dimensions and elements.
  /// - Throws: ``IDXError`` naming `source` and the problem.
  public static func decode(_ data: Data, source: String) throws -> IDXArray {
    if Gzip.isCompressed(data) {
      let bytes = try Gzip.decompress(data, source: source, limit: maximumDecompressedSize)
      return try bytes.withUnsafeBytes { try parse($0, source: source) }
    }
    return try data.withUnsafeBytes { try parse($0, source: source) }
  }

  /// Encodes unsigned bytes as an (uncompressed) IDX file.
  ///
  /// - Parameter array: The dimensions and elements; it must have 1 to 4 dimensions, each below
  ///   2³², and exactly as many elements as they imply.
  /// - Returns: The file's bytes.
  /// - Throws: ``IDXError/unsupportedRank(source:rank:)`` or
  ///   ``IDXError/invalidDimensions(source:dimensions:)`` when `array` cannot be written as IDX.
  public static func encode(_ array: IDXArray) throws -> Data {
    let source = "IDXFile.encode"
    guard (1...4).contains(array.dimensions.count) else {
      throw IDXError.unsupportedRank(source: source, rank: array.dimensions.count)
    }
    guard array.dimensions.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }),
      array.dimensions.reduce(1, *) == array.bytes.count
    else {
      throw IDXError.invalidDimensions(source: source, dimensions: array.dimensions)
    }
    var data = Data([0, 0, unsignedByteType, UInt8(array.dimensions.count)])
    for size in array.dimensions {
      withUnsafeBytes(of: UInt32(size).bigEndian) { data.append(contentsOf: $0) }
    }
    data.append(contentsOf: array.bytes)
    return data
  }

  /// Validates the header and copies out the elements.
  private static func parse(_ raw: UnsafeRawBufferPointer, source: String) throws -> IDXArray {
    guard raw.count >= 4 else { throw IDXError.truncatedHeader(source: source, expected: 4, found: raw.count) }
    guard raw[0] == 0, raw[1] == 0 else { throw IDXError.badMagic(source: source, magic: Array(raw[0..<4])) }
    guard raw[2] == unsignedByteType else { throw IDXError.unsupportedType(source: source, code: raw[2]) }
    let rank = Int(raw[3])
    guard (1...4).contains(rank) else { throw IDXError.unsupportedRank(source: source, rank: rank) }
    let headerSize = 4 + 4 * rank
    guard raw.count >= headerSize else {
      throw IDXError.truncatedHeader(source: source, expected: headerSize, found: raw.count)
    }
    var dimensions: [Int] = []
    // The product of the non-zero sizes must fit too: [0, 2³² − 1, 2³² − 1] holds no element, but
    // one image of it would have 2⁶⁴ pixels, which no reader of the array could size.
    var nonZeroProduct = 1
    var overflowed = false
    for axis in 0..<rank {
      let offset = 4 + 4 * axis
      let size = (0..<4).reduce(0) { $0 << 8 | Int(raw[offset + $1]) }
      dimensions.append(size)
      let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: max(size, 1))
      nonZeroProduct = product
      overflowed = overflowed || overflow
    }
    guard !overflowed else { throw IDXError.invalidDimensions(source: source, dimensions: dimensions) }
    let elementCount = dimensions.contains(0) ? 0 : nonZeroProduct
    let found = raw.count - headerSize
    guard found >= elementCount else {
      throw IDXError.truncated(source: source, headerSize: headerSize, expected: elementCount, found: found)
    }
    guard found == elementCount else {
      throw IDXError.trailingBytes(source: source, headerSize: headerSize, expected: elementCount, found: found)
    }
    let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
    return IDXArray(dimensions: dimensions, bytes: bytes)
  }
}
