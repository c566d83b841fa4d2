import ContinualCore
import ContinualEngine
import Foundation

/// What part of a sweep an option configures; help and the documentation's key table group
/// options by it, and each group's options produce one value of the library
/// (``Options/trainingConfiguration(for:)``, ``Options/network``, the ``BenchmarkFactory``'s data).
enum OptionGroup: String, CaseIterable, Sendable {
  /// Which runs a sweep holds: presets, files, benchmarks, scenarios, stacks, grids, seeds.
  case sweep
  /// The data each task holds and how it is read.
  case data
  /// The network.
  case network
  /// How each task trains and is evaluated.
  case training
  /// The optimiser.
  case optimiser
  /// Where results go and how a sweep treats earlier ones.
  case output

  /// The heading in help and in the documentation.
  var title: String {
    switch self {
    case .sweep: "sweep"
    case .data: "data"
    case .network: "network"
    case .training: "training"
    case .optimiser: "optimiser"
    case .output: "output and resumption"
    }
  }
}

/// How an option's value is written in an experiment file.
enum JSONKind: Sendable, Equatable {
  /// A string, or a non-empty array of strings: `"split-mnist"` or `["task", "class"]`.
  case names
  /// A string.
  case text
  /// A whole number without fraction or exponent.
  case integer
  /// A finite number.
  case number
  /// An array of whole numbers.
  case integers
  /// An array of finite numbers.
  case numbers
  /// `true` or `false`.
  case boolean
  /// An object of settings: a number, string or boolean for each key.
  case settings
  /// An object of grid axes: a non-empty array of numbers, strings or booleans for each key.
  case grid

  /// What the type is, for messages and the documentation's key table.
  var expected: String {
    switch self {
    case .names: "a string or a non-empty array of strings"
    case .text: "a string"
    case .integer: "a whole number"
    case .number: "a finite number"
    case .integers: "an array of whole numbers"
    case .numbers: "an array of finite numbers"
    case .boolean: "true or false"
    case .settings: "an object of settings"
    case .grid: "an object of arrays of values"
    }
  }

  /// The short name in the documentation's key table.
  var name: String {
    switch self {
    case .names: "string or [string]"
    case .text: "string"
    case .integer: "integer"
    case .number: "number"
    case .integers: "[integer]"
    case .numbers: "[number]"
    case .boolean: "boolean"
    case .settings: "object"
    case .grid: "object of arrays"
    }
  }
}

/// Reads an option's value from the text typed after its flag, with the option's bounds: the one
/// place that says what the option accepts (as swift-argument-parser's `ExpressibleByArgument`).
struct ValueReader<Value: Sendable>: Sendable {
  /// How the value is written in an experiment file.
  var kind: JSONKind
  /// The value of a text, or an error message that names the flag.
  var read: @Sendable (_ text: String, _ flag: String) throws -> Value
  /// The value as a person would type it (help's defaults, the round-trip test).
  var spell: @Sendable (Value) -> String
}

extension ValueReader where Value == Int {
  /// A whole number in a range: `--seeds 3`.
  static func count(in range: ClosedRange<Int>) -> Self {
    ValueReader(kind: .integer, read: { text, flag in try readCount(text, flag, range) }, spell: { String($0) })
  }
}

/// A whole number in `range`, or an error naming `flag`.
private func readCount(_ text: String, _ flag: String, _ range: ClosedRange<Int>) throws -> Int {
  guard let value = Int(text), range.contains(value) else {
    let bounds =
      range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
    throw CLIError("\(flag) takes a whole number \(bounds), not '\(text)'")
  }
  return value
}

extension ValueReader where Value == Int? {
  /// A whole number in a range where `0` means "no limit" (`nil`): `--train-per-task 0`.
  static func limit(upTo maximum: Int) -> Self {
    ValueReader(
      kind: .integer,
      read: { text, flag in
        let value = try readCount(text, flag, 0...maximum)
        return value == 0 ? nil : value
      }, spell: { $0.map(String.init) ?? "0" })
  }

  /// A whole number in a range: `--tasks 10` (`nil` until given).
  static func optionalCount(in range: ClosedRange<Int>) -> Self {
    ValueReader(
      kind: .integer, read: { text, flag in try readCount(text, flag, range) }, spell: { $0.map(String.init) ?? "" })
  }
}

