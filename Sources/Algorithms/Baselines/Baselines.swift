import ContinualCore

/// Fine-tuning: train each task in turn with no protection against forgetting (the lower bound).
public enum FineTuning: Algorithm {
  /// `finetune`, without settings.
  public static let configuration = AlgorithmConfiguration(
    name: "finetune", summary: "Fine-tuning: plain sequential training, no regulariser (lower bound).")
  /// No components.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents { AlgorithmComponents() }
}

/// Joint training: each task trains on the union of every task seen so far (the upper bound).
///
/// After the last task the model has been trained on all tasks' data together, as the "offline" or
/// "joint" rows of published tables; the intermediate rows of the accuracy matrix are cumulative
/// training (Avalanche's `Cumulative`).
public enum JointTraining: Algorithm {
  /// `joint`, without settings.
  public static let configuration = AlgorithmConfiguration(
    name: "joint", summary: "Joint training: each task trains on all data seen so far (upper bound).")
  /// The cumulative data regime.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(dataRegime: .cumulative)
  }
}
