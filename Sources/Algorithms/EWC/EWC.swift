import ContinualCore

/// Elastic weight consolidation (Kirkpatrick et al., PNAS 2017): one penalty per finished task,
/// `(λ/2) Σ_k Σ_i F_k,i (θ_i − θ*_k,i)²`.
public enum EWC: Algorithm {
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>(
    "lambda", default: 500, "penalty strength λ (the penalty is λ/2 · Σ F (θ − θ*)²)", in: 0...1e15)
  /// The labels the Fisher is taken at.
  public static let labels = Setting<FisherEstimator.LabelMode>(
    "labels", default: .expected, "labels the Fisher is taken at")
  /// Samples per Fisher estimate.
  public static let samples = Setting<Int>(
    "samples", default: 0, "samples per Fisher estimate (0 = the whole training set)", in: 0...10_000_000)
  /// Whether to divide by N − 1.
  public static let vdv2019 = Setting<Bool>(
    "vdv2019", default: false, "divide by N − 1 as van de Ven & Tolias 2019's code does")
  /// `ewc`: λ, the Fisher's label mode and sample count, and the normalisation.
  public static let configuration = AlgorithmConfiguration(
    name: "ewc",
    summary: "Elastic weight consolidation (Kirkpatrick et al. 2017): Fisher-weighted pull, one penalty per task.",
    settings: [lambda, labels, samples, vdv2019])

  /// One quadratic penalty per task.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: fisher(settings), strength: settings[lambda], scale: 0.5, accumulation: .perTask)
    ])
  }

  /// The Fisher estimator the settings describe (EWC's and online EWC's).
  static func fisher(_ settings: Settings) -> FisherEstimator {
    FisherEstimator(
      labelMode: settings[labels], sampleCount: settings[samples] == 0 ? nil : settings[samples],
      vanDeVen2019Normalisation: settings[vdv2019])
  }
}

/// Online EWC (Schwarz et al., ICML 2018): one running Fisher `F̃ ← γ F̃ + F` and the latest anchor;
/// the penalty is `(λ/2) Σ_i γ F̃_i (θ_i − θ*_i)²`, as in van de Ven's code.
public enum OnlineEWC: Algorithm {
  /// λ, the penalty strength (a higher default than EWC's).
  public static let lambda = Setting<Float>(
    "lambda", default: 1000, "penalty strength λ (the penalty is λ/2 · Σ F (θ − θ*)²)", in: 0...1e15)
  /// γ, the decay of the running Fisher.
  public static let gamma = Setting<Float>("gamma", default: 1, "decay γ of the running Fisher", in: 0...1)
  /// `online-ewc`: EWC's settings (with its own λ) plus γ.
  public static let configuration = AlgorithmConfiguration(
    name: "online-ewc", summary: "Online EWC (Schwarz et al. 2018): one running Fisher decayed by γ, latest anchor.",
    settings: [lambda, EWC.labels, EWC.samples, EWC.vdv2019, gamma])
  /// One running quadratic penalty.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: EWC.fisher(settings), strength: settings[lambda], scale: 0.5,
        accumulation: .decayed(gamma: settings[gamma]))
    ])
  }
}
