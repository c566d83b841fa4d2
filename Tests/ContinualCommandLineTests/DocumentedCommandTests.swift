import ContinualCore
import ContinualEngine
import Foundation
import Testing

@testable import ContinualCommand

/// Every `continual` command in a shell block of the README, the guides in `Docs/` and the
/// templates' READMEs parses and validates as `continual` would before training, so the
/// documentation's commands cannot rot (the SS-IL command of `Docs/Reproductions.md` once failed
/// with `si is in no stack` and no test noticed).
@Suite struct DocumentedCommandTests {
  /// The repository's root.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardized

  /// The pages searched: the README, every guide and every template's README.
  static func pages() throws -> [URL] {
    let docs = root.appendingPathComponent("Docs")
    let guides = try FileManager.default.contentsOfDirectory(atPath: docs.path).sorted().filter { $0.hasSuffix(".md") }
    let templates = root.appendingPathComponent("Templates")
    let templateReadmes = try FileManager.default.contentsOfDirectory(atPath: templates.path).sorted()
      .map { templates.appendingPathComponent($0).appendingPathComponent("README.md") }
      .filter { FileManager.default.fileExists(atPath: $0.path) }
    return [root.appendingPathComponent("README.md")] + guides.map { docs.appendingPathComponent($0) } + templateReadmes
  }

  /// How a documented command starts, before the command name.
  static let prefixes = [
    "swift run -c release continual ", ".build/release/continual ", "continual ", "my-continual ",
    ".build/release/my-continual ", "swift run -c release my-continual ",
  ]

