import Foundation

/// An algorithm stack as written on the command line, with optional settings per component:
/// `ewc`, `ewc+si`, `ewc[lambda=1e4]`, `ewc[lambda=1e4,labels=empirical]+si[c=1]`.
///
/// Settings in brackets are the component's own for this stack only: they override `--set` and
/// make the stack a variant, with its own run ids, records and table row (labelled by the settings
/// that tell it from the other rows of its algorithm).
struct StackSpecification: Equatable {
  /// One component and the settings written in its brackets, in the order written.
  struct Component: Equatable {
    /// The algorithm's name, `ewc`.
    var name: String
    /// `key=value` pairs from the brackets, without the component prefix.
    var settings: [(key: String, value: String)]

    static func == (a: Component, b: Component) -> Bool {
      a.name == b.name && a.settings.map(\.key) == b.settings.map(\.key) && a.settings.map(\.value) == b.settings.map(\.value)
    }

    /// `name[key=value,…]`, or the name alone.
    var text: String {
      settings.isEmpty ? name : "\(name)[\(settings.map { "\($0.key)=\($0.value)" }.joined(separator: ","))]"
    }
  }

  /// The components, in stack order.
  var components: [Component]

  /// The stack without settings, `ewc+si`: the record's algorithm.
  var stackName: String { components.map(\.name).joined(separator: "+") }

  /// The stack as written back, `ewc[lambda=1e4]+si`.
  var text: String { components.map(\.text).joined(separator: "+") }

  /// Parses a stack.
  ///
  /// - Throws: ``CLIError`` naming the stack for an empty component, unbalanced brackets or a
  ///   setting without `key=value`.
  init(_ text: String) throws {
    func fail(_ reason: String) -> CLIError {
      CLIError("invalid algorithm stack '\(text)': \(reason) (write ewc, ewc+si or ewc[lambda=1e4,labels=empirical]+si[c=1])")
    }
    components = try Self.split(text, on: "+", what: text).map { part in
      guard let open = part.firstIndex(of: "[") else {
        guard !part.isEmpty, !part.contains("]") else { throw fail(part.isEmpty ? "an empty component" : "a ']' without '['") }
        return Component(name: part, settings: [])
      }
      guard part.last == "]" else { throw fail("settings go in brackets at the end of a component: \(part)") }
      let name = String(part[..<open])
      guard !name.isEmpty else { throw fail("settings without a component name: \(part)") }
      let inside = String(part[part.index(after: open)..<part.index(before: part.endIndex)])
      guard !inside.contains("["), !inside.contains("]") else { throw fail("brackets inside brackets: \(part)") }
      let pairs = try inside.split(separator: ",", omittingEmptySubsequences: false).map { pair -> (key: String, value: String) in
        let pair = pair.trimmingCharacters(in: .whitespaces)
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex, pair.index(after: eq) != pair.endIndex else {
          throw fail("'\(pair)' in \(part) is not key=value")
        }
        return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
      }
      var seen = Set<String>()
      if let repeated = pairs.first(where: { !seen.insert($0.key).inserted }) { throw fail("\(name).\(repeated.key) is set twice") }
      return Component(name: name, settings: pairs)
    }
  }

  /// A list of stacks split at top-level commas (commas inside brackets belong to a stack):
  /// `ewc[lambda=1,labels=sampled],si` is two stacks.
  ///
  /// - Throws: ``CLIError`` for unbalanced brackets.
  static func list(_ text: String) throws -> [String] {
    try split(text, on: ",", what: text).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
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

/// `--grid component.key=v1,v2,…`: one variant of every stack holding the component per value;
/// several grids multiply.
struct GridAxis: Equatable {
  /// `ewc.lambda`.
  var key: String
  /// The values, in the order given.
  var values: [String]

  /// The component the axis varies, `ewc`.
  var component: String { String(key.prefix { $0 != "." }) }
  /// The setting's name without the component, `lambda`.
  var setting: String { String(key.dropFirst(component.count + 1)) }

  /// Parses `component.key=v1,v2,…`.
  ///
  /// - Throws: ``CLIError`` naming the text when it is not of that form or a value repeats.
  init(_ text: String) throws {
    guard let eq = text.firstIndex(of: "="), text[..<eq].contains("."), !text[..<eq].hasPrefix("."), !text[..<eq].hasSuffix(".") else {
      throw CLIError("--grid takes component.key=v1,v2,… (for example ewc.lambda=1e2,1e4,1e6), not '\(text)'")
    }
    key = String(text[..<eq])
    values = text[text.index(after: eq)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !values.isEmpty else { throw CLIError("--grid \(key) needs at least one value") }
    var seen = Set<String>()
    if let repeated = values.first(where: { !seen.insert($0).inserted }) {
      throw CLIError("--grid \(key) lists '\(repeated)' more than once; each grid point must be different")
    }
  }

  /// Every stack expanded over the axes whose component it holds, in grid order; stacks without
  /// such a component stay as they are.
  ///
  /// - Throws: ``CLIError`` when a stack already sets a varied key in brackets, or when an axis
  ///   varies a component that is in no stack.
  static func expand(_ stacks: [String], over axes: [GridAxis]) throws -> [String] {
    guard !axes.isEmpty else { return stacks }
    let specifications = try stacks.map(StackSpecification.init)
    for axis in axes where !specifications.contains(where: { $0.components.contains { $0.name == axis.component } }) {
      throw CLIError("--grid \(axis.key): \(axis.component) is in no stack of --algorithms (\(stacks.joined(separator: ", ")))")
    }
    return try specifications.flatMap { specification -> [String] in
      var variants = [specification]
      for axis in axes {
        guard let index = specification.components.firstIndex(where: { $0.name == axis.component }) else { continue }
        if specification.components[index].settings.contains(where: { $0.key == axis.setting }) {
          throw CLIError("\(specification.text) sets \(axis.key) in brackets and --grid varies it; give it in one place")
        }
        variants = variants.flatMap { variant in
          axis.values.map { value in
            var next = variant
            next.components[index].settings.append((axis.setting, value))
            return next
          }
        }
      }
      return variants.map(\.text)
    }
  }
}
