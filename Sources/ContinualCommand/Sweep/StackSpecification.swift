import Foundation

/// An algorithm stack as written on the command line, with optional settings per component:
/// `ewc`, `ewc+si`, `ewc[lambda=1e4]`, `ewc[lambda=1e4,labels=empirical]+si[c=1]`.
///
/// Settings in brackets are the component's own for this stack only: they override `--set` and
/// make the stack a variant, with its own run ids, records and table row (labelled by the settings
/// that tell it from the other rows of its algorithm).
struct StackSpecification: Equatable, Sendable {
  /// One component and the settings written in its brackets, in the order written.
  struct Component: Equatable, Sendable {
    /// The algorithm's name, `ewc`.
    var name: String
    /// `key=value` pairs from the brackets, without the component prefix.
    var settings: [(key: String, value: String)]

    static func == (a: Component, b: Component) -> Bool {
      a.name == b.name && a.settings.map(\.key) == b.settings.map(\.key)
        && a.settings.map(\.value) == b.settings.map(\.value)
    }

    /// `name[key=value,…]`, or the name alone.
    var text: String {
      settings.isEmpty ? name : "\(name)[\(settings.map { "\($0.key)=\($0.value)" }.joined(separator: ","))]"
    }
  }

  /// The components, in stack order.
  var components: [Component]
  /// Replay-memory settings of this variant (from `--grid memory.size=…`), over `--set memory.*`.
  var memory: [(key: String, value: String)] = []

  static func == (a: StackSpecification, b: StackSpecification) -> Bool {
    a.components == b.components && a.memory.map(\.key) == b.memory.map(\.key)
      && a.memory.map(\.value) == b.memory.map(\.value)
  }

  /// A stack of one component without settings.
  init(named name: String) { components = [Component(name: name, settings: [])] }

  /// The stack without settings, `ewc+si`: the record's algorithm.
  var stackName: String { components.map(\.name).joined(separator: "+") }

  /// The stack as shown in progress lines and messages, `ewc[lambda=1e4]+si`, with a memory
  /// variant's settings after it: `er (memory.size=200)`. Shown only: never parsed again.
  var text: String {
    let stack = components.map(\.text).joined(separator: "+")
    return memory.isEmpty
      ? stack : stack + " (" + memory.map { "memory.\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
  }

  /// Parses a stack.
  ///
  /// - Throws: ``CLIError`` naming the stack for an empty component, unbalanced brackets or a
  ///   setting without `key=value`.
  init(_ text: String) throws {
    func fail(_ reason: String) -> CLIError {
      CLIError(
        "invalid algorithm stack '\(text)': \(reason) (write ewc, ewc+si or ewc[lambda=1e4,labels=empirical]+si[c=1])")
    }
    components = try Self.split(text, on: "+", what: text).map { part in
      guard let open = part.firstIndex(of: "[") else {
        guard !part.isEmpty, !part.contains("]") else {
          throw fail(part.isEmpty ? "an empty component" : "a ']' without '['")
        }
        return Component(name: part, settings: [])
      }
      guard part.last == "]" else { throw fail("settings go in brackets at the end of a component: \(part)") }
      let name = String(part[..<open])
      guard !name.isEmpty else { throw fail("settings without a component name: \(part)") }
      let inside = String(part[part.index(after: open)..<part.index(before: part.endIndex)])
      guard !inside.contains("["), !inside.contains("]") else { throw fail("brackets inside brackets: \(part)") }
      let pairs = try inside.split(separator: ",", omittingEmptySubsequences: false).map {
        pair -> (key: String, value: String) in
        let pair = pair.trimmingCharacters(in: .whitespaces)
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex, pair.index(after: eq) != pair.endIndex else {
          throw fail("'\(pair)' in \(part) is not key=value")
        }
        return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
      }
      var seen = Set<String>()
      if let repeated = pairs.first(where: { !seen.insert($0.key).inserted }) {
        throw fail("\(name).\(repeated.key) is set twice")
      }
      return Component(name: name, settings: pairs)
    }
  }

  /// A list of stacks split at top-level commas (commas inside brackets belong to a stack):
  /// `ewc[lambda=1,labels=sampled],si` is two stacks.
  ///
  /// - Throws: ``CLIError`` for unbalanced brackets or a malformed stack.
  static func list(_ text: String) throws -> [StackSpecification] {
    try split(text, on: ",", what: text).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
      try StackSpecification($0)
    }
  }

  /// `text` split at `separator` outside brackets.
  private static func split(_ text: String, on separator: Character, what: String) throws -> [String] {
    var parts: [String] = [], current = "", depth = 0
    for character in text {
      if character == "[" { depth += 1 }
      if character == "]" { depth -= 1 }
      guard depth >= 0 else { throw CLIError("invalid algorithm stack '\(what)': a ']' without '['") }
      if character == separator && depth == 0 {
        parts.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    guard depth == 0 else { throw CLIError("invalid algorithm stack '\(what)': a '[' without ']'") }
    parts.append(current)
    return parts
  }
}
