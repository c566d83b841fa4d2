import ContinualCore

/// One point of a sweep: the options its runs use (an option variant's, from `--grid lr=…`) and
/// one stack variant.
struct SweepPoint: Sendable {
  /// The options of this point's variant.
  var options: Options
  /// The stack, with its bracketed and grid settings.
  var stack: StackSpecification
  /// The option values the variant sets (`lr=0.001`), in grid order.
  var variant: [String]

  /// How progress lines and messages name the point: `ewc[lambda=1e4]+si (lr=0.001)`.
  var label: String { stack.text + (variant.isEmpty ? "" : " (" + variant.joined(separator: ", ") + ")") }
}

/// A stack of a sweep resolved for one scenario: its algorithms with their settings, the
/// combined components and the replay memory's settings when it replays.
struct ResolvedStack: Sendable {
  /// The stack as parsed.
  var specification: StackSpecification
  /// The typed stack.
  var stack: AlgorithmStack
  /// The replay memory's settings, when the stack replays.
  var memory: Settings?

  /// The stack's name, `ewc+si`: the record's algorithm.
  var name: String { stack.name }

  /// Resolves a stack: `--set` values (those in force in the scenario), overridden by the
  /// component's bracketed ones.
  ///
  /// - Parameters:
  ///   - specification: The parsed stack.
  ///   - settings: `component.key` to value.
  ///   - known: The algorithms a stack may name.
  /// - Throws: ``CLIError`` for an unknown or repeated component, two parts that claim one role;
  ///   ``SettingsError`` for an unknown or invalid setting.
  init(_ specification: StackSpecification, settings: [String: String], known: [any Algorithm.Type]) throws {
    self.specification = specification
    let parts = try specification.components.map { component -> AlgorithmStack.Part in
      guard let algorithm = known.first(where: { $0.name == component.name }) else {
        let suggestion = nearest(component.name, in: known.map { $0.name }).map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError(
          "unknown algorithm '\(component.name)'\(suggestion) (valid: \(known.map { $0.name }.joined(separator: ", ")))"
        )
      }
      var given: [String: String] = [:]
      for (key, value) in settings where key.hasPrefix(component.name + ".") {
        given[String(key.dropFirst(component.name.count + 1))] = value
      }
      for (key, value) in component.settings { given[key] = value }
      return try AlgorithmStack.Part(algorithm, settings: try algorithm.settings(given))
    }
    do {
      stack = try AlgorithmStack(parts)
      let components = try stack.components()
      if components.usesReplay {
        var memorySettings = settings.filter { $0.key.hasPrefix("memory.") }
        for (key, value) in specification.memory { memorySettings["memory.\(key)"] = value }
        // A part that needs a memory policy (DER: reservoir) gets it unless one is given, and a
        // given one must be it.
        if let needed = components.memorySelection {
          if let given = memorySettings["memory.selection"], given != needed.rawValue {
            throw CLIError(
              "\(specification.text) needs memory.selection=\(needed.rawValue) (its memory keeps what it replays), "
                + "not \(given)"
            )
          }
          memorySettings["memory.selection"] = needed.rawValue
        }
        memory = try ResolvedStack.memorySettings(memorySettings)
      }
    } catch let error as StackError {
      throw CLIError("invalid algorithm stack '\(specification.text)': \(error)")
    }
  }

  /// Resolves a stack written as text (tests and embedders).
  ///
  /// - Throws: As ``init(_:settings:known:)``, and ``CLIError`` for malformed text.
  init(_ text: String, settings: [String: String], known: [any Algorithm.Type]) throws {
    try self.init(try StackSpecification(text), settings: settings, known: known)
  }

  /// The combined components.
  func components() throws -> AlgorithmComponents {
    do {
      return try stack.components()
    } catch let error as StackError {
      throw CLIError("\(error)")
    }
  }

  /// What the stack adds to a run's record: every setting of every part, `reset_optimiser` when a
  /// part needs a fresh optimiser per task (HNet), and the memory's settings when it replays.
  func config() throws -> [String: String] {
    var config = stack.config
    if try components().resetsOptimiser { config["reset_optimiser"] = "true" }
    for (key, value) in memory?.values ?? [:] { config["memory.\(key)"] = value }
    return config
  }

  /// Checks that every `--set` key names a known algorithm (whether or not it is in a stack) or the
  /// replay memory (`memory.*`).
  static func validateKeys(_ settings: [String: String], known: [any Algorithm.Type]) throws {
    _ = try memorySettings(settings)
    for key in settings.keys.sorted() where !key.hasPrefix("memory.") {
      let component = String(key.prefix { $0 != "." })
      guard let algorithm = known.first(where: { $0.name == component }) else {
        let suggestion =
          nearest(component, in: known.map { $0.name } + ["memory"]).map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError("--set \(key): unknown component '\(component)'\(suggestion)")
      }
      _ = try algorithm.settings([String(key.dropFirst(component.count + 1)): settings[key]!])
    }
  }

