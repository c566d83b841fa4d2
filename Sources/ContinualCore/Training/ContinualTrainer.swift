import ContinualData
import ContinualEngine
import Dispatch

/// The outcome of training a model on a task sequence.
public struct TrainingResult: Sendable {
  /// `R[i][j]`: accuracy on task `j` after training task `i`.
  public var accuracyMatrix: [[Double]]
  /// The untrained model's accuracy on each task, `b[j]` of forward transfer, evaluated as after
  /// training the first task (a class-incremental head scores task `j` among the classes of tasks
  /// `0...j`; forward transfer is undefined in that scenario, see
  /// ``ContinualMetrics/forwardTransferIsDefined(in:)``).
  public var initialAccuracies: [Double]
  /// The mean of each objective term over each task, by task then name.
  public var lossTerms: [[String: Double]]
  /// `V[i][j]`: accuracy on task `j`'s validation set (`ContinualTask.validation`) after training
  /// task `i`; `nil` when the tasks hold out no validation data.
  public var validationMatrix: [[Double]]?
  /// The model after the last task.
  public var model: Model
  /// The confusion matrix over the head's output columns after the last task, on the evaluation
  /// split (see ``ContinualTrainer/evaluateWithConfusion(_:on:head:trainedThrough:split:)``); `nil`
  /// for task-incremental heads and heads of more than ``ContinualTrainer/maximumConfusionColumns``
  /// outputs.
  public var confusionMatrix: [[Int]]? = nil
}

/// Trains one model on a sequence of tasks, one after another, and measures the accuracy matrix.
///
/// Per task: every regulariser's ``Regulariser/taskWillStart(_:)``; the training steps (forward,
/// head loss plus every penalty, backward, ``Regulariser/gradientsDidCompute(_:step:)``, optimiser
/// step, ``Regulariser/stepDidFinish(_:)`` for those that observe steps); every regulariser's
/// ``Regulariser/taskDidFinish(_:)``; then accuracy
/// on every task. Observers receive ``TrainingEvent``s for progress display.
///
/// ```swift
/// let trainer = ContinualTrainer(configuration: TrainingConfiguration(length: .iterations(2000)))
/// let plan = TrainingPlan(head: MultiHead(layout: layout), regularisers: [ewc])
/// let result = try trainer.run(sequence, architecture: mlp, plan: plan, seed: 1)
/// ```
public struct ContinualTrainer: Sendable {
  /// The protocol knobs.
  public var configuration: TrainingConfiguration

  /// Creates a trainer.
  public init(configuration: TrainingConfiguration) { self.configuration = configuration }

  /// Trains and evaluates.
  ///
  /// - Parameters:
  ///   - sequence: The tasks, in order.
  ///   - architecture: The network; its output count must equal the head's.
  ///   - plan: The head, the regularisers and the data regime.
  ///   - seed: Seeds the initial weights, the batch order, dropout and the algorithms' sampling.
  ///   - resumed: A checkpoint of this run (same sequence, architecture, plan and seed) to
  ///     continue from; the result equals an uninterrupted run's.
  ///   - checkpoints: Where to save the run's full state after every task but the last; every
  ///     regulariser must conform to ``Checkpointable`` (see ``checkpointBlocker(_:)``). A failed
  ///     save stops the run with its error, unless the directory's
  ///     ``CheckpointDirectory/saveFailure`` says to go on without checkpoints.
  ///   - observer: Receives progress events.
  /// - Returns: The accuracy matrix, per-task loss terms and the final model.
  /// - Throws: ``TrainingError/diverged(task:iteration:term:value:)`` when the objective stops being
  ///   finite, ``TrainingError/invalidConfiguration(_:)``, ``CheckpointError`` when the checkpoint
  ///   does not fit, or errors from the regularisers.
  public func run(
    _ sequence: TaskSequence, architecture: Sequential, plan: TrainingPlan, seed: UInt64,
    resumingFrom resumed: TrainingCheckpoint? = nil, checkpoints: CheckpointDirectory? = nil,
    observer: (@Sendable (TrainingEvent) -> Void)? = nil
  ) throws -> TrainingResult {
    try check(sequence, architecture: architecture, plan: plan)
    if checkpoints != nil, let blocker = Self.checkpointBlocker(plan) {
      throw CheckpointError.unsupported(component: blocker)
    }
    var checkpoints = checkpoints
    var run = try TrainingRun(
      trainer: self, sequence: sequence, architecture: architecture, plan: plan, seed: seed, resumingFrom: resumed,
      observer: observer)
    for t in run.firstTask..<run.taskCount {
      observer?(.taskWillStart(task: t, of: run.taskCount))
      try run.startTask(t)  // optimiser reset and schedule; every regulariser's taskWillStart
      try run.trainTask(t)  // the steps, with progress
      try run.finishTask(t)  // taskDidFinish, the replay memory, evaluation
      observer?(.taskDidFinish(task: t, accuracies: run.matrix[t]))
      // A directory that may fail softly (a full disk) lets the run go on without checkpoints.
      if let directory = checkpoints, t + 1 < run.taskCount, !(try save(run.checkpoint(after: t), to: directory)) {
        checkpoints = nil
      }
    }
    return run.result
  }

