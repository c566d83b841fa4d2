import ContinualCore

/// Synaptic intelligence (Zenke, Poole & Ganguli, ICML 2017): `c Σ_i Ω_i (θ_i − θ*_i)²` with Ω the
/// accumulated path-integral importance (see ``PathIntegralEstimator``).
public enum SI: Algorithm {
  /// `si`.
  public static let name = "si"
  /// What it does.
  public static let summary = "Synaptic intelligence (Zenke et al. 2017): importance from the loss decrease along the training path."
  /// c, ξ, the gradient source and the clamp.
  public static let hyperparameters: [Hyperparameter] = [
    Hyperparameter("c", default: "5", "penalty strength c", kind: .real(0...1e15)),
    Hyperparameter("xi", default: "0.1", "damping ξ in ω / (Δ² + ξ)", kind: .real(1e-12...1e6)),
    Hyperparameter(
      "gradient", default: "task", "gradient in the path integral: task (official) or total (van de Ven)", kind: .choice(["task", "total"])),
    Hyperparameter("clamp", default: "true", "clamp the accumulated importance at zero (official code)", kind: .boolean),
  ]
  /// One running quadratic penalty.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    let estimator = PathIntegralEstimator(
      damping: settings.float("xi"), gradientSource: PathIntegralEstimator.GradientSource(rawValue: settings.word("gradient")) ?? .task)
    return AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: estimator, strength: settings.float("c"), accumulation: .sum(clampNonNegative: settings.boolean("clamp")))
    ])
  }
}
