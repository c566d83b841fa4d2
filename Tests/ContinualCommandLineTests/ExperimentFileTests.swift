import ContinualCore
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// `continual compare --config FILE`: the mapping from JSON keys to options, overriding, errors
/// naming the key, and seeded corruptions of a valid file.
@Suite struct ExperimentFileTests {
  static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Templates/Experiments")

  /// Writes `text` to a fresh file and returns its URL; remove its directory afterwards.
  static func file(_ text: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ck-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent("experiment.json")
    try Data(text.utf8).write(to: url)
    return url
  }

  static func remove(_ url: URL) { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }

  @Test func theExampleTemplateSetsEveryOptionItNames() throws {
    let url = Self.templates.appendingPathComponent("example.json")
    let options = try Parsing.options(["--config", url.path])
    #expect(options.benchmarks == ["split-mnist"])
    #expect(options.scenarios == [.task, .class])
    #expect(options.algorithms.map(\.text) == ["finetune", "ewc", "si", "ewc+si"])
    #expect(options.seeds == 3 && options.firstSeed == 1 && options.iterations == 2000 && options.epochs == nil)
    #expect(options.batchSize == 128 && options.optimiser == .adam && options.learningRate == 0.001)
    #expect(
      options.hidden == [400, 400] && options.shuffleClasses && options.trainPerTask == nil
        && options.testPerTask == nil)
    #expect(options.settings(for: .task)["ewc.lambda"] == "1e4")
    #expect(options.settings(for: .class)["ewc.lambda"] == "1e8")
    #expect(options.settings["si.c"] == "1" && options.settings["si.clamp"] == "false")
    #expect(options.formats == [.markdown, .csv, .html])
    #expect(options.output.path.hasSuffix("results/split-mnist-example"))
    #expect(options.given.contains("--seeds"))
  }

  @Test func theReplayTemplateAppliesItsPresetFirst() throws {
    let options = try Parsing.options(["--config", Self.templates.appendingPathComponent("replay.json").path])
    #expect(options.algorithms.map(\.text) == ["er", "er+gkd", "ssil"])  // from the preset
    #expect(options.seeds == 1)  // the file over the preset
    #expect(options.settings["memory.size"] == "500" && options.settings["memory.selection"] == "herding")
    #expect(options.output.path.hasSuffix("results/ssil-herding-500"))
  }

  @Test func flagsAfterTheFileOverrideItAndFlagsBeforeAreOverridden() throws {
    let url = try Self.file(#"{"seeds": 4, "lr": 0.01, "set": {"ewc.lambda": 5}, "quiet": true}"#)
    defer { Self.remove(url) }
    let after = try Parsing.options(["--config", url.path, "--seeds", "2", "--set", "ewc.lambda=7"])
    #expect(after.seeds == 2 && after.learningRate == 0.01 && after.settings["ewc.lambda"] == "7" && after.quiet)
    let before = try Parsing.options(["--seeds", "2", "--config", url.path])
    #expect(before.seeds == 4)
  }

  @Test func falseTurnsOffAPresetsSwitch() throws {
    let url = try Self.file(#"{"preset": "vdv2019-split-mnist", "shuffle-classes": false, "epochs": 1}"#)
    defer { Self.remove(url) }
    let options = try Parsing.options(["--config", url.path])
    #expect(!options.shuffleClasses)
    #expect(options.epochs == 1 && options.iterations == nil)
    #expect(options.benchmarks == ["split-mnist"])
  }

  @Test(arguments: [
    (#"{"seed_count": 3}"#, "unknown key 'seed_count'"),
    (#"{"seedss": 3}"#, "unknown key 'seedss'; did you mean 'seeds'?"),
    (#"{"config": "other.json"}"#, "unknown key 'config'"),
    (#"{"seeds": "3"}"#, #""seeds" takes a whole number, not a string ("3")"#),
    (#"{"seeds": 3.0}"#, #""seeds" takes a whole number, not a number (3.0)"#),
    (#"{"seeds": true}"#, #""seeds" takes a whole number, not a boolean (true)"#),
    (#"{"seeds": 0}"#, #""seeds": --seeds takes a whole number from 1 to 10000, not '0'"#),
    (#"{"seeds": -2}"#, #""seeds": --seeds takes a whole number from 1 to 10000, not '-2'"#),
    (#"{"seeds": 1e400}"#, #""seeds" takes a whole number, not a number (1e400)"#),
    (#"{"lr": "NaN"}"#, #""lr" takes a finite number, not a string ("NaN")"#),
    (#"{"lr": 1e400}"#, #""lr" takes a finite number, not a number (1e400)"#),
    (#"{"momentum": 1.5}"#, "--momentum must be below 1"),
    (#"{"hidden": "400"}"#, #""hidden" takes an array of whole numbers, not a string"#),
    (#"{"hidden": [400, -1]}"#, #""hidden": --hidden takes a whole number from 1 to 65536, not '-1'"#),
    (#"{"hidden": [400, 2.5]}"#, #""hidden" takes an array of whole numbers, not an array"#),
    (#"{"algorithms": ["ewc", 3]}"#, #""algorithms" takes one name per array element, not 3"#),
    (#"{"algorithms": ["ewc,si"]}"#, #""algorithms" takes one name per array element, not "ewc,si""#),
    (#"{"algorithms": []}"#, #""algorithms" takes a string or a non-empty array of strings, not an array"#),
    (#"{"algorithms": ["ewc", "nope"]}"#, "unknown algorithm 'nope'"),
    (#"{"benchmark": "split-mnst"}"#, "unknown benchmark 'split-mnst'"),
    (#"{"quiet": "yes"}"#, #""quiet" takes true or false, not a string ("yes")"#),
    (#"{"shard": "0/4"}"#, #""shard": --shard takes i/n with 1 ≤ i ≤ n"#),
    (#"{"shard": 2}"#, #""shard" takes a string, not a number (2)"#),
    (#"{"set": {"ewc.lambda": -1}}"#, #""set" → "ewc.lambda": invalid value '-1' for ewc.lambda"#),
    (#"{"set": {"ewc.lamda": 1}}"#, #""set" → "ewc.lamda": unknown setting 'ewc.lamda'; did you mean 'ewc.lambda'?"#),
    (#"{"set": {"ewc.lambda": [1]}}"#, #""set" → "ewc.lambda" takes a number, string or boolean, not an array"#),
    (#"{"set": {"galaxy:ewc.lambda": 1}}"#, "a scenario prefix must be task, domain or class"),
    (#"{"set": ["ewc.lambda=1"]}"#, #""set" takes an object of settings, not an array"#),
    (#"{"memory": {"size": -5}}"#, #""memory" → "size": invalid value '-5' for memory.size"#),
    (#"{"memory": {"sise": 5}}"#, "unknown setting 'memory.sise'; did you mean 'memory.size'?"),
    (#"{"preset": "nope"}"#, #""preset": unknown preset 'nope'"#),
    (#"{"iterations": 10, "epochs": 1}"#, #"give "iterations" or "epochs", not both"#),
    (#"{"seeds": 3, "seeds": 4}"#, "not valid JSON: line 1, column 14: duplicate key 'seeds'"),
    (#"{"seeds": 3,}"#, "not valid JSON: line 1, column 13: expected a string key in an object, found '}'"),
    (
      "{\n  \"seeds\": 3\n  \"tasks\": 5\n}",
      "not valid JSON: line 3, column 3: expected ',' or '}' in an object, found '\"'"
    ),
    (#"["seeds", 3]"#, "an experiment file is one JSON object"),
    ("", "not valid JSON: line 1, column 1"),
    (String(repeating: "[", count: 50_000), "nesting deeper than 8 levels"),
  ])
  func badFilesNameTheKey(text: String, message: String) throws {
    let url = try Self.file(text)
    defer { Self.remove(url) }
    let description = Parsing.error(["--config", url.path]) ?? ""
    #expect(description.contains(message), "\(text): \(description)")
    // Unknown algorithm and benchmark names and values that conflict with others (`--momentum`) are
    // found when the whole grid is checked, after the file has been applied.
    if !["unknown algorithm", "unknown benchmark", "--"].contains(where: message.hasPrefix) {
      #expect(description.hasPrefix(url.path + ": "), "\(text): \(description)")
    }
  }

  @Test func anOversizedFileIsRefusedWithoutReadingIt() throws {
    let url = try Self.file(#"{"description": ""# + String(repeating: "x", count: ExperimentFile.maximumSize) + #""}"#)
    defer { Self.remove(url) }
    #expect(Parsing.error(["--config", url.path])?.contains("larger than 1048576 bytes") == true)
    #expect(Parsing.error(["--config", "/dev/zero"])?.contains("not a regular file (a character device)") == true)
    #expect(
      Parsing.error(["--config", url.deletingLastPathComponent().path])?.contains("cannot read the experiment file")
        == true)
  }

  @Test func corruptFilesAreRejectedNamingTheFileOrParseInRange() throws {
    let original = [UInt8](try Data(contentsOf: Self.templates.appendingPathComponent("example.json")))
    let directory = try temporaryFolder("ck-config-fuzz")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("mutant.json")
    var tally = FuzzTally("experiment file (JSON)")
    for corruption in Corruption.mutants(of: original, seed: 41, truncationStride: 3, bitFlips: 250, overwrites: 250) {
      try Data(corruption.bytes).write(to: url)
      // Unknown names, invalid stacks and conflicting values (named by their option) are found when
      // the grid is checked, after the file.
      let clear = { (error: CLIError) in
        [url.path + ": ", "unknown ", "invalid ", "--"].contains(where: error.description.hasPrefix)
      }
      tally.count("\(corruption)", isClear: clear) {
        let options = try Parsing.options(["--config", url.path])
        let cutOnlyWhitespace = original[corruption.touched].allSatisfy { [0x20, 0x0A, 0x0D, 0x09].contains($0) }
        #expect(corruption.kind != .truncation || cutOnlyWhitespace, "\(corruption): a truncated file was accepted")
        #expect(Parsing.violations(options).isEmpty, "\(corruption): \(Parsing.violations(options))")
      }
    }
    tally.report()
    #expect(tally.tried >= 500 + original.count / 3)
  }
}
