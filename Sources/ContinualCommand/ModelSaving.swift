import ContinualCore
import ContinualEngine
import Foundation

/// Where `--save-models` keeps a run's model: `<output>/models/<run id>`.
func modelFolder(runID: String, options: Options) -> URL {
  options.output.appendingPathComponent("models/\(runID)")
}

/// Writes a finished run's model (`--save-models`) and returns its folder relative to `--output`,
/// for the record. A model that cannot be written is a warning, not a lost run: the record is
/// written either way.
///
/// - Parameters:
///   - model: The model after the last task.
///   - prepared: The run's network, head and tasks.
///   - scenario: The run's scenario.
///   - runID: The run's identity (the folder's name).
///   - facts: The run's notes that inputs depend on (CIFAR's normalisation).
///   - options: The command's options.
///   - label: The run's label, for the warning.
/// - Returns: `models/<run id>`, or `nil` when the model could not be written.
func saveModel(
  _ model: Model, of prepared: PreparedRun, scenario: Scenario, runID: String, facts: [String: String], options: Options, label: String
) -> String? {
  let layout = TaskLayout(classCounts: prepared.sequence.classesPerTask)
  var run = facts
  run["run_id"] = runID
  run["algorithm"] = prepared.stackName
  run["benchmark"] = prepared.benchmark.name
  run["scenario"] = scenario.rawValue
  run["seed"] = String(prepared.seed)
  let description = SavedModel.Description(
    network: prepared.networkName, inputShape: prepared.sequence.sampleShape, outputCount: prepared.plan.head.outputCount,
    head: SavedModel.HeadDescription(scenario: scenario.rawValue, layout: layout), run: run)
  do {
    try SavedModel.write(model, description: description, to: modelFolder(runID: runID, options: options))
    return "models/\(runID)"
  } catch {
    options.console.warn("\(label): the model was not saved: \(error)")
    return nil
  }
}
