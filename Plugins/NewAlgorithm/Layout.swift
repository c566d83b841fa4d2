import Foundation
import PackagePlugin

/// Where `new-algorithm` runs, and so where it writes and what it registers.
///
/// - In **a package of yours** that depends on ContinualKit (by path or by URL; the template is
///   `Templates/Package`): the algorithm goes to `Sources/<Name>`, its tests to `Tests/<Name>Tests`,
///   its guide to `Docs/<Name>.md`; it is registered in your `Package.swift`'s `algorithms` list and
///   in the `main.swift` of your executable that calls `ContinualCommand.main(algorithms:)`.
/// - In **this repository**: `Sources/Algorithms/<Name>`, `Tests/Algorithms/<Name>Tests`,
///   `Docs/<Name>.md`, registered in `Package.swift` and `BuiltInAlgorithms.swift`.
///
/// Anything else (a package that does not depend on ContinualKit, or has no executable calling
/// `ContinualCommand.main`) is an error that says what to add.
enum Layout {
  /// This repository: `root` is its checkout.
  case repository(root: URL)
  /// A package depending on ContinualKit: its root, ContinualKit's checkout (for the templates) and
  /// target names, the executable target that calls `ContinualCommand.main` and that target's file
  /// with the call.
  case dependent(root: URL, kit: URL, kitTargets: [String], executable: String, main: URL)

  /// The file of this repository that lists the built-in algorithms.
  static let registryPath = "Sources/ContinualCommand/BuiltInAlgorithms.swift"

  /// Finds the layout of `package`.
  ///
  /// - Parameter package: The package the plugin runs in.
  /// - Throws: ``ScaffoldError`` saying what to add when the package is neither this repository nor
  ///   a package depending on it with one executable that calls `ContinualCommand.main`.
  init(of package: Package) throws {
    let root = package.directoryURL
    if Self.isContinualKit(root) {
      self = .repository(root: root)
      return
    }
    guard let kit = Self.continualKit(among: package.dependencies.map(\.package)) else {
      throw ScaffoldError(
        """
        '\(package.displayName)' neither is ContinualKit nor depends on it. Add ContinualKit to its Package.swift, \
        e.g. `.package(name: "ContinualKit", path: "../ContinualKit")` in `dependencies:` (a clone beside your \
        package), or start from ContinualKit's Templates/Package
        """)
    }
    var callers: [(target: String, file: URL)] = []
    for case let target as SourceModuleTarget in package.targets where target.kind == .executable {
      for file in target.sourceFiles where file.url.pathExtension == "swift" {
        let text = (try? String(contentsOf: file.url, encoding: .utf8)) ?? ""
        if text.contains("ContinualCommand.main(") { callers.append((target.name, file.url)) }
      }
    }
    guard callers.count == 1, let caller = callers.first else {
      let found = callers.map { "\($0.target) (\($0.file.path))" }.joined(separator: ", ")
      throw ScaffoldError(
        callers.isEmpty
          ? """
          '\(package.displayName)' has no executable target whose main.swift calls \
          `ContinualCommand.main(algorithms:)`, so there is nowhere to register the algorithm. Add one, e.g. \
          Sources/my-continual/main.swift with `import ContinualCommand` and \
          `ContinualCommand.main(algorithms: BuiltInAlgorithms.all + [])`, and an \
          `.executableTarget(name: "my-continual", dependencies: [.product(name: "ContinualCommand", \
          package: "ContinualKit")])` (see ContinualKit's Templates/Package)
          """
          : "more than one executable calls ContinualCommand.main (\(found)); keep one, so the plugin knows "
            + "where to register the algorithm")
    }
    self = .dependent(
      root: root, kit: kit.directoryURL, kitTargets: kit.targets.map(\.name), executable: caller.target,
      main: caller.file)
  }

  /// Whether `directory` is a checkout of ContinualKit: it has the algorithm templates and the
  /// built-in registry.
  static func isContinualKit(_ directory: URL) -> Bool {
    let manager = FileManager.default
    return manager.fileExists(atPath: directory.appending(path: "Templates/Algorithm").path)
      && manager.fileExists(atPath: directory.appending(path: registryPath).path)
  }

  /// ContinualKit among `packages` and their dependencies, breadth first.
  static func continualKit(among packages: [Package]) -> Package? {
    var queue = packages[...]
    var seen: Set<String> = []
    while let package = queue.popFirst() {
      guard seen.insert(package.id).inserted else { continue }
      if isContinualKit(package.directoryURL) { return package }
      queue.append(contentsOf: package.dependencies.map(\.package))
    }
    return nil
  }

  /// The package's root directory.
  var root: URL {
    switch self {
    case .repository(let root), .dependent(let root, _, _, _, _): root
    }
  }

  /// `Templates/Algorithm` of ContinualKit.
  var templates: URL {
    switch self {
    case .repository(let root): root.appending(path: "Templates/Algorithm")
    case .dependent(_, let kit, _, _, _): kit.appending(path: "Templates/Algorithm")
    }
  }

  /// Where Swift sources are searched for clashing type and command-line names: the package's
  /// `Sources`, and ContinualKit's when the package depends on it.
  var searchedSources: [URL] {
    switch self {
    case .repository(let root): [root.appending(path: "Sources")]
    case .dependent(let root, let kit, _, _, _): [root.appending(path: "Sources"), kit.appending(path: "Sources")]
    }
  }

  /// The folder of an algorithm's sources, relative to the root.
  ///
  /// - Parameter name: The target name.
  /// - Returns: `Sources/Algorithms/<Name>` here, `Sources/<Name>` in a package of yours.
  func sourcesPath(_ name: String) -> String {
    if case .repository = self { return "Sources/Algorithms/\(name)" }
    return "Sources/\(name)"
  }

  /// The folder of an algorithm's tests, relative to the root.
  ///
  /// - Parameter name: The target name.
  /// - Returns: `Tests/Algorithms/<Name>Tests` here, `Tests/<Name>Tests` in a package of yours.
  func testsPath(_ name: String) -> String {
    if case .repository = self { return "Tests/Algorithms/\(name)Tests" }
    return "Tests/\(name)Tests"
  }

  /// The file that lists the command's algorithms, relative to the root.
  var registryPath: String {
    switch self {
    case .repository: Self.registryPath
    case .dependent(let root, _, _, _, let main):
      main.path.hasPrefix(root.path + "/") ? String(main.path.dropFirst(root.path.count + 1)) : main.path
    }
  }

  /// The command's executable: `continual` here, yours in a package of yours.
  var tool: String {
    switch self {
    case .repository: "continual"
    case .dependent(_, _, _, let executable, _): executable
    }
  }

  /// ContinualKit's target names (its modules), which a target of a package of yours must not
  /// reuse; none in this repository, whose own targets are the package's.
  var kitModules: [String] {
    if case .dependent(_, _, let targets, _, _) = self { return targets }
    return []
  }
}
