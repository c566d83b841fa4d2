import ContinualCore

/// __NAME__: a regulariser that pulls the weights towards where they were at the end of every
/// finished task (see ``__NAME__Penalty``).
///
/// Scaffolded by `swift package new-algorithm`. The command line lists it as `__name__`:
///
/// ```sh
/// swift run -c release __TOOL__ compare --algorithms __name__,ewc --seeds 1 --iterations 100
/// swift run -c release __TOOL__ compare --algorithms __name__ \
///   --set __name__.lambda=10
/// ```
public enum __NAME__: Algorithm {
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>("lambda", default: 1, "penalty strength λ", in: 0...1e15)
  /// `__name__`, in one line of `__TOOL__ list`, and its settings.
  public static let configuration = AlgorithmConfiguration(
    name: "__name__",
    summary: "Scaffold: an L2 pull towards the weights at the end of every finished task.",
    settings: [lambda])

  /// One ``__NAME__Penalty`` with the given strength.
  ///
  /// - Parameter settings: Validated `__name__.*` values.
  /// - Returns: The components the trainer runs.
  /// - Throws: ``SettingsError`` when the settings do not fit together (the scaffold accepts every
  ///   valid value).
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [__NAME__Penalty(name: name, strength: settings[lambda])])
  }
}
