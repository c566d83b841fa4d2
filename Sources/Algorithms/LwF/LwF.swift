import ContinualCore
import ContinualEngine

/// Learning without forgetting's distillation (Li and Hoiem, ECCV 2016 / TPAMI 2018): at the end
/// of every task the regulariser freezes a copy of the model; while training a later task it runs
/// the copy on the current batch and pulls the old outputs `z` of the trained model towards the
/// copy's `z_old` at temperature `T`,
///
/// ```
/// λ · Σ_groups KL(softmax(z_old[g]/T) ‖ softmax(z[g]/T))      (averaged over the batch)
/// ```
///
/// which differs from the paper's cross-entropy `−Σ softmax(z_old/T) log softmax(z/T)` by the
/// frozen copy's entropy, a constant: the gradient is the same, and the penalty is zero when the
/// model equals its copy. No `T²` factor, as in the paper and Mammoth.
///
/// The groups follow the scenario: one softmax per earlier task's head when the head uses the task
/// identity (task-incremental, the paper's multi-head setting), one over every earlier class
/// otherwise (class-incremental, as Mammoth's `lwf`), all outputs when they are shared by every
/// task (domain-incremental).
///
/// ```swift
/// var lwf = OutputDistillation(strength: 1, temperature: 2)
/// try lwf.taskDidFinish(context)     // freezes the model of the task
/// let penalty = try lwf.penalty(step)
/// ```
///
/// - Complexity: One extra forward pass of the frozen model per step.
public struct OutputDistillation: Regulariser {
  /// The weight `λ` (the paper's `λ_o`).
  public var strength: Float
  /// The temperature `T > 0`.
  public var temperature: Float
  /// The frozen model of the last finished task, with the layout it was frozen with.
  public internal(set) var frozen = FrozenTeacher()
  /// Whether each earlier task is distilled over its own columns (task-incremental heads).
  public internal(set) var perTask = false
  /// The frozen model of the last finished task, `nil` before the first task ends.
  public var teacher: Model? { frozen.model }
  /// The layout of classes over tasks, recorded with the teacher.
  public var layout: TaskLayout? { frozen.layout }
  /// How many tasks the teacher was trained on.
  public var teacherTasks: Int { frozen.tasks }

  /// Creates the regulariser.
  ///
  /// - Parameters:
  ///   - strength: The weight `λ` (1 in the paper and Mammoth).
  ///   - temperature: The temperature `T > 0` (2 in the paper and Mammoth).
  public init(strength: Float = 1, temperature: Float = 2) {
    self.strength = strength
    self.temperature = temperature
  }

  /// `lwf`.
  public var name: String { "lwf" }

  /// The output columns distilled while training a task after `previousTasks` finished ones.
  ///
  /// - Parameters:
  ///   - previousTasks: How many earlier tasks the teacher knows and the current task follows.
  ///   - outputCount: The network's number of outputs.
  /// - Returns: One range per softmax; empty when there is nothing to distil.
  public func groups(previousTasks: Int, outputCount: Int) -> [Range<Int>] {
    frozen.columns(previousTasks: previousTasks, outputCount: outputCount, perTask: perTask)
  }

  /// The distillation penalty of the step's batch against the frozen model, or `nil` before a
  /// teacher exists, while training the task it was frozen after, or when `λ = 0`.
  ///
  /// - Parameter step: The step; the frozen model runs on `step.batch.inputs`.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: `TensorError` when the teacher does not fit the batch.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard strength != 0 else { return nil }
    return try frozen.distillation(
      step, perTask: perTask, temperature: temperature, operation: "OutputDistillation.penalty"
    ).map { $0 * strength }
  }

  /// Freezes a copy of the trained model and remembers the layout and whether the head uses the
  /// task identity.
  ///
  /// - Parameter context: The finished task and the model after it.
  public mutating func taskDidFinish(_ context: TaskContext) {
    frozen.freeze(after: context)
    perTask = context.head.usesTaskIdentity
  }
}

/// The frozen model in a checkpoint: its parameters, the number of tasks it learned, the layout and
/// the grouping.
extension OutputDistillation: Checkpointable {
  /// `teacher_tasks`, `layout`, `per_task` and the teacher's parameters under `teacher/`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: ["per_task": [perTask ? 1 : 0]])
    frozen.store(in: &state)
    return state
  }

  /// Restores the teacher as a copy of `model`'s network with the saved parameters.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the parameters do not fit
  ///   the network or the counts disagree.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    let grouping = try state.integer("per_task", in: 0...1, component: name)
    try frozen.restore(from: state, model: model, component: name)
    perTask = frozen.tasks > 0 && grouping == 1
  }
}

/// Learning without forgetting (Li and Hoiem 2016): distil the previous model's outputs on the
/// current task's data (``OutputDistillation``); no memory.
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario task,class --algorithms lwf,lwf+ewc --set lwf.lambda=1
/// ```
public enum LwF: Algorithm {
  /// λ, the distillation weight.
  public static let lambda = Setting<Float>("lambda", default: 1, "distillation weight λ (0 = off)", in: 0...1e6)
  /// `T`, the temperature.
  public static let temperature = Setting<Float>(
    "temperature", default: 2, "distillation temperature T", in: 0.01...100)
  /// `lwf`: the weight and the temperature.
  public static let configuration = AlgorithmConfiguration(
    name: "lwf",
    summary: "Learning without forgetting (Li & Hoiem 2016): KL to the previous model's outputs at temperature T.",
    settings: [lambda, temperature])

  /// One distillation regulariser.
  ///
  /// - Parameter settings: Validated `lwf.*` values.
  /// - Returns: One ``OutputDistillation``.
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      OutputDistillation(strength: settings[lambda], temperature: settings[temperature])
    ])
  }
}
