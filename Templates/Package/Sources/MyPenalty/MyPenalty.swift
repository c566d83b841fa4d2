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
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>("lambda", default: 1, "penalty strength λ", in: 0...1e15)
  /// `my-penalty`, in one line of `continual list`, and its settings.
  public static let configuration = AlgorithmConfiguration(
    name: "my-penalty", summary: "An L2 pull towards the last task's weights, weighted by their magnitude.",
    settings: [lambda])

  /// One ``MagnitudePull`` with the given strength.
  ///
  /// - Parameter settings: Validated `my-penalty.*` values.
  /// - Returns: The components the trainer runs.
  /// - Throws: Nothing: every valid λ is accepted.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [MagnitudePull(strength: settings[lambda])])
  }
}