extension ValueReader where Value == Float {
  /// A finite number at least `minimum` and below `limit` (when given): `--lr 0.001`.
  static func real(atLeast minimum: Float = 0, positive: Bool = false, below limit: Float? = nil, why: String = "")
    -> Self
  {
    ValueReader(
      kind: .number,
      read: { text, flag in
        guard let value = Float(text), value.isFinite, value >= minimum else {
          throw CLIError("\(flag) takes a non-negative number, not '\(text)'")
        }
        if positive, value == 0 { throw CLIError("\(flag) must be positive") }
        if let limit, value >= limit { throw CLIError("\(flag) must be below \(limit)\(why), not \(text)") }
        return value
      }, spell: { "\($0)" })
  }
}

extension ValueReader where Value == Double? {
  /// A share strictly between 0 and 1: `--validation 0.1`.
  static func share(_ meaning: String) -> Self {
    ValueReader(
      kind: .number,
      read: { text, flag in
        guard let value = Double(text), value > 0, value < 1 else {
          throw CLIError("\(flag) takes \(meaning), between 0 and 1 (for example 0.1), not '\(text)'")
        }
        return value
      }, spell: { $0.map(Hyperparameter.canonical) ?? "" })
  }
}

extension ValueReader where Value == Bool {
  /// A switch: the flag alone turns it on; an experiment file's `false` turns it off.
  static var on: Self { ValueReader(kind: .boolean, read: { _, _ in true }, spell: { String($0) }) }
  /// A switch that turns something off (`--no-checkpoints`): the flag alone sets `false`.
  static var off: Self { ValueReader(kind: .boolean, read: { _, _ in false }, spell: { String(!$0) }) }
}

extension ValueReader where Value == String {
  /// Any non-empty text, or an error saying what it should be.
  static func text(_ what: String) -> Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CLIError("\(flag) needs \(what)") }
        return trimmed
      }, spell: { $0 })
  }
}

extension ValueReader where Value == String? {
  /// Any non-empty text (`nil` until given).
  static func optionalText(_ what: String) -> Self {
    let plain = ValueReader<String>.text(what)
    return ValueReader(kind: .text, read: { try plain.read($0, $1) }, spell: { $0 ?? "" })
  }
}

extension ValueReader where Value == URL {
  /// A folder or file path; an empty one is refused.
  static func path(_ what: String) -> Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        guard !text.isEmpty else {
          throw CLIError("\(flag) needs \(what); an empty path would write into the current directory")
        }
        return URL(fileURLWithPath: text)
      }, spell: { $0.relativePath })
  }
}

extension ValueReader where Value == URL? {
  /// A folder or file path (`nil` until given).
  static func optionalPath(_ what: String) -> Self {
    let plain = ValueReader<URL>.path(what)
    return ValueReader(kind: .text, read: { try plain.read($0, $1) }, spell: { $0?.relativePath ?? "" })
  }
}

/// A value written as one word: an enumeration's case.
protocol Word: Sendable, CaseIterable, RawRepresentable where RawValue == String {
  /// What one word names, for "unknown scenario 'tasks': choose task, domain or class"; `nil`
  /// for "--optimiser takes adam or sgd, not 'x'".
  static var noun: String? { get }
}

extension Word {
  /// Messages name the flag.
  static var noun: String? { nil }
}

extension ValueReader where Value: Word {
  /// One of the type's words: `--optimiser sgd`.
  static var word: Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        guard let value = Value(rawValue: text) else {
          let words = Value.allCases.map(\.rawValue)
          let suggestion = nearest(text, in: words).map { "; did you mean '\($0)'?" } ?? ""
          guard let noun = Value.noun else {
            throw CLIError("\(flag) takes \(words.joined(separator: " or ")), not '\(text)'\(suggestion)")
          }
          let choices = words.dropLast().joined(separator: ", ") + " or " + words.last!
          throw CLIError("unknown \(noun) '\(text)'\(suggestion): choose \(choices)")
        }
        return value
      }, spell: { $0.rawValue })
  }
}

/// A list the command line writes with commas and an experiment file as an array.
extension ValueReader {
  /// A non-empty list of elements read one by one, each only once: `--scenario task,class`.
  static func list<Element>(_ element: ValueReader<Element>, kind: JSONKind = .names, split: Bool = true) -> Self
  where Value == [Element] {
    ValueReader(
      kind: kind,
      read: { text, flag in
        let parts =
          split
          ? text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : [text]
        return try parts.map { try element.read($0, flag) }
      }, spell: { $0.map(element.spell).joined(separator: ",") })
  }
}

