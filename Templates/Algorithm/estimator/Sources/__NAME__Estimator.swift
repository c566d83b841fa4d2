import ContinualCore
import ContinualEngine

/// The importance of ``__NAME__``: each weight's magnitude at the end of the task, `Ω_i = |θ_i|`.
///
/// Replace ``importance(after:)`` with your own estimate. An estimator that needs every training
/// step (like SI's path integral) sets `observesSteps` to `true` and implements `stepDidFinish(_:)`;
/// the defaults of the other ``ImportanceEstimator`` hooks do nothing.
///
/// ```swift
/// let penalty = QuadraticPenalty(
///   name: "__name__", estimator: __NAME__Estimator(), strength: 1,
///   accumulation: .sum(clampNonNegative: false))
/// ```
public struct __NAME__Estimator: ImportanceEstimator {
  /// Creates the estimator.
  public init() {}

  /// `__name__`.
  public var name: String { "__name__" }

  /// `|θ|` of every parameter at the end of the task.
  ///
  /// - Parameter context: The finished task, with the model as trained.
  /// - Returns: One non-negative tensor per parameter, named and shaped like the parameters.
  /// - Throws: Nothing in the scaffold; an estimate that runs the model throws its ``TensorError``.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    context.model.parameters.mapTensors { $0.map { abs($0) } }
  }
}

/// The estimate is computed afresh after each task, so a checkpoint holds nothing for it. If your
/// estimator carries something from one task to the next, conform to `Checkpointable` instead and
/// save it (see Docs/Checkpoints.md).
extension __NAME__Estimator: StatelessBetweenTasks {}
