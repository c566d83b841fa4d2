import ContinualCore
import ContinualEngine

/// Memory-aware synapses' importance (Aljundi et al., ECCV 2018): how sensitive the squared L2 norm
/// of the task's outputs is to each parameter, `Ω_i = (1/N) Σ_x |∂‖F(x)‖² / ∂θ_i|`.
///
/// `F` is the logits of the columns the head trains the task on (the task's own head in multi-head
/// set-ups), the model in evaluation mode. No labels are needed.
public struct OutputSensitivityEstimator: ImportanceEstimator {
  /// Where the absolute value is taken.
  public enum Mode: String, Sendable, CaseIterable {
    /// Of the gradient of the batch-summed norm (the official code; equals the paper at batch 1).
    case batch
    /// Of each sample's gradient (the paper's definition).
    case sample
  }

  /// Where the absolute value is taken.
  public var mode: Mode
  /// Samples per batch in ``Mode/batch``.
  public var batchSize: Int
  /// Use at most this many samples (all when `nil`).
  public var sampleCount: Int?

  /// Creates the estimator.
  public init(mode: Mode = .batch, batchSize: Int = 200, sampleCount: Int? = nil) {
    self.mode = mode
    self.batchSize = batchSize
    self.sampleCount = sampleCount
  }

  /// `output-sensitivity`.
  public var name: String { "output-sensitivity" }

  /// The mean absolute gradient of the squared output norm.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    let n = min(context.data.count, sampleCount ?? context.data.count)
    let columns = context.head.columns(forTask: context.task, currentTask: context.task)
    var sum = NamedTensors.zeros(like: context.model.parameters)
    switch mode {
    case .sample:
      // ‖F‖² summed over the batch is Σ_m ‖F_m‖², so the fast per-sample path applies.
      sum = try PerSampleGradients.sumOfPowers(1, model: context.model, data: context.data, indices: Array(0..<n)) {
        logits, range in
        [(try logits.slice(alongAxis: 1, range: columns).squaredNorm(), [Float](repeating: 1, count: range.count))]
      }
    case .batch:
      for batch in context.batches(ofSize: batchSize, limit: n) {
        let tape = Tape()
        let pass = try context.model.forward(tape.constant(batch.inputs), on: tape, training: false)
        let norm = try pass.output.slice(alongAxis: 1, range: columns).squaredNorm()
        try PerSampleGradients.accumulate(try pass.gradients(of: norm), power: 1, weight: 1, into: &sum)
      }
    }
    return sum * (1 / Float(max(n, 1)))
  }
}

/// The sensitivity is measured afresh on each finished task; nothing carries over.
extension OutputSensitivityEstimator: StatelessBetweenTasks {}