  /// Checks the configuration's batch sizes and that the network's outputs fit the head.
  func check(_ sequence: TaskSequence, architecture: Sequential, plan: TrainingPlan) throws {
    let config = configuration
    guard config.batchSize > 0 else {
      throw TrainingError.invalidConfiguration("batch size must be positive, got \(config.batchSize)")
    }
    guard config.evaluationBatchSize > 0 else {
      throw TrainingError.invalidConfiguration(
        "evaluation batch size must be positive, got \(config.evaluationBatchSize)")
    }
    let outputs = try architecture.outputShape(forInput: sequence.sampleShape)
    guard outputs == [plan.head.outputCount] else {
      throw TrainingError.invalidConfiguration(
        "the network produces \(outputs) outputs but the head needs [\(plan.head.outputCount)]")
    }
  }

  /// The accuracy on every task of the sequence (test or training split, as configured).
  ///
  /// - Parameters:
  ///   - model: The model to evaluate.
  ///   - sequence: The tasks.
  ///   - head: The head that turns outputs into predictions.
  ///   - trainedThrough: The last task trained (class-incremental heads predict among classes seen).
  ///   - split: The images to measure on; the configuration's ``TrainingConfiguration/evaluationSplit`` when `nil`.
  /// - Returns: One accuracy in [0, 1] per task.
  /// - Throws: `TensorError` when the model does not fit the data; ``TrainingError/invalidConfiguration(_:)``
  ///   for the validation split of a task that holds none out.
  public func evaluate(
    _ model: Model, on sequence: TaskSequence, head: any Head, trainedThrough: Int, split: EvaluationSplit? = nil
  ) throws -> [Double] {
    try measure(model, on: sequence, head: head, trainedThrough: trainedThrough, split: split, confusion: false)
      .accuracies
  }

  /// The most output columns a confusion matrix is kept for: a record holds `columns²` counts, so
  /// 100 classes (CIFAR-100) cost about 30 KB of JSON and more are left out.
  public static let maximumConfusionColumns = 100

  /// The accuracy on every task and the confusion matrix over the head's output columns.
  ///
  /// Entry `[c][ĉ]` counts the evaluation samples whose label is output column `c` (the head's
  /// ``Head/column(ofLabel:task:)`` of the sample's local label and task) and whose prediction is
  /// column `ĉ` (the same map applied to the predicted local label), summed over every task. In the
  /// class-incremental scenario the columns are the classes of all tasks in task order, so the bias
  /// towards the newest classes shows as heavy columns on their right; in the domain-incremental
  /// scenario they are the shared classes. A prediction that maps outside the outputs (no standard
  /// head makes one) is not counted.
  ///
  /// ```swift
  /// let (accuracies, confusion) = try trainer.evaluateWithConfusion(
  ///   model, on: sequence, head: head, trainedThrough: 4)
  /// let recall = confusion.map { m in m.indices.map { Double(m[$0][$0]) / Double(m[$0].reduce(0, +)) } }
  /// ```
  ///
  /// - Parameters:
  ///   - model: The model to evaluate.
  ///   - sequence: The tasks.
  ///   - head: The head that turns outputs into predictions.
  ///   - trainedThrough: The last task trained.
  ///   - split: The images to measure on; the configuration's ``TrainingConfiguration/evaluationSplit`` when `nil`.
  /// - Returns: One accuracy per task, as ``evaluate(_:on:head:trainedThrough:split:)`` gives, and the
  ///   `[outputs][outputs]` counts; `nil` counts when the head uses the task identity (task-incremental:
  ///   each prediction is among its own task's classes, so there is no confusion across tasks to show)
  ///   or has more than ``maximumConfusionColumns`` outputs.
  /// - Throws: As ``evaluate(_:on:head:trainedThrough:split:)``.
  public func evaluateWithConfusion(
    _ model: Model, on sequence: TaskSequence, head: any Head, trainedThrough: Int, split: EvaluationSplit? = nil
  ) throws -> (accuracies: [Double], confusion: [[Int]]?) {
    try measure(model, on: sequence, head: head, trainedThrough: trainedThrough, split: split, confusion: true)
  }

