import ContinualCore
import ContinualEngine

/// The anchor in a task-boundary checkpoint, so `continual compare` can resume a killed run.
extension L2ToAnchor: Checkpointable {
  /// The anchor under `anchor/<parameter>`; nothing before the first task has finished.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState()
    if let anchor { state.store(anchor, under: "anchor") }
    return state
  }

  /// Restores the anchor, checking every tensor against the model's parameters.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    anchor =
      state.tensors.count == 0 ? nil : try state.tensors(under: "anchor", like: model.parameters, component: name)
  }
}
