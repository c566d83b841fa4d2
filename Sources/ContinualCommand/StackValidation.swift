import ContinualCore

/// Validation of the whole grid before anything runs, so a typo fails in a second, not an hour in.
enum StackValidation {
  /// Checks benchmarks, the baseline, every `--set` key and every stack, and that each setting the
  /// user typed reaches a stack.
  ///
  /// - Parameter options: The parsed options.
  /// - Throws: ``CLIError`` or ``SettingsError`` naming the option at fault.
  static func check(_ options: Options) throws {
    for b in options.benchmarks { try BenchmarkCatalogue.validate(b) }
    // A sweep has one row per stack, benchmark and scenario, so its baseline is one of the stacks:
    // as written, by its algorithm, or by a variant's row label (`ewc (lambda=10000)`), which the
    // table checks.
    let stackNames = try options.algorithms.map { try StackSpecification($0).stackName }
    if let baseline = options.baseline, !options.algorithms.contains(baseline), !stackNames.contains(baseline), !baseline.contains(" (") {
      let suggestion = nearest(baseline, in: options.algorithms).map { "; did you mean '\($0)'?" } ?? ""
      throw CLIError("--baseline '\(baseline)' is not in --algorithms\(suggestion) (\(options.algorithms.joined(separator: ", ")))")
    }
    var stacks: [AlgorithmStack] = []
    for scenario in options.scenarios {
      try AlgorithmStack.validateKeys(options.settings(for: scenario), known: options.known)
      // Two variants that resolve to the same settings would be the same runs under two names.
      var seen: [[String: String]: String] = [:]
      for a in options.algorithms {
        let stack = try AlgorithmStack(a, settings: options.settings(for: scenario), known: options.known)
        _ = try stack.components()
        stacks.append(stack)
        let configuration = stack.config.merging(["algorithm": stack.name]) { a, _ in a }
        if let earlier = seen[configuration] {
          throw CLIError(
            "--algorithms: \(earlier) and \(a) are the same configuration in the \(scenario) scenario (bracketed values equal to the defaults or to --set); list it once"
          )
        }
        seen[configuration] = a
      }
    }
    try checkSettingsReachAStack(options, stacks: stacks)
  }

  /// A setting typed on the command line for a component in no stack would be accepted and ignored:
  /// `--set si.c=3 --algorithms ewc` runs EWC and nothing else. Settings from presets and experiment
  /// files may cover more algorithms than a run picks, so only typed ones are checked.
  static func checkSettingsReachAStack(_ options: Options, stacks: [AlgorithmStack]) throws {
    let components = Set(stacks.flatMap { $0.parts.map { $0.algorithm.name } })
    let replays = try stacks.contains { try $0.components().usesReplay }
    for key in options.typedSettings {
      let component = String(key.prefix { $0 != "." })
      if component == "memory" {
        guard replays else {
          throw CLIError(
            "--set \(key): no stack in --algorithms (\(options.algorithms.joined(separator: ", "))) replays exemplars, so the replay memory is unused"
          )
        }
      } else if !components.contains(component) {
        throw CLIError(
          "--set \(key): \(component) is in no stack of --algorithms (\(options.algorithms.joined(separator: ", "))); add it to a stack or drop the setting"
        )
      }
    }
  }

  /// Stacks that run but measure something other than what their parts were made for, one message
  /// each, for the command to print as warnings.
  ///
  /// - Parameter options: The parsed options.
  /// - Returns: The warnings, in grid order.
  static func warnings(_ options: Options) -> [String] {
    var warnings: [String] = []
    for name in options.algorithms {
      let parts = name.split(separator: "+").map(String.init)
      if parts.contains("joint"), parts.count > 1 {
        let others = parts.filter { $0 != "joint" }.joined(separator: "+")
        warnings.append(
          "\(name): joint trains on the data of every task seen so far; \(others) exists to make up for data that is gone, so this stack measures little of \(others)"
        )
      }
      if parts.contains("ssil"), options.scenarios.contains(.task) {
        warnings.append(
          "\(name) in the task scenario: SS-IL was made for class-incremental learning (its separated softmax and task-wise distillation address the bias towards new classes, which per-task heads do not have)"
        )
      }
    }
    return warnings
  }
}
