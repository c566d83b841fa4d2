import ContinualCore
import ContinualEngine

/// How strongly the task loss reacts to each parameter: the mean, over batches of the finished
/// task's training data, of the absolute gradient of the batch's loss, `Ωᵢ = (1/B) Σ_b |∂L_b/∂θᵢ|`.
public struct LossSensitivity: ImportanceEstimator {
  /// Samples per batch (1 gives the mean of per-sample magnitudes).
  public var batchSize: Int

  /// Creates the estimator.
  ///
  /// - Parameter batchSize: Samples per batch.
  public init(batchSize: Int = 100) { self.batchSize = batchSize }

  /// `loss-sensitivity`.
  public var name: String { "loss-sensitivity" }

  /// The mean absolute gradient of the task loss over the finished task's batches.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    var total = NamedTensors.zeros(like: context.model.parameters)
    let batches = context.batches(ofSize: batchSize)
    for batch in batches {
      let tape = Tape()
      let pass = try context.model.forward(tape.constant(batch.inputs), on: tape)
      let loss = try context.head.loss(logits: pass.output, for: batch)
      total = try total + pass.gradients(of: loss).mapTensors { $0.abs() }
    }
    return total * (1 / Float(max(batches.count, 1)))
  }
}

/// Nothing carries over from one task to the next, so a checkpoint holds nothing for it.
extension LossSensitivity: StatelessBetweenTasks {}

/// `sensitivity` on the command line: a quadratic pull weighted by ``LossSensitivity``.
public enum Sensitivity: Algorithm {
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>("lambda", default: 1, "penalty strength λ", in: 0...1e15)
  /// Samples per batch of the estimate.
  public static let batch = Setting<Int>("batch", default: 100, "samples per batch of the estimate", in: 1...100_000)
  /// `sensitivity`, with λ and the batch size.
  public static let configuration = AlgorithmConfiguration(
    name: "sensitivity", summary: "Quadratic pull weighted by the task loss's mean absolute gradient.",
    settings: [lambda, batch])
  /// One running quadratic penalty: importances of successive tasks add up.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    let estimator = LossSensitivity(batchSize: settings[batch])
    return AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: estimator, strength: settings[lambda], accumulation: .sum(clampNonNegative: false))
    ])
  }
}
