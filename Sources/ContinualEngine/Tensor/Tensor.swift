/// An n-dimensional array of `Float` values with value semantics.
///
/// A tensor is a shape (a list of dimension sizes, row-major) and a contiguous buffer of
/// `shape.product` elements. Copies share the buffer until one of them is mutated
/// (copy-on-write), so passing tensors around is cheap.
///
/// ```swift
/// var a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let b = a            // shares storage
/// a[0, 0] = 10         // `a` copies its buffer first; `b` still reads 1
/// print(try a.matmul(b.transposed()))
/// ```
///
/// Tensors carry no gradient information: to differentiate, record operations on a ``Tape`` as
/// ``Variable``s.
public struct Tensor: @unchecked Sendable {
  /// The size of each dimension, outermost first. A scalar has shape `[]`.
  public private(set) var shape: [Int]
  var storage: TensorStorage

  /// Wraps an existing storage; `storage.count` must equal the product of `shape`.
  init(shape: [Int], storage: TensorStorage) {
    precondition(
      storage.count == shape.reduce(1, *),
      "storage holds \(storage.count) elements, shape \(shape) needs \(shape.reduce(1, *))")
    self.shape = shape
    self.storage = storage
  }

  /// Creates a tensor whose elements are left uninitialised, to be filled by a kernel.
  init(uninitializedShape shape: [Int]) {
    self.shape = shape
    self.storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
  }

  /// Creates a tensor of the given shape with every element set to `value`.
  ///
  /// - Parameters:
  ///   - shape: The dimension sizes; each must be non-negative.
  ///   - value: The value of every element.
  public init(shape: [Int], repeating value: Float) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    self.shape = shape
    self.storage = TensorStorage(count: shape.reduce(1, *), repeating: value)
  }

  /// Creates a tensor whose elements are written by `body`, without zero-filling first.
  ///
  /// `body` must set every element.
  ///
  /// ```swift
  /// let squares = Tensor(shape: [4]) { buffer in for i in buffer.indices { buffer[i] = Float(i * i) } }
  /// ```
  public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    self.init(uninitializedShape: shape)
    try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
  }

  /// Creates a tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

  /// Creates a tensor of ones.
  public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

  /// Creates a tensor from its elements in row-major order.
  ///
  /// - Parameters:
  ///   - shape: The dimension sizes.
  ///   - scalars: Exactly `shape.reduce(1, *)` elements.
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` when the counts differ.
  public init(shape: [Int], scalars: [Float]) throws {
    let count = shape.reduce(1, *)
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw TensorError.invalidArgument(
        operation: "Tensor(shape:scalars:)", reason: "shape \(shape) has a negative dimension")
    }
    guard scalars.count == count else {
      throw TensorError.invalidArgument(
        operation: "Tensor(shape:scalars:)",
        reason: "shape \(shape) holds \(count) elements but \(scalars.count) were given")
    }
    self.init(uninitializedShape: shape)
    scalars.withUnsafeBufferPointer { storage.base.initialize(from: $0.baseAddress!, count: count) }
  }

  /// Creates a rank-0 (scalar) tensor.
  public init(_ value: Float) {
    self.init(shape: [], repeating: value)
  }

  /// Creates a rank-1 tensor from its elements.
  public init(_ scalars: [Float]) {
    self.init(uninitializedShape: [scalars.count])
    scalars.withUnsafeBufferPointer { storage.base.initialize(from: $0.baseAddress!, count: scalars.count) }
  }

  /// Creates a rank-2 tensor from rows of equal length.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` when the rows differ in length.
  public init(rows: [[Float]]) throws {
    let width = rows.first?.count ?? 0
    guard rows.allSatisfy({ $0.count == width }) else {
      throw TensorError.invalidArgument(
        operation: "Tensor(rows:)", reason: "rows have different lengths \(rows.map(\.count))")
    }
    try self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
  }

  /// The number of elements.
  public var count: Int { storage.count }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The elements in row-major order.
  public var scalars: [Float] {
    Array(UnsafeBufferPointer(start: storage.base, count: count))
  }

  /// The single element of a tensor with one element (any shape).
  public var scalar: Float {
    precondition(count == 1, "scalar: tensor of shape \(shape) has \(count) elements, not 1")
    return storage.base[0]
  }

  /// Calls `body` with a read-only view of the elements.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: storage.base, count: count))
  }

  /// Calls `body` with a writable view of the elements, copying the buffer first if it is shared.
  public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R)
    rethrows -> R
  {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    return try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
  }

  /// The row-major offset of a multi-dimensional index.
  func offset(of index: [Int]) -> Int {
    precondition(index.count == rank, "index \(index) has \(index.count) components, tensor rank is \(rank)")
    var offset = 0
    for (i, (component, size)) in zip(index, shape).enumerated() {
      precondition(
        component >= 0 && component < size, "index \(index) is out of bounds for shape \(shape) at dimension \(i)")
      offset = offset * size + component
    }
    return offset
  }

  /// Reads or writes one element by its multi-dimensional index.
  public subscript(_ index: Int...) -> Float {
    get { storage.base[offset(of: index)] }
    set {
      let position = offset(of: index)
      withUnsafeMutableBufferPointer { $0[position] = newValue }
    }
  }

  /// The same elements viewed with another shape of equal element count (no copy).
  ///
  /// One dimension may be `-1`; it is inferred from the others.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the counts differ.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    let resolved = try Tensor.resolve(newShape, count: count, operation: "reshape", from: shape)
    return Tensor(shape: resolved, storage: storage)
  }

  /// Resolves a `-1` dimension and checks the element count.
  static func resolve(_ newShape: [Int], count: Int, operation: String, from shape: [Int]) throws -> [Int] {
    let inferred = newShape.indices.filter { newShape[$0] == -1 }
    guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
      throw TensorError.invalidArgument(operation: operation, reason: "invalid target shape \(newShape)")
    }
    var resolved = newShape
    if let position = inferred.first {
      let known = newShape.filter { $0 != -1 }.reduce(1, *)
      guard known > 0, count % known == 0 else {
        throw TensorError.shapeMismatch(
          operation: operation, shapes: [shape, newShape], reason: "cannot infer the -1 dimension")
      }
      resolved[position] = count / known
    }
    guard resolved.reduce(1, *) == count else {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [shape, newShape],
        reason: "element counts differ (\(count) vs \(resolved.reduce(1, *)))")
    }
    return resolved
  }
}

