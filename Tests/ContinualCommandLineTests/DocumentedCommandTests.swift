import Foundation
import Testing

@testable import ContinualCommand

/// Every command in a guide's `sh` block introduced by "Checked by `…/DocumentedCommandTests.swift`"
/// parses and validates as `continual` would before training, so the guides' syntax cannot rot.
@Suite struct DocumentedCommandTests {
  /// The guides' folder.
  static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Docs")

  /// Each checked command: the page, the line and the words after `continual`.
  static func commands() throws -> [(page: String, line: Int, words: [String])] {
    var found: [(String, Int, [String])] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: docs.path).sorted() where name.hasSuffix(".md") {
      let lines = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8).components(separatedBy: "\n")
      var armed = false, inside = false, pending = ""
      for (number, line) in lines.enumerated() {
        // A line ending in a backslash continues on the next, as in the shell.
        if inside, line.hasSuffix("\\") {
          pending += line.dropLast() + " "
          continue
        }
        let line = pending + line
        pending = ""
        if line.contains("Checked by `Tests/ContinualCommandLineTests/DocumentedCommandTests.swift`") { armed = true }
        if armed && line == "```sh" {
          inside = true
          continue
        }
        if inside && line == "```" {
          (inside, armed) = (false, false)
          continue
        }
        if inside, line.hasPrefix("continual ") { found.append((name, number + 1, words(line).dropFirst().map { $0 })) }
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

  @Test func everyCheckedCommandIsValid() throws {
    let commands = try Self.commands()
    #expect(commands.count >= 5, "CommandLine.md: four variant commands and the validation one")
    for (page, line, words) in commands {
      do {
        let command = try #require(Command(rawValue: words[0]), "\(page):\(line)")
        let options = try Options(Array(words.dropFirst()), for: command)
        try _ = try Sweep(options)
      } catch {
        Issue.record("\(page):\(line): \(error)")
      }
    }
  }

  /// The grid line of the variants section expands to the six variants it says.
  @Test func theGridExampleRunsSixVariants() throws {
    let grid = try #require(try Self.commands().first { $0.words.contains("--grid") })
    let options = try Options(Array(grid.words.dropFirst()), for: .compare)
    #expect(options.algorithms.count == 6, "\(options.algorithms)")
  }
}
