import ContinualCore
import ContinualEngine

/// Knowledge distillation from a frozen copy of the model taken at the end of the previous task:
/// SS-IL's task-wise distillation (TKD) and the global distillation (GKD) it argues against.
///
/// At the end of every task the regulariser keeps a frozen copy of the model (its parameters; the
/// copy is never trained). While training task `t` it runs the frozen model on the whole batch
/// (current and replayed samples alike), without recording gradients, and compares its old-class
/// logits `z_old` with the trained model's logits `z`:
///
/// - **task-wise** (TKD, Ahn et al. ICCV 2021, [SS-IL-Official@8c32381 trainer/ssil.py:80-91]):
///   one softmax per previous task `s` over its columns `c_s..<c_{s+1}`,
///   `λ T² Σ_{s<t} KL(softmax(z_old[c_s..<c_{s+1}]/T) ‖ softmax(z[c_s..<c_{s+1}]/T))`;
/// - **global** (GKD, the distillation of iCaRL/EEIL-style methods): one softmax over every old
///   class, `λ T² KL(softmax(z_old[0..<mid]/T) ‖ softmax(z[0..<mid]/T))`.
///
/// Each KL is averaged over the batch ("batchmean", divided by `B + R`). With a single previous task
/// the two coincide. When the network's outputs are shared by every task (domain-incremental
/// learning, fewer outputs than classes in the layout) both distil all outputs at once, as LwF does.
///
/// ```swift
/// var tkd = LogitDistillation(grouping: .perTask, temperature: 2, strength: 1)
/// try tkd.taskDidFinish(context)             // freezes the model of task 0
/// let penalty = try tkd.penalty(step)         // on every batch of task 1
/// ```
///
/// - Complexity: One extra forward pass of the frozen model per step.
public struct LogitDistillation: Regulariser {
  /// How the old classes' logits are grouped into softmaxes.
  public enum Grouping: String, Sendable, CaseIterable {
    /// One softmax per previous task (SS-IL's TKD).
    case perTask = "task"
    /// One softmax over every old class (GKD).
    case global
  }

  /// How the old classes are grouped.
  public var grouping: Grouping
  /// The softmax temperature `T > 0`; the penalty is multiplied by `T²`.
  public var temperature: Float
  /// The weight `λ` (1 in SS-IL).
  public var strength: Float
  /// The frozen model of the last finished task, with the layout it was frozen with.
  public internal(set) var frozen = FrozenTeacher()
  /// The frozen model of the last finished task, or `nil` before the first task ends.
  public var teacher: Model? { frozen.model }
  /// The layout of classes over tasks, recorded with the teacher.
  public var layout: TaskLayout? { frozen.layout }
  /// The number of tasks the teacher was trained on (the last finished task plus one).
  public var teacherTasks: Int { frozen.tasks }

  /// Creates the regulariser.
  ///
  /// - Parameters:
  ///   - grouping: Per previous task (TKD) or over all old classes at once (GKD).
  ///   - temperature: The softmax temperature `T > 0` (2 in SS-IL).
  ///   - strength: The weight `λ` (1 in SS-IL).
  public init(grouping: Grouping = .perTask, temperature: Float = 2, strength: Float = 1) {
    self.grouping = grouping
    self.temperature = temperature
    self.strength = strength
  }

  /// `tkd` for task-wise, `gkd` for global distillation.
  public var name: String { grouping == .perTask ? "tkd" : "gkd" }

  /// The column ranges distilled while training a task after `previousTasks` finished tasks.
  ///
  /// - Parameters:
  ///   - previousTasks: How many tasks came before the current one (and the teacher knows).
  ///   - outputCount: The number of outputs of the network.
  /// - Returns: One range per softmax; empty when there is nothing to distil.
  public func groups(previousTasks: Int, outputCount: Int) -> [Range<Int>] {
    frozen.columns(previousTasks: previousTasks, outputCount: outputCount, perTask: grouping == .perTask)
  }

  /// The distillation penalty of the step's batch against the frozen model, or `nil` during the
  /// first task (no teacher yet) or when `λ = 0`.
  ///
  /// Only the tasks the teacher was trained on *and* that precede the step's task are distilled.
  ///
  /// - Parameter step: The step; the frozen model runs on `step.batch.inputs`.
  /// - Returns: `λ T² Σ_groups KL_batchmean`, a scalar on the step's tape.
  /// - Throws: ``TensorError`` when the teacher does not fit the batch or the outputs.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard strength != 0 else { return nil }
    return try frozen.distillation(
      step, perTask: grouping == .perTask, temperature: temperature, operation: "LogitDistillation.penalty"
    ).map { $0 * (strength * temperature * temperature) }
  }

  /// Freezes a copy of the trained model and remembers the layout.
  ///
  /// - Parameter context: The finished task and the model after it.
  public mutating func taskDidFinish(_ context: TaskContext) { frozen.freeze(after: context) }
}
