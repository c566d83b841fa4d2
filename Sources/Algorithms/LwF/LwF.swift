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
  /// The frozen model of the last finished task, `nil` before the first task ends.
  public internal(set) var teacher: Model?
  /// The layout of classes over tasks, recorded with the teacher.
  public internal(set) var layout: TaskLayout?
  /// How many tasks the teacher was trained on.
  public internal(set) var teacherTasks = 0
  /// Whether each earlier task is distilled over its own columns (task-incremental heads).
  public internal(set) var perTask = false

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
    guard let layout, previousTasks > 0 else { return [] }
    let tasks = min(previousTasks, layout.taskCount)
    if outputCount != layout.totalClasses { return [0..<outputCount] }
    if perTask { return (0..<tasks).map(layout.columns).filter { !$0.isEmpty } }
    return layout.offset(tasks) > 0 ? [0..<layout.offset(tasks)] : []
  }

  /// The distillation penalty of the step's batch against the frozen model, or `nil` before a
  /// teacher exists, while training the task it was frozen after, or when `λ = 0`.
  ///
  /// - Parameter step: The step; the frozen model runs on `step.batch.inputs`.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: `TensorError` when the teacher does not fit the batch.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard let teacher, strength != 0 else { return nil }
    let student = step.pass.output
    guard student.shape.count == 2 else {
      throw TensorError.rankMismatch(
        operation: "OutputDistillation.penalty", expected: "[batch, outputs]", shape: student.shape)
    }
    let groups = groups(previousTasks: min(teacherTasks, step.task), outputCount: student.shape[1])
    guard !groups.isEmpty else { return nil }
    let target = step.tape.constant(try teacher.predict(step.batch.inputs))
    let terms = try groups.map { columns in
      try klDivergence(
        target: target.slice(alongAxis: 1, range: columns), input: student.slice(alongAxis: 1, range: columns),
        temperature: temperature)
    }
    return try terms.sum().map { $0 * strength }
  }

  /// Freezes a copy of the trained model and remembers the layout and whether the head uses the
  /// task identity.
  ///
  /// - Parameter context: The finished task and the model after it.
  public mutating func taskDidFinish(_ context: TaskContext) {
    (teacher, layout, teacherTasks, perTask) = (
      context.model, context.layout, context.task + 1, context.head.usesTaskIdentity
    )
  }
}

/// The frozen model in a checkpoint: its parameters, the number of tasks it learned, the layout and
/// the grouping.
extension OutputDistillation: Checkpointable {
  /// `teacher_tasks`, `layout`, `per_task` and the teacher's parameters under `teacher/`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: [
      "teacher_tasks": [Double(teacherTasks)], "layout": (layout?.classCounts ?? []).map(Double.init),
      "per_task": [perTask ? 1 : 0],
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
    let grouping = try state.integer("per_task", in: 0...1, component: name)
    guard tasks == 0 ? classCounts.isEmpty && state.tensors.count == 0 : tasks <= classCounts.count else {
      throw CheckpointError.invalidState(
        component: name, reason: "a teacher of \(tasks) tasks with a layout of \(classCounts.count) tasks")
    }
    guard tasks > 0 else {
      (teacher, layout, teacherTasks, perTask) = (nil, nil, 0, false)
      return
    }
    var restored = model
    restored.parameters = try state.tensors(under: "teacher", like: model.parameters, component: name)
    guard state.tensors.count == model.parameters.count else {
      throw CheckpointError.invalidState(
        component: name, reason: "it holds tensors other than the teacher's parameters")
    }
    (restored.task, restored.learnedTasks) = (tasks - 1, tasks)
    (teacher, layout, teacherTasks, perTask) = (restored, TaskLayout(classCounts: classCounts), tasks, grouping == 1)
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
