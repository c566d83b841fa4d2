import ContinualCore
import ContinualEngine

/// One of SLNID's sparsity penalties as an algorithm: one ``RepresentationSparsity`` of its
/// ``variant``, built from its settings.
public protocol SparsityAlgorithm: Algorithm {
  /// Which penalty of the family.
  static var variant: RepresentationSparsity.Variant { get }
}

extension SparsityAlgorithm {
  /// One ``RepresentationSparsity`` of ``variant``.
  ///
  /// - Parameter settings: Validated values of ``Algorithm/hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    var components = AlgorithmComponents(regularisers: [RepresentationSettings.make(variant, settings)])
    let (name, layers) = (variant.rawValue, settings.valueOrDefault(RepresentationSettings.layers))
    let strength = settings.valueOrDefault(RepresentationSettings.lambda)
    components.warnings = { RepresentationSettings.scaleWarnings(name, layers: layers, strength: strength, $0) }
    return components
  }
}

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
public enum SLNID: SparsityAlgorithm {
  /// `slnid`: λ_SSL, the scale, the discount form, the importance loss, its accumulation and sample count.
  public static let configuration = AlgorithmConfiguration(
    name: "slnid",
    summary:
      "Selfless sequential learning (Aljundi et al. 2019): local inhibition of co-active hidden units, "
      + "discounted by unit importance; stack on mas or ewc.",
    settings: [
      RepresentationSettings.lambda, RepresentationSettings.scale, RepresentationSettings.discount,
      RepresentationSettings.importance, RepresentationSettings.accumulation, RepresentationSettings.samples,
      RepresentationSettings.layers,
    ])
  /// ``RepresentationSparsity/Variant/slnid``.
  public static let variant = RepresentationSparsity.Variant.slnid
}

/// Sparse coding through local neural inhibition (SLNID's paper, without discounting): a Gaussian in
/// the unit-index distance weights the inhibition (see ``RepresentationSparsity``).
public enum SLNI: SparsityAlgorithm {
  /// `slni`: λ_SSL and the scale.
  public static let configuration = AlgorithmConfiguration(
    name: "slni",
    summary: "SLNI (Aljundi et al. 2019): local inhibition of co-active hidden units, no importance discount.",
    settings: [RepresentationSettings.lambda, RepresentationSettings.scale, RepresentationSettings.layers])
  /// ``RepresentationSparsity/Variant/slni``.
  public static let variant = RepresentationSparsity.Variant.slni
}

/// Sparse coding through neural inhibition with importance discounting (SLNID's paper, non-local):
/// every pair of co-active hidden units is inhibited, less so for units important to earlier tasks.
public enum SNID: SparsityAlgorithm {
  /// `snid`: λ_SSL, the discount form, the importance loss, its accumulation and sample count.
  public static let configuration = AlgorithmConfiguration(
    name: "snid",
    summary:
      "SNID (Aljundi et al. 2019): inhibition of every co-active pair of hidden units, discounted by unit importance.",
    settings: [
      RepresentationSettings.lambda, RepresentationSettings.discount, RepresentationSettings.importance,
      RepresentationSettings.accumulation, RepresentationSettings.samples, RepresentationSettings.layers,
    ])
  /// ``RepresentationSparsity/Variant/snid``.
  public static let variant = RepresentationSparsity.Variant.snid
}

/// Sparse coding through neural inhibition (SLNID's paper, the plainest variant): every pair of
/// co-active hidden units is inhibited alike.
public enum SNI: SparsityAlgorithm {
  /// `sni`: λ_SSL.
  public static let configuration = AlgorithmConfiguration(
    name: "sni",
    summary: "SNI (Aljundi et al. 2019): inhibition of every co-active pair of hidden units.",
    settings: [RepresentationSettings.lambda, RepresentationSettings.layers])
  /// ``RepresentationSparsity/Variant/sni``.
  public static let variant = RepresentationSparsity.Variant.sni
}

/// One of SLNID's baselines as an algorithm: one ``ActivationPenalty`` of its ``Measure`` with
/// strength ``lambda``, named after the measure (``ActivationMeasure/defaultName``).
public protocol ActivationPenaltyAlgorithm: Algorithm {
  /// What the penalty measures on each layer's activations.
  associatedtype Measure: ActivationMeasure
  /// λ, the penalty strength.
  static var lambda: Setting<Float> { get }
}

extension ActivationPenaltyAlgorithm {
  /// The configuration of a baseline: the measure's name, `summary` and the one setting ``lambda``.
  ///
  /// - Parameter summary: The algorithm's line in `continual list`.
  /// - Returns: The configuration to declare as ``Algorithm/configuration``.
  public static func baseline(summary: String) -> AlgorithmConfiguration {
    AlgorithmConfiguration(name: Measure.defaultName, summary: summary, settings: [lambda])
  }

  /// One ``ActivationPenalty`` of ``Measure``, named as the algorithm.
  ///
  /// - Parameter settings: Validated values of ``Algorithm/hyperparameters``.
  /// - Returns: The regulariser.
  /// - Throws: Never; the settings are validated already.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [ActivationPenalty<Measure>(strength: settings[lambda], name: name)])
  }
}

/// L1-Rep, a baseline of SLNID's paper: an L1 penalty on the hidden ReLU outputs, averaged over the
/// batch (see ``ActivationL1Penalty``); `l1rep` on the command line.
public enum L1Rep: ActivationPenaltyAlgorithm {
  /// Builds one ``ActivationL1Penalty``.
  public typealias Measure = ActivationL1
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>(
    "lambda", default: 1e-4, "penalty strength λ on (1/M) Σ_m ‖h^m‖₁ per hidden layer", in: 0...1e6)
  /// `l1rep`: λ.
  public static let configuration = baseline(
    summary:
      "L1-Rep (baseline in Aljundi et al. 2019): λ · mean over the batch of the L1 norm of the hidden ReLU outputs.")
}

