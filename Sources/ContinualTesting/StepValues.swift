import ContinualCore
import ContinualData
import ContinualEngine
import Foundation

/// Builds the per-step values the trainer hands to regularisers and importance estimators, so tests
/// can call `Regulariser/penalty(_:)` and `ImportanceEstimator/stepDidFinish(_:)` directly.
///
/// ```swift
/// let tape = Tape()
/// let pass = try model.forward(tape.constant(inputs), on: tape)
/// let step = StepValues.context(tape: tape, pass: pass, batch: batch, task: 1)
/// let value = try ewc.penalty(step)?.value.scalar
/// ```
public enum StepValues {
  /// A step context with the given fields.
  ///
  /// - Parameters:
  ///   - tape: The tape the forward pass was recorded on.
  ///   - pass: The forward pass.
  ///   - batch: The batch.
  ///   - task: The task being trained.
  ///   - iteration: The iteration within the task.
  /// - Returns: A context equal to what the trainer would build for that step.
  public static func context(tape: Tape, pass: Model.Pass, batch: Batch, task: Int, iteration: Int = 0) -> StepContext {
    StepContext(tape: tape, pass: pass, batch: batch, task: task, iteration: iteration)
  }

  /// A step observation with the given fields.
  ///
  /// - Parameters:
  ///   - task: The task being trained.
  ///   - iteration: The iteration within the task.
  ///   - parameters: The parameters after the step.
  ///   - change: The change the optimiser applied, `θ_after − θ_before`.
  ///   - totalGradients: The gradient of the whole objective.
  ///   - taskGradients: The gradient of the task loss alone, if it was computed.
  /// - Returns: An observation equal to what the trainer would report for that step.
  public static func observation(
    task: Int, iteration: Int = 0, parameters: NamedTensors, change: NamedTensors, totalGradients: NamedTensors,
    taskGradients: NamedTensors?
  ) -> StepObservation {
    StepObservation(
      task: task, iteration: iteration, parameters: parameters, change: change, totalGradients: totalGradients,
      taskGradients: taskGradients)
  }

  /// A forward pass whose weights are exactly `weights` (variables the caller recorded on `tape`),
  /// so gradients with respect to them flow through anything computed from the pass.
  ///
  /// - Parameters:
  ///   - architecture: The network.
  ///   - weights: One variable per parameter, in `Sequential/parameterSpecs` order.
  ///   - input: The batch, recorded on `tape`.
  ///   - tape: The tape `weights` and `input` live on.
  ///   - names: The parameter names, to label gradients.
  ///   - task: The task task-conditioned layers serve (`nil`: unknown).
  /// - Returns: The pass, with every layer's output computed from `weights`.
  /// - Throws: `TensorError` when the weights or the input do not fit the architecture.
  public static func pass(
    architecture: Sequential, weights: [Variable], input: Variable, on tape: Tape, names: [String], task: Int? = nil
  ) throws -> Model.Pass {
    var context = ForwardContext(training: false, task: task, learnedTasks: task.map { $0 + 1 })
    return Model.Pass(
      weights: weights, trace: try architecture.trace(input, weights: weights[...], context: &context), names: names)
  }
}