  /// Each command in a `sh` block: the page, the line and the words after `continual`.
  static func commands() throws -> [(page: String, line: Int, words: [String])] {
    var found: [(String, Int, [String])] = []
    for page in try pages() {
      let name = page.path.replacingOccurrences(of: root.path + "/", with: "")
      let lines = try String(contentsOf: page, encoding: .utf8).components(separatedBy: "\n")
      var inside = false, pending = ""
      // Shell variables of the block (`COMMON="…"`, `for m in 200 500; do` takes the first value).
      var variables: [String: String] = [:]
      for (number, line) in lines.enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        // A line ending in a backslash continues on the next, as in the shell.
        if inside, trimmed.hasSuffix("\\") {
          pending += trimmed.dropLast() + " "
          continue
        }
        let whole = pending + trimmed
        pending = ""
        if whole == "```sh" || whole == "```bash" {
          (inside, variables) = (true, [:])
          continue
        }
        if inside, let eq = whole.firstIndex(of: "="), whole[..<eq].allSatisfy({ $0.isLetter || $0 == "_" }),
          !whole[..<eq].isEmpty
        {
          variables[String(whole[..<eq])] = String(whole[whole.index(after: eq)...]).trimmingCharacters(
            in: CharacterSet(charactersIn: "\"'"))
          continue
        }
        if inside, whole.hasPrefix("for "), let loop = Optional(whole.split(separator: " ")), loop.count > 3,
          loop[2] == "in"
        {
          variables[String(loop[1])] = String(loop[3])
          continue
        }
        if inside && whole == "```" {
          inside = false
          continue
        }
        // A comment after the command is the shell's, not the command's.
        var command = whole.components(separatedBy: " #")[0]
        for (name, value) in variables.sorted(by: { $0.key.count > $1.key.count }) {
          command = command.replacingOccurrences(of: "$" + name, with: value)
        }
        if inside, let prefix = prefixes.first(where: { command.hasPrefix($0) }) {
          found.append((name, number + 1, words(String(command.dropFirst(prefix.count)))))
        }
      }
    }
    return found
  }

  /// Shell words: split at spaces outside single quotes, quotes removed.
  static func words(_ line: String) -> [String] {
    var words: [String] = [], current = "", quoted = false
    for character in line {
      if character == "'" {
        quoted.toggle()
      } else if character == " " && !quoted {
        if !current.isEmpty { words.append(current) }
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// The package template's benchmark, network and preset, as the command sees them.
  static let templateCatalog = try! Catalog(
    benchmarks: [BenchmarkDefinition(name: "split-stripes", summary: "", defaultTasks: 2) { _ in throw CLIError("") }],
    networks: [NetworkDefinition(name: "narrow", summary: "") { _, _ in Sequential([]) }],
    presets: [
      PresetDefinition(
        name: "stripes-quick", summary: "",
        arguments: ["--benchmark", "split-stripes", "--network", "narrow", "--algorithms", "ewc,my-penalty"])
    ])

  /// Every documented command parses and validates.
  @Test func everyDocumentedCommandIsValid() throws {
    try Catalog.$current.withValue(Self.templateCatalog) { try checkEveryDocumentedCommand() }
  }

  /// Every documented command parses and validates, with ``templateCatalog`` in force.
  func checkEveryDocumentedCommand() throws {
    let commands = try Self.commands()
    #expect(commands.count >= 40, "found \(commands.count) commands")
    // Docs/README.md's guide compares the regulariser it builds, `l2`, registered by the reader; the
    // package template's pages, its `my-penalty` and the `mine` that `new-algorithm Mine` scaffolds.
    let known = BuiltInAlgorithms.all + [GuideL2.self, TemplatePenalty.self, ScaffoldedMine.self]
    for (page, line, words) in commands {
      do {
        if words.contains("--help") || words.contains("-h") {
          try ContinualCommand.run(words, algorithms: known, console: Console(output: { _ in }, diagnostics: { _ in }))
          continue
        }
        let command = try #require(Command(rawValue: words[0]), "\(page):\(line): \(words[0]) is not a command")
        switch command {
        case .compare, .run:
          let arguments = Array(words.dropFirst())
          _ = try Sweep(
            command == .run ? try Options.forRun(arguments, known: known) : try Options(arguments, known: known))
        case .report:
          let files = words.dropFirst().prefix { !$0.hasPrefix("--") }
          _ = try Options(Array(words.dropFirst(1 + files.count)), for: .report, known: known)
        case .evaluate: _ = try Options(Array(words.dropFirst()), for: .evaluate, known: known)
        case .list, .help: #expect(words.count <= 2, "\(page):\(line)")
        }
      } catch {
        Issue.record("\(page):\(line): continual \(words.joined(separator: " ")): \(error)")
      }
    }
  }

  /// The grid line of the variants section expands to the six variants it says.
  @Test func theGridExampleRunsSixVariants() throws {
    let grid = try #require(
      try Self.commands().first { $0.page == "Docs/CommandLine.md" && $0.words.contains("--grid") })
    let options = try Options(Array(grid.words.dropFirst()), for: .compare)
    #expect(try Sweep(options).points.count == 6, "\(options.algorithms)")
  }
}

/// The regulariser `Docs/README.md`'s guide writes, as the command sees it: a name and a strength.
private enum GuideL2: Algorithm {
  static let lambda = Setting<Float>("lambda", default: 1, "strength", in: 0...1e12)
  static let configuration = AlgorithmConfiguration(name: "l2", summary: "the guide's L2 pull", settings: [lambda])
  static func components(_ settings: Settings) throws -> AlgorithmComponents { AlgorithmComponents() }
}

/// The package template's `my-penalty`, as the command sees it.
private enum TemplatePenalty: Algorithm {
  static let lambda = Setting<Float>("lambda", default: 1, "strength", in: 0...1e15)
  static let configuration = AlgorithmConfiguration(name: "my-penalty", summary: "the template's", settings: [lambda])
  static func components(_ settings: Settings) throws -> AlgorithmComponents { AlgorithmComponents() }
}

/// What `swift package new-algorithm Mine` scaffolds, as the command sees it.
private enum ScaffoldedMine: Algorithm {
  static let lambda = Setting<Float>("lambda", default: 1, "strength", in: 0...1e15)
  static let configuration = AlgorithmConfiguration(name: "mine", summary: "the scaffold's", settings: [lambda])
  static func components(_ settings: Settings) throws -> AlgorithmComponents { AlgorithmComponents() }
}
