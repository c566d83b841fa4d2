import CZlib
import Foundation

/// Checksums of byte buffers, for files whose integrity must be checked before they are trusted
/// (checkpoints) and for the identity of datasets (``DataIdentity``).
///
/// ```swift
/// let sum = Checksum.crc32(data)   // zlib's CRC-32, as gzip and PNG use it
/// let both = Checksum.crc32(more, continuing: sum)   // the CRC-32 of data followed by more
/// ```
public enum Checksum {
  /// The CRC-32 (ISO 3309, zlib's `crc32`) of `data`.
  public static func crc32(_ data: Data) -> UInt32 {
    data.withUnsafeBytes { crc32($0) }
  }

  /// The CRC-32 of `data`, continuing the checksum `previous` of the bytes before them (0 to
  /// start).
  ///
  /// - Parameters:
  ///   - data: The bytes.
  ///   - previous: The CRC-32 of what came before, or 0.
  /// - Returns: The CRC-32 of the earlier bytes followed by `data`.
  public static func crc32(_ data: Data, continuing previous: UInt32) -> UInt32 {
    data.withUnsafeBytes { crc32($0, continuing: previous) }
  }

  /// The CRC-32 of raw bytes, continuing the checksum `previous` of the bytes before them (0 to
  /// start).
  ///
  /// - Parameters:
  ///   - raw: The bytes.
  ///   - previous: The CRC-32 of what came before, or 0.
  /// - Returns: The CRC-32 of the earlier bytes followed by `raw`.
  public static func crc32(_ raw: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
    var crc = UInt(previous)
    var offset = 0
    // zlib takes a 32-bit length; feed large buffers in slices.
    while offset < raw.count {
      let length = min(raw.count - offset, 1 << 30)
      crc = CZlib.crc32(crc, raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), UInt32(length))
      offset += length
    }
    return UInt32(truncatingIfNeeded: crc)
  }
}
