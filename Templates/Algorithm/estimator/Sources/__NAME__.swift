import ContinualCore

/// __NAME__: a quadratic penalty `λ Σ_i Ω_i (θ_i − θ*_i)²` whose importances Ω come from
/// ``__NAME__Estimator`` and are summed over tasks, like MAS and SI.
///
/// Scaffolded by `swift package new-algorithm --kind estimator`. The command line lists it as
/// `__name__`:
///
/// ```sh
/// swift run -c release __TOOL__ compare --algorithms __name__,ewc,si,mas \
///   --seeds 1 --iterations 100
/// ```
public enum __NAME__: Algorithm {
  /// λ, the penalty strength.
  public static let lambda = Setting<Float>("lambda", default: 1, "penalty strength λ", in: 0...1e15)
  /// `__name__`, in one line of `__TOOL__ list`, and its settings.
  public static let configuration = AlgorithmConfiguration(
    name: "__name__",
    summary: "Scaffold: a quadratic penalty with importance |θ| at the end of each task, summed over tasks.",
    settings: [lambda])

  /// One running quadratic penalty with ``__NAME__Estimator``.
  ///
  /// - Parameter settings: Validated `__name__.*` values.
  /// - Returns: The components the trainer runs.
  /// - Throws: ``SettingsError`` when the settings do not fit together (the scaffold accepts every
  ///   valid value).
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      QuadraticPenalty(
        name: name, estimator: __NAME__Estimator(), strength: settings[lambda],
        accumulation: .sum(clampNonNegative: false))
    ])
  }
}
