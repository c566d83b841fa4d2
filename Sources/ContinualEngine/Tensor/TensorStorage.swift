import Foundation

/// The heap buffer behind a ``Tensor``: a 64-byte-aligned block of `Float`s.
///
/// Tensors share a storage until one of them is mutated (copy-on-write); kernels read and write the
/// buffer through unsafe pointers, possibly from several threads on disjoint ranges.
final class TensorStorage: @unchecked Sendable {
  /// The first element.
  let base: UnsafeMutablePointer<Float>
  /// How many elements the buffer holds.
  let count: Int

  /// Allocates an uninitialised buffer of `count` elements.
  init(uninitializedCount count: Int) {
    self.count = count
    let byteCount = max(count, 1) * MemoryLayout<Float>.stride
    let raw =
      BufferCache.take(byteCount: byteCount) ?? UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  /// Allocates a buffer of `count` elements, each set to `value`.
  convenience init(count: Int, repeating value: Float) {
    self.init(uninitializedCount: count)
    base.initialize(repeating: value, count: count)
  }

  /// A new storage holding a copy of this one's elements.
  func copy() -> TensorStorage {
    let other = TensorStorage(uninitializedCount: count)
    other.base.initialize(from: base, count: count)
    return other
  }

  deinit {
    let raw = UnsafeMutableRawPointer(base)
    if !BufferCache.keep(raw, byteCount: max(count, 1) * MemoryLayout<Float>.stride) { raw.deallocate() }
  }
}

/// Large tensor buffers freed recently, kept for the next tensor of the same size.
///
/// A training step allocates and frees the same few large buffers (a batch, each layer's
/// activations and gradients) every time. Handed back to `malloc`, those blocks fragment its heap:
/// on a shared machine we saw the same permuted-MNIST run peak anywhere between 122 and 232 MB. Kept
/// here and reused by exact size, they cost no allocation at all in the steady state. At most
/// ``limit`` bytes are kept; a buffer that does not fit empties the cache first, so sizes that are
/// no longer used (an evaluation batch, an earlier network) do not stay.
enum BufferCache {
  /// Buffers smaller than this go straight back to `malloc`, whose small-block bins reuse them well.
  static let minimumSize = 64 << 10
  /// The most bytes kept.
  static let limit = 48 << 20

  private static let lock = NSLock()
  nonisolated(unsafe) private static var buffers: [Int: [UnsafeMutableRawPointer]] = [:]
  nonisolated(unsafe) private static var keptBytes = 0

  /// A kept buffer of exactly `byteCount` bytes (64-byte aligned), or `nil`.
  static func take(byteCount: Int) -> UnsafeMutableRawPointer? {
    guard byteCount >= minimumSize else { return nil }
    lock.lock()
    defer { lock.unlock() }
    guard let buffer = buffers[byteCount]?.popLast() else { return nil }
    keptBytes -= byteCount
    return buffer
  }

  /// Keeps a freed buffer for reuse; `false` when the caller must deallocate it.
  static func keep(_ buffer: UnsafeMutableRawPointer, byteCount: Int) -> Bool {
    guard byteCount >= minimumSize, byteCount <= limit / 4 else { return false }
    lock.lock()
    defer { lock.unlock() }
    if keptBytes + byteCount > limit {
      for list in buffers.values { for old in list { old.deallocate() } }
      buffers = [:]
      keptBytes = 0
    }
    buffers[byteCount, default: []].append(buffer)
    keptBytes += byteCount
    return true
  }
}
