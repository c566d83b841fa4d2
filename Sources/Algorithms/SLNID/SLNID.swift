import ContinualCore

/// Selfless sequential learning (Aljundi, Rohrbach, Tuytelaars, ICLR 2019): sparse coding through
/// local neural inhibition and discounting, `λ_SSL Σ_layers Σ_{i≠j} e^{−(i−j)²/2σ²} D_ij cov_ij` on
/// the hidden ReLU outputs (see ``RepresentationSparsity``).
///
/// Meant to be stacked on a parameter-importance method: `slnid+mas` (the official MAS demo:
/// `--set mas.lambda=0.1`, λ_SSL 1e-3) or `slnid+ewc` with `--set slnid.importance=ewc`, so that the
/// unit importance α is the gradient of the same loss EWC's Fisher uses, as in the official
/// EWC+SLNID code.
///
/// ```sh
/// continual compare --algorithms slnid+mas --set mas.lambda=0.1 --set slnid.lambda=1e-3
/// ```
public enum SLNID: Algorithm {
  /// `slnid`.
  public static let name = "slnid"
  /// What it does.
  public static let summary =
    "Selfless sequential learning (Aljundi et al. 2019): local inhibition of co-active hidden units, discounted by unit importance; stack on mas or ewc."
  /// λ_SSL, the scale, the discount form, the importance loss, its accumulation and sample count.
  public static let hyperparameters: [Hyperparameter] = [
    RepresentationHyperparameters.lambda, RepresentationHyperparameters.scale, RepresentationHyperparameters.discount,
    RepresentationHyperparameters.importance, RepresentationHyperparameters.accumulation, RepresentationHyperparameters.samples,
  ]
  /// One ``RepresentationSparsity`` of variant ``RepresentationSparsity/Variant/slnid``.
  ///
  /// - Parameter settings: Validated values of ``hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [RepresentationHyperparameters.make(.slnid, settings)])
  }
}

/// Sparse coding through local neural inhibition (SLNID's paper, without discounting): a Gaussian in
/// the unit-index distance weights the inhibition (see ``RepresentationSparsity``).
public enum SLNI: Algorithm {
  /// `slni`.
  public static let name = "slni"
  /// What it does.
  public static let summary = "SLNI (Aljundi et al. 2019): local inhibition of co-active hidden units, no importance discount."
  /// λ_SSL and the scale.
  public static let hyperparameters: [Hyperparameter] = [RepresentationHyperparameters.lambda, RepresentationHyperparameters.scale]
  /// One ``RepresentationSparsity`` of variant ``RepresentationSparsity/Variant/slni``.
  ///
  /// - Parameter settings: Validated values of ``hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [RepresentationHyperparameters.make(.slni, settings)])
  }
}

/// Sparse coding through neural inhibition with importance discounting (SLNID's paper, non-local):
/// every pair of co-active hidden units is inhibited, less so for units important to earlier tasks.
public enum SNID: Algorithm {
  /// `snid`.
  public static let name = "snid"
  /// What it does.
  public static let summary = "SNID (Aljundi et al. 2019): inhibition of every co-active pair of hidden units, discounted by unit importance."
  /// λ_SSL, the discount form, the importance loss, its accumulation and sample count.
  public static let hyperparameters: [Hyperparameter] = [
    RepresentationHyperparameters.lambda, RepresentationHyperparameters.discount, RepresentationHyperparameters.importance,
    RepresentationHyperparameters.accumulation, RepresentationHyperparameters.samples,
  ]
  /// One ``RepresentationSparsity`` of variant ``RepresentationSparsity/Variant/snid``.
  ///
  /// - Parameter settings: Validated values of ``hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [RepresentationHyperparameters.make(.snid, settings)])
  }
}

/// Sparse coding through neural inhibition (SLNID's paper, the plainest variant): every pair of
/// co-active hidden units is inhibited alike.
public enum SNI: Algorithm {
  /// `sni`.
  public static let name = "sni"
  /// What it does.
  public static let summary = "SNI (Aljundi et al. 2019): inhibition of every co-active pair of hidden units."
  /// λ_SSL.
  public static let hyperparameters: [Hyperparameter] = [RepresentationHyperparameters.lambda]
  /// One ``RepresentationSparsity`` of variant ``RepresentationSparsity/Variant/sni``.
  ///
  /// - Parameter settings: Validated values of ``hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [RepresentationHyperparameters.make(.sni, settings)])
  }
}

