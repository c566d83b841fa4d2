import Foundation

/// The two mechanical edits that register an algorithm.
enum Registration {
  /// The longest line swift-format accepts (`.swift-format`'s `lineLength`).
  static let lineLength = 120

  /// `Package.swift` with `"<name>"` appended to `let algorithms: [String] = [ … ]`.
  ///
  /// - Parameters:
  ///   - name: The target name.
  ///   - manifest: The manifest's text.
  ///   - dependent: Whether the manifest is a package of yours (the error then shows the list to add).
  /// - Returns: The edited text.
  /// - Throws: ``ScaffoldError`` when the list is not found.
  static func addingAlgorithm(_ name: String, toManifest manifest: String, dependent: Bool = false) throws -> String {
    let marker = "let algorithms: [String] = ["
    guard let start = manifest.range(of: marker), let end = manifest[start.upperBound...].firstIndex(of: "]") else {
      guard dependent else {
        throw ScaffoldError(
          "Package.swift has no '\(marker) … ]' list; add \"\(name)\" to the algorithms list by hand")
      }
      throw ScaffoldError(
        """
        Package.swift has no '\(marker) … ]' list, so the plugin cannot add \(name)'s targets. Nothing was \
        written. Declare your algorithms as ContinualKit's Templates/Package/Package.swift does: \
        `let algorithms: [String] = [ … ]` and, for each name, a target at Sources/<Name> depending on the \
        ContinualCore and ContinualEngine products, a test target at Tests/<Name>Tests depending on it and on \
        ContinualTesting, and the name among your executable's dependencies
        """)
    }
    let body = manifest[start.upperBound..<end]
    let entries =
      body.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
      + ["\"\(name)\""]
    let lineStart =
      manifest[..<start.lowerBound].lastIndex(of: "\n").map { manifest.index(after: $0) } ?? manifest.startIndex
    let prefix = manifest[lineStart..<start.lowerBound]
    var list = marker + entries.joined(separator: ", ") + "]"
    if body.contains("\n") || prefix.count + list.count > lineLength {
      list = marker + "\n" + entries.map { "  \($0),\n" }.joined() + "]"
    }
    return String(manifest[..<start.lowerBound]) + list + String(manifest[manifest.index(after: end)...])
  }

  /// `BuiltInAlgorithms.swift` with `import <name>` among the sorted imports and `<name>.self`
  /// appended to `BuiltInAlgorithms.all`.
  ///
  /// - Parameters:
  ///   - name: The module and type name.
  ///   - registry: The registry's text.
  /// - Returns: The edited text.
  /// - Throws: ``ScaffoldError`` when the list is not found.
  static func addingAlgorithm(_ name: String, toRegistry registry: String) throws -> String {
    var lines = registry.components(separatedBy: "\n")
    let imports = lines.indices.filter { lines[$0].hasPrefix("import ") }
    guard let lastImport = imports.last else {
      throw ScaffoldError("BuiltInAlgorithms.swift has no imports; add 'import \(name)' by hand")
    }
    let position = imports.first { lines[$0].dropFirst("import ".count) > Substring(name) } ?? lastImport + 1
    lines.insert("import \(name)", at: position)

    guard let open = lines.firstIndex(where: { $0.contains("let all: [any Algorithm.Type]") && $0.hasSuffix("= [") }),
      let close = lines[open...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "]" })
    else {
      throw ScaffoldError(
        "BuiltInAlgorithms.swift has no 'let all: [any Algorithm.Type] = [' … ']' list; add '\(name).self' by hand")
    }
    let previous = lines[close - 1].trimmingCharacters(in: .whitespaces)
    if close - 1 > open, !previous.hasSuffix(",") { lines[close - 1] += "," }
    let indent =
      close - 1 > open
      ? String(lines[close - 1].prefix { $0 == " " }) : String(lines[close].prefix { $0 == " " }) + "  "
    lines.insert("\(indent)\(name).self,", at: close)
    return lines.joined(separator: "\n")
  }
}

extension Registration {
  /// `ContinualKit.swift` with `@_exported import <name>` among its sorted re-exports, so the one
  /// import `ContinualKit` brings the new algorithm too.
  ///
  /// - Parameters:
  ///   - name: The module name.
  ///   - text: The file's text.
  /// - Returns: The edited text.
  /// - Throws: ``ScaffoldError`` when the file has no re-exports.
  static func addingExport(_ name: String, to text: String) throws -> String {
    let prefix = "@_exported import "
    var lines = text.components(separatedBy: "\n")
    let exports = lines.indices.filter { lines[$0].hasPrefix(prefix) }
    guard let last = exports.last else {
      throw ScaffoldError("ContinualKit.swift has no '\(prefix)' lines; add '\(prefix)\(name)' by hand")
    }
    let position = exports.first { lines[$0].dropFirst(prefix.count) > Substring(name) } ?? last + 1
    lines.insert(prefix + name, at: position)
    return lines.joined(separator: "\n")
  }

