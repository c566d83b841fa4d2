import ContinualData
import ContinualEngine

/// How many classes each task has and where each task's classes sit in the network's outputs.
///
/// Task `t` owns output columns `offset(t)..<offset(t) + classCounts[t]` whenever outputs are laid out
/// task after task (task- and class-incremental learning).
public struct TaskLayout: Sendable, Equatable {
  /// The number of classes of each task, in order.
  public var classCounts: [Int]

  /// Creates a layout.
  public init(classCounts: [Int]) { self.classCounts = classCounts }

  /// The number of tasks.
  public var taskCount: Int { classCounts.count }
  /// The number of classes over all tasks.
  public var totalClasses: Int { classCounts.reduce(0, +) }
  /// The first output column of task `t`.
  public func offset(_ task: Int) -> Int { classCounts.prefix(task).reduce(0, +) }
  /// The output columns of task `t`.
  public func columns(_ task: Int) -> Range<Int> { offset(task)..<offset(task) + classCounts[task] }
}

/// Maps a network's outputs to a task's loss and predictions.
///
/// A head decides which output columns a sample is scored over: one shared set for every task
/// (domain-incremental), one slice per task (task-incremental, the task id given), or every class
/// seen so far (class-incremental). Labels reaching a head are always **local** to their task
/// (`0..<classCounts[task]`); the head maps them to output columns.
///
/// A head that scores every sample over all outputs (one softmax over every task's classes, seen
/// or not), tested in `Tests/ContinualCoreTests/DocSnippetTests.swift`:
///
/// ```swift
/// struct AllOutputsHead: Head {
///   var layout: TaskLayout
///   var outputCount: Int { layout.totalClasses }
///   func loss(logits: Variable, for batch: Batch) throws -> Variable {
///     try crossEntropy(logits: logits, labels: zip(batch.labels, batch.tasks).map { $0 + layout.offset($1) })
///   }
///   func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
///     logits.argmaxAlongLastAxis().map { $0 - layout.offset(task) }
///   }
///   func columns(forTask task: Int, currentTask: Int) -> Range<Int> { 0..<outputCount }
///   func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }
/// }
/// ```
public protocol Head: Sendable {
  /// The number of outputs the network must produce.
  var outputCount: Int { get }

  /// The task loss of a training batch (samples may come from several tasks, see ``Batch/tasks``).
  ///
  /// - Parameters:
  ///   - logits: The network's `[batch, outputCount]` outputs.
  ///   - batch: The batch, with local labels and each sample's task.
  /// - Returns: A scalar variable.
  /// - Throws: `TensorError` when shapes or labels do not fit.
  func loss(logits: Variable, for batch: Batch) throws -> Variable

  /// The predicted local labels for evaluation samples from `task`.
  ///
  /// - Parameters:
  ///   - logits: The network's `[batch, outputCount]` outputs.
  ///   - task: The task the samples come from (used only where the scenario gives the task id).
  ///   - trainedThrough: The last task trained so far (class-incremental heads score all classes seen).
  /// - Returns: One local label per sample; a prediction outside the task's classes is any value
  ///   outside `0..<classCounts[task]`.
  func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int]

  /// The output columns a sample of `task` is scored over while training `currentTask` (the softmax's
  /// support). Importance estimators that need the model's predictive distribution (the expected
  /// Fisher) read it here.
  ///
  /// - Parameters:
  ///   - task: The sample's task.
  ///   - currentTask: The task being trained.
  /// - Returns: A range of output columns.
  func columns(forTask task: Int, currentTask: Int) -> Range<Int>

  /// The output column of local label `label` of `task`.
  ///
  /// - Parameters:
  ///   - label: A local label of the task.
  ///   - task: The task.
  /// - Returns: The column that represents it.
  func column(ofLabel label: Int, task: Int) -> Int

  /// Whether predictions are made with the task id given (task-incremental learning). The trainer
  /// then tells task-conditioned layers which task an evaluation sample comes from
  /// (`Model.task`); otherwise they must infer it.
  var usesTaskIdentity: Bool { get }

  /// The predicted local labels of evaluation inputs from `task`.
  ///
  /// The default runs `model` and reads its outputs with
  /// ``predictions(logits:task:trainedThrough:)``. A head that classifies by something other than
  /// the outputs replaces it (iCaRL's nearest mean of exemplars reads the penultimate features).
  ///
  /// - Parameters:
  ///   - inputs: A batch of evaluation inputs.
  ///   - model: The model, told the task only where ``usesTaskIdentity`` says the scenario gives it.
  ///   - task: The task the samples come from.
  ///   - trainedThrough: The last task trained so far.
  /// - Returns: One local label per sample, as ``predictions(logits:task:trainedThrough:)``.
  /// - Throws: `TensorError` when the model does not fit the inputs.
  func predictions(inputs: Tensor, model: Model, task: Int, trainedThrough: Int) throws -> [Int]

  /// The head to evaluate with after a task: the default is the head itself. A head whose
  /// predictions depend on statistics of the trained model and the replay memory computes them
  /// here, once per evaluation (iCaRL's class means of the exemplars' features).
  ///
  /// - Parameter evaluation: The model after the task, the tasks and the replay memory.
  /// - Returns: A head with those statistics.
  /// - Throws: `TensorError` when the model does not fit the data.
  func prepared(for evaluation: EvaluationContext) throws -> any Head
}

/// What a head may read before an evaluation (``Head/prepared(for:)``): the model after the last
/// trained task, the task sequence and the run's replay memory.
public struct EvaluationContext: Sendable {
  /// The model after training task ``trainedThrough``.
  public var model: Model
  /// The tasks, whose training data the memory's exemplars refer to.
  public var sequence: TaskSequence
  /// The run's replay memory after the task, `nil` when the run keeps none.
  public var memory: ReplayMemory?
  /// The last task trained (0 for the untrained model's evaluation, before any task).
  public var trainedThrough: Int

  /// Creates a context.
  ///
  /// - Parameters:
  ///   - model: The model after the task.
  ///   - sequence: The tasks.
  ///   - memory: The replay memory, if any.
  ///   - trainedThrough: The last task trained.
  public init(model: Model, sequence: TaskSequence, memory: ReplayMemory?, trainedThrough: Int) {
    self.model = model
    self.sequence = sequence
    self.memory = memory
    self.trainedThrough = trainedThrough
  }
}

// MARK: - Default implementations

extension Head {
  /// No task id at prediction by default.
  public var usesTaskIdentity: Bool { false }

  /// The model's outputs read by ``predictions(logits:task:trainedThrough:)``.
  public func predictions(inputs: Tensor, model: Model, task: Int, trainedThrough: Int) throws -> [Int] {
    predictions(logits: try model.predict(inputs), task: task, trainedThrough: trainedThrough)
  }

  /// The head itself: nothing to prepare.
  public func prepared(for evaluation: EvaluationContext) throws -> any Head { self }
}
