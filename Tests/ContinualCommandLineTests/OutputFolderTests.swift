import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// An unwritable `--output` was found only after the first run had trained,
/// with a message like `NSCocoaErrorDomain error 512`. It is now checked before anything trains.
@Suite struct OutputFolderTests {
  @Test func anOutputUnderAFileIsRefusedBeforeTraining() throws {
    try withTemporaryFolder("output-check") { root in
      let file = root.appendingPathComponent("plain.txt")
      try Data("x".utf8).write(to: file)
      let options = try Parsing.options([
        "--iterations", "1", "--seeds", "1", "--quiet", "--output", file.appendingPathComponent("results").path,
      ])
      let start = Date()
      let error = #expect(throws: CLIError.self) { try runGrid(options) }
      #expect(
        error?.description.contains("\(file.path) is a file, not a folder") == true, "\(String(describing: error))")
      #expect(Date().timeIntervalSince(start) < 5, "the check must come before any training")
      let onFile = #expect(throws: CLIError.self) { try ensureWritableOutput(file) }
      #expect(onFile?.description.contains("--output \(file.path) is a file") == true)
    }
  }

  @Test func aNewNestedOutputIsCreatedAndLeftClean() throws {
    try withTemporaryFolder("output-check") { root in
      let folder = root.appendingPathComponent("a/b/c")
      try ensureWritableOutput(folder)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
  }
}
