import ContinualCore
import ContinualEngine
import Foundation

/// The diagonal of the Fisher information of a finished task (EWC, Kirkpatrick et al. 2017).
///
/// `F_i = (1/N) Σ_x E_y[(∂ log p(y|x) / ∂θ_i)²]`, computed one sample at a time on the task's
/// training data, with the model in evaluation mode and `p` the softmax over the columns the head
/// trains the task on. Which `y` the expectation uses is the ``LabelMode``.
public struct FisherEstimator: ImportanceEstimator {
  /// Which labels the squared gradients are taken at.
  public enum LabelMode: String, Sendable, CaseIterable {
    /// `Σ_y p(y|x) (∇ log p(y|x))²`: the true Fisher (van de Ven's current default).
    case expected
    /// One label sampled from `p(y|x)` per sample.
    case sampled
    /// The predicted label `argmax p(y|x)` (van de Ven & Tolias 2019's code).
    case predicted
    /// The true label: the empirical Fisher.
    case empirical
  }

  /// Which labels the squared gradients are taken at.
  public var labelMode: LabelMode
  /// Use at most this many samples (all when `nil`).
  public var sampleCount: Int?
  /// Divide by `N − 1` instead of `N`, reproducing van de Ven & Tolias 2019's code.
  public var vanDeVen2019Normalisation: Bool

  /// Creates the estimator.
  public init(labelMode: LabelMode = .expected, sampleCount: Int? = nil, vanDeVen2019Normalisation: Bool = false) {
    self.labelMode = labelMode
    self.sampleCount = sampleCount
    self.vanDeVen2019Normalisation = vanDeVen2019Normalisation
  }

  /// `fisher`.
  public var name: String { "fisher" }

  /// The mean squared gradient of the log-likelihood over the task's samples.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    var rng = context.rng
    let n = min(context.data.count, sampleCount ?? context.data.count)
    // A seeded random subset when sampling fewer than all samples; all samples in order otherwise.
    let indices = n < context.data.count ? Array(rng.permutation(context.data.count).prefix(n)) : Array(0..<n)
    let inputs = try context.data.inputs.gather(indices: indices, alongAxis: 0)
    let columns = context.head.columns(forTask: context.task, currentTask: context.task)
    var sum = NamedTensors.zeros(like: context.model.parameters)
    let mode = labelMode
    try PerSampleGradients.forEachSample(
      model: context.model, inputs: inputs,
      losses: { logits, m in
        let probabilities = try logits.value.slice(alongAxis: 1, range: columns).softmax(alongAxis: 1).scalars
        func nll(_ column: Int) throws -> Variable { try crossEntropy(logits: logits, labels: [column], classes: columns) }
        switch mode {
        case .expected:
          return try probabilities.enumerated().map { (try nll(columns.lowerBound + $0), $1) }
        case .sampled:
          var u = rng.nextUniform(), pick = probabilities.count - 1
          for (c, p) in probabilities.enumerated() {
            if u < p {
              pick = c
              break
            }
            u -= p
          }
          return [(try nll(columns.lowerBound + pick), 1)]
        case .predicted:
          let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
          return [(try nll(columns.lowerBound + best), 1)]
        case .empirical:
          let label = context.data.labels[indices[m]]
          return [(try nll(context.head.column(ofLabel: label, task: context.task)), 1)]
        }
      },
      receive: { gradients, weight in
        try PerSampleGradients.accumulateSquares(gradients, weight: weight, into: &sum)
      })
    let divisor = Float(vanDeVen2019Normalisation ? max(n - 1, 1) : max(n, 1))
    return sum * (1 / divisor)
  }
}
