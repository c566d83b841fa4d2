import Foundation

/// The four broadcasting binary operations.
enum BinaryOperation {
  case add, subtract, multiply, divide

  var name: String {
    switch self {
    case .add: "add"
    case .subtract: "subtract"
    case .multiply: "multiply"
    case .divide: "divide"
    }
  }
}

extension Tensor {
  /// The shape two operands broadcast to, following NumPy's rules (trailing dimensions must be equal
  /// or 1).
  ///
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when they do not broadcast.
  public static func broadcastShape(_ a: [Int], _ b: [Int], operation: String = "broadcast") throws -> [Int] {
    let rank = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      guard da == db || da == 1 || db == 1 else {
        throw TensorError.shapeMismatch(
          operation: operation, shapes: [a, b], reason: "shapes do not broadcast (dimension \(i): \(da) vs \(db))")
      }
      result[i] = da == 1 ? db : da
    }
    return result
  }

  /// Applies a binary operation with broadcasting.
  func broadcasting(_ other: Tensor, _ op: BinaryOperation) throws -> Tensor {
    let outShape = try Tensor.broadcastShape(shape, other.shape, operation: op.name)
    let out = Tensor(uninitializedShape: outShape)
    let a = storage.base, b = other.storage.base, o = out.storage.base
    if shape == other.shape {
      Tensor.binaryLoop(op, a, 1, b, 1, o, count)
      return out
    }
    // General case: iterate over all but the last output dimension; the last is a strided run.
    let rank = outShape.count
    func strides(_ s: [Int]) -> [Int] {
      let padded = [Int](repeating: 1, count: rank - s.count) + s
      var result = [Int](repeating: 0, count: rank)
      var step = 1
      for i in stride(from: rank - 1, through: 0, by: -1) {
        result[i] = padded[i] == 1 ? 0 : step
        step *= padded[i]
      }
      return result
    }
    let sa = strides(shape), sb = strides(other.shape)
    guard rank > 0 else {
      Tensor.binaryLoop(op, a, 1, b, 1, o, 1)
      return out
    }
    let inner = outShape[rank - 1]
    let outer = out.count / Swift.max(inner, 1)
    var index = [Int](repeating: 0, count: rank)
    var offsetA = 0, offsetB = 0
    for row in 0..<outer {
      Tensor.binaryLoop(op, a + offsetA, sa[rank - 1], b + offsetB, sb[rank - 1], o + row * inner, inner)
      // Advance the odometer over dimensions 0..<rank-1.
      var d = rank - 2
      while d >= 0 {
        index[d] += 1
        offsetA += sa[d]
        offsetB += sb[d]
        if index[d] < outShape[d] { break }
        offsetA -= sa[d] * index[d]
        offsetB -= sb[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return out
  }

  /// `out[i] = a[i·strideA] op b[i·strideB]` with strides 0 or 1.
  @inline(__always)
  static func binaryLoop(
    _ op: BinaryOperation, _ a: UnsafePointer<Float>, _ strideA: Int, _ b: UnsafePointer<Float>, _ strideB: Int,
    _ o: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    switch op {
    case .add: stridedLoop(a, strideA, b, strideB, o, n) { $0 + $1 }
    case .subtract: stridedLoop(a, strideA, b, strideB, o, n) { $0 - $1 }
    case .multiply: stridedLoop(a, strideA, b, strideB, o, n) { $0 * $1 }
    case .divide: stridedLoop(a, strideA, b, strideB, o, n) { $0 / $1 }
    }
  }

  @inline(__always)
  static func stridedLoop(
    _ a: UnsafePointer<Float>, _ strideA: Int, _ b: UnsafePointer<Float>, _ strideB: Int,
    _ o: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float
  ) {
    switch (strideA, strideB) {
    case (1, 1): for i in 0..<n { o[i] = f(a[i], b[i]) }
    case (1, 0):
      let y = b[0]
      for i in 0..<n { o[i] = f(a[i], y) }
    case (0, 1):
      let x = a[0]
      for i in 0..<n { o[i] = f(x, b[i]) }
    default:
      let x = a[0], y = b[0]
      let v = f(x, y)
      for i in 0..<n { o[i] = v }
    }
  }

  /// Applies `transform` to every element.
  @inline(__always)
  public func map(_ transform: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    let a = storage.base, o = out.storage.base
    for i in 0..<count { o[i] = transform(a[i]) }
    return out
  }

  /// Combines two tensors of the same shape element by element.
  @inline(__always)
  func zipMap(_ other: Tensor, _ transform: (Float, Float) -> Float) -> Tensor {
    precondition(shape == other.shape, "zipMap: shapes \(shape) and \(other.shape) differ")
    let out = Tensor(uninitializedShape: shape)
    let a = storage.base, b = other.storage.base, o = out.storage.base
    for i in 0..<count { o[i] = transform(a[i], b[i]) }
    return out
  }

  /// Element-wise sum with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.broadcasting(rhs, .add) }
  /// Element-wise difference with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.broadcasting(rhs, .subtract) }
  /// Element-wise product with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.broadcasting(rhs, .multiply) }
  /// Element-wise quotient with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.broadcasting(rhs, .divide) }

  /// Every element multiplied by a scalar.
  public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }
  /// Every element multiplied by a scalar.
  public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs * $0 } }
  /// Every element plus a scalar.
  public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 + rhs } }
  /// Every element minus a scalar.
  public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 - rhs } }
  /// Every element negated.
  public static prefix func - (operand: Tensor) -> Tensor { operand.map { -$0 } }

  /// Adds `scale · other` to this tensor in place (the BLAS `axpy`); shapes must match.
  ///
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes differ.
  public mutating func add(_ other: Tensor, scaledBy scale: Float = 1) throws {
    guard shape == other.shape else {
      throw TensorError.shapeMismatch(
        operation: "add(_:scaledBy:)", shapes: [shape, other.shape], reason: "shapes differ")
    }
    let b = other.storage.base
    withUnsafeMutableBufferPointer { a in
      for i in 0..<a.count { a[i] += scale * b[i] }
    }
  }

  /// The element-wise maximum with zero.
  public func relu() -> Tensor { map { Swift.max($0, 0) } }
  /// The element-wise exponential.
  public func exp() -> Tensor { map { Foundation.exp($0) } }
  /// The element-wise natural logarithm.
  public func log() -> Tensor { map { Foundation.log($0) } }
  /// The element-wise hyperbolic tangent.
  public func tanh() -> Tensor { map { Foundation.tanh($0) } }
  /// The element-wise logistic sigmoid `1 / (1 + e^(−x))`.
  public func sigmoid() -> Tensor { map { 1 / (1 + Foundation.exp(-$0)) } }
  /// The element-wise absolute value.
  public func abs() -> Tensor { map { Swift.abs($0) } }
  /// The element-wise square root.
  public func squareRoot() -> Tensor { map { $0.squareRoot() } }
  /// The element-wise square.
  public func squared() -> Tensor { map { $0 * $0 } }
  /// The element-wise sign: −1, 0 or 1.
  public func sign() -> Tensor { map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }
  /// The exponential linear unit: `x` for `x > 0`, `alpha · (e^x − 1)` otherwise.
  public func elu(alpha: Float = 1) -> Tensor { map { $0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1) } }
  /// Every element clamped to `range`.
  public func clamped(to range: ClosedRange<Float>) -> Tensor {
    map { Swift.min(Swift.max($0, range.lowerBound), range.upperBound) }
  }
}
