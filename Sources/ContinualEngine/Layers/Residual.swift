/// A residual connection: `body(x) + shortcut(x)`, with an empty `shortcut` meaning the identity.
///
/// A ResNet is data: a basic block is a `Residual` followed by a `ReLU`.
///
/// ```swift
/// let block = Residual(
///   body: Sequential([Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, bias: false), BatchNorm(32), ReLU(),
///                     Conv2d(32, 32, kernelSize: 3, padding: 1, bias: false), BatchNorm(32)]),
///   shortcut: Sequential([Conv2d(16, 32, kernelSize: 1, stride: 2, bias: false), BatchNorm(32)]))
/// block.parameterSpecs.first!.name   // "body.0.weight"
/// ```
public struct Residual: Layer {
  /// The transformation whose output is added to the shortcut's.
  public var body: Sequential
  /// The path the input takes around the body; empty for the identity.
  public var shortcut: Sequential

  /// Creates a residual connection around `body`.
  public init(body: Sequential, shortcut: Sequential = Sequential([])) {
    self.body = body
    self.shortcut = shortcut
  }

  /// The body's parameters as `body.…`, then the shortcut's as `shortcut.…`.
  public var parameterSpecs: [ParameterSpec] {
    Self.prefixed(body.parameterSpecs, "body") + Self.prefixed(shortcut.parameterSpecs, "shortcut")
  }

  /// The body's state as `body.…`, then the shortcut's as `shortcut.…`.
  public var stateSpecs: [StateSpec] {
    body.stateSpecs.map { StateSpec(name: "body.\($0.name)", shape: $0.shape, initialValue: $0.initialValue) }
      + shortcut.stateSpecs.map {
        StateSpec(name: "shortcut.\($0.name)", shape: $0.shape, initialValue: $0.initialValue)
      }
  }

  /// The body's output shape, which the shortcut's must equal.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    let main = try body.outputShape(forInput: shape), around = try shortcut.outputShape(forInput: shape)
    guard main == around else {
      throw TensorError.shapeMismatch(
        operation: "Residual", shapes: [main, around],
        reason: "the body and the shortcut must give the same shape (add a projection shortcut)")
    }
    return main
  }

  /// `body(x) + shortcut(x)`.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    let split = weights.startIndex + body.parameterSpecs.count
    let stateBase = context.stateOffset
    defer { context.stateOffset = stateBase }
    let main = try body(input, weights: weights[..<split], context: &context)
    context.stateOffset = stateBase + body.stateSpecs.count
    let around = try shortcut(input, weights: weights[split...], context: &context)
    return try main + around
  }

  /// `Residual(body: …, shortcut: …)`, nested.
  public var description: String {
    "Residual(body: \(body.layers.map(\.description).joined(separator: " → "))"
      + (shortcut.layers.isEmpty
        ? ")" : ", shortcut: \(shortcut.layers.map(\.description).joined(separator: " → ")))")
  }

  private static func prefixed(_ specs: [ParameterSpec], _ prefix: String) -> [ParameterSpec] {
    specs.map { ParameterSpec(name: "\(prefix).\($0.name)", shape: $0.shape, initialiser: $0.initialiser) }
  }
}
