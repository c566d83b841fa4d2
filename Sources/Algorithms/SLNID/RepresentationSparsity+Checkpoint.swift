import ContinualCore
import ContinualEngine

/// The accumulated unit importances α in a checkpoint (the weight matrices are rebuilt from them by
/// `taskWillStart`).
extension RepresentationSparsity: Checkpointable {
  /// `tasks` (how many tasks α holds) and α per layer under `importance/<layer>`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: ["tasks": [Double(importanceTaskCount)]])
    if let importance { state.store(importance, under: "importance") }
    return state
  }

  /// Restores α, checking that each tensor is a non-negative `[units]` vector of a layer this
  /// regulariser acts on in `model`.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when it does not fit.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    let tasks = try state.integer("tasks", in: 0...1_000_000, component: name)
    let chosen = Set(try layers.resolve(in: model.architecture).map(String.init))
    var restored = NamedTensors()
    for (full, tensor) in zip(state.tensors.names, state.tensors.tensors) {
      let layer = full.hasPrefix("importance/") ? String(full.dropFirst("importance/".count)) : ""
      guard chosen.contains(layer), tensor.shape.count == 1, tensor.isFinite, tensor.scalars.allSatisfy({ $0 >= 0 })
      else {
        throw CheckpointError.invalidState(
          component: name, reason: "'\(full)' \(tensor.shape) is not a non-negative importance of a regularised layer")
      }
      restored[layer] = tensor
    }
    guard (tasks == 0) == (restored.count == 0) else {
      throw CheckpointError.invalidState(
        component: name, reason: "importances of \(tasks) tasks, but \(restored.count) tensors")
    }
    importance = restored.count == 0 ? nil : restored
    importanceTaskCount = tasks
  }
}
