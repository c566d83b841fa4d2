/// An error raised while reading an IDX file: the container is unreadable, compressed badly, or its
/// header and length disagree.
///
/// Every case names the file (or the caller's description of the bytes) and what was expected, so
/// the message alone says what to fix:
///
/// ```swift
/// do { _ = try IDXFile.read(contentsOf: url) } catch { print(error) }
/// // data/train-images-idx3-ubyte: truncated: expected 47040000 bytes of data after the 16-byte
/// // header, found 47039000
/// ```
public enum IDXError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened or read.
  case unreadable(source: String, reason: String)
  /// The data ends inside the header.
  case truncatedHeader(source: String, expected: Int, found: Int)
  /// The first two bytes are not zero, so this is not an IDX file.
  case badMagic(source: String, magic: [UInt8])
  /// The element type code is not the unsigned-byte code `0x08`.
  case unsupportedType(source: String, code: UInt8)
  /// The rank byte is outside `1...4`.
  case unsupportedRank(source: String, rank: Int)
  /// The dimensions describe more elements than can be addressed (or, when one of them is zero, the
  /// others multiply beyond what can be addressed).
  case invalidDimensions(source: String, dimensions: [Int])
  /// Fewer data bytes follow the header than the dimensions require.
  case truncated(source: String, headerSize: Int, expected: Int, found: Int)
  /// More data bytes follow the header than the dimensions require.
  case trailingBytes(source: String, headerSize: Int, expected: Int, found: Int)
  /// The gzip stream is corrupt or truncated.
  case corruptGzip(source: String, compressedOffset: Int, reason: String)
  /// The decompressed data would exceed the size limit.
  case decompressedTooLarge(source: String, limit: Int)
  /// The file itself (raw or compressed) is larger than the reader accepts; it was refused from its
  /// size alone, before anything was read.
  case fileTooLarge(source: String, size: Int, limit: Int)

  /// A human-readable explanation naming the file and the problem.
  public var description: String {
    switch self {
    case .unreadable(let source, let reason):
      return "\(source): cannot be read: \(reason)"
    case .truncatedHeader(let source, let expected, let found):
      return
        "\(source): header truncated: an IDX header of this rank needs \(expected) bytes, the data has only \(found)"
    case .badMagic(let source, let magic):
      return "\(source): not an IDX file: the magic number must start with two zero bytes, found \(Self.hex(magic))"
    case .unsupportedType(let source, let code):
      let known: [UInt8: String] = [
        0x09: "signed byte", 0x0B: "16-bit integer", 0x0C: "32-bit integer", 0x0D: "32-bit float", 0x0E: "64-bit float",
      ]
      return
        "\(source): unsupported IDX element type \(Self.hex([code])) (\(known[code] ?? "unknown")) at byte offset 2; "
        + "only 0x08 (unsigned byte) is supported"
    case .unsupportedRank(let source, let rank):
      return "\(source): unsupported IDX rank \(rank) (byte offset 3); expected 1 to 4 dimensions"
    case .invalidDimensions(let source, let dimensions):
      return "\(source): IDX dimensions \(dimensions) describe more elements than can be addressed"
    case .truncated(let source, let headerSize, let expected, let found):
      return
        "\(source): truncated: expected \(expected) bytes of data after the \(headerSize)-byte header, found \(found)"
    case .trailingBytes(let source, let headerSize, let expected, let found):
      return
        "\(source): unexpected extra bytes: expected \(expected) bytes of data after the \(headerSize)-byte "
        + "header, found \(found) (the first extra byte is at byte offset \(headerSize + expected))"
    case .corruptGzip(let source, let offset, let reason):
      return "\(source): corrupt gzip stream at compressed byte offset \(offset): \(reason)"
    case .decompressedTooLarge(let source, let limit):
      return "\(source): the gzip stream decompresses to more than \(limit) bytes, the limit for this file"
    case .fileTooLarge(let source, let size, let limit):
      return "\(source): too large: the file holds \(size) bytes, more than the \(limit)-byte limit for this file"
    }
  }

  private static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { "0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
  }
}

extension String {
  /// The string with leading zeros added up to `width` characters.
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
