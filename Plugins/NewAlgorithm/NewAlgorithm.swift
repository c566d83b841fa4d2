import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory new-algorithm <Name> [--kind regulariser|estimator|head]`:
/// scaffolds an algorithm target and its tests from ContinualKit's `Templates/Algorithm` and registers it.
///
/// It works in a package of yours that depends on ContinualKit (the plugin is one of ContinualKit's
/// products) and in this repository; ``Layout`` says where each puts the files. Registration is two
/// mechanical edits: `"<Name>"` appended to `Package.swift`'s `algorithms` list, and `import <Name>`
/// plus `<Name>.self` added to the command's list of algorithms (your `main.swift`, or here
/// `Sources/ContinualCommand/BuiltInAlgorithms.swift`; see `Plugins/README.md` for why the list is
/// rewritten here rather than generated at build time).
@main struct NewAlgorithm: CommandPlugin {
  /// Runs the command.
  ///
  /// - Parameters:
  ///   - context: The package the command runs in.
  ///   - arguments: The name and options the user gave.
  /// - Throws: ``ScaffoldError`` when the arguments, the name or the package's layout are invalid or
  ///   a file cannot be written.
  func performCommand(context: PluginContext, arguments: [String]) async throws {
    let request = try Request(parsing: arguments)
    if request.help {
      print(Request.usage)
      return
    }
    let layout = try Layout(of: context.package)
    let scaffold = Scaffold(layout: layout, name: request.name, kind: request.kind)
    try scaffold.validate(existingTargets: context.package.targets.map(\.name))
    try scaffold.checkRegistration()
    let written = try scaffold.writeFiles()
    try scaffold.register()
    print(scaffold.nextSteps(written: written))
  }
}

/// What went wrong, naming the offending thing and the valid choices.
struct ScaffoldError: Error, CustomStringConvertible {
  /// The message shown to the user.
  var description: String

  /// Creates the error.
  ///
  /// - Parameter description: The message shown to the user.
  init(_ description: String) { self.description = description }
}

/// The kinds of scaffold in `Templates/Algorithm`.
enum Kind: String, CaseIterable {
  /// A `Regulariser` (the default).
  case regulariser
  /// An `ImportanceEstimator` inside the shared `QuadraticPenalty`.
  case estimator
  /// A `Head`.
  case head
}

/// The parsed command line.
struct Request {
  /// The algorithm's type and target name, such as `L2Anchor`.
  var name = ""
  /// The scaffold to start from.
  var kind = Kind.regulariser
  /// Whether to print the usage and stop.
  var help = false

  /// The usage text.
  static let usage = """
    USAGE: swift package --allow-writing-to-package-directory new-algorithm <Name> [--kind regulariser|estimator|head]

    In a package of yours that depends on ContinualKit: writes Sources/<Name>, Tests/<Name>Tests and
    Docs/<Name>.md from ContinualKit's Templates/Algorithm/<kind>, adds "<Name>" to your Package.swift's
    algorithms list and <Name>.self to the algorithms your main.swift passes to ContinualCommand.main.
    In ContinualKit itself: Sources/Algorithms/<Name>, Tests/Algorithms/<Name>Tests and Docs/<Name>.md,
    registered in Package.swift and Sources/ContinualCommand/BuiltInAlgorithms.swift.
    <Name> is UpperCamelCase; the command line calls it by its kebab-case form (L2Anchor → l2-anchor).
    """

  /// Parses `<Name> [--kind K]`.
  ///
  /// - Parameter arguments: The plugin's arguments.
  /// - Throws: ``ScaffoldError`` for an unknown option, a missing or extra name, or an unknown kind.
  init(parsing arguments: [String]) throws {
    var names: [String] = []
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      if argument == "--help" || argument == "-h" {
        help = true
      } else if argument == "--kind" || argument.hasPrefix("--kind=") {
        let value = argument == "--kind" ? remaining.popFirst() : String(argument.dropFirst("--kind=".count))
        let valid = Kind.allCases.map(\.rawValue)
        guard let value, let kind = Kind(rawValue: value) else {
          let suggestion = value.flatMap { nearest($0, in: valid) }.map { "; did you mean '\($0)'?" } ?? ""
          throw ScaffoldError(
            "--kind needs one of \(valid.joined(separator: ", ")), got '\(value ?? "nothing")'\(suggestion)")
        }
        self.kind = kind
      } else if argument.hasPrefix("-") {
        let suggestion = nearest(argument, in: ["--kind", "--help"]).map { "; did you mean '\($0)'?" } ?? ""
        throw ScaffoldError(
          "unknown option '\(argument)'\(suggestion) (valid: --kind regulariser|estimator|head, "
            + "--help)\n\n\(Self.usage)"
        )
      } else {
        names.append(argument)
      }
    }
    if help { return }
    guard names.count == 1 else {
      throw ScaffoldError(
        (names.isEmpty ? "missing the algorithm's name" : "expected one name, got \(names.joined(separator: " "))")
          + "\n\n\(Self.usage)")
    }
    name = names[0]
  }
}

/// The files and edits that add one algorithm to the package.
struct Scaffold {
  /// Where the files go and what registers them.
  var layout: Layout
  /// The type and target name, such as `L2Anchor`.
  var name: String
  /// The scaffold to start from.
  var kind: Kind

  /// The command-line name: kebab-case, a hyphen where a lower-case letter or digit meets a capital
  /// (`L2Anchor` → `l2-anchor`, `HNet` → `hnet`).
  var commandLineName: String {
    var result = ""
    var previous: Character?
    for character in name {
      if character.isUppercase, let previous, previous.isLowercase || previous.isNumber { result.append("-") }
      result.append(Character(character.lowercased()))
      previous = character
    }
    return result
  }

  private var package: URL { layout.root }
  private var sources: URL { package.appending(path: layout.sourcesPath(name)) }
  private var tests: URL { package.appending(path: layout.testsPath(name)) }
  private var guide: URL { package.appending(path: "Docs/\(name).md") }
  private var templates: URL { layout.templates }
  private var manifest: URL { package.appending(path: "Package.swift") }
  private var registry: URL { package.appending(path: layout.registryPath) }

  /// Module names the new target must not shadow.
  static let reserved: Set<String> = [
    "Swift", "Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Musl", "Darwin", "XCTest", "Testing",
    "PackageDescription",
    "PackagePlugin", "Algorithm", "Algorithms", "Self", "Type", "Protocol", "Any",
  ]

  /// Checks the name is a new, valid UpperCamelCase identifier that clashes with no target, folder,
  /// type or command-line name.
  ///
  /// - Parameter existingTargets: The package's target names.
  /// - Throws: ``ScaffoldError`` naming the clash.
  func validate(existingTargets: [String]) throws {
    let allowed = name.unicodeScalars.allSatisfy {
      ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
    }
    guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first), allowed, name.count <= 24 else {
      throw ScaffoldError(
        "invalid name '\(name)': use UpperCamelCase ASCII letters and digits, starting with a capital, at most "
          + "24 characters (e.g. L2Anchor)"
      )
    }
    guard !Self.reserved.contains(name) else {
      throw ScaffoldError("invalid name '\(name)': it would shadow a system module or a core type")
    }
    var targets = existingTargets
    targets += layout.kitModules
    let taken = targets.filter {
      $0.lowercased() == name.lowercased() || $0.lowercased() == "\(name)Tests".lowercased()
    }
    guard taken.isEmpty else {
      throw ScaffoldError(
        "an algorithm or target named '\(taken[0])' already exists (targets: "
          + "\(targets.sorted().joined(separator: ", ")))")
    }
    for url in [sources, tests, guide] where FileManager.default.fileExists(atPath: url.path) {
      throw ScaffoldError("'\(url.path)' already exists; remove it or choose another name")
    }
    let swiftFiles = try layout.searchedSources.flatMap { try Self.swiftFiles(under: $0) }
    let declaration = try Regex("\\b(enum|struct|class|actor|protocol|typealias)\\s+\(name)\\b")
    let commandLine = try Regex("AlgorithmConfiguration\\(\\s*name: \"\(commandLineName)\"")
    for file in swiftFiles {
      let text = try String(contentsOf: file, encoding: .utf8)
      if text.contains(declaration) {
        throw ScaffoldError(
          "a type named '\(name)' is already declared in \(file.path); the registry could not tell them apart")
      }
      if text.contains(commandLine) {
        throw ScaffoldError(
          "the command-line name '\(commandLineName)' is already used in \(file.path); choose another name")
      }
    }
  }

  /// Checks both registrations can be made before any file is written.
  ///
  /// - Throws: ``ScaffoldError`` saying which file lacks the expected shape and what to add.
  func checkRegistration() throws {
    _ = try registeredTexts()
  }

  /// Writes the sources, the tests and the guide from the templates.
  ///
  /// - Returns: The paths written, relative to the package.
  /// - Throws: ``ScaffoldError`` when a template is missing or a file cannot be written.
  func writeFiles() throws -> [String] {
    let kindDirectory = templates.appending(path: kind.rawValue)
    var written: [String] = []
    var plan: [(from: URL, to: URL)] = []
    for template in try Self.files(in: kindDirectory.appending(path: "Sources")) {
      plan.append((template, sources.appending(path: substitute(template.lastPathComponent))))
    }
    for template in try Self.files(in: kindDirectory.appending(path: "Tests")) {
      plan.append((template, tests.appending(path: substitute(template.lastPathComponent))))
    }
    plan.append((templates.appending(path: "Guide.md"), guide))
    for (from, to) in plan {
      guard let text = try? String(contentsOf: from, encoding: .utf8) else {
        throw ScaffoldError("cannot read the template '\(from.path)'")
      }
      try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
      let content = to.pathExtension == "swift" ? Self.sortingImports(substitute(text)) : substitute(text)
      try content.write(to: to, atomically: true, encoding: .utf8)
      let root = package.path.hasSuffix("/") ? package.path : package.path + "/"
      written.append(to.path.hasPrefix(root) ? String(to.path.dropFirst(root.count)) : to.path)
    }
    return written
  }

  /// Adds the name to `Package.swift`'s `algorithms` list and to the command's list of algorithms.
  ///
  /// - Throws: ``ScaffoldError`` when either file no longer has the expected shape.
  func register() throws {
    let (manifestText, registryText) = try registeredTexts()
    // In this repository the one-import module re-exports every algorithm too.
    let exports = package.appending(path: "Sources/ContinualKit/ContinualKit.swift")
    var exportText: String?
    if case .repository = layout {
      exportText = try Registration.addingExport(name, to: String(contentsOf: exports, encoding: .utf8))
    }
    try manifestText.write(to: manifest, atomically: true, encoding: .utf8)
    try registryText.write(to: registry, atomically: true, encoding: .utf8)
    try exportText?.write(to: exports, atomically: true, encoding: .utf8)
  }

  /// The manifest and the registry with the algorithm added.
  private func registeredTexts() throws -> (manifest: String, registry: String) {
    let manifestText = try String(contentsOf: manifest, encoding: .utf8)
    let registryText = try String(contentsOf: registry, encoding: .utf8)
    switch layout {
    case .repository:
      return (
        try Registration.addingAlgorithm(name, toManifest: manifestText),
        try Registration.addingAlgorithm(name, toRegistry: registryText)
      )
    case .dependent:
      return (
        try Registration.addingAlgorithm(name, toManifest: manifestText, dependent: true),
        try Registration.addingAlgorithm(name, toMain: registryText, path: layout.registryPath)
      )
    }
  }

  /// What to do next.
  ///
  /// - Parameter written: The files written.
  /// - Returns: The text printed after scaffolding.
  func nextSteps(written: [String]) -> String {
    let tool = layout.tool
    let compare =
      "swift package compare --algorithms \(commandLineName),ewc,ewc+\(commandLineName) --seeds 1 --iterations 100"
    return """
      Created the \(kind.rawValue) algorithm \(name) (command-line name '\(commandLineName)'):
      \(written.map { "  " + $0 }.joined(separator: "\n"))
      Registered it in Package.swift (algorithms list) and \(layout.registryPath).

      Next steps:
        swift build -c release --build-tests && swift test -c release --skip-build --filter \(name)Tests
        .build/release/\(tool) list                         # shows '\(commandLineName)'
        \(compare)
      Then edit \(layout.sourcesPath(name)) and the hand-computed cases in \(layout.testsPath(name)),
      and fill in Docs/\(name).md.
      """
  }

  private func substitute(_ text: String) -> String {
    text.replacingOccurrences(of: "__NAME__", with: name).replacingOccurrences(of: "__name__", with: commandLineName)
      .replacingOccurrences(of: "__KIND__", with: kind.rawValue).replacingOccurrences(of: "__TOOL__", with: layout.tool)
      .replacingOccurrences(of: "__SOURCES__", with: layout.sourcesPath(name))
      .replacingOccurrences(of: "__TESTS__", with: layout.testsPath(name))
  }

  /// `text` with each run of consecutive `import` lines sorted, as swift-format wants them once
  /// `__NAME__` is replaced by the name.
  static func sortingImports(_ text: String) -> String {
    var lines = text.components(separatedBy: "\n")
    var start = 0
    while start < lines.count {
      guard lines[start].hasPrefix("import ") else {
        start += 1
        continue
      }
      var end = start
      while end < lines.count && lines[end].hasPrefix("import ") { end += 1 }
      lines.replaceSubrange(start..<end, with: lines[start..<end].sorted())
      start = end
    }
    return lines.joined(separator: "\n")
  }

  private static func files(in directory: URL) throws -> [URL] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
      throw ScaffoldError("the template folder '\(directory.path)' is missing")
    }
    return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appending(path: $0) }
  }

  private static func swiftFiles(under directory: URL) throws -> [URL] {
    guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
      return []
    }
    return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
  }
}
