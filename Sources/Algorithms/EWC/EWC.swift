import ContinualCore

/// Elastic weight consolidation (Kirkpatrick et al., PNAS 2017): one penalty per finished task,
/// `(λ/2) Σ_k Σ_i F_k,i (θ_i − θ*_k,i)²`.
public enum EWC: Algorithm {
  /// `ewc`.
  public static let name = "ewc"
  /// What it does.
  public static let summary = "Elastic weight consolidation (Kirkpatrick et al. 2017): Fisher-weighted pull, one penalty per task."
  /// λ, the Fisher's label mode and sample count, and the normalisation.
  public static let hyperparameters: [Hyperparameter] = fisherHyperparameters
  /// One quadratic penalty per task.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      QuadraticPenalty(name: name, estimator: fisher(settings), strength: settings.float("lambda"), scale: 0.5, accumulation: .perTask)
    ])
  }

  static let fisherHyperparameters: [Hyperparameter] = [
    Hyperparameter("lambda", default: "500", "penalty strength λ (the penalty is λ/2 · Σ F (θ − θ*)²)", kind: .real(0...1e15)),
    Hyperparameter("labels", default: "expected", "labels the Fisher is taken at", kind: .choice(FisherEstimator.LabelMode.allCases.map(\.rawValue))),
    Hyperparameter("samples", default: "0", "samples per Fisher estimate (0 = the whole training set)", kind: .integer(0...10_000_000)),
    Hyperparameter("vdv2019", default: "false", "divide by N − 1 as van de Ven & Tolias 2019's code does", kind: .boolean),
  ]

  static func fisher(_ settings: Settings) -> FisherEstimator {
    FisherEstimator(
      labelMode: FisherEstimator.LabelMode(rawValue: settings.word("labels")) ?? .expected,
      sampleCount: settings.integer("samples") == 0 ? nil : settings.integer("samples"),
      vanDeVen2019Normalisation: settings.boolean("vdv2019"))
  }
}

/// Online EWC (Schwarz et al., ICML 2018): one running Fisher `F̃ ← γ F̃ + F` and the latest anchor;
/// the penalty is `(λ/2) Σ_i γ F̃_i (θ_i − θ*_i)²`, as in van de Ven's code.
public enum OnlineEWC: Algorithm {
  /// `online-ewc`.
  public static let name = "online-ewc"
  /// What it does.
  public static let summary = "Online EWC (Schwarz et al. 2018): one running Fisher decayed by γ, latest anchor."
  /// EWC's hyperparameters plus γ.
  public static let hyperparameters: [Hyperparameter] =
    EWC.fisherHyperparameters.map { $0.name == "lambda" ? Hyperparameter("lambda", default: "1000", $0.summary, kind: $0.kind) : $0 }
    + [Hyperparameter("gamma", default: "1", "decay γ of the running Fisher", kind: .real(0...1))]
  /// One running quadratic penalty.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: EWC.fisher(settings), strength: settings.float("lambda"), scale: 0.5,
        accumulation: .decayed(gamma: settings.float("gamma")))
    ])
  }
}
