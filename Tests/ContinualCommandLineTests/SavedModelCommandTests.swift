import ContinualCore
import ContinualEngine
import Foundation
import Testing

@testable import ContinualCommand

/// `--save-models` keeps each finished run's weights, and they reload into our
/// engine with the predictions the run measured.
@Suite struct SavedModelCommandTests {
  static let arguments = [
    "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", "finetune", "--seeds", "1", "--iterations",
    "20",
    "--train-per-task", "200", "--test-per-task", "100", "--quiet", "--save-models",
  ]

  /// The saved model, rebuilt from the run's own network and loaded, gives exactly the final row of
  /// the record's accuracy matrix; the record names the folder; the description lists every tensor
  /// under PyTorch's names and says how the outputs map to tasks.
  @Test(arguments: ["mlp", "resnet18:4"])
  func savedWeightsReloadWithIdenticalPredictions(network: String) throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("saved-models-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try Parsing.options(Self.arguments + ["--network", network, "--output", root.path])
    let record = try #require(try runGrid(options).first)
    #expect(record.notes?["model"] == "models/\(record.runID)")
    let folder = modelFolder(runID: record.runID, options: options)

    let stack = try ResolvedStack("finetune", settings: options.settings(for: .task), known: options.known)
    let prepared = try PreparedRun(
      benchmark: try Benchmark(named: "split-builtin"), scenario: .task, stack: stack, seed: 1,
      factory: BenchmarkFactory(dataDirectory: nil),
      options: options)
    let (model, description) = try SavedModel.read(from: folder, architecture: prepared.architecture)
    let accuracies = try prepared.trainer.evaluate(
      model, on: prepared.sequence, head: prepared.plan.head, trainedThrough: prepared.sequence.count - 1)
    #expect(
      accuracies == record.accuracyMatrix.last, "\(accuracies) vs \(String(describing: record.accuracyMatrix.last))")

    #expect(
      description.tensors.map(\.name) == prepared.architecture.parameterNames
        + prepared.architecture.stateSpecs.map(\.name))
    #expect(
      description.tensors.contains { $0.kind == "state" } == (network != "mlp"),
      "BatchNorm statistics are saved with the weights")
    #expect(
      description.head
        == SavedModel.HeadDescription(scenario: "task", taskOutputs: [[0, 2], [2, 4], [4, 6], [6, 8], [8, 10]]))
    #expect(description.run["run_id"] == record.runID && description.run["algorithm"] == "finetune")
    #expect(
      description.run["benchmark"] == "split-builtin" && description.run["seed"] == "1"
        && description.run["scenario"] == "task")
    #expect(description.network == (network == "mlp" ? "mlp 784-256-256-10" : "resnet18:4"))
  }

  /// `SavedModel.evaluate`, given only the loaded model, its description and the run's
  /// tasks (no trainer, no head from the run), gives the record's final accuracy row exactly; the
  /// lead's `continual evaluate --model DIR` prints it.
  @Test(arguments: [("task", "mlp"), ("class", "resnet18:4"), ("domain", "mlp")])
  func evaluatingASavedModelReproducesTheFinalRowExactly(scenario: String, network: String) throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("saved-models-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let arguments = Self.arguments.map { $0 == "task" ? scenario : $0 } + ["--network", network, "--output", root.path]
    let options = try Parsing.options(arguments)
    let record = try #require(try runGrid(options).first)
    let chosen = try #require(Scenario(rawValue: scenario))
    let stack = try ResolvedStack("finetune", settings: options.settings(for: chosen), known: options.known)
    let prepared = try PreparedRun(
      benchmark: "split-builtin", scenario: chosen, stack: stack, seed: 1,
      factory: BenchmarkFactory(dataDirectory: nil), options: options)
    let folder = modelFolder(runID: record.runID, options: options)
    let (model, description) = try SavedModel.read(from: folder, architecture: prepared.architecture)
    let accuracies = try SavedModel.evaluate(model, description: description, on: prepared.sequence)
    #expect(accuracies == record.accuracyMatrix.last, "\(accuracies) vs \(record.accuracyMatrix)")
    #expect(accuracies.count == 5)

    // A sequence the model was not made for is refused by the key that disagrees.
    var narrower = description
    narrower.inputShape = [1, 14, 14]
    #expect {
      try SavedModel.evaluate(model, description: narrower, on: prepared.sequence)
    } throws: {
      "\($0)".contains("'input_shape' is [1, 14, 14]")
    }
  }

  /// Without the option, no model is kept.
  @Test func withoutTheOptionNothingIsSaved() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("saved-models-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try Parsing.options(Self.arguments.filter { $0 != "--save-models" } + ["--output", root.path])
    let record = try #require(try runGrid(options).first)
    #expect(record.notes?["model"] == nil)
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("models").path))
  }

  /// Docs/SavedModels.md's tensor block is what the command writes for the default MLP on
  /// split-builtin in the task scenario.
  @Test func theGuidesTensorListIsTrue() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("saved-models-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try Parsing.options(Self.arguments + ["--iterations", "1", "--output", root.path])
    let record = try #require(try runGrid(options).first)
    let data = try Data(
      contentsOf: modelFolder(runID: record.runID, options: options).appendingPathComponent(SavedModel.descriptionFile))
    let written = try JSONDecoder().decode(SavedModel.Description.self, from: data).tensors.map {
      "\($0.name) \($0.shape) \($0.kind)"
    }

    let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../Docs/SavedModels.md")
    let lines = try String(contentsOf: guide, encoding: .utf8).components(separatedBy: "\n")
    let marker = try #require(lines.firstIndex { $0.hasPrefix("As `model.json` lists them") })
    let open = try #require(lines[marker...].firstIndex(of: "```"))
    let close = try #require(lines[(open + 1)...].firstIndex(of: "```"))
    #expect(Array(lines[(open + 1)..<close]) == written)
  }
}
