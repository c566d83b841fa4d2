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

  /// The JSON kind of each key a file may hold: every option's (from its declaration) but
  /// `config`, plus `memory` (the `memory.*` settings) and `description` (free text).
  static let keys: [String: JSONKind] = {
    var keys: [String: JSONKind] = [:]
    for declaration in Options.declarations where declaration.flag != "--config" {
      keys[declaration.key] = declaration.kind
    }
    keys["memory"] = .settings
    keys["description"] = .text
    return keys
  }()

  /// Applies one key of a file to `options`: a switch's `false` puts it back to its default, an
  /// object of settings or grid axes is applied pair by pair, and any other value is read by the
  /// option's declaration as if typed after its flag.
  ///
  /// - Throws: ``CLIError`` naming the file and the key for an unknown key or a value of the wrong
  ///   type; the option's own errors.
  static func apply(_ key: String, _ value: JSONValue, file: String, to options: inout Options) throws {
    guard let kind = keys[key] else {
      let suggestion = nearest(key, in: keys.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
      throw CLIError(
        "\(file): unknown key '\(key)'\(suggestion) (valid: \(keys.keys.sorted().joined(separator: ", ")))")
    }
    func wrongType() -> CLIError {
      CLIError("\(file): \"\(key)\" takes \(kind.expected), not \(value.kind)\(value.quoted.map { " (\($0))" } ?? "")")
    }
    guard key != "description" else {
      guard value.string != nil else { throw wrongType() }
      return
    }
    if key == "memory" || key == "set" {
      guard let object = value.object else { throw wrongType() }
      for name in object.keys {
        guard let text = object.values[name]!.scalarText else {
          throw CLIError(
            "\(file): \"\(key)\" → \"\(name)\" takes a number, string or boolean, not \(object.values[name]!.kind)")
        }
        let pair = (key == "memory" ? "memory." : "") + name
        try check(pair, text, known: options.known, file: file, key: key)
        try options.set(pair + "=" + text)
      }
      return
    }
    if key == "grid" {
      guard let object = value.object else { throw wrongType() }
      for name in object.keys {
        guard let values = object.values[name]!.array, !values.isEmpty else {
          throw CLIError("\(file): \"grid\" → \"\(name)\" takes a non-empty array of values")
        }
        let texts = try values.map { element -> String in
          guard let text = element.scalarText else {
            throw CLIError("\(file): \"grid\" → \"\(name)\" takes numbers, strings or booleans, not \(element.kind)")
          }
          return text
        }
        let axis = try GridAxis(key: name, values: texts)
        if options.grid.contains(where: { $0.key == axis.key }) {
          throw CLIError("\(file): \"grid\" → \"\(name)\" is given twice")
        }
        options.grid.append(axis)
      }
      options.given.insert("--grid")
      return
    }
    let declaration = Options.declaration("--" + key)!
    let text: String
    switch kind {
    case .boolean:
      guard case .bool(let on) = value else { throw wrongType() }
      guard on else {
        declaration.reset(&options)
        return
      }
      text = ""
    case .text:
      guard let string = value.string else { throw wrongType() }
      text = string
    case .integer:
      guard value.integer != nil, case .number(let literal) = value else { throw wrongType() }
      text = literal
    case .number:
      guard value.double != nil, case .number(let literal) = value else { throw wrongType() }
      text = literal
    case .integers, .numbers:
      guard let elements = value.array,
        elements.allSatisfy({ kind == .integers ? $0.integer != nil : $0.double != nil })
      else { throw wrongType() }
      text = elements.compactMap(\.scalarText).joined(separator: ",")
    case .names:
      if let name = value.string {
        text = name
      } else {
        guard let elements = value.array, !elements.isEmpty else { throw wrongType() }
        text = try elements.map { element -> String in
          // A stack's bracketed settings may hold commas (`ewc[lambda=1,labels=sampled]`).
          guard let name = element.string, !name.isEmpty,
            (try? StackSpecification.list(name).count) == 1 || !name.contains(",")
          else {
            throw CLIError(
              "\(file): \"\(key)\" takes one name per array element, not \(element.quoted ?? element.kind)")
          }
          return name
        }.joined(separator: ",")
      }
    case .settings, .grid:
      throw wrongType()
    }
    options.given.insert(declaration.flag)
    try declaration.assign(&options, text)
  }

  /// Checks one `set` or `memory` pair at once, so an unknown component or an invalid value names
  /// the file and the key.
  private static func check(_ pair: String, _ value: String, known: [any Algorithm.Type], file: String, key: String)
    throws
  {
    var name = pair
    if let colon = name.firstIndex(of: ":") { name = String(name[name.index(after: colon)...]) }
    do {
      try ResolvedStack.validateKeys([name: value], known: known)
    } catch {
      throw CLIError(
        "\(file): \"\(key)\" → \"\(key == "memory" ? String(name.dropFirst("memory.".count)) : name)\": \(error)")
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
        throw CLIError(
          "\(url.path): the experiment file is larger than \(maximumSize) bytes; it should be a small JSON object")
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
      do {
        try ExperimentFile.apply(key, object.values[key]!, file: file, to: &self)
      } catch let error as CLIError where !error.description.hasPrefix(file) {
        throw CLIError("\(file): \"\(key)\": \(error)")
      }
    }
  }
}

extension JSONValue {
  /// A scalar's text as it would be typed (`"3"` → `3`, `2.5`, `true`), else `nil`.
  fileprivate var scalarText: String? {
    switch self {
    case .string(let s): s
    case .number(let literal): literal
    case .bool(let b): String(b)
    default: nil
    }
  }

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
