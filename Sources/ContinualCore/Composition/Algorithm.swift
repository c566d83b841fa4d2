import ContinualEngine
import Foundation

/// A hyperparameter an algorithm accepts, with its default and valid values.
public struct Hyperparameter: Sendable, Equatable {
  /// The values a hyperparameter may take.
  public enum Kind: Sendable, Equatable {
    /// A real number in a closed range.
    case real(ClosedRange<Double>)
    /// A whole number in a closed range.
    case integer(ClosedRange<Int>)
    /// One of a fixed set of words.
    case choice([String])
    /// `true` or `false`.
    case boolean
    /// Comma-separated whole numbers, each in a closed range (layer widths such as `100,100`);
    /// empty (`""` or `none`) for no numbers.
    case integers(ClosedRange<Int>)
  }

  /// The name after the component prefix (`lambda` in `ewc.lambda`).
  public var name: String
  /// The default, as it would be written on the command line.
  public var defaultValue: String
  /// What it means.
  public var summary: String
  /// The valid values.
  public var kind: Kind
  /// Whether a run's record lists the setting when it holds its default. A setting added to an
  /// algorithm after runs were recorded says `false`, so those runs keep their configuration and
  /// their ids (see ``Setting/omittedFromRecordsAtDefault()``).
  public var recordedAtDefault = true

  /// Creates a hyperparameter description.
  public init(_ name: String, default defaultValue: String, _ summary: String, kind: Kind) {
    self.name = name
    self.defaultValue = defaultValue
    self.summary = summary
    self.kind = kind
  }

  /// The valid values, for messages and `continual list`.
  public var validValues: String {
    switch kind {
    case .real(let r): "a number in [\(Hyperparameter.format(r.lowerBound)), \(Hyperparameter.format(r.upperBound))]"
    case .integer(let r): "a whole number in [\(r.lowerBound), \(r.upperBound)]"
    case .choice(let words): "one of " + words.joined(separator: ", ")
    case .boolean: "true or false"
    case .integers(let r):
      "comma-separated whole numbers in [\(r.lowerBound), \(r.upperBound)] (none for an empty list)"
    }
  }

  /// The numbers of a comma-separated list (`"100,100"`), `[]` for `""` or `none`, `nil` when a part
  /// is not a whole number.
  static func integers(_ text: String) -> [Int]? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty || trimmed == "none" { return [] }
    let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
      Int($0.trimmingCharacters(in: .whitespaces))
    }
    return parts.contains(nil) ? nil : parts.map { $0! }
  }

  /// One spelling per value, so that `1e-3`, `0.001` and `.001` are one configuration (records
  /// and run ids use these values): reals as the static `canonical(_:)` spells them (`500`,
  /// `0.001`, `1e-05`, `1e+15`); whole numbers without leading zeros. Other kinds are kept as
  /// written.
  ///
  /// - Parameter text: A value that ``validate(_:component:)`` accepted.
  /// - Returns: Its canonical spelling.
  public func canonical(_ text: String) -> String {
    switch kind {
    case .real: Double(text).map(Hyperparameter.canonical) ?? text
    case .integer: Int(text).map(String.init) ?? text
    case .choice, .boolean, .integers: text
    }
  }

  /// The canonical spelling of a real number: a whole number below 10¹⁵ in digits (`500`,
  /// `10000`), else the shortest `%g` form that reads back exactly (`0.001`, `1e-05`, `1e+15`).
  public static func canonical(_ value: Double) -> String {
    if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int64(value)) }
    for precision in 1...17 {
      let text = String(format: "%.\(precision)g", value)
      if Double(text) == value { return text }
    }
    return "\(value)"
  }

  /// A number as a person would write it: `0.5`, `1e+15`.
  static func format(_ x: Double) -> String { String(format: "%g", x) }

  /// Checks a textual value.
  ///
  /// - Throws: ``SettingsError/invalidValue(key:value:expected:)`` naming the valid values.
  public func validate(_ value: String, component: String) throws {
    let key = "\(component).\(name)"
    let ok: Bool
    switch kind {
    case .real(let r): ok = Double(value).map { r.contains($0) } ?? false
    case .integer(let r): ok = Int(value).map { r.contains($0) } ?? false
    case .choice(let words): ok = words.contains(value)
    case .boolean: ok = value == "true" || value == "false"
    case .integers(let r): ok = Hyperparameter.integers(value).map { $0.allSatisfy(r.contains) } ?? false
    }
    if !ok { throw SettingsError.invalidValue(key: key, value: value, expected: validValues) }
  }
}

