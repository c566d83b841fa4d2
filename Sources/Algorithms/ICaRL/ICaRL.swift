import ContinualCore
import ContinualEngine

/// iCaRL, incremental classifier and representation learning (Rebuffi, Kolesnikov, Sperl and
/// Lampert, CVPR 2017): exemplars chosen by herding in the run's one replay memory
/// (`memory.selection=herding`), replayed with the current batch; a sigmoid per class trained with
/// binary cross-entropy, the earlier classes' targets being the previous model's sigmoid outputs
/// (``NearestMeanHead`` + ``SigmoidDistillation``); and classification by the nearest mean of
/// exemplars (``NearestMeanHead``).
///
/// ```sh
/// continual compare --benchmark split-builtin --scenario class --algorithms finetune,icarl --set memory.size=200
/// ```
///
/// iCaRL is a class-incremental method; the task- and domain-incremental scenarios are refused
/// (``ICaRLError/unsupportedScenario(_:)``).
public enum ICaRL: Algorithm {
  /// `icarl`: no settings of its own (the memory is configured by `memory.*`).
  public static let configuration = AlgorithmConfiguration(
    name: "icarl",
    summary:
      "iCaRL (Rebuffi et al. 2017): herding exemplars, sigmoid BCE with distillation, nearest-mean-of-exemplars "
      + "classifier. Class-IL.",
    scenarios: [.class])

  /// The nearest-mean head, the sigmoid distillation, replay and the herding memory policy.
  ///
  /// - Parameter settings: Validated (empty) `icarl.*` values.
  /// - Returns: The components; the head closure throws ``ICaRLError/unsupportedScenario(_:)``
  ///   outside the class-incremental scenario.
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(
      regularisers: [SigmoidDistillation()], usesReplay: true,
      head: { layout, scenario in
        guard scenario == .class else { throw ICaRLError.unsupportedScenario(scenario) }
        return NearestMeanHead(layout: layout)
      },
      memorySelection: .herding)
  }
}

/// A run iCaRL cannot serve.
public enum ICaRLError: Error, Equatable, CustomStringConvertible {
  /// iCaRL's head serves the class-incremental scenario only.
  case unsupportedScenario(Scenario)

  /// Names the scenario and the valid one.
  public var description: String {
    switch self {
    case .unsupportedScenario(let scenario):
      "icarl classifies among every class seen so far: use --scenario class, not \(scenario.rawValue)"
    }
  }
}
