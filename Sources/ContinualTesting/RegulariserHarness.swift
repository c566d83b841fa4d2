import ContinualCore
import ContinualData
import ContinualEngine

/// Drives a regulariser through the same lifecycle as `ContinualTrainer` — task start, training
/// steps on the task loss plus its penalty, task end — while keeping the regulariser inspectable.
///
/// Each step trains on the task's whole training set with plain SGD, so a run is deterministic and
/// needs no sampling. The harness records every hook call, so the same trajectory can be replayed
/// into a fresh regulariser (see `replay(into:)`).
///
/// ```swift
/// var harness = try RegulariserHarness(regulariser: ewc, problem: ToyProblem())
/// try harness.train(task: 0)
/// let atAnchor = try harness.penalty(at: harness.model.parameters, task: 1)   // 0 for EWC
/// ```
public struct RegulariserHarness {
  /// A hook call, in the order the harness made it.
  public enum Event {
    /// `Regulariser/taskWillStart(_:)` with this context.
    case taskWillStart(TaskContext)
    /// `Regulariser/stepDidFinish(_:)` with this observation.
    case stepDidFinish(StepObservation)
    /// `Regulariser/taskDidFinish(_:)` with this context.
    case taskDidFinish(TaskContext)
  }

  /// The regulariser under test.
  public var regulariser: any Regulariser
  /// The problem the tasks come from.
  public var problem: ToyProblem
  /// The model as trained so far.
  public var model: Model
  /// Full-batch SGD steps per task.
  public var stepsPerTask: Int
  /// The SGD step size.
  public var learningRate: Float
  /// Every hook call made so far.
  public private(set) var events: [Event] = []
  private var rng: SeededGenerator

  /// Creates a harness with a freshly initialised model.
  ///
  /// - Parameters:
  ///   - regulariser: The regulariser under test.
  ///   - problem: The tasks, network and head.
  ///   - stepsPerTask: Full-batch SGD steps per task.
  ///   - learningRate: The SGD step size.
  ///   - seed: Seeds the initial weights and the contexts' generators.
  public init(
    regulariser: any Regulariser, problem: ToyProblem, stepsPerTask: Int = 5, learningRate: Float = 0.1,
    seed: UInt64 = 1
  ) {
    self.regulariser = regulariser
    self.problem = problem
    self.stepsPerTask = stepsPerTask
    self.learningRate = learningRate
    rng = SeededGenerator(seed: seed)
    model = Model(problem.architecture, rng: &rng)
  }

  /// The context the trainer would pass at a boundary of `task` with the current model.
  ///
  /// - Parameter task: The task.
  /// - Returns: The task's training data, the model, the head and a generator derived from the seed.
  public mutating func context(task: Int) -> TaskContext {
    TaskContext(
      task: task, data: problem.sequence.tasks[task].train, model: Self.conditioned(model, task: task),
      head: problem.head,
      layout: problem.layout, rng: rng.split())
  }

  /// The whole training set of `task` as one batch.
  ///
  /// - Parameter task: The task.
  /// - Returns: A batch of every training sample of the task.
  public func batch(task: Int) -> Batch {
    let data = problem.sequence.tasks[task].train
    return Batch(
      inputs: data.inputs, labels: data.labels, tasks: [Int](repeating: task, count: data.count), currentTask: task)
  }

  /// Trains `task` as the trainer would: `taskWillStart`, ``stepsPerTask`` steps of SGD on the head
  /// loss plus the penalty (each followed by `stepDidFinish` when the regulariser observes steps),
  /// then `taskDidFinish`.
  ///
  /// - Parameter task: The task to train.
  /// - Throws: Whatever the regulariser or the engine throws.
  public mutating func train(task: Int) throws {
    try begin(task: task)
    try steps(task: task, count: stepsPerTask)
    try finish(task: task)
  }

  /// Calls `taskWillStart` with the current model.
  ///
  /// - Parameter task: The task about to be trained.
  /// - Throws: Whatever the regulariser throws.
  public mutating func begin(task: Int) throws {
    let start = context(task: task)
    events.append(.taskWillStart(start))
    try regulariser.taskWillStart(start)
  }

