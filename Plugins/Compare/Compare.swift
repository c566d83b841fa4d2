import Foundation
import PackagePlugin

/// `swift package compare [options]`: builds the command-line tool in release and runs
/// `<tool> compare` with the given options in the package's directory (tables and the report go
/// to `--output`, `results` by default).
///
/// The tool is `continual` in this repository; in a package of yours that depends on ContinualKit
/// (the plugin is one of ContinualKit's products) it is your executable whose `main.swift` calls
/// `ContinualCommand.main(algorithms:)`, so your algorithms, benchmarks and networks are in it.
///
/// The tool's progress and messages are passed through as they come; when it fails (an unknown
/// option, algorithm or setting, a missing dataset) the plugin fails too, repeating the tool's
/// message and exit status.
@main struct Compare: CommandPlugin {
  /// Runs the command.
  ///
  /// - Parameters:
  ///   - context: The package the command runs in.
  ///   - arguments: The options for `continual compare`.
  /// - Throws: ``CompareError`` when there is no tool to build, or the build or the tool fails.
  func performCommand(context: PluginContext, arguments: [String]) async throws {
    let product = try Self.tool(in: context.package)
    let build = try packageManager.build(
      .product(product), parameters: .init(configuration: .release, logging: .concise))
    guard build.succeeded else {
      FileHandle.standardError.write(Data(build.logText.utf8))
      throw CompareError("building \(product) in release failed (the build log is above)")
    }
    let executables = build.builtArtifacts.filter { $0.kind == .executable }
    guard let tool = executables.first(where: { $0.url.lastPathComponent == product }) else {
      throw CompareError("the release build produced no '\(product)' executable")
    }
    let status = try Self.run(tool.url, arguments: ["compare"] + arguments, in: context.package.directoryURL)
    guard status.code == 0 else {
      let message = status.lastErrorLines.isEmpty ? "" : ":\n" + status.lastErrorLines
      throw CompareError("\(product) compare exited with status \(status.code)\(message)")
    }
  }

  /// The executable product to run: `continual` when the package has it, else the one executable
  /// whose sources call `ContinualCommand.main(`.
  ///
  /// - Parameter package: The package the plugin runs in.
  /// - Returns: The product's name.
  /// - Throws: ``CompareError`` saying what to add when there is none, or naming them when there
  ///   are several.
  static func tool(in package: Package) throws -> String {
    let executables = package.products.compactMap { $0 as? ExecutableProduct }
    if executables.contains(where: { $0.name == "continual" }) { return "continual" }
    let callers = executables.filter { product in
      product.mainTarget.sourceModule?.sourceFiles.contains { file in
        file.url.pathExtension == "swift"
          && ((try? String(contentsOf: file.url, encoding: .utf8))?.contains("ContinualCommand.main(") ?? false)
      } ?? false
    }
    guard callers.count == 1 else {
      throw CompareError(
        callers.isEmpty
          ? "'\(package.displayName)' has no executable whose main.swift calls ContinualCommand.main(algorithms:); "
            + "add one (see ContinualKit's Templates/Package) or run ContinualKit's `continual compare`"
          : "several executables call ContinualCommand.main (\(callers.map(\.name).joined(separator: ", "))); run "
            + "the one you mean directly: swift run -c release <name> compare …")
    }
    return callers[0].name
  }

  /// Runs the tool, forwarding its standard error while keeping the last lines for the error message.
  ///
  /// - Parameters:
  ///   - executable: The tool.
  ///   - arguments: Its arguments.
  ///   - directory: Its working directory.
  /// - Returns: The exit status and the last lines it wrote to standard error.
  /// - Throws: When the tool cannot be started.
  static func run(_ executable: URL, arguments: [String], in directory: URL) throws -> (
    code: Int32, lastErrorLines: String
  ) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let errors = Pipe()
    process.standardError = errors
    let collected = Collected()
    errors.fileHandleForReading.readabilityHandler = { handle in
      let data = handle.availableData
      guard !data.isEmpty else { return }
      FileHandle.standardError.write(data)
      collected.append(data)
    }
    try process.run()
    process.waitUntilExit()
    errors.fileHandleForReading.readabilityHandler = nil
    let rest = errors.fileHandleForReading.readDataToEndOfFile()
    FileHandle.standardError.write(rest)
    collected.append(rest)
    return (process.terminationStatus, collected.lastLines(5))
  }
}

/// Standard error collected from another thread.
final class Collected: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()

  /// Appends bytes.
  ///
  /// - Parameter more: The bytes.
  func append(_ more: Data) { lock.withLock { data.append(more) } }

  /// The last non-empty lines, without progress lines.
  ///
  /// - Parameter count: How many lines at most.
  /// - Returns: The lines joined by newlines.
  func lastLines(_ count: Int) -> String {
    let text = lock.withLock { String(decoding: data, as: UTF8.self) }
    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter {
      !$0.allSatisfy(\.isWhitespace)
    }
    return lines.suffix(count).joined(separator: "\n")
  }
}

/// Why the comparison failed.
struct CompareError: Error, CustomStringConvertible {
  /// The message shown to the user.
  var description: String

  /// Creates the error.
  ///
  /// - Parameter description: The message shown to the user.
  init(_ description: String) { self.description = description }
}
