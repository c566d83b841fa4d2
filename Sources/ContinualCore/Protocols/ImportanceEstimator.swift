import ContinualEngine

/// Estimates how much each parameter (or each hidden unit) matters to a finished task.
///
/// An estimator may watch the training trajectory (SI integrates gradient × step along it) and/or
/// look at the finished task's data (EWC's Fisher information, MAS's output sensitivity). A
/// ``QuadraticPenalty`` turns its importances into `λ Σ Ω (θ − θ*)²`; EWC, SI and MAS differ only in
/// their estimator.
///
/// Most estimators are parameter-level: they return one tensor per parameter, named and shaped like
/// the model's parameters. Unit-level estimators (SLNID's neuron importance) instead return one
/// `[units]` tensor per hidden layer they measure, named by that layer's index in
/// `Sequential.layers` (`"2"`); such results feed an activation regulariser, not a
/// ``QuadraticPenalty``, which checks that importances are named like the parameters.
///
/// ```swift
/// /// Every parameter equally important (plain L2 towards the previous optimum).
/// struct Uniform: ImportanceEstimator {
///   var name: String { "uniform" }
///   mutating func importance(after context: TaskContext) throws -> NamedTensors {
///     context.model.parameters.mapTensors { Tensor(shape: $0.shape, repeating: 1) }
///   }
/// }
/// ```
public protocol ImportanceEstimator: Sendable {
  /// A short name, such as `fisher`.
  var name: String { get }

  /// Whether ``stepDidFinish(_:)`` needs the task-loss gradient alone.
  var needsTaskGradients: Bool { get }

  /// Whether ``stepDidFinish(_:)`` should be called after each optimiser step.
  var observesSteps: Bool { get }

  /// Called before training a task.
  ///
  /// - Throws: Any error that should stop the run.
  mutating func taskWillStart(_ context: TaskContext) throws

  /// Called after every optimiser step when ``observesSteps`` is `true`.
  ///
  /// - Throws: Any error that should stop the run.
  mutating func stepDidFinish(_ step: StepObservation) throws

  /// This task's importance of every parameter (non-negative for the built-in estimators), named and
  /// shaped like the model's parameters; or, for a unit-level estimator, of every unit of the layers
  /// it measures, one `[units]` tensor per layer named by the layer's index.
  ///
  /// - Parameter context: The finished task, its data and the trained model.
  /// - Returns: One importance tensor per parameter (per measured layer for unit-level estimators).
  /// - Throws: Any error that should stop the run.
  mutating func importance(after context: TaskContext) throws -> NamedTensors
}

// MARK: - Default implementations

extension ImportanceEstimator {
  /// No task-loss gradients by default.
  public var needsTaskGradients: Bool { false }
  /// Steps are not observed by default.
  public var observesSteps: Bool { false }
  /// Does nothing by default.
  public mutating func taskWillStart(_ context: TaskContext) throws {}
  /// Does nothing by default.
  public mutating func stepDidFinish(_ step: StepObservation) throws {}
}
