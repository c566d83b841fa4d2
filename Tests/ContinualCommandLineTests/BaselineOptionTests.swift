import ContinualCore
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// `--baseline NAME`: parsed, checked against the grid before anything runs,
/// and passed to the tables, with the library's error for a name no row has.
@Suite struct BaselineOptionTests {
  @Test func theBaselineIsParsedFromFlagsAndExperimentFiles() throws {
    #expect(try Parsing.options(["--algorithms", "finetune,ewc", "--baseline", "finetune"]).baseline == "finetune")
    #expect(try Parsing.options(["--algorithms", "finetune,ewc", "--baseline=ewc"]).baseline == "ewc")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ck-baseline-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(#"{"algorithms": ["finetune", "si"], "baseline": "si"}"#.utf8).write(to: file)
    #expect(try Parsing.options(["--config", file.path]).baseline == "si")
  }

  @Test func aSweepsBaselineMustBeOneOfItsStacks() {
    let message = Parsing.error(["--algorithms", "finetune,ewc", "--baseline", "ewx"]) ?? ""
    #expect(message.contains("--baseline 'ewx' is not in --algorithms; did you mean 'ewc'?"), "\(message)")
    #expect(Parsing.error(["--baseline", ""])?.contains("--baseline needs a row label or an algorithm") == true)
  }

  @Test func reportWritesTheDifferencesAndNamesAMissingBaseline() throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("ck-baseline-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    func record(_ algorithm: String, _ seed: UInt64, _ accuracy: Double) -> RunRecord {
      RunRecord(
        runID: "\(algorithm)-\(seed)", benchmark: "split-mnist", scenario: "task", algorithm: algorithm, seed: seed,
        config: ["algorithm": algorithm, "seed": String(seed)], accuracyMatrix: [[accuracy]], wallSeconds: 1,
        peakRSSBytes: 1)
    }
    let records = [
      record("finetune", 1, 0.5), record("finetune", 2, 0.6), record("ewc", 1, 0.7), record("ewc", 2, 0.9),
    ]
    let options = try Options(["--output", output.path, "--format", "markdown,csv", "--baseline", "finetune"])
    try writeTables(records, options: options)
    let markdown = try String(contentsOf: output.appendingPathComponent("comparison.md"), encoding: .utf8)
    // ewc − finetune: 0.20 and 0.30, mean 0.25, SE 0.05; t(0.975, 1) = 12.7062 → ±0.63531.
    #expect(markdown.contains("+25.00 ± 5.00 [-38.53, 88.53] (n = 2)"), "\(markdown)")
    let wrong = try Options(["--output", output.path, "--baseline", "sii"])
    let error = #expect(throws: CLIError.self) { try writeTables(records, options: wrong) }
    #expect(
      error?.description.contains("--baseline: the baseline 'sii' matches no row") == true,
      "\(String(describing: error))")
  }
}