  /// The validated `memory.*` settings (replay memory budget, selection, replay batch size).
  static func memorySettings(_ settings: [String: String]) throws -> Settings {
    var given: [String: String] = [:]
    for (key, value) in settings where key.hasPrefix("memory.") {
      given[String(key.dropFirst("memory.".count))] = value
    }
    return try Settings(component: "memory", declared: ReplayConfiguration.hyperparameters, given: given)
  }
}

/// A sweep parsed and checked before anything runs, so a typo fails in a second, not an hour in:
/// every point of the grid (option variants × stack variants), each stack resolved in each
/// scenario, and the warnings about stacks that measure something other than what their parts
/// were made for.
struct Sweep: Sendable {
  /// The options as given (before option grids).
  var options: Options
  /// The points, in grid order: option variants outermost, then stacks as listed, each expanded
  /// over the setting axes in place.
  var points: [SweepPoint]
  /// One message per stack that runs but measures little of a part, in grid order.
  var warnings: [String] = []

  /// Expands and checks the grid of `options`.
  ///
  /// - Throws: ``CLIError`` or ``SettingsError`` naming the option, stack or setting at fault.
  init(_ options: Options) throws {
    self.options = options
    var variants: [(options: Options, variant: [String])] = [(options, [])]
    for axis in options.grid {
      guard case .option(let flag) = axis.target, let declaration = Options.declaration(flag) else { continue }
      variants = try variants.flatMap { base in
        try axis.values.map { value in
          var copy = base
          do {
            try declaration.assign(&copy.options, value)
            try copy.options.validate()
          } catch let error as CLIError {
            throw CLIError("--grid \(axis.key)=\(value): \(error)")
          }
          copy.variant.append("\(axis.key)=\(value)")
          return copy
        }
      }
    }
    let stacks = try Sweep.expand(options.algorithms, over: options.grid, known: options.known)
    points = variants.flatMap { variant in
      stacks.map { SweepPoint(options: variant.options, stack: $0, variant: variant.variant) }
    }
    try check()
  }

  /// The stack each point trains in a scenario.
  func resolved(_ point: SweepPoint, in scenario: Scenario) throws -> ResolvedStack {
    try ResolvedStack(point.stack, settings: point.options.settings(for: scenario), known: options.known)
  }

  /// Every stack expanded over the setting axes whose component it holds (and over memory axes
  /// when it replays), in grid order; stacks without such a component stay as they are.
  ///
  /// - Throws: ``CLIError`` when a stack already sets a varied key in brackets, or when an axis
  ///   varies a component in no stack (or the memory when no stack replays).
  static func expand(_ stacks: [StackSpecification], over axes: [GridAxis], known: [any Algorithm.Type]) throws
    -> [StackSpecification]
  {
    let listed = stacks.map(\.text).joined(separator: ", ")
    func replays(_ stack: StackSpecification) -> Bool {
      stack.components.contains { component in known.first { $0.name == component.name }.map(usesReplay) ?? false }
    }
    for axis in axes {
      switch axis.target {
      case .setting(let component, _)
      where !stacks.contains(where: { $0.components.contains { $0.name == component } }):
        throw CLIError("--grid \(axis.key): \(component) is in no stack of --algorithms (\(listed))")
      case .memory where !stacks.contains(where: replays):
        throw CLIError(
          "--grid \(axis.key): no stack in --algorithms (\(listed)) replays exemplars, so the replay memory is unused")
      default: continue
      }
    }
    return try stacks.flatMap { stack -> [StackSpecification] in
      var variants = [stack]
      for axis in axes {
        switch axis.target {
        case .setting(let component, let name):
          guard let index = stack.components.firstIndex(where: { $0.name == component }) else { continue }
          if stack.components[index].settings.contains(where: { $0.key == name }) {
            throw CLIError("\(stack.text) sets \(axis.key) in brackets and --grid varies it; give it in one place")
          }
          variants = variants.flatMap { variant in
            axis.values.map { value in
              var next = variant
              next.components[index].settings.append((name, value))
              return next
            }
          }
        case .memory(let name):
          guard replays(stack) else { continue }
          variants = variants.flatMap { variant in
            axis.values.map { value in
              var next = variant
              next.memory.append((name, value))
              return next
            }
          }
        case .option: continue
        }
      }
      return variants
    }
  }
}