  /// Accuracies and, when asked for and defined, the confusion matrix.
  func measure(
    _ model: Model, on sequence: TaskSequence, head: any Head, trainedThrough: Int, split: EvaluationSplit?,
    confusion wanted: Bool
  ) throws -> (accuracies: [Double], confusion: [[Int]]?) {
    let columns = head.outputCount
    let counting = wanted && !head.usesTaskIdentity && columns <= Self.maximumConfusionColumns
    let side = counting ? columns : 0
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: side), count: side)
    let accuracies = try sequence.tasks.enumerated().map { j, task in
      // Task-conditioned layers are told the task only where the scenario gives the task id.
      var model = model
      model.task = head.usesTaskIdentity ? j : nil
      model.learnedTasks = trainedThrough + 1
      let data: LabelledImages
      switch split ?? configuration.evaluationSplit {
      case .test: data = task.test
      case .train: data = task.train
      case .validation:
        guard let validation = task.validation else {
          throw TrainingError.invalidConfiguration("task \(j + 1) (\(task.name)) holds out no validation data")
        }
        data = validation
      }
      let n = min(data.count, configuration.evaluationLimit ?? data.count)
      var correct = 0
      for start in stride(from: 0, to: n, by: configuration.evaluationBatchSize) {
        let indices = Array(start..<min(start + configuration.evaluationBatchSize, n))
        let predictions = try head.predictions(
          inputs: data.inputs(at: indices), model: model, task: j, trainedThrough: trainedThrough)
        for (p, i) in zip(predictions, indices) {
          if p == data.labels[i] { correct += 1 }
          guard counting else { continue }
          let (truth, predicted) = (head.column(ofLabel: data.labels[i], task: j), head.column(ofLabel: p, task: j))
          if (0..<columns).contains(truth), (0..<columns).contains(predicted) { confusion[truth][predicted] += 1 }
        }
      }
      return n == 0 ? 0 : Double(correct) / Double(n)
    }
    return (accuracies, counting ? confusion : nil)
  }
}

/// Draws mini-batches from one or more tasks' training data in a seeded, reshuffled order.
struct BatchSampler {
  let sources: [Int]
  let sequence: TaskSequence
  let batchSize: Int
  let dropsPartialBatches: Bool
  var rng: SeededGenerator
  /// The augmentation of the sampled images and the generator of its draws, when it is on.
  var augmentation: (kind: Augmentation, rng: SeededGenerator)?
  var order: [(task: Int, index: Int)] = []
  var position = 0

  init(sources: [Int], sequence: TaskSequence, batchSize: Int, length: TrainingLength, rng: SeededGenerator) {
    self.sources = sources
    self.sequence = sequence
    self.batchSize = batchSize
    if case .iterations = length { dropsPartialBatches = true } else { dropsPartialBatches = false }
    self.rng = rng
  }

  mutating func reshuffle() {
    order = sources.flatMap { t in (0..<sequence.tasks[t].train.count).map { (t, $0) } }
    rng.shuffle(&order)
    position = 0
  }

  mutating func next(currentTask: Int) -> Batch {
    let total = sources.map { sequence.tasks[$0].train.count }.reduce(0, +)
    let size = min(batchSize, total)
    if order.isEmpty || position >= order.count || (dropsPartialBatches && position + size > order.count) {
      reshuffle()
    }
    let picked = order[position..<min(position + size, order.count)]
    position += picked.count
    var draws: [Augmentation.Draw]?
    if let (kind, current) = augmentation {
      var generator = current
      draws = kind.draws(count: picked.count, using: &generator)
      augmentation = (kind, generator)
    }
    return Batch.gathering(Array(picked), from: sequence, currentTask: currentTask, augmentedBy: draws)
  }
}
