import ContinualCore
import ContinualEngine

/// The frozen teacher in a checkpoint: its parameters, the number of tasks it learned and the
/// class layout.
extension LogitDistillation: Checkpointable {
  /// `teacher_tasks`, `layout` (classes per task) and the teacher's parameters under `teacher/`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: [
      "teacher_tasks": [Double(teacherTasks)], "layout": (layout?.classCounts ?? []).map(Double.init),
    ])
    if let teacher { state.store(teacher.parameters, under: "teacher") }
    return state
  }

  /// Restores the teacher as a copy of `model`'s network with the saved parameters.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the parameters do not fit
  ///   the network or the counts disagree.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    let tasks = try state.integer("teacher_tasks", in: 0...1_000_000, component: name)
    let classCounts = try state.integers("layout", in: 0...1_000_000, component: name)
    guard tasks == 0 ? classCounts.isEmpty && state.tensors.count == 0 : tasks <= classCounts.count else {
      throw CheckpointError.invalidState(
        component: name, reason: "a teacher of \(tasks) tasks with a layout of \(classCounts.count) tasks")
    }
    guard tasks > 0 else {
      (teacher, layout, teacherTasks) = (nil, nil, 0)
      return
    }
    var restored = model
    restored.parameters = try state.tensors(under: "teacher", like: model.parameters, component: name)
    guard state.tensors.count == model.parameters.count else {
      throw CheckpointError.invalidState(
        component: name, reason: "it holds tensors other than the teacher's parameters")
    }
    // As the trainer handed it over at the end of task `tasks`.
    restored.task = tasks - 1
    restored.learnedTasks = tasks
    (teacher, layout, teacherTasks) = (restored, TaskLayout(classCounts: classCounts), tasks)
  }
}
