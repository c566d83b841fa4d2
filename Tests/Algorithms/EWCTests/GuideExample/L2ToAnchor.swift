import ContinualCore
import ContinualEngine

/// Pulls every parameter towards its value at the end of the previous task:
/// `(λ/2) Σᵢ (θᵢ − θ*ᵢ)²`, with θ* the parameters the last finished task ended with.
public struct L2ToAnchor: Regulariser {
  /// λ, the strength of the pull.
  public var strength: Float
  /// The parameters at the end of the previous task; `nil` until the first task finishes.
  public internal(set) var anchor: NamedTensors?

  /// Creates the regulariser; it is inactive until the first task finishes.
  ///
  /// - Parameter strength: λ.
  public init(strength: Float) { self.strength = strength }

  /// `l2`: the name of the loss term in progress output and run records.
  public var name: String { "l2" }

  /// `(λ/2) Σ (θ − θ*)²` recorded on the step's tape, or `nil` while there is no anchor.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard let anchor else { return nil }
    var total: Variable?
    for (weight, target) in zip(step.pass.weights, anchor.tensors) {
      let ones = Tensor(shape: target.shape, repeating: 1)
      let term = try weight.weightedSquaredDistance(to: target, weights: ones)
      total = try total.map { try $0 + term } ?? term
    }
    return total.map { $0 * (strength / 2) }
  }

  /// Remembers the parameters the task ended with.
  public mutating func taskDidFinish(_ context: TaskContext) throws {
    anchor = context.model.parameters
  }
}

/// The command-line face of ``L2ToAnchor``: `--algorithms l2+ewc --set l2.lambda=0.5`.
public enum L2Anchor: Algorithm {
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>(
    "lambda", default: 1, "penalty strength λ (the penalty is λ/2 · Σ (θ − θ*)²)", in: 0...1e12)
  /// `l2`, with λ only.
  public static let configuration = AlgorithmConfiguration(
    name: "l2", summary: "L2 pull towards the parameters at the end of the previous task.", settings: [lambda])
  /// One ``L2ToAnchor``.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [L2ToAnchor(strength: settings[lambda])])
  }
}
