import ContinualData
import ContinualEngine

/// What an algorithm sees at a task boundary: the task, its data, the model and the head.
public struct TaskContext: Sendable {
  /// The task's position in the sequence.
  public var task: Int
  /// The task's data (labels local to the task).
  public var data: LabelledImages
  /// The model as it is now (after training, in ``Regulariser/taskDidFinish(_:)``).
  public var model: Model
  /// The head that scores the model's outputs.
  public var head: any Head
  /// The layout of classes over tasks.
  public var layout: TaskLayout
  /// A generator for the algorithm's own random choices at this boundary (sampling for a Fisher
  /// estimate, say), derived from the run's seed.
  public var rng: SeededGenerator

  /// Creates a context.
  public init(task: Int, data: LabelledImages, model: Model, head: any Head, layout: TaskLayout, rng: SeededGenerator) {
    self.task = task
    self.data = data
    self.model = model
    self.head = head
    self.layout = layout
    self.rng = rng
  }

  /// The task's data in batches of at most `size` samples, in order (no shuffling).
  ///
  /// - Parameters:
  ///   - size: The largest batch.
  ///   - limit: Use only the first `limit` samples when given.
  /// - Returns: Batches whose samples all belong to this task. The collection is lazy: each batch's
  ///   inputs are made from the task's stored pixels when it is read, so iterating holds one batch
  ///   of floats at a time.
  public func batches(ofSize size: Int, limit: Int? = nil) -> LazyMapCollection<Range<Int>, Batch> {
    let n = min(data.count, limit ?? data.count), size = max(size, 1)
    let (data, task) = (data, task)
    return (0..<((n + size - 1) / size)).lazy.map { b in
      let indices = Array((b * size)..<min(b * size + size, n))
      return Batch(
        inputs: try! data.inputs(at: indices), labels: indices.map { data.labels[$0] },
        tasks: [Int](repeating: task, count: indices.count), currentTask: task)
    }
  }
}

/// What a regulariser sees when asked for its penalty: the step's tape, forward pass and batch.
public struct StepContext {
  /// The tape the forward pass was recorded on.
  public var tape: Tape
  /// The forward pass: weights as variables, every layer's output, the final output.
  public var pass: Model.Pass
  /// The batch.
  public var batch: Batch
  /// The task being trained.
  public var task: Int
  /// The iteration within the task (from 0).
  public var iteration: Int
  /// The gradient of the task loss alone, named like the parameters, computed before any penalty
  /// when some regulariser asks for it (``Regulariser/needsTaskGradients``); `nil` otherwise.
  public var taskGradients: NamedTensors?
  /// A lookahead hook: the change the optimiser's next step would apply to the parameters along a
  /// given gradient, computed without taking the step or touching the optimiser's state (see
  /// `Optimiser.proposedChange(for:along:)`). HNet evaluates its output regulariser at
  /// `θ + proposedChange(taskGradients)`. The trainer supplies it; `nil` in contexts built without
  /// an optimiser.
  public var proposedChange: ((NamedTensors) throws -> NamedTensors)?
  /// The replay memory, for regularisers that draw replayed samples themselves
  /// (``Regulariser/drawsReplay``); `nil` when the run keeps no memory or no regulariser draws.
  public var replay: ReplaySource?
  /// The head that scores the outputs, to score replayed samples (A-GEM's reference loss);
  /// `nil` in contexts built without one.
  public var head: (any Head)?
  /// Runs the network on other inputs with the step's weights, recorded on the step's tape.
  public var network: ((Tensor) throws -> Variable)?

  /// Creates a step context (the trainer makes one per step; tests and custom loops may too).
  ///
  /// - Parameters:
  ///   - tape: The tape the forward pass was recorded on.
  ///   - pass: The forward pass.
  ///   - batch: The batch.
  ///   - task: The task being trained.
  ///   - iteration: The iteration within the task.
  ///   - taskGradients: The task loss's gradient, when computed before the penalties.
  ///   - proposedChange: The optimiser's would-be change along a gradient (a lookahead hook).
  ///   - replay: The replay memory, for regularisers that draw from it.
  ///   - head: The head that scores the outputs.
  ///   - network: Runs the network with the step's weights on other inputs, on `tape`
  ///     (see ``outputs(for:)``).
  public init(
    tape: Tape, pass: Model.Pass, batch: Batch, task: Int, iteration: Int, taskGradients: NamedTensors? = nil,
    proposedChange: ((NamedTensors) throws -> NamedTensors)? = nil, replay: ReplaySource? = nil,
    head: (any Head)? = nil,
    network: ((Tensor) throws -> Variable)? = nil
  ) {
    self.tape = tape
    self.pass = pass
    self.batch = batch
    self.task = task
    self.iteration = iteration
    self.taskGradients = taskGradients
    self.proposedChange = proposedChange
    self.replay = replay
    self.head = head
    self.network = network
  }

