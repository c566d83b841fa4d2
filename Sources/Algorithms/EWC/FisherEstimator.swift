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
    /// The true label, its squared gradient weighted by the model's probability of it,
    /// `p(y|x) (∇ log p(y|x))²` (Mammoth's online EWC, `ewc_on`: one term of the expected Fisher).
    case weighted
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
    let columns = context.head.columns(forTask: context.task, currentTask: context.task)
    let mode = labelMode
    let sum = try PerSampleGradients.sumOfPowers(2, model: context.model, data: context.data, indices: indices) {
      logits, range in
      let probabilities = try logits.value.slice(alongAxis: 1, range: columns).softmax(alongAxis: 1)
      let k = columns.count
      let p = probabilities.scalars
      /// Σ_m −log p_m(label_m) over the batch, each sample scored over the task's columns.
      func nll(_ labels: [Int]) throws -> Variable {
        try crossEntropy(
          logits: logits, labels: labels.map { columns.lowerBound + $0 }, classes: columns, reduction: .sum)
      }
      let ones = [Float](repeating: 1, count: range.count)
      switch mode {
      case .expected:
        return try (0..<k).map { c in
          (try nll([Int](repeating: c, count: range.count)), (0..<range.count).map { p[$0 * k + c] })
        }
      case .sampled:
        let picks = (0..<range.count).map { m -> Int in
          var u = rng.nextUniform()
          for c in 0..<k {
            if u < p[m * k + c] { return c }
            u -= p[m * k + c]
          }
          return k - 1
        }
        return [(try nll(picks), ones)]
      case .predicted:
        return [(try nll(probabilities.argmaxAlongLastAxis()), ones)]
      case .empirical, .weighted:
        let labels = range.map {
          context.head.column(ofLabel: context.data.labels[indices[$0]], task: context.task) - columns.lowerBound
        }
        let weights = mode == .weighted ? labels.enumerated().map { p[$0 * k + $1] } : ones
        return [(try nll(labels), weights)]
      }
    }
    let divisor = Float(vanDeVen2019Normalisation ? max(n - 1, 1) : max(n, 1))
    return sum * (1 / divisor)
  }
}

/// The Fisher is estimated afresh from each finished task; nothing carries over.
extension FisherEstimator: StatelessBetweenTasks {}
