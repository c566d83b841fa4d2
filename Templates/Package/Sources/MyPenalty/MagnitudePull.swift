import ContinualCore
import ContinualEngine

/// The penalty of ``MyPenalty``: `(λ/2) Σ_i Ω_i (θ_i − θ*_i)²`, where `θ*` are the weights at the end
/// of the last finished task and `Ω = Σ_t |θ*_t|` sums each weight's magnitude at the end of every
/// finished task: a weight's size stands in for its importance, and every task adds to it.
public struct MagnitudePull: Regulariser {
  /// The name the trainer reports the penalty under.
  public var name: String
  /// λ, the penalty strength.
  public var strength: Float
  /// The weights at the end of the last finished task, and the summed magnitudes `Ω`.
  public internal(set) var anchor: (weights: NamedTensors, importance: NamedTensors)?

  /// Creates the penalty before any task.
  ///
  /// - Parameters:
  ///   - name: The name of its loss term.
  ///   - strength: λ.
  public init(name: String = "my-penalty", strength: Float) {
    self.name = name
    self.strength = strength
  }

  /// Moves the anchor to the weights the task ended with and adds their magnitudes to `Ω`.
  ///
  /// - Parameter context: The finished task.
  /// - Throws: ``TensorError`` when the model's weights changed shape.
  public mutating func taskDidFinish(_ context: TaskContext) throws {
    let weights = context.model.parameters
    let magnitudes = weights.mapTensors { $0.map { Swift.abs($0) } }
    let importance = try anchor.map { try $0.importance + magnitudes } ?? magnitudes
    anchor = (weights, importance)
  }

  /// `(λ/2) Σ_i Ω_i (θ_i − θ*_i)²`, or `nil` before the first task has finished.
  ///
  /// - Parameter step: The current step; its pass holds the weights being trained.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: ``TensorError`` when the anchor does not fit the weights.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard let anchor else { return nil }
    var total: Variable?
    for (k, weight) in step.pass.weights.enumerated() {
      let term = try weight.weightedSquaredDistance(
        to: anchor.weights.tensors[k], weights: anchor.importance.tensors[k])
      total = try total.map { try $0 + term } ?? term
    }
    return total.map { $0 * (strength / 2) }
  }
}

/// The anchor and `Ω` in a checkpoint, so that a resumed run equals an uninterrupted one.
extension MagnitudePull: Checkpointable {
  /// `count` (0 or 1), then the anchor under `anchor/…` and `Ω` under `importance/…`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: ["count": [anchor == nil ? 0 : 1]])
    if let anchor {
      state.store(anchor.weights, under: "anchor")
      state.store(anchor.importance, under: "importance")
    }
    return state
  }

  /// Restores the anchor and `Ω`, checked against the model's parameter names and shapes.
  ///
  /// - Throws: `CheckpointError` when a tensor is missing or misshapen.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    guard try state.integer("count", in: 0...1, component: name) == 1 else {
      anchor = nil
      return
    }
    anchor = (
      try state.tensors(under: "anchor", like: model.parameters, component: name),
      try state.tensors(under: "importance", like: model.parameters, component: name)
    )
  }
}
