import ContinualCore
import ContinualEngine
import Foundation

/// An experiment configuration file: every command-line option as a key of one JSON object.
///
/// A key is an option's name without `--`; its value has the option's type:
///
/// ```json
/// {
///   "description": "EWC vs SI on split MNIST",
///   "benchmark": "split-mnist", "scenario": ["task", "class"], "algorithms": ["ewc", "si", "ewc+si"],
///   "seeds": 3, "iterations": 2000, "hidden": [400, 400], "lr": 0.001, "shuffle-classes": true,
///   "set": {"ewc.lambda": 1e4, "class:ewc.lambda": 1e8, "si.c": 1},
///   "memory": {"size": 500, "selection": "herding"},
///   "output": "results/split-mnist"
/// }
/// ```
///
/// `preset` is applied first, then the other keys in file order; `set` holds `--set` pairs
/// (`[scenario:]component.name` to a number, word or boolean) and `memory` the `memory.*` ones.
/// A switch takes `true` or `false` (`false` turns off what a preset turned on). Unknown keys, values
/// of the wrong JSON type and invalid values are errors naming the file and the key.
enum ExperimentFile {
  /// The largest file read (an experiment file is a few hundred bytes).
  static let maximumSize = 1 << 20

  /// The JSON type a key takes.
  enum ValueType {
    /// A string, or a non-empty array of strings (joined with commas): `"split-mnist"` or `["task", "class"]`.
    case names
    /// A string.
    case text
    /// A whole number without fraction or exponent.
    case integer
    /// A finite number.
    case number
    /// An array of whole numbers.
    case integers
    /// `true` or `false`.
    case boolean
    /// An object of settings: a number, string or boolean for each key.
    case settings
    /// An object of grid axes: a non-empty array of numbers, strings or booleans for each key.
    case grid
    /// Free text that is not an option.
    case comment

    /// What the type is, for messages.
    var expected: String {
      switch self {
      case .names: "a string or a non-empty array of strings"
      case .text: "a string"
      case .integer: "a whole number"
      case .number: "a finite number"
      case .integers: "an array of whole numbers"
      case .boolean: "true or false"
      case .settings: "an object of settings"
      case .grid: "an object of arrays of values"
      case .comment: "a string"
      }
    }
  }

  /// Every key a file may hold and its type: the options without `--`, plus `memory` and `description`.
  static let keys: [String: ValueType] = {
    var keys: [String: ValueType] = [:]
    for flag in Options.flags.keys where flag != "--config" {
      let key = String(flag.dropFirst(2))
      switch flag {
      case _ where Options.switches.contains(flag): keys[key] = .boolean
      case "--benchmark", "--scenario", "--algorithms", "--format": keys[key] = .names
      case "--hidden": keys[key] = .integers
      case "--lr", "--momentum", "--weight-decay": keys[key] = .number
      case "--set": keys[key] = .settings
      case "--grid": keys[key] = .grid
      case _ where Options.maximum[flag] != nil || ["--seed"].contains(flag): keys[key] = .integer
      default: keys[key] = .text
      }
    }
    keys["memory"] = .settings
    keys["description"] = .comment
    return keys
  }()

