import ContinualData
import ContinualEngine

extension SavedModel {
  /// The head a saved model's description implies: the task scenario's per-task outputs, the
  /// class scenario's competing classes of the tasks seen, or the domain scenario's shared outputs.
  ///
  /// ```swift
  /// let head = try SavedModel.head(for: description)   // MultiHead for "task"
  /// ```
  ///
  /// - Parameter description: A checked description (from ``read(from:architecture:)``).
  /// - Returns: The head that turns the model's outputs into predictions as its run did.
  /// - Throws: ``Failure`` naming `head.task_outputs` when its ranges are not the standard layout
  ///   of the scenario (consecutive from output 0 for `task` and `class`; `[0, n)` with one `n` for
  ///   `domain`).
  public static func head(for description: Description) throws -> any Head {
    let outputs = description.head.taskOutputs
    guard !outputs.isEmpty, outputs.allSatisfy({ $0.count == 2 && $0[0] < $0[1] }) else {
      throw Failure(
        description: "model.json: 'head.task_outputs' is \(outputs); expected a [start, end) range per task")
    }
    let layout = TaskLayout(classCounts: outputs.map { $0[1] - $0[0] })
    switch description.head.scenario {
    case "domain":
      guard outputs.allSatisfy({ $0 == outputs[0] && $0[0] == 0 }) else {
        throw Failure(
          description: "model.json: 'head.task_outputs' is \(outputs); the domain scenario shares one range [0, n)")
      }
      return SharedHead(classCount: outputs[0][1])
    case "task", "class":
      for (t, range) in outputs.enumerated() where range[0] != layout.offset(t) {
        throw Failure(
          description:
            "model.json: 'head.task_outputs[\(t)]' is \(range); "
            + "it must start at \(layout.offset(t)), where task \(t) ends"
        )
      }
      return description.head.scenario == "task" ? MultiHead(layout: layout) : ActiveClassHead(layout: layout)
    default:
      throw Failure(
        description: "model.json: 'head.scenario' is \"\(description.head.scenario)\"; expected task, domain or class")
    }
  }

  /// The accuracy of a saved model on every task of a sequence, measured as its run measured the
  /// last row of its accuracy matrix: so a model saved by `continual compare --save-models`, loaded
  /// and evaluated on the same benchmark, scenario and seed, gives that row exactly.
  ///
  /// ```swift
  /// let (model, description) = try SavedModel.read(from: folder, architecture: network)
  /// let accuracies = try SavedModel.evaluate(model, description: description, on: sequence)
  /// print(accuracies)   // [0.97, 0.95, …], one per task
  /// ```
  ///
  /// - Parameters:
  ///   - model: The loaded model.
  ///   - description: Its description: the head comes from it.
  ///   - sequence: The tasks to measure on; they must be the tasks the description's head lays out
  ///     (as many, with as many classes each) and have its input shape.
  ///   - split: The images to measure on (test by default).
  ///   - batchSize: Images per forward pass (as training evaluates:
  ///     ``TrainingConfiguration/defaultEvaluationBatchSize``).
  ///   - limit: At most this many images per task (all when `nil`).
  /// - Returns: One accuracy in [0, 1] per task, after the model's last task.
  /// - Throws: ``Failure`` when the sequence does not fit the description (naming `input_shape` or
  ///   `head.task_outputs`); the trainer's errors when the model does not fit the data.
  /// - Complexity: One forward pass over each task's images.
  public static func evaluate(
    _ model: Model, description: Description, on sequence: TaskSequence, split: EvaluationSplit = .test,
    batchSize: Int = TrainingConfiguration.defaultEvaluationBatchSize,
    limit: Int? = nil
  ) throws -> [Double] {
    guard description.inputShape == sequence.sampleShape else {
      throw Failure(
        description:
          "model.json: 'input_shape' is \(description.inputShape); "
          + "\(sequence.name)'s images are \(sequence.sampleShape)"
      )
    }
    let widths = description.head.taskOutputs.map { $0.count == 2 ? $0[1] - $0[0] : -1 }
    guard widths == sequence.classesPerTask else {
      throw Failure(
        description: "model.json: 'head.task_outputs' gives \(widths.count) tasks of \(widths) outputs; "
          + "\(sequence.name) has \(sequence.count) tasks of \(sequence.classesPerTask) classes")
    }
    let head = try head(for: description)
    guard batchSize > 0 else { throw Failure(description: "the batch size must be positive, not \(batchSize)") }
    let trainer = ContinualTrainer(
      configuration: TrainingConfiguration(
        evaluationSplit: split, evaluationLimit: limit, evaluationBatchSize: batchSize))
    return try trainer.evaluate(model, on: sequence, head: head, trainedThrough: sequence.count - 1)
  }
}
