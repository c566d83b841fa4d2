import ContinualCore
import ContinualData
import ContinualEngine

/// A tiny, deterministic continual-learning problem for tests: a few tasks of Gaussian blobs in a
/// low-dimensional space, a small network and a head.
///
/// Every class of every task is a blob around its own random centre, so each task is learnable in a
/// few steps and tasks interfere through the shared layers. Everything is derived from `seed`.
///
/// ```swift
/// let problem = try ToyProblem(seed: 1)
/// let result = try ContinualTrainer(configuration: problem.configuration)
///   .run(problem.sequence, architecture: problem.architecture, plan: TrainingPlan(head: problem.head), seed: 1)
/// ```
public struct ToyProblem: Sendable {
  /// The tasks.
  public var sequence: TaskSequence
  /// The network: `features → hidden → tanh → head.outputCount`.
  public var architecture: Sequential
  /// The head that scores the outputs.
  public var head: any Head
  /// A short configuration that trains each task for a few steps of plain SGD.
  public var configuration: TrainingConfiguration
  /// The replay memory the trainer-driven checks run with (`TrainingPlan/replay`); `nil`, no
  /// memory, by default. Regularisers that draw replayed samples (DER, A-GEM) need one.
  public var replay: ReplayConfiguration?

  /// The layout of classes over tasks.
  public var layout: TaskLayout { TaskLayout(classCounts: sequence.classesPerTask) }

  /// Creates the problem.
  ///
  /// - Parameters:
  ///   - tasks: The number of tasks.
  ///   - classesPerTask: Classes in each task.
  ///   - features: The input dimension.
  ///   - hidden: Units in the hidden layer.
  ///   - trainPerTask: Training samples per task.
  ///   - testPerTask: Test samples per task.
  ///   - spread: The standard deviation of each blob around its centre.
  ///   - head: Which head to use; a `MultiHead` over the tasks when `nil`.
  ///   - seed: Seeds the centres and the samples.
  /// - Throws: `DatasetError` when the arguments describe an empty problem.
  public init(
    tasks: Int = 2, classesPerTask: Int = 2, features: Int = 4, hidden: Int = 6, trainPerTask: Int = 16,
    testPerTask: Int = 8,
    spread: Float = 0.3, head: (any Head)? = nil, seed: UInt64 = 1
  ) throws {
    sequence = try Self.blobs(
      tasks: tasks, classesPerTask: classesPerTask, features: features, trainPerTask: trainPerTask,
      testPerTask: testPerTask,
      spread: spread, seed: seed)
    let head = head ?? MultiHead(layout: TaskLayout(classCounts: [Int](repeating: classesPerTask, count: tasks)))
    architecture = Sequential([Linear(features, hidden), Tanh(), Linear(hidden, head.outputCount)])
    self.head = head
    configuration = TrainingConfiguration(
      length: .iterations(6), batchSize: 8, optimiser: .sgd(learningRate: 0.1), evaluationBatchSize: 64,
      progressInterval: 2)
  }

  /// A sequence of tasks of Gaussian blobs with flat `[features]` samples.
  ///
  /// Class `c` of task `t` is centred at a random point of `[−1, 1]^features`; samples alternate
  /// between the classes (`label = i mod classesPerTask`), so every class is present.
  ///
  /// - Parameters:
  ///   - tasks: The number of tasks.
  ///   - classesPerTask: Classes in each task.
  ///   - features: The input dimension.
  ///   - trainPerTask: Training samples per task.
  ///   - testPerTask: Test samples per task.
  ///   - spread: The standard deviation of each blob.
  ///   - seed: Seeds the centres and the samples.
  /// - Returns: The sequence; task `t`'s source classes are `t·classesPerTask ..< (t+1)·classesPerTask`.
  /// - Throws: `DatasetError` when the arguments describe an empty problem.
  public static func blobs(
    tasks: Int, classesPerTask: Int, features: Int, trainPerTask: Int, testPerTask: Int, spread: Float = 0.3,
    seed: UInt64 = 1
  ) throws -> TaskSequence {
    var rng = SeededGenerator(seed: seed)
    let names = (0..<classesPerTask).map { "class \($0)" }
    let built = try (0..<tasks).map { t in
      let centres = (0..<classesPerTask).map { _ in (0..<features).map { _ in 2 * rng.nextUniform() - 1 } }
      func sample(_ count: Int) throws -> LabelledImages {
        let labels = (0..<count).map { $0 % classesPerTask }
        let values = labels.flatMap { label in centres[label].map { $0 + spread * rng.nextNormal() } }
        return try LabelledImages(
          inputs: Tensor(shape: [count, features], scalars: values), labels: labels, classNames: names)
      }
      return try ContinualTask(
        index: t, name: "blobs \(t)", train: sample(trainPerTask), test: sample(testPerTask),
        sourceClasses: Array(t * classesPerTask..<(t + 1) * classesPerTask))
    }
    return try TaskSequence(name: "blobs", tasks: built)
  }
}
