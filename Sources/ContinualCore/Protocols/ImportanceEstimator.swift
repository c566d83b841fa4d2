import ContinualEngine

/// Estimates how much each parameter matters to a finished task.
///
/// An estimator may watch the training trajectory (SI integrates gradient × step along it) and/or
/// look at the finished task's data (EWC's Fisher information, MAS's output sensitivity). A
/// ``QuadraticPenalty`` turns its importances into `λ Σ Ω (θ − θ*)²`; EWC, SI and MAS differ only in
/// their estimator.
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
  /// shaped like the model's parameters.
  ///
  /// - Parameter context: The finished task, its data and the trained model.
  /// - Returns: One importance tensor per parameter.
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