/// DeCov (Cogswell et al. 2016), a baseline of SLNID's paper: penalises the off-diagonal entries of
/// the mean-centred batch covariance of the hidden ReLU outputs (see ``DecorrelationPenalty``);
/// `decov` on the command line.
public enum DeCov: ActivationPenaltyAlgorithm {
  /// Builds one ``DecorrelationPenalty``.
  public typealias Measure = Decorrelation
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>(
    "lambda", default: 1e-3, "penalty strength λ on ½(‖C‖²_F − ‖diag C‖²) per hidden layer", in: 0...1e6)
  /// `decov`: λ.
  public static let configuration = baseline(
    summary: "DeCov (Cogswell et al. 2016; baseline in Aljundi et al. 2019): ½ Σ_{i≠j} C_ij² of the centred "
      + "hidden covariance.")
}

/// The settings the SNI/SLNI/SNID/SLNID algorithms share, and how they build a regulariser.
enum RepresentationSettings {
  static let lambda = Setting<Float>(
    "lambda", default: 1e-3, "λ_SSL, the strength of the representation penalty", in: 0...1e6)
  static let scale = Setting<Float>(
    "scale", default: 6, "σ = layer width / scale for the Gaussian locality; 0 = non-local (as SNI)", in: 0...1e6)
  static let discount = Setting<DiscountForm>(
    "discount", default: .min,
    "importance discount: min(e^−α_i, e^−α_j) (official code) or product e^−(α_i+α_j) (paper)")
  static let importance = Setting<NeuronImportanceEstimator.Loss>(
    "importance", default: .mas,
    "loss whose |∂/∂pre-activation| is the unit importance: mas (squared output norm) or ewc (NLL of the true "
      + "labels; use with +ewc)"
  )
  static let accumulation = Setting<RepresentationSparsity.ImportanceAccumulation>(
    "accumulation", default: .sum,
    "how unit importances of tasks combine: sum (official default) or mean (divide_by_tasks)")
  static let samples = Setting<Int>(
    "samples", default: 0, "samples per unit-importance estimate (0 = the whole training set)", in: 0...10_000_000)
  // Added after SLNID runs were recorded: at its default it stays out of the records (and run ids).
  static let layers = Setting<RegularisedLayers>(
    "layers", default: .hidden,
    "the regularised ReLU outputs: every hidden one, those after a fully connected layer (dense; the "
      + "official code's MLP choice) or the last hidden one"
  )
  .omittedFromRecordsAtDefault()

  /// The default λ_SSL suits the official code's networks: two regularised layers of 64–400 units.
  /// The penalty sums over every chosen layer without dividing by their number, so more layers at
  /// the default λ give a larger penalty: about 10 times the task loss with `resnet32`'s 16 hidden
  /// ReLUs (issue 29). When more than this many layers are chosen at the default λ, the run warns.
  static let layersTheDefaultSuits = 2

  /// A warning when `layers` chooses more than ``layersTheDefaultSuits`` layers of `architecture`
  /// and `strength` is the default λ, naming the remedies; none otherwise.
  static func scaleWarnings(_ name: String, layers: RegularisedLayers, strength: Float, _ architecture: Sequential)
    -> [String]
  {
    guard strength == lambda.defaultValue,
      let count = try? layers.activationLayers.resolve(in: architecture).count, count > layersTheDefaultSuits
    else { return [] }
    return [
      "\(name): \(name).layers=\(layers.rawValue) regularises \(count) ReLU outputs of this network, and the "
        + "penalty sums over them: the default \(name).lambda=\(lambda.defaultValue) was set for the "
        + "\(layersTheDefaultSuits) hidden layers of the official MLPs (on resnet32 it starts about 10× the task "
        + "loss); consider \(name).layers=last or dense, or \(name).lambda divided by about "
        + "\(count / layersTheDefaultSuits)"
    ]
  }

  /// A regulariser of `variant` from settings; settings the variant does not declare take their defaults.
  static func make(_ variant: RepresentationSparsity.Variant, _ settings: Settings) -> RepresentationSparsity {
    let sampleCount = settings.valueOrDefault(samples)
    return RepresentationSparsity(
      variant: variant, strength: settings.valueOrDefault(lambda), scale: settings.valueOrDefault(scale),
      discountForm: settings.valueOrDefault(discount), layers: settings.valueOrDefault(layers).activationLayers,
      importanceLoss: settings.valueOrDefault(importance),
      accumulation: settings.valueOrDefault(accumulation), importanceSampleCount: sampleCount == 0 ? nil : sampleCount,
      name: variant.rawValue)
  }
}

/// The layers the SNI/SLNI/SNID/SLNID settings regularise (`slnid.layers`).
public enum RegularisedLayers: String, Sendable, CaseIterable {
  /// Every hidden ReLU (``ActivationLayers/hiddenReLUs``): convolutional ones too.
  case hidden
  /// The hidden ReLUs after a fully connected layer (``ActivationLayers/denseReLUs``).
  case dense
  /// The last hidden ReLU (``ActivationLayers/lastHiddenReLU``).
  case last

  /// The layers as the regulariser takes them.
  public var activationLayers: ActivationLayers {
    switch self {
    case .hidden: .hiddenReLUs
    case .dense: .denseReLUs
    case .last: .lastHiddenReLU
    }
  }
}
