import ContinualCore

/// Synaptic intelligence (Zenke, Poole & Ganguli, ICML 2017): `c Σ_i Ω_i (θ_i − θ*_i)²` with Ω the
/// accumulated path-integral importance (see ``PathIntegralEstimator``).
public enum SI: Algorithm {
  /// c, the penalty strength.
  public static let c = Setting<Float>("c", default: 5, "penalty strength c", in: 0...1e15)
  /// ξ, the damping.
  public static let xi = Setting<Float>("xi", default: 0.1, "damping ξ in ω / (Δ² + ξ)", in: 1e-12...1e6)
  /// Which gradient the path integral follows.
  public static let gradient = Setting<PathIntegralEstimator.GradientSource>(
    "gradient", default: .task, "gradient in the path integral: task (official) or total (van de Ven)")
  /// Whether the accumulated importance is clamped at zero.
  public static let clamp = Setting<Bool>(
    "clamp", default: true, "clamp the accumulated importance at zero (official code)")
  /// `si`: c, ξ, the gradient source and the clamp.
  public static let configuration = AlgorithmConfiguration(
    name: "si",
    summary: "Synaptic intelligence (Zenke et al. 2017): importance from the loss decrease along the training path.",
    settings: [c, xi, gradient, clamp])
  /// One running quadratic penalty.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    let estimator = PathIntegralEstimator(damping: settings[xi], gradientSource: settings[gradient])
    return AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: estimator, strength: settings[c], accumulation: .sum(clampNonNegative: settings[clamp]))
    ])
  }
}
