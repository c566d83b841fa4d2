import ContinualCore
import Foundation
import Testing

@testable import ContinualCommand

/// `continual evaluate --model DIR` rebuilds a saved run from its `model.json` and the options, and
/// measures the kept weights on the run's tasks.
@Suite struct EvaluateCommandTests {
  static let protocolArguments = [
    "--benchmark", "split-builtin", "--seeds", "1", "--iterations", "15", "--train-per-task", "100", "--test-per-task",
    "40",
    "--hidden", "24",
  ]

  /// A saved run, measured again, gives exactly the final row of its accuracy matrix, in every
  /// scenario; another protocol is measured with a warning, and a network the weights do not fit
  /// is an error naming the tensor.
  @Test(arguments: ["task", "class", "domain"])
  func aSavedRunIsMeasuredToItsRecordedAccuracies(scenario: String) throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("ck-evaluate-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let records = try runGrid(
      try Parsing.options(
        Self.protocolArguments + [
          "--scenario", scenario, "--algorithms", "ewc", "--save-models", "--quiet", "--format", "json", "--output",
          output.path,
        ]))
    let record = try #require(records.first)
    let folder = output.appendingPathComponent("models/\(record.runID)")
    let result = try EvaluateCommand.evaluate(
      try Options(Self.protocolArguments + ["--model", folder.path], for: .evaluate))
    #expect(result.isSavedRun && result.run.runID == record.runID)
    #expect(
      result.accuracies == record.accuracyMatrix.last, "\(result.accuracies) vs \(record.accuracyMatrix.last ?? [])")
    let text = EvaluateCommand.text(result, folder: folder)
    #expect(text.contains("ewc on split-builtin (\(scenario)), seed 1") && !text.contains("not the saved run"))

    let lines = Lines()
    let other = try Options(
      Self.protocolArguments + ["--model", folder.path, "--test-per-task", "30"], for: .evaluate,
      console: Console(output: { _ in }, diagnostics: { lines.append($0) }))
    #expect(try !EvaluateCommand.evaluate(other).isSavedRun)
    #expect(lines.all.contains { $0.contains("not the model's \(record.runID)") }, "\(lines.all)")
    #expect(throws: SavedModel.Failure.self) {
      _ = try EvaluateCommand.evaluate(try Options(["--model", folder.path, "--hidden", "8"], for: .evaluate))
    }
  }

  /// Without `--model`, or with a folder that holds no model, the command says what it needs.
  @Test func aMissingModelIsAnError() throws {
    #expect(throws: CLIError.self) { try ContinualCommand.run(["evaluate"]) }
    let message = try #require(Parsing.error(["--model", "x"]))
    #expect(message.contains("--model does not apply to `continual compare`"), "\(message)")
    do {
      try ContinualCommand.run(["evaluate", "--model", "/nonexistent-model"])
      Issue.record("a missing folder was accepted")
    } catch {
      #expect("\(error)".contains("/nonexistent-model/model.json"), "\(error)")
    }
  }
}

/// Lines collected from several threads.
final class Lines: @unchecked Sendable {
  private var lines: [String] = []
  private let lock = NSLock()
  /// Adds a line.
  func append(_ line: String) { lock.withLock { lines.append(line) } }
  /// Every line so far.
  var all: [String] { lock.withLock { lines } }
}
