import ContinualData
import ContinualEngine

/// The optimiser a run uses, as configuration (the optimiser itself is created per run).
public enum OptimiserConfiguration: Sendable, Equatable {
  /// SGD with momentum, Nesterov and L2/L1 weight decay (see `SGD`).
  case sgd(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0, l1Decay: Float = 0)
  /// Adam (see `Adam`).
  case adam(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, weightDecay: Float = 0)

  /// A new optimiser of this configuration.
  public func makeOptimiser() -> any Optimiser {
    switch self {
    case .sgd(let lr, let momentum, let nesterov, let wd, let l1):
      SGD(learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: wd, l1Decay: l1)
    case .adam(let lr, let b1, let b2, let wd):
      Adam(learningRate: lr, beta1: b1, beta2: b2, weightDecay: wd)
    }
  }
}

/// How long each task is trained.
public enum TrainingLength: Sendable, Equatable {
  /// A number of optimiser steps per task (mini-batches drawn from reshuffled passes; a partial
  /// batch at the end of a pass is skipped).
  case iterations(Int)
  /// A number of passes over each task's data (every sample once per pass; the last batch may be
  /// smaller).
  case epochs(Int)
}

/// Which split accuracy is measured on.
public enum EvaluationSplit: String, Sendable, Codable, CaseIterable {
  /// The test split (the default, and the honest choice).
  case test
  /// The training split, as SI's split-MNIST notebook reports.
  case train
  /// The training images each task holds out for model selection (`ContinualTask.validation`).
  case validation
}

/// Which data each task trains on.
public enum DataRegime: String, Sendable, Codable, CaseIterable {
  /// Only the current task's data (continual learning).
  case sequential
  /// The union of every task seen so far (joint training, the upper bound).
  case cumulative
}

/// The protocol knobs of a continual-learning run that are not specific to an algorithm.
public struct TrainingConfiguration: Sendable, Equatable {
  /// How long each task is trained.
  public var length: TrainingLength
  /// Samples per mini-batch.
  public var batchSize: Int
  /// The optimiser.
  public var optimiser: OptimiserConfiguration
  /// Whether the optimiser's state is reset at the start of each task.
  public var resetOptimiserBetweenTasks: Bool
  /// Which split accuracies are measured on.
  public var evaluationSplit: EvaluationSplit
  /// Evaluate on at most this many samples per task (all when `nil`).
  public var evaluationLimit: Int?
  /// Samples per evaluation batch.
  public var evaluationBatchSize: Int

  /// The default ``evaluationBatchSize``: 256 images, whose activations are what an evaluation holds
  /// at once (for the zenke CNN 34 MB per layer output; at the earlier 1,000 it was 131 MB, more than
  /// a training step's whole tape). Predictions do not depend on it.
  public static let defaultEvaluationBatchSize = 256
  /// Report progress every this many iterations.
  public var progressInterval: Int
  /// Random changes to training images (crop and flip for CIFAR); evaluation is never augmented.
  /// Replayed exemplars are augmented like the current task's samples.
  public var augmentation: Augmentation
  /// How the rate changes inside each task (by default it does not).
  public var learningRateSchedule: LearningRateSchedule

  /// Creates a configuration.
  public init(
    length: TrainingLength = .iterations(500), batchSize: Int = 128,
    optimiser: OptimiserConfiguration = .adam(learningRate: 1e-3),
    resetOptimiserBetweenTasks: Bool = false, evaluationSplit: EvaluationSplit = .test, evaluationLimit: Int? = nil,
    evaluationBatchSize: Int = defaultEvaluationBatchSize, progressInterval: Int = 100,
    augmentation: Augmentation = .none, learningRateSchedule: LearningRateSchedule = .constant
  ) {
    self.augmentation = augmentation
    self.learningRateSchedule = learningRateSchedule
    self.length = length
    self.batchSize = batchSize
    self.optimiser = optimiser
    self.resetOptimiserBetweenTasks = resetOptimiserBetweenTasks
    self.evaluationSplit = evaluationSplit
    self.evaluationLimit = evaluationLimit
    self.evaluationBatchSize = evaluationBatchSize
    self.progressInterval = progressInterval
  }
}

/// What a run trains with: the head, the regularisers stacked on the task loss, the data regime,
/// replay and the learning-rate schedule over tasks.
///
/// `Objective = head loss + Σ regulariserᵢ`; each term is logged separately.
public struct TrainingPlan: Sendable {
  /// The head that scores outputs.
  public var head: any Head
  /// The regularisers, in the order they are listed.
  public var regularisers: [any Regulariser]
  /// Which data each task trains on.
  public var dataRegime: DataRegime
  /// Exemplar replay: from the second task on, every mini-batch is joined by this many samples drawn
  /// from a fixed-budget memory (`nil`: no replay).
  public var replay: ReplayConfiguration?
  /// The learning rate of task `t` is the configured one times this factor (SS-IL's `1/(t+1)`).
  public var learningRateScale: (@Sendable (Int) -> Float)?
  /// The parameters that keep their values while task `t` trains, given `t` and every parameter
  /// name (HNet: the task embeddings of other tasks). Their gradients are zeroed and their values
  /// restored after every optimiser step, so neither momentum nor weight decay can move them.
  public var frozenParameters: (@Sendable (_ task: Int, _ names: [String]) -> Set<String>)?

  /// Creates a plan.
  public init(
    head: any Head, regularisers: [any Regulariser] = [], dataRegime: DataRegime = .sequential,
    replay: ReplayConfiguration? = nil,
    learningRateScale: (@Sendable (Int) -> Float)? = nil,
    frozenParameters: (@Sendable (_ task: Int, _ names: [String]) -> Set<String>)? = nil
  ) {
    self.head = head
    self.regularisers = regularisers
    self.dataRegime = dataRegime
    self.replay = replay
    self.learningRateScale = learningRateScale
    self.frozenParameters = frozenParameters
  }
}

/// The three continual-learning scenarios of van de Ven & Tolias (2019).
public enum Scenario: String, Sendable, CaseIterable {
  /// Task-incremental: the task id is given; one head per task.
  case task
  /// Domain-incremental: one shared head, no task id.
  case domain
  /// Class-incremental: every class seen so far is active, no task id.
  case `class`
}
