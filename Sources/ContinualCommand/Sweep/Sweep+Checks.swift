import ContinualCore

extension Sweep {
  /// Checks the baseline, every `--set` key, every stack in every scenario and option variant, that
  /// each setting the user typed reaches a stack, and the rules stacks carry as properties of their
  /// components; collects the warnings.
  ///
  /// - Throws: ``CLIError`` or ``SettingsError`` naming the option at fault.
  mutating func check() throws {
    // A sweep has one row per stack, benchmark and scenario, so its baseline is one of the stacks:
    // as written, by its algorithm, or by a variant's row label (`ewc (lambda=10000)`), which the
    // table checks.
    let written = options.algorithms.map(\.text)
    if let baseline = options.baseline, !written.contains(baseline),
      !options.algorithms.contains(where: { $0.stackName == baseline }),
      !baseline.contains(" (")
    {
      let suggestion = nearest(baseline, in: written).map { "; did you mean '\($0)'?" } ?? ""
      throw CLIError(
        "--baseline '\(baseline)' is not in --algorithms\(suggestion) (\(written.joined(separator: ", ")))")
    }
    var stacks: [ResolvedStack] = []
    for scenario in options.scenarios {
      try ResolvedStack.validateKeys(options.settings(for: scenario), known: options.known)
      // Two points that resolve to the same settings would be the same runs under two names.
      var seen: [[String: String]: String] = [:]
      for point in points {
        let stack = try resolved(point, in: scenario)
        let components = try stack.components()
        stacks.append(stack)
        try checkBatchNorm(point, components: components)
        var configuration = try stack.config().merging(["algorithm": stack.name]) { a, _ in a }
        for benchmark in point.options.benchmarks {
          configuration.merge(point.options.protocolConfig(benchmark: benchmark, scenario: scenario)) { stack, _ in
            stack
          }
        }
        if let earlier = seen[configuration] {
          throw CLIError(
            "--algorithms: \(earlier) and \(point.label) are the same configuration in the \(scenario) scenario "
              + "(bracketed values equal to the defaults or to --set); list it once")
        }
        seen[configuration] = point.label
        warnings += Sweep.warnings(stack, components: components, scenario: scenario, label: point.label)
      }
    }
    try checkSettingsReachAStack(stacks)
    var unique = Set<String>()
    warnings = warnings.filter { unique.insert($0).inserted }
  }

  /// Per-task BatchNorm statistics need a network whose BatchNorm the run owns: a component that
  /// replaces the network (HNet generates every weight and keeps its own statistics per task)
  /// refuses them, whatever its brackets or grid settings.
  private func checkBatchNorm(_ point: SweepPoint, components: AlgorithmComponents) throws {
    guard point.options.batchNorm == .perTask, components.architecture != nil else { return }
    throw CLIError(
      "--batchnorm per-task: \(point.stack.text) replaces the network and keeps BatchNorm statistics per task "
        + "already (see Docs/Networks.md)"
    )
  }

  /// A setting typed on the command line for a component in no stack would be accepted and ignored:
  /// `--set si.c=3 --algorithms ewc` runs EWC and nothing else. Settings from presets and experiment
  /// files may cover more algorithms than a run picks, so only typed ones are checked.
  private func checkSettingsReachAStack(_ stacks: [ResolvedStack]) throws {
    let components = Set(stacks.flatMap { $0.stack.parts.map { $0.algorithm.name } })
    let replays = stacks.contains { $0.memory != nil }
    let listed = options.algorithms.map(\.text).joined(separator: ", ")
    for key in options.typedSettings {
      let component = String(key.prefix { $0 != "." })
      if component == "memory" {
        guard replays else {
          throw CLIError(
            "--set \(key): no stack in --algorithms (\(listed)) replays exemplars, so the replay memory is unused")
        }
      } else if !components.contains(component) {
        throw CLIError(
          "--set \(key): \(component) is in no stack of --algorithms (\(listed)); add it to a stack or drop the setting"
        )
      }
    }
  }

  /// Messages for a stack that runs but measures something other than what its parts were made
  /// for: a part that trains on every task's data beside parts that make up for data that is gone,
  /// or a part run outside the scenarios it was made for.
  static func warnings(_ stack: ResolvedStack, components: AlgorithmComponents, scenario: Scenario, label: String)
    -> [String]
  {
    var warnings: [String] = []
    let parts = stack.stack.parts
    if parts.count > 1, components.dataRegime == .cumulative,
      let cumulative = parts.first(where: { (try? $0.algorithm.components($0.settings).dataRegime) == .cumulative })
    {
      let others = parts.filter { $0.algorithm != cumulative.algorithm }.map { $0.algorithm.name }.joined(
        separator: "+")
      warnings.append(
        "\(label): \(cumulative.algorithm.name) trains on the data of every task seen so far; \(others) exists to "
          + "make up for data "
          + "that is gone, so this stack measures little of \(others)")
    }
    for part in parts where !part.algorithm.configuration.scenarios.contains(scenario) {
      let intended = part.algorithm.configuration.scenarios.map(\.rawValue).joined(separator: " and ")
      warnings.append(
        "\(label) in the \(scenario) scenario: \(part.algorithm.name) was made for the \(intended) scenario "
          + "(\(part.algorithm.summary))"
      )
    }
    return warnings
  }
}
