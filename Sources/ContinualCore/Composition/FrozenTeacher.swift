import ContinualEngine

/// A frozen copy of the model taken at the end of a task, and distillation towards its outputs:
/// the shared part of LwF, SS-IL's task-wise and global distillation, and any method of the kind.
///
/// The copy is never trained. While a later task trains, it runs on the step's batch without
/// recording gradients, and ``distillation(_:perTask:temperature:operation:)`` sums
/// `KL(softmax(z_old[g] / T) ‖ softmax(z[g] / T))` (averaged over the batch) over groups `g` of
/// output columns ( ``columns(previousTasks:outputCount:perTask:)``).
///
/// ```swift
/// var teacher = FrozenTeacher()
/// teacher.freeze(after: context)                  // at the end of a task
/// let penalty = try teacher.distillation(step, perTask: true, temperature: 2, operation: "mine")
/// ```
public struct FrozenTeacher: Sendable {
  /// The frozen model of the last finished task, `nil` before the first task ends.
  public internal(set) var model: Model?
  /// The layout of classes over tasks, recorded with the model.
  public internal(set) var layout: TaskLayout?
  /// How many tasks the frozen model was trained on.
  public internal(set) var tasks = 0

  /// No teacher yet.
  public init() {}

  /// Freezes the model of the finished task and remembers the layout.
  ///
  /// - Parameter context: The finished task and the model after it.
  public mutating func freeze(after context: TaskContext) {
    (model, layout, tasks) = (context.model, context.layout, context.task + 1)
  }

  /// The output columns distilled while training a task after `previousTasks` finished ones: one
  /// range per earlier task (`perTask`) or one over every earlier class; all outputs when they are
  /// shared by every task (fewer outputs than the layout's classes, domain-incremental learning).
  ///
  /// - Parameters:
  ///   - previousTasks: How many earlier tasks the teacher knows and the current task follows.
  ///   - outputCount: The network's number of outputs.
  ///   - perTask: One softmax per earlier task instead of one over all earlier classes.
  /// - Returns: One range per softmax; empty when there is nothing to distil.
  public func columns(previousTasks: Int, outputCount: Int, perTask: Bool) -> [Range<Int>] {
    guard let layout, previousTasks > 0 else { return [] }
    let tasks = min(previousTasks, layout.taskCount)
    if outputCount != layout.totalClasses { return [0..<outputCount] }
    if perTask { return (0..<tasks).map(layout.columns).filter { !$0.isEmpty } }
    return layout.offset(tasks) > 0 ? [0..<layout.offset(tasks)] : []
  }

  /// The sum over the column groups of the KL divergence from the frozen model's softened outputs
  /// to the step's, each averaged over the batch; `nil` before a teacher exists or when no column is
  /// distilled.
  ///
  /// - Parameters:
  ///   - step: The step; the frozen model runs on `step.batch.inputs`.
  ///   - perTask: One softmax per earlier task instead of one over all earlier classes.
  ///   - temperature: The temperature `T > 0`.
  ///   - operation: The name errors give (the regulariser's).
  /// - Returns: A scalar on the step's tape, unweighted.
  /// - Throws: `TensorError` when the outputs are not `[batch, outputs]` or the teacher does not fit
  ///   the batch.
  public func distillation(_ step: StepContext, perTask: Bool, temperature: Float, operation: String) throws
    -> Variable?
  {
    guard let model else { return nil }
    let student = step.pass.output
    guard student.shape.count == 2 else {
      throw TensorError.rankMismatch(operation: operation, expected: "[batch, outputs]", shape: student.shape)
    }
    let groups = columns(
      previousTasks: min(tasks, step.task), outputCount: student.shape[1], perTask: perTask)
    guard !groups.isEmpty else { return nil }
    // The frozen model runs on a non-recording tape: no gradient can reach it.
    let target = step.tape.constant(try model.predict(step.batch.inputs))
    return try groups.map { columns in
      try klDivergence(
        target: target.slice(alongAxis: 1, range: columns), input: student.slice(alongAxis: 1, range: columns),
        temperature: temperature)
    }.sum()
  }

  /// `teacher_tasks`, `layout` (classes per task) and the frozen parameters under `teacher/`: the
  /// whole checkpoint state of a regulariser that keeps nothing else.
  public var checkpointState: CheckpointState {
    var state = CheckpointState()
    store(in: &state)
    return state
  }

  /// Stores ``checkpointState``'s numbers and tensors into `state`, beside a regulariser's own.
  public func store(in state: inout CheckpointState) {
    state.numbers["teacher_tasks"] = [Double(tasks)]
    state.numbers["layout"] = (layout?.classCounts ?? []).map(Double.init)
    if let model { state.store(model.parameters, under: "teacher") }
  }

  /// Restores the teacher stored by ``store(in:)`` as a copy of `model`'s network with the saved
  /// parameters, as the trainer handed it over at the end of its last task.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the parameters do not fit
  ///   the network, the counts disagree or the state holds other tensors.
  public mutating func restore(from state: CheckpointState, model reference: Model, component: String) throws {
    let tasks = try state.integer("teacher_tasks", in: 0...1_000_000, component: component)
    let classCounts = try state.integers("layout", in: 0...1_000_000, component: component)
    guard tasks == 0 ? classCounts.isEmpty && state.tensors.count == 0 : tasks <= classCounts.count else {
      throw CheckpointError.invalidState(
        component: component, reason: "a teacher of \(tasks) tasks with a layout of \(classCounts.count) tasks")
    }
    guard tasks > 0 else {
      self = FrozenTeacher()
      return
    }
    var restored = reference
    restored.parameters = try state.tensors(under: "teacher", like: reference.parameters, component: component)
    guard state.tensors.count == reference.parameters.count else {
      throw CheckpointError.invalidState(
        component: component, reason: "it holds tensors other than the teacher's parameters")
    }
    (restored.task, restored.learnedTasks) = (tasks - 1, tasks)
    (model, layout, self.tasks) = (restored, TaskLayout(classCounts: classCounts), tasks)
  }
}
