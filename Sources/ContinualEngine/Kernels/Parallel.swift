import Dispatch
import Foundation

/// How many threads the engine's kernels use, and a helper to spread work over them.
///
/// Defaults to the number of active processors; set the environment variable
/// `CONTINUAL_THREADS` (for example to `1`) to override it.
public enum EngineThreads {
  /// The number of threads kernels split their work across.
  public static let count: Int = {
    if let text = ProcessInfo.processInfo.environment["CONTINUAL_THREADS"], let value = Int(text), value > 0 {
      return value
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }()
}

/// A raw pointer that may cross threads; kernels only ever write disjoint ranges through it.
struct SendablePointer<Pointee>: @unchecked Sendable {
  let base: UnsafeMutablePointer<Pointee>
  init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
}

/// A read-only raw pointer that may cross threads.
struct SendableConstPointer<Pointee>: @unchecked Sendable {
  let base: UnsafePointer<Pointee>
  init(_ base: UnsafePointer<Pointee>) { self.base = base }
}

/// Runs `body(i)` for `i` in `0..<count`, on up to ``EngineThreads/count`` threads.
///
/// Runs inline when `count <= 1` or one thread is configured. `body` must only write memory that no
/// other iteration touches.
@inline(__always)
func parallelForEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
  if count <= 1 || EngineThreads.count == 1 {
    for i in 0..<count { body(i) }
  } else {
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
  }
}

/// Splits `0..<total` into at most `parts` contiguous chunks whose sizes are multiples of `granule`
/// (except the last).
func chunkRanges(_ total: Int, parts: Int, granule: Int = 1) -> [Range<Int>] {
  guard total > 0 else { return [] }
  let parts = max(1, min(parts, (total + granule - 1) / granule))
  let perPart = ((total + parts - 1) / parts + granule - 1) / granule * granule
  return stride(from: 0, to: total, by: perPart).map { $0..<min($0 + perPart, total) }
}