/// One command-line option, declared once: its flag, what it takes, what it does, which commands
/// accept it, where it is stored, how it reads its value and what it adds to a run's record.
/// Parsing, every command's help, the experiment file's keys and types, the "does not apply to
/// this command" errors, the record and the key table in `Docs/CommandLine.md` all read
/// ``Options/declarations``.
struct OptionDeclaration: Sendable {
  /// The flag, `--seeds`.
  var flag: String
  /// What the value looks like (`N`, `NAME[,NAME…]`), or `nil` for a switch.
  var placeholder: String?
  /// What it does.
  var summary: String
  /// The commands that accept it on the command line.
  var commands: Set<Command>
  /// What it configures.
  var group: OptionGroup
  /// How its value is written in an experiment file.
  var kind: JSONKind
  /// A valid value other than the default, for the round-trip test and the documentation.
  var example: String
  /// Stores the value read from a text in the options.
  var assign: @Sendable (inout Options, String) throws -> Void
  /// Puts the option back to its default (an experiment file's `false` for a switch).
  var reset: @Sendable (inout Options) -> Void
  /// The option's value as typed (for the round-trip test).
  var spelling: @Sendable (Options) -> String
  /// Defaults of other commands than `compare`, as typed (`run` trains one seed of `ewc`).
  var defaults: [Command: String]
  /// What the option adds to a run's record configuration for a benchmark (empty for options that
  /// do not change what a run computes).
  var record: @Sendable (Options, Benchmark) -> [String: String]

  /// The experiment-file key: the flag without `--`.
  var key: String { String(flag.dropFirst(2)) }

  /// Whether the option is a switch (takes no value on the command line).
  var isSwitch: Bool { placeholder == nil }

  /// The commands that plan runs: compare and run, and evaluate, which rebuilds a saved run.
  static let training: Set<Command> = [.compare, .run, .evaluate]
  /// The commands that train: compare and run.
  static let trainingOnly: Set<Command> = [.compare, .run]

  /// An option stored at `path`.
  ///
  /// - Parameters:
  ///   - flag: The flag, `--batch-size`.
  ///   - path: Where the value is stored.
  ///   - placeholder: What the value looks like; `nil` for a switch.
  ///   - summary: What it does.
  ///   - reader: How the value is read, with its bounds and JSON kind.
  ///   - group: What it configures.
  ///   - example: A valid value other than the default.
  ///   - commands: The commands that accept it.
  ///   - defaults: Other commands' defaults, as typed.
  ///   - record: What it adds to a run's record.
  /// - Returns: The declaration.
  static func option<Value>(
    _ flag: String, _ path: WritableKeyPath<Options, Value> & Sendable, _ placeholder: String?, _ summary: String,
    _ reader: ValueReader<Value>, group: OptionGroup, example: String, commands: Set<Command> = training,
    defaults: [Command: String] = [:], record: (@Sendable (Options, Benchmark) -> [String: String])? = nil
  ) -> OptionDeclaration {
    let initial = Options.initial[keyPath: path]
    return OptionDeclaration(
      flag: flag, placeholder: placeholder, summary: summary, commands: commands, group: group, kind: reader.kind,
      example: example,
      assign: { options, text in options[keyPath: path] = try reader.read(text, flag) },
      reset: { options in options[keyPath: path] = initial }, spelling: { reader.spell($0[keyPath: path]) },
      defaults: defaults,
      record: record ?? { _, _ in [:] })
  }

  /// An option whose value is stored by `assign` (options that add to a list or apply others).
  static func custom(
    _ flag: String, _ placeholder: String, _ summary: String, kind: JSONKind, group: OptionGroup, example: String,
    commands: Set<Command> = training, defaults: [Command: String] = [:],
    spelling: @escaping @Sendable (Options) -> String,
    record: (@Sendable (Options, Benchmark) -> [String: String])? = nil,
    assign: @escaping @Sendable (inout Options, String) throws -> Void
  ) -> OptionDeclaration {
    OptionDeclaration(
      flag: flag, placeholder: placeholder, summary: summary, commands: commands, group: group, kind: kind,
      example: example,
      assign: assign, reset: { _ in }, spelling: spelling, defaults: defaults, record: record ?? { _, _ in [:] })
  }
}

/// A record entry under `key` spelling the option's value, for the `record` of
/// ``OptionDeclaration/option(_:_:_:_:_:group:example:commands:defaults:record:)``.
func recorded<Value>(
  _ key: String, _ path: KeyPath<Options, Value> & Sendable, _ spell: @escaping @Sendable (Value) -> String
) -> @Sendable (Options, Benchmark) -> [String: String] {
  { options, _ in [key: spell(options[keyPath: path])] }
}
