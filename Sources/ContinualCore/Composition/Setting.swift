/// A hyperparameter declared once, with its type: its name, default, meaning and valid values for
/// `continual list` and validation, and a typed reader for the algorithm.
///
/// ```swift
/// static let lambda = Setting<Float>("lambda", default: 500, "penalty strength λ", in: 0...1e15)
/// static let labels = Setting<FisherEstimator.LabelMode>(
///   "labels", default: .expected, "labels the Fisher is taken at")
/// … QuadraticPenalty(
///   name: name, estimator: FisherEstimator(labelMode: settings[labels]), strength: settings[lambda], …)
/// ```
///
/// A setting is read back through its declaration (`settings[lambda]`), never by a string key, so
/// a misspelt name does not compile, and reading a setting the component did not declare stops
/// with a message naming both, instead of reading NaN, 0 or "".
public struct Setting<Value: Sendable>: SettingDeclaration, Sendable {
  /// The name, default, meaning and valid values.
  public private(set) var declaration: Hyperparameter
  /// Turns a validated textual value into the typed one.
  let decode: @Sendable (String) -> Value?

  /// The name after the component prefix (`lambda` in `ewc.lambda`).
  public var name: String { declaration.name }

  /// The default, typed.
  public var defaultValue: Value {
    guard let value = decode(declaration.defaultValue) else {
      preconditionFailure("the default of '\(name)' does not read back")
    }
    return value
  }
}

extension Setting {
  /// This setting, left out of a run's recorded configuration while it holds its default: for a
  /// setting added after runs were recorded, whose records (and run ids) must stay as they were.
  ///
  /// ```swift
  /// static let layers = Setting<LayerChoice>("layers", default: .hidden, "the regularised layers")
  ///   .omittedFromRecordsAtDefault()
  /// ```
  public func omittedFromRecordsAtDefault() -> Setting {
    var setting = self
    setting.declaration.recordedAtDefault = false
    return setting
  }
}

/// Anything that declares a hyperparameter: a ``Setting`` of any type, listed together in an
/// ``AlgorithmConfiguration``.
public protocol SettingDeclaration: Sendable {
  /// The name, default, meaning and valid values.
  var declaration: Hyperparameter { get }
}

extension Setting where Value == Double {
  /// A real number in a closed range.
  public init(_ name: String, default value: Double, _ summary: String, in range: ClosedRange<Double>) {
    declaration = Hyperparameter(name, default: Hyperparameter.canonical(value), summary, kind: .real(range))
    decode = { Double($0) }
  }
}

extension Setting where Value == Float {
  /// A real number in a closed range, read as `Float`.
  public init(_ name: String, default value: Double, _ summary: String, in range: ClosedRange<Double>) {
    declaration = Hyperparameter(name, default: Hyperparameter.canonical(value), summary, kind: .real(range))
    decode = { Double($0).map { Float($0) } }
  }
}

extension Setting where Value == Int {
  /// A whole number in a closed range.
  public init(_ name: String, default value: Int, _ summary: String, in range: ClosedRange<Int>) {
    declaration = Hyperparameter(name, default: String(value), summary, kind: .integer(range))
    decode = { Int($0) }
  }
}

extension Setting where Value == Bool {
  /// `true` or `false`.
  public init(_ name: String, default value: Bool, _ summary: String) {
    declaration = Hyperparameter(name, default: String(value), summary, kind: .boolean)
    decode = { $0 == "true" ? true : $0 == "false" ? false : nil }
  }
}

extension Setting where Value == [Int] {
  /// Comma-separated whole numbers, each in a closed range; empty (`""` or `none`) for none.
  public init(_ name: String, default value: [Int], _ summary: String, eachIn range: ClosedRange<Int>) {
    declaration = Hyperparameter(
      name, default: value.map(String.init).joined(separator: ","), summary, kind: .integers(range))
    decode = { Hyperparameter.integers($0) }
  }
}

extension Setting where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
  /// One of an enumeration's cases, written as its raw value.
  public init(_ name: String, default value: Value, _ summary: String) {
    declaration = Hyperparameter(name, default: value.rawValue, summary, kind: .choice(Value.allCases.map(\.rawValue)))
    decode = { Value(rawValue: $0) }
  }
}

/// What an algorithm is on the command line: its name, one line on what it does, and its settings.
///
/// ```swift
/// public static let configuration = AlgorithmConfiguration(
///   name: "ewc", summary: "Elastic weight consolidation …", settings: [lambda, labels, samples])
/// ```
public struct AlgorithmConfiguration: Sendable {
  /// The name used on the command line (`ewc`).
  public var name: String
  /// One line on what it does and where it comes from.
  public var summary: String
  /// The hyperparameters, in the order `continual list` shows them.
  public var hyperparameters: [Hyperparameter]
  /// The scenarios the algorithm was made for; a stack run in another one gets a warning (SS-IL
  /// addresses the class-incremental bias towards new classes, which task heads do not have).
  public var scenarios: [Scenario]

  /// Creates a configuration.
  ///
  /// - Parameters:
  ///   - name: The command-line name.
  ///   - summary: One line for `continual list`.
  ///   - settings: The declared settings.
  ///   - scenarios: The scenarios it was made for; every one when omitted.
  public init(
    name: String, summary: String, settings: [any SettingDeclaration] = [], scenarios: [Scenario] = Scenario.allCases
  ) {
    self.name = name
    self.summary = summary
    hyperparameters = settings.map(\.declaration)
    self.scenarios = scenarios
  }
}

extension Settings {
  /// The value of a setting when the component declared it, else the setting's default (for
  /// settings shared by a family of components, some of which leave them out).
  public func valueOrDefault<Value>(_ setting: Setting<Value>) -> Value {
    values[setting.name] == nil ? setting.defaultValue : self[setting]
  }

  /// The value of a declared setting, typed.
  ///
  /// Stops with a message naming the component and the setting when the component did not declare
  /// it: a programming error that every algorithm's component test finds at once.
  public subscript<Value>(_ setting: Setting<Value>) -> Value {
    guard let text = values[setting.name], let value = setting.decode(text) else {
      preconditionFailure("\(component) reads the setting '\(setting.name)', which it did not declare")
    }
    return value
  }
}
