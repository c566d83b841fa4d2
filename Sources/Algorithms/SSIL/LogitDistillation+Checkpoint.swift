import ContinualCore
import ContinualEngine

/// The frozen teacher in a checkpoint: its parameters, the number of tasks it learned and the
/// class layout.
extension LogitDistillation: Checkpointable {
  /// `teacher_tasks`, `layout` (classes per task) and the teacher's parameters under `teacher/`.
  public func checkpointState() throws -> CheckpointState { frozen.checkpointState }

  /// Restores the teacher as a copy of `model`'s network with the saved parameters.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the parameters do not fit
  ///   the network or the counts disagree.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    try frozen.restore(from: state, model: model, component: name)
  }
}
