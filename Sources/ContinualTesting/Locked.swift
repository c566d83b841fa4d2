import Foundation

/// A value that test threads and `@Sendable` closures share, guarded by a lock.
///
/// ```swift
/// let seen = Locked<[String]>([])
/// Thread { seen.withLock { $0.append("worker") } }.start()
/// ```
public final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  /// Wraps `value`.
  ///
  /// - Parameter value: The initial value.
  public init(_ value: Value) { self.value = value }

  /// Runs `body` on the value while holding the lock.
  ///
  /// - Parameter body: Reads or changes the value.
  /// - Returns: What `body` returns.
  public func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }
}
