import ContinualCore

/// __NAME__: the scenario's standard head with its logits divided by a temperature in the loss
/// (see ``__NAME__Head``).
///
/// Scaffolded by `swift package new-algorithm --kind head`. The command line lists it as
/// `__name__`:
///
/// ```sh
/// swift run -c release __TOOL__ compare --algorithms __name__,finetune --scenario class \
///   --seeds 1 --iterations 100
/// ```
public enum __NAME__: Algorithm {
  /// T, the temperature.
  public static let temperature = Setting<Float>("temperature", default: 1, "the loss sees logits / T", in: 0.01...100)
  /// `__name__`, in one line of `__TOOL__ list`, and its settings.
  public static let configuration = AlgorithmConfiguration(
    name: "__name__",
    summary: "Scaffold: the scenario's head with the training loss taken on logits / T.",
    settings: [temperature])

  /// A head for each scenario: ``__NAME__Head`` around the standard one.
  ///
  /// - Parameter settings: Validated `__name__.*` values.
  /// - Returns: The components the trainer runs.
  /// - Throws: ``SettingsError`` when the settings do not fit together (the scaffold accepts every
  ///   valid value).
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    AlgorithmComponents(head: { [temperature = settings[temperature]] layout, scenario in
      __NAME__Head(
        base: __NAME__Head.standardHead(layout: layout, scenario: scenario), temperature: temperature)
    })
  }
}
