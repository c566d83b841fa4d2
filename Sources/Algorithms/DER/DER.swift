import ContinualCore
import ContinualEngine

/// Dark Experience Replay (Buzzega, Boschini, Porrello, Abati and Calderara, NeurIPS 2020):
/// a reservoir memory keeps every stored sample's logits from the step it was seen, and training
/// adds `α · ‖f_θ(x) − z‖²` (mean) on a replayed draw (``LogitReplay``).
///
/// ```
/// L = CE(current batch) + α · mean (f_θ(x_m) − z_m)²      (x_m, z_m) ~ reservoir, memory.batch of them
/// ```
///
/// The memory is the core's ``ReplayMemory`` with ``ReplayConfiguration/Selection/reservoir``:
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario class --algorithms der \
///   --set der.alpha=0.2 --set memory.selection=reservoir --set memory.size=200 --set memory.batch=10
/// ```
public enum DER: Algorithm {
  /// α, the logit-replay weight.
  public static let alpha = Setting<Float>("alpha", default: 0.3, "logit-replay weight α (0 = off)", in: 0...1e6)
  /// `der`: α (the memory is configured by `memory.*`, with `memory.selection=reservoir`).
  public static let configuration = AlgorithmConfiguration(
    name: "der",
    summary:
      "Dark experience replay (Buzzega et al. 2020): MSE to logits stored in a reservoir (memory.selection=reservoir).",
    settings: [alpha])

  /// The logit replay, drawing from the run's memory.
  ///
  /// - Parameter settings: Validated `der.*` values.
  /// - Returns: One ``LogitReplay`` and the replay memory.
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(
      regularisers: [LogitReplay(strength: settings[alpha])], usesReplay: true, memorySelection: .reservoir)
  }
}

/// DER++ (Buzzega et al. 2020): DER's logit replay plus the head's loss on a second, independent
/// replayed draw, `β · CE(f_θ(x'), y')` (``LabelReplay``).
///
/// ```
/// L = CE(current batch) + α · mean (f_θ(x_m) − z_m)² + β · CE(f_θ(x'_m), y'_m)
/// ```
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario class --algorithms derpp \
///   --set derpp.alpha=0.2 --set derpp.beta=1 --set memory.selection=reservoir --set memory.size=200
/// ```
public enum DERPlusPlus: Algorithm {
  /// α, the logit-replay weight.
  public static let alpha = Setting<Float>("alpha", default: 0.1, "logit-replay weight α (0 = off)", in: 0...1e6)
  /// β, the label-replay weight.
  public static let beta = Setting<Float>("beta", default: 0.5, "label-replay weight β (0 = off)", in: 0...1e6)
  /// `derpp`: α and β.
  public static let configuration = AlgorithmConfiguration(
    name: "derpp",
    summary:
      "DER++ (Buzzega et al. 2020): DER plus cross-entropy on a second replayed draw (memory.selection=reservoir).",
    settings: [alpha, beta])

  /// The logit replay and the label replay, each drawing from the run's memory.
  ///
  /// - Parameter settings: Validated `derpp.*` values.
  /// - Returns: A ``LogitReplay`` and a ``LabelReplay``, and the replay memory.
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(
      regularisers: [LogitReplay(strength: settings[alpha]), LabelReplay(strength: settings[beta])], usesReplay: true,
      memorySelection: .reservoir)
  }
}