/// A component's hyperparameter values, validated against its declared ``Hyperparameter``s.
///
/// ```swift
/// let settings = try EWC.settings(["lambda": "500"])
/// let lambda = settings[EWC.lambda]   // 500 as a Float, or the default when not given
/// ```
public struct Settings: Sendable, Equatable {
  /// The component name (`ewc`).
  public var component: String
  /// Every declared hyperparameter's value (given or default).
  public private(set) var values: [String: String]

  /// Validates given values against the declarations, filling in defaults.
  ///
  /// - Throws: ``SettingsError`` for an unknown name (with the nearest valid name) or an invalid value.
  public init(component: String, declared: [Hyperparameter], given: [String: String]) throws {
    self.component = component
    var values: [String: String] = [:]
    for h in declared { values[h.name] = h.canonical(h.defaultValue) }
    for (name, value) in given.sorted(by: { $0.key < $1.key }) {
      guard let h = declared.first(where: { $0.name == name }) else {
        throw SettingsError.unknownKey(
          key: "\(component).\(name)", valid: declared.map { "\(component).\($0.name)" },
          suggestion: nearest(name, in: declared.map(\.name)).map { "\(component).\($0)" })
      }
      try h.validate(value, component: component)
      values[name] = h.canonical(value)
    }
    self.values = values
  }
}

/// A bad `--set` value or name.
public enum SettingsError: Error, Equatable, CustomStringConvertible {
  /// No such hyperparameter.
  case unknownKey(key: String, valid: [String], suggestion: String?)
  /// The value is not valid for the hyperparameter.
  case invalidValue(key: String, value: String, expected: String)

  /// Names the key, the valid choices and the nearest valid name.
  public var description: String {
    switch self {
    case .unknownKey(let key, let valid, let suggestion):
      "unknown setting '\(key)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        + (valid.isEmpty ? " (this component takes no settings)" : " (valid: \(valid.joined(separator: ", ")))")
    case .invalidValue(let key, let value, let expected): "invalid value '\(value)' for \(key): expected \(expected)"
    }
  }
}

/// What an algorithm contributes to a run.
public struct AlgorithmComponents: Sendable {
  /// Regularisers stacked on the task loss.
  public var regularisers: [any Regulariser]
  /// A data regime other than sequential, if the algorithm needs one (joint training).
  public var dataRegime: DataRegime?
  /// Whether the algorithm replays exemplars from the core's ``ReplayMemory`` (configured by the
  /// `memory.*` settings).
  public var usesReplay: Bool
  /// A head that replaces the scenario's standard one (SS-IL's separated softmax), given the layout.
  public var head: (@Sendable (TaskLayout, Scenario) throws -> any Head)?
  /// A per-task learning-rate factor.
  public var learningRateScale: (@Sendable (Int) -> Float)?
  /// A network built around the scenario's one (HNet wraps it in a hypernetwork that generates its
  /// weights), given that network, the layout and the scenario.
  public var architecture: (@Sendable (Sequential, TaskLayout, Scenario) throws -> Sequential)?
  /// Parameters kept fixed while a task trains (see ``TrainingPlan/frozenParameters``).
  public var frozenParameters: (@Sendable (_ task: Int, _ names: [String]) -> Set<String>)?
  /// Whether the algorithm needs a fresh optimiser state at every task (HNet's official code
  /// creates its optimisers per task); the run then resets the optimiser between tasks.
  public var resetsOptimiser: Bool
  /// Facts about the run to record with it, computed from the final network (HNet's compression
  /// ratio), keyed like settings (`hnet.compression_ratio`).
  public var notes: (@Sendable (Sequential) -> [String: String])?
  /// Warnings about the run's set-up, computed from the final network before training (HNet: the
  /// generated weights start far from the target's own scale); the command says each through its
  /// console. Set after creating the components.
  public var warnings: (@Sendable (Sequential) -> [String])? = nil
  /// The memory policy the algorithm needs (DER: ``ReplayConfiguration/Selection/reservoir``, the
  /// only memory that keeps outputs), to be used unless `memory.selection` is given; `nil`: any.
  /// Two components that need different policies cannot stack.
  public var memorySelection: ReplayConfiguration.Selection?
  /// Whether a regulariser changes the total gradient's direction in
  /// ``Regulariser/gradientsDidCompute(_:step:)`` (A-GEM's projection). Two such components cannot
  /// stack: each projection would undo the other's guarantee.
  public var projectsGradients: Bool
  /// Whether some regulariser draws replayed samples itself (``Regulariser/drawsReplay``): the run
  /// then joins no replayed samples to the batch, so such a component cannot stack with one that
  /// relies on joined replay (`er`, `ssil`), nor with another that draws.
  public var drawsReplay: Bool { regularisers.contains { $0.drawsReplay } }

