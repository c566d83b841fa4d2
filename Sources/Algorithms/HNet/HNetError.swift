import ContinualCore

/// A configuration HNet cannot run.
public enum HNetError: Error, Equatable, CustomStringConvertible {
  /// The output regulariser found no ``Hypernetwork`` layer in the model (it names the model).
  case noHypernetwork(String)
  /// The lookahead is on but the step carries no task gradient or optimiser hook.
  case lookaheadUnavailable
  /// The target network does not support an option (the reason says which).
  case unsupportedTarget(String)
  /// The scenario's tasks do not fit the chosen head (the reason says why).
  case unsupportedScenario(String)

  /// Names the problem and how to fix it.
  public var description: String {
    switch self {
    case .noHypernetwork(let model):
      "the hnet output regulariser needs a model with a Hypernetwork layer (use the hnet algorithm, which builds "
        + "one); got \(model)"
    case .lookaheadUnavailable:
      "hnet.lookahead=true needs the step's task gradient and the optimiser's proposed change (ContinualTrainer "
        + "supplies both); set hnet.lookahead=false in custom loops"
    case .unsupportedTarget(let reason): "hnet: \(reason)"
    case .unsupportedScenario(let reason): "hnet: \(reason)"
    }
  }
}
