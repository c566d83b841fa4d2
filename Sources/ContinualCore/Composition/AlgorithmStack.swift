import ContinualEngine

/// Several algorithms trained as one objective: the scenario's head loss plus every component's
/// penalties, with the components' other contributions (a head, a network, a data regime, a
/// learning-rate schedule, frozen parameters) combined by fixed rules.
///
/// ```swift
/// let stack = try AlgorithmStack([EWC.self, MyPenalty.self])       // default settings
/// let tuned = try AlgorithmStack([.init(EWC.self, settings: try EWC.settings(["lambda": "1e4"])), .init(SI.self)])
/// let components = try stack.components()                           // one objective: both penalties
/// ```
///
/// The rules: regularisers are concatenated in stack order, each logged as its own loss term;
/// replay and an optimiser reset apply when any part asks for them; at most one part may replace
/// the head, replace the network, set a data regime, scale the learning rate or freeze parameters
/// (two such parts would silently override each other, so the stack is refused); at most one part
/// projects gradients (A-GEM) or draws replayed samples itself (DER, A-GEM), and a drawing part does
/// not stack with one whose replay is joined to the batch (ER, SS-IL); parts that need a memory
/// policy (DER: reservoir) must agree on it.
public struct AlgorithmStack: Sendable {
  /// One component of a stack: an algorithm and its settings.
  public struct Part: Sendable {
    /// The algorithm.
    public var algorithm: any Algorithm.Type
    /// Its validated settings.
    public var settings: Settings

    /// A part with the given settings.
    ///
    /// - Parameters:
    ///   - algorithm: The algorithm.
    ///   - settings: Its settings, from `algorithm.settings(_:)`; the defaults when omitted.
    /// - Throws: ``SettingsError`` only when the algorithm's own defaults are invalid.
    public init(_ algorithm: any Algorithm.Type, settings: Settings? = nil) throws {
      self.algorithm = algorithm
      self.settings = try settings ?? algorithm.settings()
    }
  }

  /// The parts, in stack order.
  public private(set) var parts: [Part]

  /// A stack of parts.
  ///
  /// - Throws: ``StackError/empty`` or ``StackError/repeated(_:)`` when an algorithm appears twice.
  public init(_ parts: [Part]) throws {
    guard !parts.isEmpty else { throw StackError.empty }
    var seen = Set<String>()
    if let repeated = parts.first(where: { !seen.insert($0.algorithm.name).inserted }) {
      throw StackError.repeated(repeated.algorithm.name)
    }
    self.parts = parts
  }

  /// A stack of algorithms with their default settings.
  ///
  /// - Throws: ``StackError``, as the initialiser from parts does.
  public init(_ algorithms: [any Algorithm.Type]) throws {
    try self.init(algorithms.map { try Part($0) })
  }

  /// The stack's name, its parts' names joined by `+` (`ewc+si`): the record's algorithm.
  public var name: String { parts.map { $0.algorithm.name }.joined(separator: "+") }

  /// Every setting of every part, prefixed by its component (`ewc.lambda`), as records keep them;
  /// a setting declared ``Setting/omittedFromRecordsAtDefault()`` only when it is not at its default.
  public var config: [String: String] {
    var result: [String: String] = [:]
    for part in parts {
      let atDefault = Dictionary(
        part.algorithm.hyperparameters.filter { !$0.recordedAtDefault }.map {
          ($0.name, $0.canonical($0.defaultValue))
        },
        uniquingKeysWith: { first, _ in first })
      for (key, value) in part.settings.values where atDefault[key] != value {
        result["\(part.settings.component).\(key)"] = value
      }
    }
    return result
  }

  /// The scenarios every part was made for (the intersection of their ``AlgorithmConfiguration/scenarios``).
  public var intendedScenarios: [Scenario] {
    Scenario.allCases.filter { scenario in parts.allSatisfy { $0.algorithm.configuration.scenarios.contains(scenario) }
    }
  }

