import CZlib
import Foundation

/// Checksums of byte buffers, for files whose integrity must be checked before they are trusted
/// (checkpoints).
///
/// ```swift
/// let sum = Checksum.crc32(data)   // zlib's CRC-32, as gzip and PNG use it
/// ```
public enum Checksum {
  /// The CRC-32 (ISO 3309, zlib's `crc32`) of `data`.
  public static func crc32(_ data: Data) -> UInt32 {
    data.withUnsafeBytes { raw -> UInt32 in
      var crc: UInt = CZlib.crc32(0, nil, 0)
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
}
