import ContinualEngine

/// One corrupted copy of a valid file, for fuzz-style tests of a reader.
///
/// ```swift
/// for corruption in Corruption.mutants(of: validBytes, seed: 1) {
///   do { _ = try IDXFile.decode(Data(corruption.bytes), source: "mutant") } catch is IDXError { continue }
/// }
/// ```
public struct Corruption: Sendable, CustomStringConvertible {
  /// How the copy was corrupted.
  public enum Kind: String, Sendable, CaseIterable {
    /// The file cut short: only its first ``Corruption/touched``.lowerBound bytes remain.
    case truncation
    /// One bit inverted.
    case bitFlip = "bit flip"
    /// A run of one to eight bytes replaced by other values.
    case overwrite
  }

  /// How the copy was corrupted.
  public var kind: Kind
  /// The corrupted bytes.
  public var bytes: [UInt8]
  /// The byte range of the original that differs: for a truncation, the part cut off.
  public var touched: Range<Int>
  /// A short description, such as `bit 3 of byte 17 flipped`, for test messages.
  public var description: String

  /// Creates a corruption.
  ///
  /// - Parameters:
  ///   - kind: How the copy was corrupted.
  ///   - bytes: The corrupted bytes.
  ///   - touched: The byte range of the original that differs.
  ///   - description: A short description for test messages.
  public init(kind: Kind, bytes: [UInt8], touched: Range<Int>, description: String) {
    self.kind = kind
    self.bytes = bytes
    self.touched = touched
    self.description = description
  }

  /// Deterministic corruptions of `original`: truncations at every `truncationStride`-th length
  /// (always including the empty file and the file minus its last byte), `bitFlips` single-bit flips
  /// and `overwrites` runs of one to eight bytes replaced, at positions drawn from `seed`.
  ///
  /// Half the overwrites use values that stress length and count fields (`0x00`, `0xFF`, `0x7F`,
  /// `0x80`), half are uniform; every overwrite changes at least one byte, so no mutant equals the
  /// original.
  ///
  /// - Parameters:
  ///   - original: A valid file; it must not be empty.
  ///   - seed: Seeds the positions and values.
  ///   - truncationStride: The step between truncation lengths (1 cuts at every offset).
  ///   - bitFlips: How many single-bit flips.
  ///   - overwrites: How many overwritten runs.
  /// - Returns: The truncations, then the flips, then the overwrites.
  /// - Complexity: O(*m* · *n*) for *m* mutants of an *n*-byte file.
  public static func mutants(
    of original: [UInt8], seed: UInt64, truncationStride: Int = 1, bitFlips: Int = 200, overwrites: Int = 200
  ) -> [Corruption] {
    precondition(
      !original.isEmpty && truncationStride >= 1, "mutants(of:) needs a non-empty file and a positive stride")
    var rng = SeededGenerator(seed: seed)
    var result: [Corruption] = []
    var lengths = Array(stride(from: 0, to: original.count, by: truncationStride))
    if lengths.last != original.count - 1 { lengths.append(original.count - 1) }
    for length in lengths {
      result.append(
        Corruption(
          kind: .truncation, bytes: Array(original[..<length]), touched: length..<original.count,
          description: "cut to \(length) of \(original.count) bytes"))
    }
    for _ in 0..<bitFlips {
      let position = rng.nextInt(below: original.count), bit = rng.nextInt(below: 8)
      var bytes = original
      bytes[position] ^= 1 << UInt8(bit)
      result.append(
        Corruption(
          kind: .bitFlip, bytes: bytes, touched: position..<(position + 1),
          description: "bit \(bit) of byte \(position) flipped"))
    }
    let stressing: [UInt8] = [0x00, 0xFF, 0x7F, 0x80]
    for index in 0..<overwrites {
      let position = rng.nextInt(below: original.count)
      let length = min(1 + rng.nextInt(below: 8), original.count - position)
      var bytes = original
      for offset in position..<(position + length) {
        bytes[offset] =
          index % 2 == 0 ? stressing[rng.nextInt(below: stressing.count)] : UInt8(truncatingIfNeeded: rng.next())
      }
      if bytes[position..<(position + length)] == original[position..<(position + length)] { bytes[position] ^= 0xFF }
      // The range that really changed: an overwrite may rewrite some bytes with their own values.
      let changed = (position..<(position + length)).filter { bytes[$0] != original[$0] }
      let touched = changed.first!..<(changed.last! + 1)
      let written = bytes[touched].map { String($0, radix: 16) }.joined(separator: " ")
      result.append(
        Corruption(
          kind: .overwrite, bytes: bytes, touched: touched,
          description: "bytes \(touched.lowerBound)..<\(touched.upperBound) overwritten with \(written)"))
    }
    return result
  }
}
