import ContinualCore

/// Memory-aware synapses (Aljundi et al., ECCV 2018): `λ Σ_i Ω_i (θ_i − θ*_i)²` with Ω the
/// accumulated output sensitivity (see ``OutputSensitivityEstimator``).
public enum MAS: Algorithm {
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>("lambda", default: 0.05, "penalty strength λ", in: 0...1e15)
  /// Where the absolute value is taken.
  public static let mode = Setting<OutputSensitivityEstimator.Mode>(
    "mode", default: .batch, "|gradient| of the batch-summed norm (official) or per sample (paper)")
  /// Samples per batch in batch mode.
  public static let batch = Setting<Int>("batch", default: 200, "samples per batch when mode=batch", in: 1...100_000)
  /// Samples per estimate.
  public static let samples = Setting<Int>(
    "samples", default: 0, "samples per estimate (0 = the whole training set)", in: 0...10_000_000)
  /// `mas`: λ, the mode, the batch size and the sample count.
  public static let configuration = AlgorithmConfiguration(
    name: "mas",
    summary: "Memory aware synapses (Aljundi et al. 2018): importance from the output norm's sensitivity, no labels.",
    settings: [lambda, mode, batch, samples])
  /// One running quadratic penalty.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    let estimator = OutputSensitivityEstimator(
      mode: settings[mode], batchSize: settings[batch], sampleCount: settings[samples] == 0 ? nil : settings[samples])
    return AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: estimator, strength: settings[lambda], accumulation: .sum(clampNonNegative: false))
    ])
  }
}
