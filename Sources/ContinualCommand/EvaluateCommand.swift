import ContinualCore
import ContinualEngine
import Foundation

/// `continual evaluate --model DIR`: a model kept by `--save-models`, loaded into the network its
/// run builds and measured on that run's tasks.
///
/// The run is rebuilt by planning a sweep: the benchmark, scenario, algorithm stack and seed come
/// from the model's `model.json` unless the options give them, the rest from the options (those
/// of the `compare` that saved it, or its `--config`/`--preset`). The planned run whose id is the
/// model's gives the tasks and the network; when none is, the options describe another protocol
/// and the model is measured on it with a warning (its weights must still fit the network).
enum EvaluateCommand {
  /// What an evaluation found.
  struct Result {
    /// The run that was rebuilt.
    var run: PlannedRun
    /// Whether it is the saved run itself (its id is the model's).
    var isSavedRun: Bool
    /// The accuracy on each task, in [0, 1].
    var accuracies: [Double]
  }

  /// Rebuilds the model's run and measures the model on it.
  ///
  /// - Parameter options: The command's options, with `--model`.
  /// - Returns: The run and the accuracies.
  /// - Throws: ``CLIError`` when `--model` is missing or its description unreadable; the
  ///   ``SavedModel/Failure`` of a model that does not fit the network (naming the tensor).
  static func evaluate(_ options: Options) throws -> Result {
    guard let folder = options.model else { throw CLIError("evaluate needs --model DIR, a folder --save-models wrote") }
    let saved = try savedRun(folder)
    var options = options
    // The model's own run, unless the options say otherwise.
    for (flag, key) in [
      ("--benchmark", "benchmark"), ("--scenario", "scenario"), ("--algorithms", "algorithm"), ("--seed", "seed"),
    ]
    where !options.given.contains(flag) {
      guard let value = saved[key] else {
        throw CLIError("\(folder.path)/model.json: its run names no \(key); give \(flag)")
      }
      try Options.declaration(flag)!.assign(&options, value)
    }
    options.seeds = 1
    let factory = BenchmarkFactory(dataDirectory: options.dataDirectory, console: options.quiet ? nil : options.console)
    let runs = try Sweep(options).plannedRuns(factory: factory)
    guard let run = runs.first(where: { $0.runID == saved["run_id"] }) ?? runs.first else {
      throw CLIError("the options plan no run to evaluate the model on")
    }
    let isSavedRun = run.runID == saved["run_id"]
    if !isSavedRun {
      options.console.warn(
        "the options plan run \(run.runID), not the model's \(saved["run_id"] ?? "?"); it is measured on this protocol "
          + "(give the options of the compare that saved it to measure it on its own)")
    }
    let prepared = try PreparedRun(run, factory: factory)
    let (model, description) = try SavedModel.read(from: folder, architecture: prepared.architecture)
    let accuracies = try SavedModel.evaluate(
      model, description: description, on: prepared.sequence, split: options.evaluationSplit,
      limit: options.evaluationLimit)
    return Result(run: run, isSavedRun: isSavedRun, accuracies: accuracies)
  }

  /// The `run` map of a model's description (run id, algorithm, benchmark, scenario, seed).
  private static func savedRun(_ folder: URL) throws -> [String: String] {
    let url = folder.appendingPathComponent("model.json")
    do {
      let bytes = try RegularFile.read(url, limit: 16 << 20)
      return try JSONDecoder().decode(SavedModel.Description.self, from: bytes).run
    } catch {
      throw CLIError("\(url.path): not a saved model's description (\(error)); give the folder --save-models wrote")
    }
  }

  /// The result as `continual evaluate` prints it.
  static func text(_ result: Result, folder: URL) -> String {
    let run = result.run
    var lines = [
      "\(folder.path): \(run.stack.name) on \(run.benchmark) (\(run.scenario)), seed \(run.seed)"
        + (result.isSavedRun ? "" : " — not the saved run's protocol")
    ]
    lines.append(
      "  accuracy per task: " + result.accuracies.map { String(format: "%6.2f", $0 * 100) }.joined(separator: " "))
    let mean = result.accuracies.reduce(0, +) / Double(max(1, result.accuracies.count))
    lines.append(String(format: "  average accuracy %.2f %%", mean * 100))
    return lines.joined(separator: "\n")
  }
}
