import ContinualCore
import ContinualEngine

/// The penalty of ``__NAME__``: `(λ/2) Σ_t Σ_i (θ_i − θ*_{t,i})²`,
/// where `θ*_t` are the weights at the end of finished task `t`.
///
/// Replace ``penalty(_:)`` and ``taskDidFinish(_:)`` with your own; the other ``Regulariser`` hooks
/// (`taskWillStart`, `stepDidFinish`, `gradientsDidCompute`) have no-op defaults you can implement.
///
/// ```swift
/// let plan = TrainingPlan(head: head, regularisers: [__NAME__Penalty(strength: 1)])
/// ```
public struct __NAME__Penalty: Regulariser {
  /// The name the trainer reports the penalty under.
  public var name: String
  /// λ, the penalty strength.
  public var strength: Float
  /// The weights at the end of each finished task, in task order.
  public internal(set) var anchors: [NamedTensors] = []

  /// Creates the penalty with no anchors.
  ///
  /// - Parameters:
  ///   - name: The name of its loss term.
  ///   - strength: λ.
  public init(name: String = "__name__", strength: Float) {
    self.name = name
    self.strength = strength
  }

  /// Remembers the weights the task ended with.
  ///
  /// - Parameter context: The finished task.
  /// - Throws: Nothing in the scaffold; a hook that runs the model throws its ``TensorError``.
  public mutating func taskDidFinish(_ context: TaskContext) throws {
    anchors.append(context.model.parameters)
  }

  /// `(λ/2) Σ_t Σ_i (θ_i − θ*_{t,i})²`, or `nil` before the first task has finished.
  ///
  /// - Parameter step: The current step; its pass holds the weights being trained.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: ``TensorError`` when an anchor does not fit the weights.
  /// - Complexity: O(*t* · *p*) for *t* finished tasks and *p* weights.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard !anchors.isEmpty else { return nil }
    var total: Variable?
    for anchor in anchors {
      for (k, weight) in step.pass.weights.enumerated() {
        let ones = Tensor(shape: weight.shape, repeating: 1)
        let term = try weight.weightedSquaredDistance(to: anchor.tensors[k], weights: ones)
        total = try total.map { try $0 + term } ?? term
      }
    }
    return total.map { $0 * (strength / 2) }
  }
}

/// The anchors in a checkpoint, so a run resumed at a task boundary equals an uninterrupted one.
/// Save everything your regulariser carries from one task to the next.
extension __NAME__Penalty: Checkpointable {
  /// `count`, then each anchor under `anchor.<t>/<parameter>`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: ["count": [Double(anchors.count)]])
    for (t, anchor) in anchors.enumerated() { state.store(anchor, under: "anchor.\(t)") }
    return state
  }

  /// Restores the anchors, each checked against the model's parameter names and shapes.
  ///
  /// - Throws: `CheckpointError` when a tensor is missing or misshapen.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    let count = try state.integer("count", in: 0...1_000_000, component: name)
    anchors = try (0..<count).map { t in
      try state.tensors(under: "anchor.\(t)", like: model.parameters, component: name)
    }
  }
}