  /// The `main.swift` of a package of yours with `import <name>` among its sorted imports and
  /// `<name>.self` appended to the algorithms it passes to `ContinualCommand.main(algorithms:)`.
  ///
  /// Accepted shapes: `algorithms: BuiltInAlgorithms.all + [A.self, …]` (one line or one entry a
  /// line), `algorithms: BuiltInAlgorithms.all`, `algorithms: [A.self, …]`, and
  /// `ContinualCommand.main()`.
  ///
  /// - Parameters:
  ///   - name: The module and type name.
  ///   - main: The file's text.
  ///   - path: The file's path, for messages.
  /// - Returns: The edited text.
  /// - Throws: ``ScaffoldError`` when the call has another shape.
  static func addingAlgorithm(_ name: String, toMain main: String, path: String) throws -> String {
    let entry = "\(name).self"
    let byHand =
      "; add `import \(name)` and `\(entry)` to the algorithms passed to ContinualCommand.main by hand, "
      + "e.g. `ContinualCommand.main(algorithms: BuiltInAlgorithms.all + [\(entry)])`"
    guard let call = main.range(of: "ContinualCommand.main(") else {
      throw ScaffoldError("\(path) has no call `ContinualCommand.main(`\(byHand)")
    }
    var text = main
    let rest = text[call.upperBound...]
    if rest.hasPrefix(")") {
      text.insert(contentsOf: "algorithms: BuiltInAlgorithms.all + [\(entry)]", at: call.upperBound)
    } else if let label = rest.range(of: "algorithms:"),
      rest[rest.startIndex..<label.lowerBound].allSatisfy(\.isWhitespace)
    {
      let value = text[label.upperBound...].drop { $0 == " " || $0 == "\n" }
      let builtIn = "BuiltInAlgorithms.all"
      if value.hasPrefix(builtIn) {
        let after = text[value.index(value.startIndex, offsetBy: builtIn.count)...]
        let plus = after.drop { $0 == " " }
        if plus.hasPrefix("+") {
          let list = plus.dropFirst().drop { $0 == " " || $0 == "\n" }
          guard list.hasPrefix("[") else { throw ScaffoldError("\(path): cannot read the list after `+`\(byHand)") }
          text = try appending(entry, toListAt: list.startIndex, in: text, path: path, byHand: byHand)
        } else {
          text.insert(contentsOf: " + [\(entry)]", at: after.startIndex)
        }
      } else if value.hasPrefix("[") {
        text = try appending(entry, toListAt: value.startIndex, in: text, path: path, byHand: byHand)
      } else {
        throw ScaffoldError("\(path): the algorithms passed to ContinualCommand.main are not a list\(byHand)")
      }
    } else {
      throw ScaffoldError("\(path): ContinualCommand.main's first argument is not `algorithms:`\(byHand)")
    }
    var lines = text.components(separatedBy: "\n")
    let imports = lines.indices.filter { lines[$0].hasPrefix("import ") }
    guard let lastImport = imports.last else { throw ScaffoldError("\(path) has no imports\(byHand)") }
    let position = imports.first { lines[$0].dropFirst("import ".count) > Substring(name) } ?? lastImport + 1
    lines.insert("import \(name)", at: position)
    return lines.joined(separator: "\n")
  }

  /// `text` with `entry` appended to the array literal whose `[` is at `open`: on the same line while
  /// it stays short, else one entry a line.
  private static func appending(
    _ entry: String, toListAt open: String.Index, in text: String, path: String, byHand: String
  ) throws -> String {
    guard let close = text[open...].firstIndex(of: "]") else {
      throw ScaffoldError("\(path): the algorithms list has no closing `]`\(byHand)")
    }
    let body = text[text.index(after: open)..<close]
    let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
    var result = text
    if body.contains("\n") {
      // One entry a line: a new line before the `]` line, indented like the last entry.
      let lines = body.split(separator: "\n", omittingEmptySubsequences: true)
      let last = lines.last { !$0.allSatisfy(\.isWhitespace) }
      let indent = last.map { String($0.prefix { $0 == " " }) } ?? "  "
      let comma = trimmed.isEmpty || trimmed.hasSuffix(",") ? "" : ","
      let closeLine = text[..<close].lastIndex(of: "\n") ?? close
      let previousEnd = text[..<closeLine].lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? closeLine
      result.replaceSubrange(previousEnd..<closeLine, with: "\(comma)\n\(indent)\(entry),")
    } else {
      let entries = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      result.replaceSubrange(text.index(after: open)..<close, with: (entries + [entry]).joined(separator: ", "))
    }
    return result
  }
}