  /// Creates the components.
  public init(
    regularisers: [any Regulariser] = [], dataRegime: DataRegime? = nil, usesReplay: Bool = false,
    head: (@Sendable (TaskLayout, Scenario) throws -> any Head)? = nil,
    learningRateScale: (@Sendable (Int) -> Float)? = nil,
    architecture: (@Sendable (Sequential, TaskLayout, Scenario) throws -> Sequential)? = nil,
    frozenParameters: (@Sendable (_ task: Int, _ names: [String]) -> Set<String>)? = nil, resetsOptimiser: Bool = false,
    notes: (@Sendable (Sequential) -> [String: String])? = nil, memorySelection: ReplayConfiguration.Selection? = nil,
    projectsGradients: Bool = false
  ) {
    self.regularisers = regularisers
    self.dataRegime = dataRegime
    self.usesReplay = usesReplay
    self.head = head
    self.learningRateScale = learningRateScale
    self.architecture = architecture
    self.frozenParameters = frozenParameters
    self.resetsOptimiser = resetsOptimiser
    self.notes = notes
    self.memorySelection = memorySelection
    self.projectsGradients = projectsGradients
  }
}

/// A continual-learning algorithm as the command-line tool and the composition layer see it: one
/// configuration (its name, summary and settings) and how to build its components from settings.
///
/// Each algorithm target declares one conforming type; stacks such as `ewc+si` combine the
/// components of several.
///
/// ```swift
/// public enum L2Anchor: Algorithm {
///   static let lambda = Setting<Float>("lambda", default: 0.1, "strength", in: 0...1e12)
///   public static let configuration = AlgorithmConfiguration(
///     name: "l2", summary: "Plain L2 pull towards the previous task's weights.", settings: [lambda])
///   public static func components(_ settings: Settings) throws -> AlgorithmComponents {
///     AlgorithmComponents(regularisers: [L2ToAnchor(strength: settings[lambda])])
///   }
/// }
/// ```
public protocol Algorithm: Sendable {
  /// The name, one line on what it does, and the settings, declared once.
  static var configuration: AlgorithmConfiguration { get }
  /// Builds the algorithm's components.
  ///
  /// - Parameter settings: Validated hyperparameter values; read them as `settings[lambda]`.
  /// - Returns: The regularisers and data regime.
  /// - Throws: When the settings are inconsistent.
  static func components(_ settings: Settings) throws -> AlgorithmComponents
}

extension Algorithm {
  /// The name used on the command line (`ewc`).
  public static var name: String { configuration.name }
  /// One line on what it does and where it comes from.
  public static var summary: String { configuration.summary }
  /// The hyperparameters, with defaults.
  public static var hyperparameters: [Hyperparameter] { configuration.hyperparameters }

  /// Validated settings for this algorithm: the defaults, overridden by `given`.
  ///
  /// - Parameter given: Values by name without the component prefix (`["lambda": "500"]`).
  /// - Returns: The settings.
  /// - Throws: ``SettingsError`` for an unknown name or an invalid value.
  public static func settings(_ given: [String: String] = [:]) throws -> Settings {
    try Settings(component: name, declared: hyperparameters, given: given)
  }
}
