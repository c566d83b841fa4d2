/// An update rule that moves parameters along their gradients.
///
/// Optimisers are values: copying one copies its state (momentum buffers, moment estimates), which
/// is how ``proposedChange(for:along:)`` computes a step without taking it.
///
/// ```swift
/// var adam = Adam(learningRate: 1e-3)
/// let change = try adam.updateReportingChange(&model.parameters, along: gradients)  // SI needs Δθ
/// let next = try adam.proposedChange(for: model.parameters, along: gradients)        // HNet's lookahead
/// ```
public protocol Optimiser: Sendable {
  /// The step size.
  var learningRate: Float { get set }

  /// Takes one step: updates `parameters` in place and advances the optimiser's state.
  ///
  /// - Throws: ``TensorError`` when `gradients` does not match `parameters` (names or shapes), or
  ///   the parameters do not match the state accumulated so far.
  mutating func update(_ parameters: inout NamedTensors, along gradients: NamedTensors) throws

  /// Forgets all state (momentum, moment estimates, step count), as if newly created.
  mutating func reset()

  /// The state a checkpoint needs to continue exactly: step count and per-parameter buffers.
  func savedState() -> OptimiserState

  /// Replaces this optimiser's state with a saved one (hyperparameters stay as they are).
  ///
  /// - Throws: ``TensorError`` when the buffers are not ones this optimiser writes (unknown slot,
  ///   mismatched shapes, non-finite values) or the step count is negative.
  mutating func restore(_ state: OptimiserState) throws
}

// MARK: - Default implementations

extension Optimiser {
  /// Takes one step and returns the change it applied to every parameter, `θ_after − θ_before`.
  ///
  /// The change is computed from the stored values, so it is exactly the change the parameters
  /// underwent (SI's path integral needs this, not `−lr · g`).
  /// - Throws: See ``update(_:along:)``.
  public mutating func updateReportingChange(_ parameters: inout NamedTensors, along gradients: NamedTensors) throws
    -> NamedTensors
  {
    let before = parameters
    try update(&parameters, along: gradients)
    return try parameters - before
  }

  /// The change the next ``update(_:along:)`` would apply, leaving this optimiser's state untouched.
  ///
  /// - Throws: See ``update(_:along:)``.
  public func proposedChange(for parameters: NamedTensors, along gradients: NamedTensors) throws -> NamedTensors {
    var copy = self
    var moved = parameters
    try copy.update(&moved, along: gradients)
    return try moved - parameters
  }
}

/// Per-parameter optimiser state, created lazily to match the parameters it first sees.
struct SlotState: Sendable {
  var names: [String] = []
  var shapes: [[Int]] = []
  var slots: [[Tensor]] = []

  /// Ensures `count` zero buffers per parameter exist for `parameters`, and checks names and shapes.
  mutating func prepare(for parameters: NamedTensors, gradients: NamedTensors, count: Int, operation: String) throws {
    try parameters.requireSameNames(gradients, operation: operation)
    if names.isEmpty {
      names = parameters.names
      shapes = parameters.tensors.map(\.shape)
      slots = parameters.tensors.map { t in (0..<count).map { _ in Tensor(shape: t.shape, repeating: 0) } }
      return
    }
    guard names == parameters.names, shapes == parameters.tensors.map(\.shape) else {
      throw TensorError.invalidArgument(
        operation: operation,
        reason:
          "the parameters differ from the ones this optimiser has state for; call reset() before optimising "
          + "other parameters"
      )
    }
  }
}
