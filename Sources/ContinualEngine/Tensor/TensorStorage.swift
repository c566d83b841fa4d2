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
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
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
    UnsafeMutableRawPointer(base).deallocate()
  }
}