  /// The network's outputs for other inputs (replayed samples), computed with the step's weights
  /// (``pass``'s variables) on the step's tape, so gradients of anything built from them reach the
  /// parameters. The network runs in evaluation mode: no dropout, BatchNorm's running statistics.
  ///
  /// - Parameter inputs: A batch of samples, `[count, …sample shape]`.
  /// - Returns: The `[count, outputs]` outputs.
  /// - Throws: ``TrainingError/invalidConfiguration(_:)`` when the context was built without a
  ///   ``network``; `TensorError` when the inputs do not fit.
  public func outputs(for inputs: Tensor) throws -> Variable {
    guard let network else {
      throw TrainingError.invalidConfiguration("this step context cannot run the network on other inputs")
    }
    return try network(inputs)
  }

  /// The gradient of the head's loss on `batch` at the step's weights, named like the parameters:
  /// a reference gradient on replayed data (A-GEM, GEM-like projections).
  ///
  /// ```swift
  /// guard let replayed = step.replay?.draw(256) else { return }
  /// let reference = try step.gradients(ofHeadLossOn: replayed.batch)
  /// ```
  ///
  /// - Parameter batch: The samples, with their own tasks and local labels.
  /// - Returns: `∇_θ head.loss(f_θ(batch.inputs), batch)`.
  /// - Throws: ``TrainingError/invalidConfiguration(_:)`` without a ``head`` or ``network``;
  ///   `TensorError` when the batch does not fit.
  public func gradients(ofHeadLossOn batch: Batch) throws -> NamedTensors {
    guard let head else {
      throw TrainingError.invalidConfiguration("this step context has no head to score replayed samples")
    }
    return try pass.gradients(of: head.loss(logits: outputs(for: batch.inputs), for: batch))
  }
}

extension StepContext {
  /// A closure that runs `architecture` with the weights of `pass` on other inputs, recorded on
  /// `tape`, in evaluation mode, for ``network``.
  ///
  /// - Parameters:
  ///   - architecture: The network.
  ///   - pass: The step's forward pass (its weights are reused).
  ///   - tape: The step's tape.
  ///   - state: The model's state (BatchNorm's running statistics).
  ///   - task: The task task-conditioned layers serve.
  /// - Returns: The closure.
  public static func network(
    _ architecture: Sequential, pass: Model.Pass, tape: Tape, state: NamedTensors, task: Int?
  ) -> (Tensor) throws -> Variable {
    let weights = pass.weights
    return { inputs in
      var context = ForwardContext(training: false, task: task, learnedTasks: task.map { $0 + 1 })
      context.state = state.tensors
      return try architecture.trace(tape.constant(inputs), weights: weights[...], context: &context).output
    }
  }
}

/// What happened in one optimiser step, for algorithms that watch the trajectory (SI).
public struct StepObservation: Sendable {
  /// The task being trained.
  public var task: Int
  /// The iteration within the task (from 0).
  public var iteration: Int
  /// The parameters after the step.
  public var parameters: NamedTensors
  /// The change the optimiser applied, `θ_after − θ_before`.
  public var change: NamedTensors
  /// The gradient of the total objective (task loss plus every regulariser).
  public var totalGradients: NamedTensors
  /// The gradient of the task loss alone, when some component asked for it.
  public var taskGradients: NamedTensors?

  /// Creates an observation (the trainer makes one per step; tests and custom loops may too).
  public init(
    task: Int, iteration: Int, parameters: NamedTensors, change: NamedTensors, totalGradients: NamedTensors,
    taskGradients: NamedTensors?
  ) {
    self.task = task
    self.iteration = iteration
    self.parameters = parameters
    self.change = change
    self.totalGradients = totalGradients
    self.taskGradients = taskGradients
  }
}