  /// Takes `count` full-batch SGD steps on `task`, telling the regulariser about each when it
  /// observes steps.
  ///
  /// - Parameters:
  ///   - task: The task being trained.
  ///   - count: The number of steps.
  /// - Throws: Whatever the regulariser or the engine throws.
  public mutating func steps(task: Int, count: Int) throws {
    var sgd = SGD(learningRate: learningRate)
    let batch = batch(task: task)
    for iteration in 0..<count {
      let tape = Tape()
      let pass = try Self.conditioned(model, task: task).forward(tape.constant(batch.inputs), on: tape)
      let loss = try problem.head.loss(logits: pass.output, for: batch)
      let penalty = try regulariser.penalty(
        StepValues.context(tape: tape, pass: pass, batch: batch, task: task, iteration: iteration))
      let taskGradients = try pass.gradients(of: loss)
      let totalGradients = try penalty.map { try taskGradients + pass.gradients(of: $0) } ?? taskGradients
      let change = try sgd.updateReportingChange(&model.parameters, along: totalGradients)
      if regulariser.observesSteps {
        let observation = StepValues.observation(
          task: task, iteration: iteration, parameters: model.parameters, change: change,
          totalGradients: totalGradients,
          taskGradients: regulariser.needsTaskGradients ? taskGradients : nil)
        events.append(.stepDidFinish(observation))
        try regulariser.stepDidFinish(observation)
      }
    }
  }

  /// Calls `taskDidFinish` with the current model.
  ///
  /// - Parameter task: The task just trained.
  /// - Throws: Whatever the regulariser throws.
  public mutating func finish(task: Int) throws {
    let end = context(task: task)
    events.append(.taskDidFinish(end))
    try regulariser.taskDidFinish(end)
  }

  /// The model with task-conditioned layers serving `task`, as the trainer conditions it.
  ///
  /// - Parameters:
  ///   - model: The model.
  ///   - task: The task being trained.
  /// - Returns: The model with `Model/task` `task` and `task + 1` learned tasks.
  public static func conditioned(_ model: Model, task: Int) -> Model { model.training(task: task) }

  /// Replays recorded hook calls into another regulariser, so it sees exactly the same trajectory.
  ///
  /// - Parameters:
  ///   - other: The regulariser to drive.
  ///   - events: The calls to replay; all of ``events`` when `nil`.
  /// - Throws: Whatever `other` throws.
  public func replay(into other: inout any Regulariser, events: [Event]? = nil) throws {
    for event in events ?? self.events {
      switch event {
      case .taskWillStart(let context): try other.taskWillStart(context)
      case .stepDidFinish(let step): try other.stepDidFinish(step)
      case .taskDidFinish(let context): try other.taskDidFinish(context)
      }
    }
  }

  /// The penalty and its gradient with respect to every parameter, at `parameters`, on `task`'s
  /// training batch.
  ///
  /// - Parameters:
  ///   - parameters: Where to evaluate, named like the model's parameters.
  ///   - task: The task being trained (the batch comes from it).
  /// - Returns: The value and gradients, or `nil` when the regulariser is inactive.
  /// - Throws: Whatever the regulariser or the engine throws.
  public func penalty(at parameters: NamedTensors, task: Int) throws -> (value: Float, gradients: NamedTensors)? {
    try Self.penalty(
      of: regulariser, architecture: problem.architecture, parameters: parameters, batch: batch(task: task), task: task)
  }

  /// The penalty of any regulariser and its gradient with respect to every parameter.
  ///
  /// - Parameters:
  ///   - regulariser: The regulariser.
  ///   - architecture: The network.
  ///   - parameters: Where to evaluate.
  ///   - batch: The batch the forward pass runs on.
  ///   - task: The task being trained.
  /// - Returns: The value and gradients, or `nil` when the regulariser is inactive.
  /// - Throws: Whatever the regulariser or the engine throws.
  public static func penalty(
    of regulariser: any Regulariser, architecture: Sequential, parameters: NamedTensors, batch: Batch, task: Int
  ) throws -> (value: Float, gradients: NamedTensors)? {
    let tape = Tape()
    let pass = try conditioned(Model(architecture, parameters: parameters), task: task).forward(
      tape.constant(batch.inputs), on: tape)
    guard let penalty = try regulariser.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: task))
    else { return nil }
    return (penalty.value.scalar, try pass.gradients(of: penalty))
  }
}
