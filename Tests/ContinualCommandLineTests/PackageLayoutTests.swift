import Foundation
import Testing

/// Every algorithm target of `Package.swift`'s `algorithms` list is re-exported by the one-import
/// module `ContinualKit` and imported by the command's list of built-in algorithms: a target added to
/// one place and not the others (LwF, DER and A-GEM once were missing from `ContinualKit`) fails here.
@Suite struct PackageLayoutTests {
  /// The repository's root, from this file's path.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The names in `let algorithms: [String] = [ … ]` of `Package.swift`.
  static func algorithms() throws -> [String] {
    let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
    guard let start = manifest.range(of: "let algorithms: [String] = ["),
      let end = manifest[start.upperBound...].firstIndex(of: "]")
    else {
      Issue.record("Package.swift has no `let algorithms: [String] = [ … ]` list")
      return []
    }
    return manifest[start.upperBound..<end].split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }.filter { !$0.isEmpty }
  }

  /// The modules a source file imports, with or without `@_exported`.
  static func imports(_ path: String) throws -> Set<String> {
    let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    return Set(
      text.split(separator: "\n").compactMap { line in
        let words = line.split(separator: " ")
        guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { return nil }
        return String(words[index + 1])
      })
  }

  @Test func everyAlgorithmIsExportedAndRegistered() throws {
    let algorithms = try Self.algorithms()
    #expect(algorithms.count >= 10, "read \(algorithms) from Package.swift")
    let exported = try Self.imports("Sources/ContinualKit/ContinualKit.swift")
    let registered = try Self.imports("Sources/ContinualCommand/BuiltInAlgorithms.swift")
    for name in algorithms {
      #expect(exported.contains(name), "Sources/ContinualKit/ContinualKit.swift does not re-export \(name)")
      #expect(registered.contains(name), "BuiltInAlgorithms.swift does not import \(name)")
    }
  }
}
