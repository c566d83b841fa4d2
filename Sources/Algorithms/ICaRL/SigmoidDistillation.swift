import ContinualCore
import ContinualEngine

/// iCaRL's distillation (Rebuffi et al. 2017): the outputs of the earlier tasks' classes are trained
/// towards the previous model's sigmoid outputs instead of the labels.
///
/// iCaRL's loss while training task `t` on a batch of `B` samples (current ones and replayed
/// exemplars), with `C` classes seen so far of which the first `P` belong to earlier tasks, `z` the
/// network's logits, `ẑ` those of the model frozen after task `t − 1` and `q = σ(ẑ)`, is
///
/// ```
/// L_iCaRL = (1 / (B·C)) Σ_i [ Σ_{c < P} BCE(z_ic, q_ic) + Σ_{P ≤ c < C} BCE(z_ic, δ_{c = y_i}) ]
/// ```
///
/// (Mammoth's `binary_cross_entropy_with_logits` on `cat(sigmoid(old logits)[:, :pc], onehot[:, pc:ac])`).
/// ``NearestMeanHead``'s loss is the same with one-hot targets on every column; since
/// `BCE(z, q) − BCE(z, y) = (y − q)·z` is linear in `z`, this term is the difference,
///
/// ```
/// D = (1 / (B·C)) Σ_i Σ_{c < P} (δ_{c = y_i} − q_ic) · (z_ic − ẑ_ic)
/// ```
///
/// measured from the frozen model (the `ẑ` part is constant in the weights), so head loss plus `D`
/// is `L_iCaRL` up to a constant, with the same gradient, `σ(z) − q`, on the old columns; `D` is zero
/// when the model equals its copy, and it may be negative.
///
/// ```swift
/// var distillation = SigmoidDistillation()
/// try distillation.taskDidFinish(context)     // freezes the model of the task
/// let penalty = try distillation.penalty(step)
/// ```
///
/// - Complexity: One extra forward pass of the frozen model per step.
public struct SigmoidDistillation: Regulariser {
  /// The frozen model of the last finished task, with the layout it was frozen with.
  public internal(set) var frozen = FrozenTeacher()
  /// The frozen model of the last finished task, `nil` before the first task ends.
  public var teacher: Model? { frozen.model }
  /// The layout of classes over tasks, recorded with the teacher.
  public var layout: TaskLayout? { frozen.layout }
  /// How many tasks the teacher was trained on.
  public var teacherTasks: Int { frozen.tasks }

  /// Creates the regulariser.
  public init() {}

  /// `icarl`.
  public var name: String { "icarl" }

  /// The term `D` of the step's batch against the frozen model, or `nil` before a teacher exists or
  /// while no earlier task's classes are active.
  ///
  /// - Parameter step: The step; the frozen model runs on `step.batch.inputs`.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: `TensorError` when the teacher does not fit the batch or the outputs do not fit the
  ///   layout.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard let teacher, let layout else { return nil }
    let student = step.pass.output
    guard student.shape.count == 2, student.shape[1] == layout.totalClasses else {
      throw TensorError.shapeMismatch(
        operation: "SigmoidDistillation.penalty", shapes: [student.shape],
        reason: "the outputs need one column per class of every task (\(layout.totalClasses))")
    }
    let batch = step.batch
    let old = layout.offset(min(teacherTasks, batch.currentTask, layout.taskCount))
    guard old > 0 else { return nil }
    let active = layout.columns(batch.currentTask).upperBound
    let oldLogits = try teacher.predict(batch.inputs).slice(alongAxis: 1, range: 0..<old)
    var weights = oldLogits.sigmoid().scalars.map { -$0 }  // δ_{c = y} − q
    for (row, (label, task)) in zip(batch.labels, batch.tasks).enumerated() {
      let column = layout.offset(task) + label
      if column < old { weights[row * old + column] += 1 }
    }
    let z = try student.slice(alongAxis: 1, range: 0..<old)
    let shift = try z - step.tape.constant(oldLogits)
    let weighted = try shift * step.tape.constant(Tensor(shape: [batch.count, old], scalars: weights))
    return weighted.sum() * (1 / Float(max(batch.count * active, 1)))
  }

  /// Freezes a copy of the trained model and remembers the layout.
  ///
  /// - Parameter context: The finished task and the model after it.
  public mutating func taskDidFinish(_ context: TaskContext) { frozen.freeze(after: context) }
}

/// The frozen model in a checkpoint: its parameters, the number of tasks it learned and the layout.
extension SigmoidDistillation: Checkpointable {
  /// `teacher_tasks`, `layout` and the teacher's parameters under `teacher/`.
  public func checkpointState() throws -> CheckpointState { frozen.checkpointState }

  /// Restores the teacher as a copy of `model`'s network with the saved parameters.
  ///
  /// - Throws: `CheckpointError.invalidState` when the parameters do not fit the network or the
  ///   counts disagree.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    try frozen.restore(from: state, model: model, component: name)
  }
}
