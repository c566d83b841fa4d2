import ContinualEngine

/// Everything a run needs to continue after a finished task exactly as if it had not stopped: the
/// model, the optimiser's state, every regulariser's state, the replay memory, the random
/// generators, and the results so far.
///
/// The trainer saves one to its ``CheckpointDirectory`` after every task but the last (a
/// safetensors file plus a JSON manifest), and accepts one to resume from.
///
/// ```swift
/// let directory = CheckpointDirectory(url: checkpointsURL, identity: runID)
/// let result = try trainer.run(
///   sequence, architecture: mlp, plan: plan, seed: 1, resumingFrom: try directory.load(), checkpoints: directory)
/// ```
public struct TrainingCheckpoint: Sendable, Equatable {
  /// One component's saved state.
  public struct Component: Sendable, Equatable {
    /// What the state belongs to: `regulariser` or `memory`.
    public var role: String
    /// The component's name (the regulariser's ``Regulariser/name``).
    public var name: String
    /// The saved state.
    public var state: CheckpointState

    /// Creates a component entry.
    public init(role: String, name: String, state: CheckpointState) {
      self.role = role
      self.name = name
      self.state = state
    }
  }

  /// Who the checkpoint belongs to (the command-line tool uses the run's configuration hash); the
  /// trainer leaves it empty.
  public var identity: String
  /// The number of tasks trained and evaluated.
  public var completedTasks: Int
  /// The number of tasks in the run.
  public var taskCount: Int
  /// The model's parameters.
  public var parameters: NamedTensors
  /// The model's state besides its parameters (BatchNorm's running statistics); empty for most
  /// networks.
  public var modelState: NamedTensors
  /// The optimiser's state.
  public var optimiser: OptimiserState
  /// The trainer's random generators by role (`sampling`, `dropout`, `algorithm`, `replay`).
  public var generators: [String: SeededGenerator]
  /// The regularisers' states, in plan order, then the replay memory's (when the plan replays).
  public var components: [Component]
  /// `R[i][j]` for the completed tasks.
  public var accuracyMatrix: [[Double]]
  /// The untrained model's accuracy on every task.
  public var initialAccuracies: [Double]
  /// `V[i][j]`: accuracy on task `j`'s validation set after training task `i`, for the completed
  /// tasks; empty when the run holds out no validation data.
  public var validationMatrix: [[Double]] = []
  /// The mean of each objective term per completed task.
  public var lossTerms: [[String: Double]]
  /// Training seconds spent before this checkpoint, over every process that worked on the run.
  public var elapsedSeconds: Double

  /// Creates a checkpoint.
  public init(
    identity: String = "", completedTasks: Int, taskCount: Int, parameters: NamedTensors, optimiser: OptimiserState,
    generators: [String: SeededGenerator], components: [Component], accuracyMatrix: [[Double]],
    initialAccuracies: [Double],
    lossTerms: [[String: Double]], elapsedSeconds: Double, modelState: NamedTensors = NamedTensors()
  ) {
    self.modelState = modelState
    self.identity = identity
    self.completedTasks = completedTasks
    self.taskCount = taskCount
    self.parameters = parameters
    self.optimiser = optimiser
    self.generators = generators
    self.components = components
    self.accuracyMatrix = accuracyMatrix
    self.initialAccuracies = initialAccuracies
    self.lossTerms = lossTerms
    self.elapsedSeconds = elapsedSeconds
  }

  /// The generator roles every checkpoint holds.
  public static let generatorRoles = ["sampling", "dropout", "algorithm", "replay"]
}
