import ContinualCore
import ContinualEngine
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
  _ model: Model, of prepared: PreparedRun, scenario: Scenario, runID: String, facts: [String: String],
  options: Options, label: String
) -> String? {
  let layout = TaskLayout(classCounts: prepared.sequence.classesPerTask)
  var run = facts
  run["run_id"] = runID
  run["algorithm"] = prepared.stackName
  run["benchmark"] = prepared.benchmark.name
  run["scenario"] = scenario.rawValue
  run["seed"] = String(prepared.seed)
  let description = SavedModel.Description(
    network: prepared.networkName, inputShape: prepared.sequence.sampleShape,
    outputCount: prepared.plan.head.outputCount,
    head: SavedModel.HeadDescription(scenario: scenario.rawValue, layout: layout), run: run)
  do {
    let folder = modelFolder(runID: runID, options: options)
    try ensureRealFolder(folder, console: options.console)
    try SavedModel.write(model, description: description, to: folder)
    return "models/\(runID)"
  } catch {
    options.console.warn("\(label): the model was not saved: \(error)")
    return nil
  }
}

/// Warns that `folder` is a symbolic link (naming where it points), which `rule` forbids, and removes
/// the link so that a real folder can take its place.
///
/// - Throws: ``CLIError`` naming the link when it cannot be removed.
func removeSymbolicLink(_ folder: URL, rule: String, console: Console) throws {
  let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: folder.path)).map { " to \($0)" } ?? ""
  console.warn("\(folder.path) is a symbolic link\(target); \(rule), so it is replaced by a folder")
  guard unlink(folder.path) == 0 || errno == ENOENT else {
    throw CLIError("cannot remove the symbolic link \(folder.path): \(String(cString: strerror(errno)))")
  }
}

/// Makes `folder` (a run's `models/<run id>`) a real folder, creating it and its parents: a
/// symbolic link there (to anywhere) is reported, removed and replaced by a folder, so a model is
/// never written through a link — the rule of a run's checkpoint folder. Links above it (`--output`,
/// `models/`) are the user's choice of place and are followed. The files are then written whole and
/// renamed into place, which replaces a link at `model.json` instead of following it.
///
/// - Parameters:
///   - folder: The run's model folder.
///   - console: Where the warning about a replaced link goes.
/// - Throws: ``CLIError`` naming the path when it is a file or cannot be created.
func ensureRealFolder(_ folder: URL, console: Console) throws {
  for _ in 0..<10 {
    var status = stat()
    if lstat(folder.path, &status) == 0 {
      switch status.st_mode & S_IFMT {
      case S_IFDIR: return
      case S_IFLNK:
        try removeSymbolicLink(folder, rule: "a model is never written through a link", console: console)
        continue
      default:
        throw CLIError("\(folder.path) is \(RegularFile.kind(status.st_mode)), not a folder")
      }
    }
    do {
      try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw CLIError("cannot create \(folder.deletingLastPathComponent().path): \(error.localizedDescription)")
    }
    if mkdir(folder.path, 0o755) != 0 && errno != EEXIST {
      throw CLIError("cannot create \(folder.path): \(String(cString: strerror(errno)))")
    }
  }
  throw CLIError("cannot create \(folder.path): it kept changing as it was created")
}
