import ContinualCore

/// An algorithm stack such as `ewc+si` or `ewc[lambda=1e4]+si`: its components' settings and what
/// they build.
struct AlgorithmStack {
  /// The stack without settings, `ewc+si`: the record's algorithm.
  var name: String
  /// The stack as written, with any bracketed settings: `ewc[lambda=1e4]+si`.
  var specification: String
  var parts: [(algorithm: any Algorithm.Type, settings: Settings)]

  /// Parses a stack and picks each component's settings: `--set` values, overridden by the
  /// component's own bracketed ones.
  ///
  /// - Throws: ``CLIError`` for an unknown component, a repeated one or a malformed stack;
  ///   ``SettingsError`` for an unknown or invalid setting.
  init(_ text: String, settings: [String: String], known: [any Algorithm.Type]) throws {
    let parsed = try StackSpecification(text)
    name = parsed.stackName
    specification = text
    let names = parsed.components.map(\.name)
    guard Set(names).count == names.count else {
      throw CLIError("invalid algorithm stack '\(text)': name each component once, joined by +")
    }
    parts = try parsed.components.map { component in
      guard let algorithm = known.first(where: { $0.name == component.name }) else {
        let suggestion = nearest(component.name, in: known.map { $0.name }).map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError("unknown algorithm '\(component.name)'\(suggestion) (valid: \(known.map { $0.name }.joined(separator: ", ")))")
      }
      var given: [String: String] = [:]
      for (key, value) in settings where key.hasPrefix(component.name + ".") { given[String(key.dropFirst(component.name.count + 1))] = value }
      for (key, value) in component.settings { given[key] = value }
      return (algorithm, try Settings(component: component.name, declared: algorithm.hyperparameters, given: given))
    }
  }

  /// Checks that every `--set` key names a known algorithm (whether or not it is in a stack) or the
  /// replay memory (`memory.*`).
  static func validateKeys(_ settings: [String: String], known: [any Algorithm.Type]) throws {
    _ = try memorySettings(settings)
    for key in settings.keys.sorted() where !key.hasPrefix("memory.") {
      let component = String(key.prefix { $0 != "." })
      guard let algorithm = known.first(where: { $0.name == component }) else {
        let suggestion = nearest(component, in: known.map { $0.name } + ["memory"]).map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError("--set \(key): unknown component '\(component)'\(suggestion)")
      }
      _ = try Settings(component: component, declared: algorithm.hyperparameters, given: [String(key.dropFirst(component.count + 1)): settings[key]!])
    }
  }

  /// The validated `memory.*` settings (replay memory budget, selection, replay batch size).
  static func memorySettings(_ settings: [String: String]) throws -> Settings {
    var given: [String: String] = [:]
    for (key, value) in settings where key.hasPrefix("memory.") { given[String(key.dropFirst("memory.".count))] = value }
    return try Settings(component: "memory", declared: ReplayConfiguration.hyperparameters, given: given)
  }

  /// The components of every part, combined: regularisers concatenated, notes merged, an optimiser
  /// reset when any part needs one; at most one part may replace the head or the network, set a
  /// data regime, scale the learning rate or freeze parameters.
  func components() throws -> AlgorithmComponents {
    var combined = AlgorithmComponents()
    for (algorithm, settings) in parts {
      let c = try algorithm.components(settings)
      combined.regularisers += c.regularisers
      combined.usesReplay = combined.usesReplay || c.usesReplay
      if let regime = c.dataRegime {
        guard combined.dataRegime == nil else { throw CLIError("\(name): two components set the data regime") }
        combined.dataRegime = regime
      }
      if let head = c.head {
        guard combined.head == nil else { throw CLIError("\(name): two components replace the head") }
        combined.head = head
      }
      if let scale = c.learningRateScale {
        guard combined.learningRateScale == nil else { throw CLIError("\(name): two components set a learning-rate schedule") }
        combined.learningRateScale = scale
      }
      if let architecture = c.architecture {
        guard combined.architecture == nil else { throw CLIError("\(name): two components replace the network") }
        combined.architecture = architecture
      }
      if let frozen = c.frozenParameters {
        guard combined.frozenParameters == nil else { throw CLIError("\(name): two components freeze parameters") }
        combined.frozenParameters = frozen
      }
      combined.resetsOptimiser = combined.resetsOptimiser || c.resetsOptimiser
      if let notes = c.notes {
        let previous = combined.notes
        combined.notes = { architecture in (previous?(architecture) ?? [:]).merging(notes(architecture)) { a, _ in a } }
      }
    }
    return combined
  }

  /// Every setting of every part, prefixed (`ewc.lambda`), for records.
  var config: [String: String] {
    var result: [String: String] = [:]
    for (_, settings) in parts { for (k, v) in settings.values { result["\(settings.component).\(k)"] = v } }
    return result
  }
}
