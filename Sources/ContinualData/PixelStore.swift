import ContinualEngine

/// The pixels of a dataset, held once and shared by every view of it (subsets, tasks, transforms).
///
/// Images read from files stay as their original bytes and become `byte / 255` only when a batch
/// is built; images made in memory as floats (tests, custom datasets) keep their float tensor. The
/// store never changes after it is made, so sharing it between tasks and threads is safe.
final class PixelStore: @unchecked Sendable {
  /// What the pixels are held as.
  enum Storage {
    /// One unsigned byte per value; the value seen by a network is `byte / 255`.
    case bytes([UInt8])
    /// One float per value, used as it is.
    case floats(Tensor)
  }

  /// The pixels, sample after sample.
  let storage: Storage
  /// The number of samples.
  let count: Int
  /// The shape of one stored sample, for example `[3, 32, 32]`.
  let sampleShape: [Int]
  /// The number of values per sample.
  let sampleSize: Int

  /// `byte / 255` for every byte, as a lookup table (the same values the IDX reader always produced).
  static let byteScale: [Float] = (0..<256).map { Float($0) / 255 }

  /// A store of bytes; the caller ensures `bytes.count == count × sampleShape.product`.
  init(bytes: [UInt8], count: Int, sampleShape: [Int]) {
    self.storage = .bytes(bytes)
    self.count = count
    self.sampleShape = sampleShape
    self.sampleSize = sampleShape.reduce(1, *)
  }

  /// A store of floats of shape `[count, …sampleShape]`.
  init(floats: Tensor) {
    self.storage = .floats(floats)
    self.count = floats.shape[0]
    self.sampleShape = Array(floats.shape.dropFirst())
    self.sampleSize = sampleShape.reduce(1, *)
  }

  /// The memory the pixels occupy, in bytes.
  var byteCount: Int {
    switch storage {
    case .bytes(let bytes): return bytes.count
    case .floats(let tensor): return tensor.count * MemoryLayout<Float>.size
    }
  }

  /// Writes sample `index`'s values, as floats, to `output` (`sampleSize` of them).
  func read(_ index: Int, into output: UnsafeMutablePointer<Float>) {
    let start = index * sampleSize
    switch storage {
    case .bytes(let bytes):
      bytes.withUnsafeBufferPointer { bytes in
        Self.byteScale.withUnsafeBufferPointer { table in
          for k in 0..<sampleSize { output[k] = table[Int(bytes[start + k])] }
        }
      }
    case .floats(let tensor):
      tensor.withUnsafeBufferPointer { source in
        output.update(from: source.baseAddress! + start, count: sampleSize)
      }
    }
  }
}
