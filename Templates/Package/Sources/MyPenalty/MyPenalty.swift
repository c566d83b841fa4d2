import ContinualCore

/// MyPenalty: pulls each weight back towards its value at the end of the last finished task, more
/// strongly the larger that value was (see ``MagnitudePull``).
///
/// On the command line it is `my-penalty`, alone or stacked:
///
/// ```sh
/// swift run -c release my-continual compare --algorithms ewc,ewc+my-penalty --set my-penalty.lambda=10
/// ```
public enum MyPenalty: Algorithm {
  /// `my-penalty`.
  public static let name = "my-penalty"
  /// What it does, in one line of `continual list`.
  public static let summary = "An L2 pull towards the last task's weights, weighted by their magnitude."
  /// λ, the penalty strength.
  public static let hyperparameters: [Hyperparameter] = [
    Hyperparameter("lambda", default: "1", "penalty strength λ", kind: .real(0...1e15))
  ]

  /// One ``MagnitudePull`` with the given strength.
  ///
  /// - Parameter settings: Validated `my-penalty.*` values.
  /// - Returns: The components the trainer runs.
  /// - Throws: Nothing: every valid λ is accepted.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [MagnitudePull(strength: settings.float("lambda"))])
  }
}