/// L1-Rep, a baseline of SLNID's paper: an L1 penalty on the hidden ReLU outputs, averaged over the
/// batch (see ``ActivationL1Penalty``).
public enum L1Rep: Algorithm {
  /// `l1rep`.
  public static let name = "l1rep"
  /// What it does.
  public static let summary = "L1-Rep (baseline in Aljundi et al. 2019): λ · mean over the batch of the L1 norm of the hidden ReLU outputs."
  /// λ.
  public static let hyperparameters: [Hyperparameter] = [
    Hyperparameter("lambda", default: "1e-4", "penalty strength λ on (1/M) Σ_m ‖h^m‖₁ per hidden layer", kind: .real(0...1e6))
  ]
  /// One ``ActivationL1Penalty``.
  ///
  /// - Parameter settings: Validated values of ``hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [ActivationL1Penalty(strength: settings.float("lambda"), name: name)])
  }
}

/// DeCov (Cogswell et al. 2016), a baseline of SLNID's paper: penalises the off-diagonal entries of
/// the mean-centred batch covariance of the hidden ReLU outputs (see ``DecorrelationPenalty``).
public enum DeCov: Algorithm {
  /// `decov`.
  public static let name = "decov"
  /// What it does.
  public static let summary = "DeCov (Cogswell et al. 2016; baseline in Aljundi et al. 2019): ½ Σ_{i≠j} C_ij² of the centred hidden covariance."
  /// λ.
  public static let hyperparameters: [Hyperparameter] = [
    Hyperparameter("lambda", default: "1e-3", "penalty strength λ on ½(‖C‖²_F − ‖diag C‖²) per hidden layer", kind: .real(0...1e6))
  ]
  /// One ``DecorrelationPenalty``.
  ///
  /// - Parameter settings: Validated values of ``hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [DecorrelationPenalty(strength: settings.float("lambda"), name: name)])
  }
}

/// The hyperparameters the SNI/SLNI/SNID/SLNID algorithms share, and how they build a regulariser.
enum RepresentationHyperparameters {
  static let lambda = Hyperparameter("lambda", default: "1e-3", "λ_SSL, the strength of the representation penalty", kind: .real(0...1e6))
  static let scale = Hyperparameter(
    "scale", default: "6", "σ = layer width / scale for the Gaussian locality; 0 = non-local (as SNI)", kind: .real(0...1e6))
  static let discount = Hyperparameter(
    "discount", default: "min", "importance discount: min(e^−α_i, e^−α_j) (official code) or product e^−(α_i+α_j) (paper)",
    kind: .choice(DiscountForm.allCases.map(\.rawValue)))
  static let importance = Hyperparameter(
    "importance", default: "mas",
    "loss whose |∂/∂pre-activation| is the unit importance: mas (squared output norm) or ewc (NLL of the true labels; use with +ewc)",
    kind: .choice(NeuronImportanceEstimator.Loss.allCases.map(\.rawValue)))
  static let accumulation = Hyperparameter(
    "accumulation", default: "sum", "how unit importances of tasks combine: sum (official default) or mean (divide_by_tasks)",
    kind: .choice(RepresentationSparsity.ImportanceAccumulation.allCases.map(\.rawValue)))
  static let samples = Hyperparameter(
    "samples", default: "0", "samples per unit-importance estimate (0 = the whole training set)", kind: .integer(0...10_000_000))

  /// A regulariser of `variant` from settings; undeclared settings take the defaults.
  static func make(_ variant: RepresentationSparsity.Variant, _ settings: Settings) -> RepresentationSparsity {
    func word(_ h: Hyperparameter) -> String { settings.values[h.name] ?? h.defaultValue }
    let sampleCount = Int(word(samples)) ?? 0
    return RepresentationSparsity(
      variant: variant, strength: Float(word(lambda)) ?? 1e-3, scale: Float(word(scale)) ?? 6,
      discountForm: DiscountForm(rawValue: word(discount)) ?? .min,
      importanceLoss: NeuronImportanceEstimator.Loss(rawValue: word(importance)) ?? .mas,
      accumulation: RepresentationSparsity.ImportanceAccumulation(rawValue: word(accumulation)) ?? .sum,
      importanceSampleCount: sampleCount == 0 ? nil : sampleCount, name: variant.rawValue)
  }
}