  /// The parts' components combined into one objective by the rules above.
  ///
  /// - Returns: The combined components.
  /// - Throws: ``StackError/conflict(stack:reason:)`` when two parts claim what only one may;
  ///   the algorithms' own errors for inconsistent settings.
  public func components() throws -> AlgorithmComponents {
    var combined = AlgorithmComponents()
    func claim<T>(_ slot: inout T?, _ value: T?, _ what: String) throws {
      guard let value else { return }
      guard slot == nil else { throw StackError.conflict(stack: name, reason: "two components \(what)") }
      slot = value
    }
    var drawing: [String] = [], joining: [String] = [], projecting: [String] = []
    for part in parts {
      let c = try part.algorithm.components(part.settings)
      if c.drawsReplay { drawing.append(part.algorithm.name) }
      if c.usesReplay && !c.drawsReplay { joining.append(part.algorithm.name) }
      if c.projectsGradients { projecting.append(part.algorithm.name) }
      if let selection = c.memorySelection, let other = combined.memorySelection, other != selection {
        throw StackError.conflict(
          stack: name,
          reason: "two components need different memory policies (\(other.rawValue) and \(selection.rawValue))")
      }
      combined.memorySelection = combined.memorySelection ?? c.memorySelection
      combined.projectsGradients = combined.projectsGradients || c.projectsGradients
      combined.regularisers += c.regularisers
      combined.usesReplay = combined.usesReplay || c.usesReplay
      combined.resetsOptimiser = combined.resetsOptimiser || c.resetsOptimiser
      try claim(&combined.dataRegime, c.dataRegime, "set the data regime")
      try claim(&combined.head, c.head, "replace the head")
      try claim(&combined.learningRateScale, c.learningRateScale, "set a learning-rate schedule")
      try claim(&combined.architecture, c.architecture, "replace the network")
      try claim(&combined.frozenParameters, c.frozenParameters, "freeze parameters")
      if let notes = c.notes {
        let previous = combined.notes
        combined.notes = { architecture in (previous?(architecture) ?? [:]).merging(notes(architecture)) { a, _ in a } }
      }
      if let warnings = c.warnings {
        let previous = combined.warnings
        combined.warnings = { architecture in (previous?(architecture) ?? []) + warnings(architecture) }
      }
    }
    // Each projection would undo the other's guarantee.
    if projecting.count > 1 {
      throw StackError.conflict(stack: name, reason: "\(projecting.joined(separator: " and ")) both project gradients")
    }
    // A part that draws replayed samples itself switches off the replay others join to the batch,
    // and two drawing parts would share one memory's draws and loss-term names.
    if drawing.count > 1 {
      throw StackError.conflict(
        stack: name, reason: "\(drawing.joined(separator: " and ")) both draw from the replay memory")
    }
    if let drawer = drawing.first, let joiner = joining.first {
      throw StackError.conflict(
        stack: name,
        reason:
          "\(drawer) draws replayed samples itself, so the replay \(joiner) joins to each batch would be switched off")
    }
    return combined
  }

  /// The head the stack trains with in a scenario: a part's own head, else the scenario's standard
  /// one (``Scenario/standardHead(classesPerTask:)``).
  ///
  /// - Parameters:
  ///   - scenario: The scenario.
  ///   - classesPerTask: Each task's number of classes.
  /// - Returns: The head.
  /// - Throws: ``StackError`` from ``components()``; the head's errors (a domain scenario with
  ///   tasks of different sizes, a part's head that does not support the scenario).
  public func head(for scenario: Scenario, classesPerTask: [Int]) throws -> any Head {
    if let head = try components().head { return try head(TaskLayout(classCounts: classesPerTask), scenario) }
    return try scenario.standardHead(classesPerTask: classesPerTask)
  }
}

/// A stack that cannot be built.
public enum StackError: Error, Equatable, CustomStringConvertible {
  /// A stack with no parts.
  case empty
  /// An algorithm named twice in one stack.
  case repeated(String)
  /// Two parts claim what only one part may (the head, the network, …).
  case conflict(stack: String, reason: String)

  /// Names the stack and what is wrong.
  public var description: String {
    switch self {
    case .empty: "an algorithm stack needs at least one algorithm"
    case .repeated(let name): "\(name) appears twice in one stack; name each component once, joined by +"
    case .conflict(let stack, let reason): "\(stack): \(reason)"
    }
  }
}

extension Scenario {
  /// The scenario's standard head: one head per task (task), one shared head (domain), or every
  /// class seen so far active (class).
  ///
  /// - Parameter classesPerTask: Each task's number of classes.
  /// - Returns: The head.
  /// - Throws: ``HeadError/unequalTasks(_:)`` in the domain scenario when tasks have different numbers
  ///   of classes (one shared head cannot serve them).
  public func standardHead(classesPerTask: [Int]) throws -> any Head {
    let layout = TaskLayout(classCounts: classesPerTask)
    switch self {
    case .task: return MultiHead(layout: layout)
    case .class: return ActiveClassHead(layout: layout)
    case .domain:
      guard let first = classesPerTask.first, classesPerTask.allSatisfy({ $0 == first }) else {
        throw HeadError.unequalTasks(classesPerTask)
      }
      return SharedHead(classCount: first)
    }
  }
}

/// A scenario's head that cannot be built for a task sequence.
public enum HeadError: Error, Equatable, CustomStringConvertible {
  /// The domain scenario over tasks with different numbers of classes.
  case unequalTasks([Int])

  /// Names the problem and the task sizes.
  public var description: String {
    switch self {
    case .unequalTasks(let counts):
      "the domain scenario needs the same number of classes in every task; these tasks have \(counts)"
    }
  }
}
