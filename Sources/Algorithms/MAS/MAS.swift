import ContinualCore

/// Memory-aware synapses (Aljundi et al., ECCV 2018): `λ Σ_i Ω_i (θ_i − θ*_i)²` with Ω the
/// accumulated output sensitivity (see ``OutputSensitivityEstimator``).
public enum MAS: Algorithm {
  /// `mas`.
  public static let name = "mas"
  /// What it does.
  public static let summary = "Memory aware synapses (Aljundi et al. 2018): importance from the output norm's sensitivity, no labels."
  /// λ, the mode, the batch size and the sample count.
  public static let hyperparameters: [Hyperparameter] = [
    Hyperparameter("lambda", default: "0.05", "penalty strength λ", kind: .real(0...1e15)),
    Hyperparameter(
      "mode", default: "batch", "|gradient| of the batch-summed norm (official) or per sample (paper)", kind: .choice(["batch", "sample"])),
    Hyperparameter("batch", default: "200", "samples per batch when mode=batch", kind: .integer(1...100_000)),
    Hyperparameter("samples", default: "0", "samples per estimate (0 = the whole training set)", kind: .integer(0...10_000_000)),
  ]
  /// One running quadratic penalty.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    let estimator = OutputSensitivityEstimator(
      mode: OutputSensitivityEstimator.Mode(rawValue: settings.word("mode")) ?? .batch, batchSize: settings.integer("batch"),
      sampleCount: settings.integer("samples") == 0 ? nil : settings.integer("samples"))
    return AlgorithmComponents(regularisers: [
      QuadraticPenalty(name: name, estimator: estimator, strength: settings.float("lambda"), accumulation: .sum(clampNonNegative: false))
    ])
  }
}