  /// The command-line arguments one key of a file stands for.
  ///
  /// - Parameters:
  ///   - key: The key.
  ///   - value: Its value.
  ///   - file: The file's path, for messages.
  /// - Returns: Arguments for ``Options/apply(_:)``; a switch set to `false` gives none (the caller
  ///   turns it off).
  /// - Throws: ``CLIError`` naming the file and the key for an unknown key or a value of the wrong type.
  static func arguments(for key: String, _ value: JSONValue, file: String) throws -> [String] {
    guard let type = keys[key] else {
      let suggestion = nearest(key, in: keys.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
      throw CLIError("\(file): unknown key '\(key)'\(suggestion) (valid: \(keys.keys.sorted().joined(separator: ", ")))")
    }
    func wrongType() -> CLIError {
      CLIError("\(file): \"\(key)\" takes \(type.expected), not \(value.kind)\(value.quoted.map { " (\($0))" } ?? "")")
    }
    let flag = "--" + key
    switch type {
    case .comment:
      guard value.string != nil else { throw wrongType() }
      return []
    case .boolean:
      guard case .bool(let on) = value else { throw wrongType() }
      return on ? [flag] : []
    case .text:
      guard let text = value.string else { throw wrongType() }
      return [flag, text]
    case .integer:
      guard value.integer != nil, case .number(let literal) = value else { throw wrongType() }
      return [flag, literal]
    case .number:
      guard value.double != nil, case .number(let literal) = value else { throw wrongType() }
      return [flag, literal]
    case .integers:
      guard let elements = value.array, elements.allSatisfy({ $0.integer != nil }) else { throw wrongType() }
      return [flag, elements.compactMap(\.integer).map(String.init).joined(separator: ",")]
    case .names:
      if let name = value.string { return [flag, name] }
      guard let elements = value.array, !elements.isEmpty else { throw wrongType() }
      let names = try elements.map { element -> String in
        // A stack's bracketed settings may hold commas (`ewc[lambda=1,labels=sampled]`).
        guard let name = element.string, !name.isEmpty, (try? StackSpecification.list(name).count) == 1 || !name.contains(",") else {
          throw CLIError("\(file): \"\(key)\" takes one name per array element, not \(element.quoted ?? element.kind)")
        }
        return name
      }
      return [flag, names.joined(separator: ",")]
    case .grid:
      guard let object = value.object else { throw wrongType() }
      return try object.keys.flatMap { name -> [String] in
        guard let values = object.values[name]!.array, !values.isEmpty else {
          throw CLIError("\(file): \"grid\" → \"\(name)\" takes a non-empty array of values")
        }
        let texts = try values.map { element -> String in
          switch element {
          case .string(let s): return s
          case .number(let literal): return literal
          case .bool(let b): return String(b)
          default: throw CLIError("\(file): \"grid\" → \"\(name)\" takes numbers, strings or booleans, not \(element.kind)")
          }
        }
        return ["--grid", name + "=" + texts.joined(separator: ",")]
      }
    case .settings:
      guard let object = value.object else { throw wrongType() }
      return try object.keys.flatMap { name -> [String] in
        let setting = object.values[name]!
        let text: String
        switch setting {
        case .string(let s): text = s
        case .number(let literal): text = literal
        case .bool(let b): text = String(b)
        default:
          throw CLIError("\(file): \"\(key)\" → \"\(name)\" takes a number, string or boolean, not \(setting.kind)")
        }
        return ["--set", (key == "memory" ? "memory." : "") + name + "=" + text]
      }
    }
  }

  /// Reads and parses a file, refusing anything larger than ``maximumSize``.
  ///
  /// - Throws: ``CLIError`` naming the file for an unreadable, oversized or malformed file.
  static func read(_ url: URL) throws -> JSONObject {
    let bytes: Data
    do {
      // A regular file only: a named pipe would block, a device never end.
      bytes = try RegularFile.read(url, limit: maximumSize)
    } catch {
      guard !error.isTooLarge else {
        throw CLIError("\(url.path): the experiment file is larger than \(maximumSize) bytes; it should be a small JSON object")
      }
      throw CLIError("\(url.path): cannot read the experiment file: \(error.reason)")
    }
    let value: JSONValue
    do {
      value = try JSONValue.parse([UInt8](bytes), maximumDepth: 8)
    } catch {
      throw CLIError("\(url.path): not valid JSON: \(error)")
    }
    guard let object = value.object else {
      throw CLIError("\(url.path): an experiment file is one JSON object ({\"benchmark\": …}), not \(value.kind)")
    }
    return object
  }
}

extension Options {
  /// Applies an experiment file: its `preset` first, then every other key in file order.
  ///
  /// - Throws: ``CLIError`` naming the file and the key at fault.
  mutating func applyExperimentFile(at url: URL) throws {
    let file = url.path
    let object = try ExperimentFile.read(url)
    if object.values["iterations"] != nil && object.values["epochs"] != nil {
      throw CLIError("\(file): give \"iterations\" or \"epochs\", not both")
    }
    let ordered = object.keys.filter { $0 == "preset" } + object.keys.filter { $0 != "preset" }
    for key in ordered {
      let value = object.values[key]!
      let arguments = try ExperimentFile.arguments(for: key, value, file: file)
      if ExperimentFile.keys[key] == .settings {
        try checkSettings(arguments, key: key, file: file)
      }
      do {
        try apply(arguments)
      } catch let error as CLIError {
        throw CLIError("\(file): \"\(key)\": \(error)")
      }
      if case .bool(false) = value { turnOff("--" + key) }
    }
  }

  /// Checks `--set` pairs from a file's `set` or `memory` object at once, so an unknown component or
  /// an invalid value names the file and the key.
  private func checkSettings(_ arguments: [String], key: String, file: String) throws {
    for pair in stride(from: 1, to: arguments.count, by: 2).map({ arguments[$0] }) {
      guard let eq = pair.firstIndex(of: "=") else { continue }
      var name = String(pair[..<eq])
      if let colon = name.firstIndex(of: ":") { name = String(name[name.index(after: colon)...]) }
      do {
        try AlgorithmStack.validateKeys([name: String(pair[pair.index(after: eq)...])], known: known)
      } catch {
        throw CLIError("\(file): \"\(key)\" → \"\(key == "memory" ? String(name.dropFirst("memory.".count)) : name)\": \(error)")
      }
    }
  }

  /// Turns a switch off (a file's `false`, overriding a preset).
  private mutating func turnOff(_ flag: String) {
    switch flag {
    case "--permute-first-task": permuteFirstTask = false
    case "--pad": pad = false
    case "--shuffle-classes": shuffleClasses = false
    case "--reset-optimiser": resetOptimiser = false
    case "--quiet": quiet = false
    case "--force": force = false
    case "--no-checkpoints": checkpoints = true
    case "--save-models": saveModels = false
    default: break
    }
  }
}

extension JSONValue {
  /// A short quotation of a scalar value for messages (`"3"`, `2.5`, `true`), else `nil`.
  fileprivate var quoted: String? {
    switch self {
    case .string(let s): "\"" + (s.count > 40 ? String(s.prefix(40)) + "…" : s) + "\""
    case .number(let literal): literal
    case .bool(let b): String(b)
    default: nil
    }
  }
}
