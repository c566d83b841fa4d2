/// An error raised by a tensor operation given operands it cannot work with.
///
/// Every case names the operation and the offending shapes or values, so the message alone tells a
/// user what to fix:
///
/// ```swift
/// do { _ = try a.matmul(b) } catch { print(error) }
/// // matmul: inner dimensions differ: [2, 3] × [4, 5] (3 ≠ 4)
/// ```
public enum TensorError: Error, Equatable, CustomStringConvertible {
  /// Two operands whose shapes do not fit together.
  case shapeMismatch(operation: String, shapes: [[Int]], reason: String)
  /// An operand of the wrong rank.
  case rankMismatch(operation: String, expected: String, shape: [Int])
  /// An axis outside `0..<rank` (negative axes count from the end).
  case invalidAxis(operation: String, axis: Int, rank: Int)
  /// Any other argument out of its valid range.
  case invalidArgument(operation: String, reason: String)

  /// A human-readable explanation naming the operation and the offending shapes or values.
  public var description: String {
    switch self {
    case .shapeMismatch(let operation, let shapes, let reason):
      return "\(operation): \(reason): " + shapes.map { "\($0)" }.joined(separator: " × ")
    case .rankMismatch(let operation, let expected, let shape):
      return "\(operation): expected \(expected), got a tensor of shape \(shape) (rank \(shape.count))"
    case .invalidAxis(let operation, let axis, let rank):
      return "\(operation): axis \(axis) is out of range for a tensor of rank \(rank) (valid: \(-rank)..<\(rank))"
    case .invalidArgument(let operation, let reason):
      return "\(operation): \(reason)"
    }
  }
}