extension Tensor: Equatable {
  /// Two tensors are equal when their shapes and all elements are equal.
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    guard lhs.shape == rhs.shape else { return false }
    if lhs.storage === rhs.storage { return true }
    for i in 0..<lhs.count where lhs.storage.base[i] != rhs.storage.base[i] { return false }
    return true
  }
}

extension Tensor: CustomStringConvertible {
  /// The shape and (for small tensors) the elements.
  public var description: String {
    let shown = scalars.prefix(32).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(shown)\(count > 32 ? ", …" : "")])"
  }
}

extension Tensor {
  /// Whether every element is finite (neither NaN nor infinite).
  public var isFinite: Bool {
    withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0.isFinite } }
  }

  /// Whether two tensors have the same shape and elements within a tolerance.
  ///
  /// Elements `a` and `b` match when `|a − b| ≤ absoluteTolerance + relativeTolerance · max(|a|, |b|)`.
  public func isApproximatelyEqual(to other: Tensor, absoluteTolerance: Float = 1e-6, relativeTolerance: Float = 1e-5)
    -> Bool
  {
    guard shape == other.shape else { return false }
    for i in 0..<count {
      let a = storage.base[i], b = other.storage.base[i]
      if !(Swift.abs(a - b) <= absoluteTolerance + relativeTolerance * Swift.max(Swift.abs(a), Swift.abs(b))) {
        return false
      }
    }
    return true
  }
}
