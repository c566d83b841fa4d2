/// An ordered list of named tensors: a model's parameters, their gradients, importances or anchors.
///
/// Names follow PyTorch's `state_dict` convention (`0.weight`, `0.bias`, `2.weight`, …), so a
/// ``Model`` saved with ``SafeTensors`` loads into the equivalent `nn.Sequential` and back.
///
/// ```swift
/// var importance = NamedTensors.zeros(like: model.parameters)
/// importance["0.weight"] = Tensor.ones([400, 784])
/// ```
public struct NamedTensors: Sendable, Equatable, CustomStringConvertible {
  /// The names, in order; unique.
  public private(set) var names: [String]
  /// The tensors, in the same order as ``names``.
  public var tensors: [Tensor]
  private var positions: [String: Int]

  /// Creates a collection from names and tensors of equal count.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` when counts differ or a name repeats.
  public init(names: [String], tensors: [Tensor]) throws {
    guard names.count == tensors.count else {
      throw TensorError.invalidArgument(
        operation: "NamedTensors", reason: "\(names.count) names for \(tensors.count) tensors")
    }
    var positions: [String: Int] = [:]
    for (i, name) in names.enumerated() {
      guard positions[name] == nil else {
        throw TensorError.invalidArgument(operation: "NamedTensors", reason: "the name '\(name)' appears twice")
      }
      positions[name] = i
    }
    self.names = names
    self.tensors = tensors
    self.positions = positions
  }

  /// An empty collection.
  public init() {
    names = []
    tensors = []
    positions = [:]
  }

  /// Zeros shaped like every tensor of `other`, with the same names.
  public static func zeros(like other: NamedTensors) -> NamedTensors {
    other.mapTensors { Tensor(shape: $0.shape, repeating: 0) }
  }

  /// The number of tensors.
  public var count: Int { tensors.count }

  /// The total number of elements over all tensors.
  public var elementCount: Int { tensors.reduce(0) { $0 + $1.count } }

  /// The tensor with this name, or `nil`. Setting a new name appends it; setting `nil` is not
  /// supported (the collection's names are stable).
  public subscript(name: String) -> Tensor? {
    get { positions[name].map { tensors[$0] } }
    set {
      guard let newValue else { preconditionFailure("NamedTensors: removing '\(name)' is not supported") }
      if let i = positions[name] {
        tensors[i] = newValue
      } else {
        positions[name] = names.count
        names.append(name)
        tensors.append(newValue)
      }
    }
  }

  /// The position of a name, or `nil`.
  public func index(of name: String) -> Int? { positions[name] }

  /// Applies `transform` to every tensor, keeping the names.
  public func mapTensors(_ transform: (Tensor) throws -> Tensor) rethrows -> NamedTensors {
    var copy = self
    copy.tensors = try tensors.map(transform)
    return copy
  }

  /// Combines this collection with another that has the same names in the same order.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` when the names differ, or whatever
  ///   `transform` throws.
  public func zipTensors(_ other: NamedTensors, _ transform: (Tensor, Tensor) throws -> Tensor) throws -> NamedTensors {
    try requireSameNames(other, operation: "zipTensors")
    var copy = self
    copy.tensors = try zip(tensors, other.tensors).map(transform)
    return copy
  }

  /// Checks that `other` has the same names, in order, and tensors of the same shapes.
  ///
  /// - Throws: ``TensorError`` naming the first difference.
  public func requireSameNames(_ other: NamedTensors, operation: String) throws {
    guard names == other.names else {
      let missing = Set(names).symmetricDifference(other.names).sorted().prefix(5)
      throw TensorError.invalidArgument(
        operation: operation,
        reason:
          "parameter names differ (\(missing.isEmpty ? "order differs" : "e.g. \(missing.joined(separator: ", "))"))")
    }
    for (name, (a, b)) in zip(names, zip(tensors, other.tensors)) where a.shape != b.shape {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [a.shape, b.shape], reason: "'\(name)' has different shapes")
    }
  }

  /// Element-wise sum of two collections with the same names and shapes.
  /// - Throws: ``TensorError`` when names or shapes differ.
  public static func + (lhs: NamedTensors, rhs: NamedTensors) throws -> NamedTensors { try lhs.zipTensors(rhs, +) }
  /// Element-wise difference of two collections with the same names and shapes.
  /// - Throws: ``TensorError`` when names or shapes differ.
  public static func - (lhs: NamedTensors, rhs: NamedTensors) throws -> NamedTensors { try lhs.zipTensors(rhs, -) }
  /// Element-wise product of two collections with the same names and shapes.
  /// - Throws: ``TensorError`` when names or shapes differ.
  public static func * (lhs: NamedTensors, rhs: NamedTensors) throws -> NamedTensors { try lhs.zipTensors(rhs, *) }
  /// Every element scaled.
  public static func * (lhs: NamedTensors, rhs: Float) -> NamedTensors { lhs.mapTensors { $0 * rhs } }

  /// Whether every element of every tensor is finite.
  public var isFinite: Bool { tensors.allSatisfy(\.isFinite) }

  /// Names and shapes.
  public var description: String {
    "NamedTensors(" + zip(names, tensors).map { "\($0): \($1.shape)" }.joined(separator: ", ") + ")"
  }

  /// Equal when names and tensors are equal.
  public static func == (lhs: NamedTensors, rhs: NamedTensors) -> Bool {
    lhs.names == rhs.names && lhs.tensors == rhs.tensors
  }
}
