import CZlib
import Foundation

/// Decompresses gzip (and zlib) streams with the system zlib.
///
/// Used by ``IDXFile`` to read `.gz` files transparently. Concatenated gzip members are joined, as
/// `gunzip` does; anything else after the last member is an error. Corrupt, truncated or oversized
/// streams throw ``IDXError`` and never crash.
enum Gzip {
  /// Whether `data` starts with the gzip magic bytes `1f 8b`.
  static func isCompressed(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
  }

  /// The decompressed bytes of a gzip stream.
  ///
  /// - Parameters:
  ///   - data: The compressed bytes, starting with the gzip header.
  ///   - source: The file name (or description) used in error messages.
  ///   - limit: The largest decompressed size accepted.
  /// - Returns: The decompressed bytes.
  /// - Throws: ``IDXError/corruptGzip(source:compressedOffset:reason:)`` for a corrupt or truncated
  ///   stream, ``IDXError/decompressedTooLarge(source:limit:)`` beyond `limit`.
  static func decompress(_ data: Data, source: String, limit: Int) throws -> [UInt8] {
    var stream = z_stream()
    // 15 + 32: the largest window, with automatic gzip/zlib header detection.
    let initStatus = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard initStatus == Z_OK else {
      throw IDXError.corruptGzip(
        source: source, compressedOffset: 0, reason: "zlib could not start decompressing (status \(initStatus))")
    }
    defer { inflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: initialCapacity(for: data, limit: limit))
    var produced = 0
    try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
      guard let inputBase = input.baseAddress?.assumingMemoryBound(to: Bytef.self) else {
        throw IDXError.corruptGzip(source: source, compressedOffset: 0, reason: "the stream is empty")
      }
      var fed = 0  // bytes of `input` handed to zlib so far
      var memberStart = 0  // offset of the current gzip member
      func position() -> Int { fed - Int(stream.avail_in) }

      while true {
        if stream.avail_in == 0 && fed < input.count {
          let chunk = min(input.count - fed, 1 << 30)
          stream.next_in = UnsafeMutablePointer(mutating: inputBase + fed)
          stream.avail_in = uInt(chunk)
          fed += chunk
        }
        if produced == output.count {
          guard output.count <= limit else { throw IDXError.decompressedTooLarge(source: source, limit: limit) }
          let grown = min(max(output.count * 2, 1 << 16), limit + 1)
          output.append(contentsOf: [UInt8](repeating: 0, count: grown - output.count))
        }
        let status = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
          let room = min(buffer.count - produced, Int(UInt32.max))
          stream.next_out = buffer.baseAddress! + produced
          stream.avail_out = uInt(room)
          let result = inflate(&stream, Z_NO_FLUSH)
          produced += room - Int(stream.avail_out)
          return result
        }
        if produced > limit { throw IDXError.decompressedTooLarge(source: source, limit: limit) }

        switch status {
        case Z_OK:
          continue
        case Z_STREAM_END:
          let remaining = input.count - position()
          if remaining == 0 {
            output.removeSubrange(produced...)
            return
          }
          let next = position()
          guard remaining >= 2, input[next] == 0x1F, input[next + 1] == 0x8B else {
            throw IDXError.corruptGzip(
              source: source, compressedOffset: next,
              reason: "\(remaining) bytes of trailing data after the end of the gzip stream")
          }
          memberStart = next
          inflateReset(&stream)
        case Z_BUF_ERROR where stream.avail_in == 0 && fed == input.count:
          throw IDXError.corruptGzip(
            source: source, compressedOffset: position(),
            reason:
              "the stream is truncated: the compressed data ends before the end of the gzip member that starts "
              + "at byte \(memberStart)"
          )
        default:
          let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
          throw IDXError.corruptGzip(source: source, compressedOffset: position(), reason: message)
        }
      }
    }
    return output
  }

  /// A first guess at the decompressed size: the gzip trailer's length field (the size modulo 2³²
  /// of the last member), or four times the compressed size. The guess never exceeds what deflate can
  /// expand the data to (about 1032:1), so a corrupt trailer cannot reserve a huge buffer.
  private static func initialCapacity(for data: Data, limit: Int) -> Int {
    var guess = data.count * 4
    if data.count >= 18 {
      let end = data.endIndex
      let trailer = (0..<4).reduce(0) { $0 | Int(data[end - 4 + $1]) << (8 * $1) }
      if trailer > 0 { guess = min(trailer, data.count * 1032 + 1024) }
    }
    return max(1, min(guess, limit))
  }
}
