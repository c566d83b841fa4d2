import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// Prints to standard error (progress and diagnostics; tables go to standard output).
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// What `continual list` prints: algorithms with their settings, the replay memory's settings,
/// networks, benchmarks, presets and scenarios.
func listText(known: [any Algorithm.Type]) -> String {
  var lines: [String] = []
  lines.append("Algorithms (stack with +, e.g. ewc+si; set hyperparameters with --set name.key=value):")
  for algorithm in known {
    lines.append("  \(column(algorithm.name, 12)) \(algorithm.summary)")
    for h in algorithm.hyperparameters {
      lines.append("      \(algorithm.name).\(h.name) = \(h.defaultValue)  — \(h.summary); \(h.validValues)")
    }
  }
  var replaying: [String] = []
  for algorithm in known where usesReplay(algorithm) { replaying.append(algorithm.name) }
  lines.append("\nReplay memory (--set memory.key=value; used by stacks with \(replaying.joined(separator: ", "))):")
  for h in ReplayConfiguration.hyperparameters {
    lines.append("      memory.\(h.name) = \(h.defaultValue)  — \(h.summary); \(h.validValues)")
  }
  lines.append("\nNetworks (--network NAME):")
  for name in Network.names { lines.append("  \(column(name, 12)) \(Network.summary(name))") }
  lines.append("\nBenchmarks:")
  for name in BenchmarkCatalogue.names { lines.append("  \(column(name, 18)) \(BenchmarkCatalogue.describe(name))") }
  lines.append("\nPresets (--preset NAME; flags after it override):")
  let presets = Preset.all.sorted { $0.key < $1.key }
  let width = max(22, presets.map(\.key.count).max() ?? 0)
  for (name, preset) in presets { lines.append("  \(column(name, width)) \(preset.summary)") }
  lines.append("\nScenarios (van de Ven & Tolias 2019):")
  lines.append("  task     task-incremental: one output head per task, the task id is given")
  lines.append("  domain   domain-incremental: one shared head, no task id")
  lines.append("  class    class-incremental: every class seen so far is active, no task id")
  return lines.joined(separator: "\n")
}

/// Whether an algorithm, with its default settings, replays exemplars from the replay memory.
func usesReplay(_ algorithm: any Algorithm.Type) -> Bool {
  guard let defaults = try? Settings(component: algorithm.name, declared: algorithm.hyperparameters, given: [:]),
    let components = try? algorithm.components(defaults)
  else { return false }
  return components.usesReplay
}

/// `text` padded with spaces to `width`; longer text is kept whole, never cut.
func column(_ text: String, _ width: Int) -> String {
  text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
}

/// The scenario's head for a sequence.
func makeHead(_ scenario: String, sequence: TaskSequence) throws -> any Head {
  let layout = TaskLayout(classCounts: sequence.classesPerTask)
  switch scenario {
  case "task": return MultiHead(layout: layout)
  case "class": return ActiveClassHead(layout: layout)
  default:
    guard Set(sequence.classesPerTask).count == 1 else {
      throw CLIError("the domain scenario needs the same number of classes in every task; \(sequence.name) has \(sequence.classesPerTask)")
    }
    return SharedHead(classCount: sequence.classesPerTask[0])
  }
}

/// The process's peak resident memory in bytes.
func peakResidentBytes() -> Int {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  #if os(Linux)
    return Int(usage.ru_maxrss) * 1024
  #else
    return Int(usage.ru_maxrss)
  #endif
}

/// A stable hash (FNV-1a, 64-bit) of a configuration, as hex.
func stableHash(_ config: [String: String]) -> String {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in config.keys.sorted().map({ "\($0)=\(config[$0]!)\n" }).joined().utf8 {
    hash ^= UInt64(byte)
    hash &*= 0x100_0000_01b3
  }
  return String(hash, radix: 16)
}

/// Formats seconds as `1h02m`, `3m05s` or `12s`.
func duration(_ seconds: Double) -> String {
  let s = Int(seconds.rounded())
  if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
  if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
  return "\(s)s"
}

/// Runs the grid of `options` (benchmarks × scenarios × stacks × seeds), appending a record per run
/// to `<output>/records.jsonl`, skipping runs that already have a record and runs other processes
/// train (``SweepFolder``). Returns the records of the grid.
func runGrid(_ options: Options) throws -> [RunRecord] {
  try StackValidation.check(options)
  if let warning = options.ignoredHiddenWarning { printError("warning: \(warning)") }
  for warning in StackValidation.warnings(options) { printError("warning: \(warning)") }
  try ensureWritableOutput(options.output)
  let factory = BenchmarkFactory(dataDirectory: options.dataDirectory, quiet: options.quiet)
  let sweep = try SweepFolder(options: options)
  let seeds = (0..<options.seeds).map { options.firstSeed + UInt64($0) }
  let total = options.benchmarks.count * options.scenarios.count * options.algorithms.count * seeds.count
  var cells: [GridCell] = []
  var index = 0
  for benchmark in options.benchmarks {
    for scenario in options.scenarios {
      for stackName in options.algorithms {
        let stack = try AlgorithmStack(stackName, settings: options.settings(for: scenario), known: options.known)
        for seed in seeds {
          index += 1
          // A shard runs every n-th cell of the grid, in the grid's fixed order.
          if let shard = options.shard, (index - 1) % shard.count != shard.index { continue }
          var config = options.protocolConfig(benchmark: benchmark, scenario: scenario).merging(stack.config) { a, _ in a }
          config["algorithm"] = stack.name
          let components = try stack.components()
          // An algorithm that needs a fresh optimiser per task (HNet) gets one, and the record says so.
          if components.resetsOptimiser { config["reset_optimiser"] = "true" }
          if components.usesReplay {
            for (k, v) in try AlgorithmStack.memorySettings(options.settings(for: scenario)).values { config["memory.\(k)"] = v }
          }
          config["seed"] = String(seed)
          // The data's identity (files' contents, shape, classes): other data is another run.
          config["data"] = try factory.dataIdentity(benchmark)
          let runID = stableHash(config)
          let label = "[\(index)/\(total)] \(benchmark) \(scenario) \(stackName) seed \(seed)"
          cells.append(
            GridCell(runID: runID, label: label) {
              try runOne(
                benchmark: benchmark, scenario: scenario, stack: stack, seed: seed, config: config, runID: runID, factory: factory,
                options: options, label: label)
            })
        }
      }
    }
  }
  // Each run is claimed before it trains, so processes sharing the folder train it once.
  return try sweep.run(cells)
}

/// One grid cell made ready to train: its tasks, network, plan and trainer.
struct PreparedRun {
  /// The task sequence for the cell's benchmark and seed.
  var sequence: TaskSequence
  /// The network (an MLP, or what the algorithm builds around it).
  var architecture: Sequential
  /// Head, regularisers, data regime, replay and frozen parameters.
  var plan: TrainingPlan
  /// The trainer with the cell's protocol.
  var trainer: ContinualTrainer
  /// Facts the algorithm reports for the record (HNet's compression ratio).
  var notes: [String: String]?
  /// The network as `--save-models` describes it: `mlp 784-256-256-10`, `resnet32`, or the
  /// algorithm's own (`hnet`).
  var networkName: String
  /// The stack's name, such as `ewc+si`.
  var stackName: String
  /// The run's seed.
  var seed: UInt64
  /// The benchmark's name, such as `split-mnist`.
  var benchmark: String

  /// Builds the cell from the options and the stack's components.
  init(benchmark: String, scenario: String, stack: AlgorithmStack, seed: UInt64, factory: BenchmarkFactory, options: Options) throws {
    stackName = stack.name
    self.seed = seed
    self.benchmark = benchmark
    sequence = try factory.sequence(benchmark, options: options, seed: seed)
    let components = try stack.components()
    let layout = TaskLayout(classCounts: sequence.classesPerTask)
    let head = try components.head.map { try $0(layout, Scenario(rawValue: scenario)!) } ?? makeHead(scenario, sequence: sequence)
    let network: Sequential
    let perTask = options.batchNorm == "per-task" ? sequence.count : nil
    do {
      network = try options.chosenNetwork.architecture(input: sequence.sampleShape, outputs: head.outputCount, statisticsPerTask: perTask)
    } catch let error as NetworkError {
      throw CLIError("\(benchmark): \(error)")
    }
    architecture = try components.architecture?(network, layout, Scenario(rawValue: scenario)!) ?? network
    let widths = ([sequence.sampleShape.reduce(1, *)] + options.hidden + [head.outputCount]).map(String.init).joined(separator: "-")
    networkName =
      components.architecture != nil
      ? "\(stack.name): the algorithm's own network around \(options.chosenNetwork.description)"
      : options.network == "mlp" ? "mlp \(widths)" : options.chosenNetwork.description
    notes = components.notes?(architecture)
    let replay = components.usesReplay ? ReplayConfiguration(try AlgorithmStack.memorySettings(options.settings(for: scenario))) : nil
    plan = TrainingPlan(
      head: head, regularisers: components.regularisers, dataRegime: components.dataRegime ?? .sequential, replay: replay,
      learningRateScale: components.learningRateScale, frozenParameters: components.frozenParameters)
    var configuration = options.trainingConfiguration(for: benchmark)
    if components.resetsOptimiser { configuration.resetOptimiserBetweenTasks = true }
    trainer = ContinualTrainer(configuration: configuration)
  }
}

/// Trains one configuration and returns its record (a failed record when training diverged).
func runOne(
  benchmark: String, scenario: String, stack: AlgorithmStack, seed: UInt64, config: [String: String], runID: String,
  factory: BenchmarkFactory, options: Options, label: String
) throws -> RunRecord {
  let start = Date()
  let prepared = try PreparedRun(benchmark: benchmark, scenario: scenario, stack: stack, seed: seed, factory: factory, options: options)
  try MemoryBudget.check(prepared, label: label)  // before training, not "failed to allocate" an hour in
  let (sequence, architecture, plan, trainer, notes) = (prepared.sequence, prepared.architecture, prepared.plan, prepared.trainer, prepared.notes)
  let quiet = options.quiet
  // The algorithm's facts and the data's (CIFAR normalisation), said in the header and recorded.
  let runNotes = (notes ?? [:]).merging(try factory.notes(benchmark)) { own, _ in own }
  if !quiet {
    var shown = runNotes
    if trainer.configuration.augmentation != .none { shown["augment"] = trainer.configuration.augmentation.description }
    let facts = shown.sorted { $0.key < $1.key }.map { ", \($0.key) \($0.value)" }.joined()
    printError("\(label): \(sequence.count) tasks, \(architecture.parameterSpecs.map { $0.shape.reduce(1, *) }.reduce(0, +)) parameters\(facts)")
  }
  let checkpoints = try checkpointDirectory(runID: runID, plan: plan, options: options, label: label)
  let resumed = checkpoints.resumed
  if let resumed, !quiet {
    printError("\(label): resuming after task \(resumed.completedTasks) of \(resumed.taskCount) from \(checkpoints.directory!.url.path)")
  }
  do {
    let result = try trainer.run(
      sequence, architecture: architecture, plan: plan, seed: seed, resumingFrom: resumed, checkpoints: checkpoints.directory
    ) { event in
      guard !quiet else { return }
      switch event {
      case .taskWillStart: break
      case .progress(let p):
        let terms = p.terms.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")
        printError(
          "  task \(p.task + 1)/\(p.taskCount) it \(p.iteration)/\(p.iterationsInTask)  loss: \(terms)  \(Int(p.samplesPerSecond)) samples/s  ETA \(duration(p.secondsRemaining))"
        )
      case .taskDidFinish(let task, let accuracies):
        let shown = accuracies.prefix(task + 1).map { String(format: "%.1f", $0 * 100) }.joined(separator: " ")
        printError("  after task \(task + 1): accuracy on tasks 1–\(task + 1): \(shown) %")
      }
    }
    var recordNotes = runNotes
    if let resumed { recordNotes["resumed_after_task"] = String(resumed.completedTasks) }
    if options.saveModels {
      recordNotes["model"] = saveModel(result.model, of: prepared, scenario: scenario, runID: runID, facts: runNotes, options: options, label: label)
    }
    return RunRecord(
      runID: runID, benchmark: benchmark, scenario: scenario, algorithm: stack.name, seed: seed, config: config,
      accuracyMatrix: result.accuracyMatrix, initialAccuracies: result.initialAccuracies, lossTerms: result.lossTerms,
      wallSeconds: (resumed?.elapsedSeconds ?? 0) + Date().timeIntervalSince(start), peakRSSBytes: peakResidentBytes(),
      notes: recordNotes.isEmpty ? nil : recordNotes, validationAccuracyMatrix: result.validationMatrix)
  } catch let error as CheckpointError where resumed != nil && error.meansTheCheckpointDoesNotFit {
    // A checkpoint this run cannot use (another network, other components) would fail the same
    // way on every rerun: set it aside and train from task 1, as Docs/Checkpoints.md promises.
    printError("warning: \(label): \(error); the checkpoint is removed and the run starts from task 1")
    try checkpointFolder(runID: runID, options: options).remove()
    return try runOne(
      benchmark: benchmark, scenario: scenario, stack: stack, seed: seed, config: config, runID: runID, factory: factory, options: options,
      label: label)
  } catch let error as TrainingError {
    printError("\(label): FAILED: \(error)")
    return RunRecord(
      runID: runID, benchmark: benchmark, scenario: scenario, algorithm: stack.name, seed: seed, config: config, status: "failed",
      failure: error.description, accuracyMatrix: [], wallSeconds: Date().timeIntervalSince(start), peakRSSBytes: peakResidentBytes())
  }
}

extension CheckpointError {
  /// Whether the checkpoint is readable but belongs to a different set-up (its network, components
  /// or state do not fit this run), rather than unreadable or unwritable.
  var meansTheCheckpointDoesNotFit: Bool {
    switch self {
    case .mismatch, .invalidState: true
    case .corrupt, .unsupported, .io: false
    }
  }
}

/// Where a run's checkpoints live: `<output>/checkpoints/<run id>`.
func checkpointFolder(runID: String, options: Options) -> CheckpointDirectory {
  CheckpointDirectory(url: options.output.appendingPathComponent("checkpoints/\(runID)"), identity: runID)
}

/// The run's checkpoint folder (`<output>/checkpoints/<run id>`) and the checkpoint to resume
/// from. No folder when checkpoints are off or a regulariser cannot be checkpointed (said once on
/// stderr); a checkpoint that cannot be used is reported and set aside, and the run starts over.
func checkpointDirectory(
  runID: String, plan: TrainingPlan, options: Options, label: String
) throws -> (directory: CheckpointDirectory?, resumed: TrainingCheckpoint?) {
  var directory = checkpointFolder(runID: runID, options: options)
  // A full disk costs the run its checkpoints, not the sweep (issue 20, item 11).
  directory.saveFailure = .continueWithoutCheckpoints { error in
    printError("warning: \(label): \(error); the run goes on without checkpoints")
  }
  guard options.checkpoints else { return (nil, nil) }
  if let blocker = ContinualTrainer.checkpointBlocker(plan) {
    printError("\(label): no checkpoints: '\(blocker)' does not conform to Checkpointable; an interrupted run restarts from task 1")
    return (nil, nil)
  }
  do {
    return (directory, try directory.load())
  } catch {
    printError("warning: \(label): the saved checkpoint cannot be used (\(error)); starting the run from task 1")
    try directory.remove()
    return (directory, nil)
  }
}

/// Writes the tables of `records` in the requested formats, compared with `--baseline` when given,
/// and prints the Markdown table; with `writingFiles: false`, only prints it.
func writeTables(_ records: [RunRecord], options: Options, baseName: String = "comparison", writingFiles: Bool = true) throws {
  var table = ComparisonTable(records: records)
  // Runs that held out validation data are chosen on it: the tables show each algorithm's best
  // point, and selection.{md,csv} every point with its validation and test accuracy.
  if records.contains(where: { $0.validationAccuracyMatrix != nil }) {
    let selection = ValidationSelection(records: records)
    table = selection.table
    if writingFiles { try? FileManager.default.createDirectory(at: options.output, withIntermediateDirectories: true) }
    for (name, text) in [("selection.md", selection.markdown), ("selection.csv", selection.csv)] where writingFiles {
      let url = options.output.appendingPathComponent(name)
      do {
        try Data(text.utf8).write(to: url, options: .atomic)
      } catch {
        throw CLIError("cannot write \(url.path): \(error.localizedDescription)")
      }
    }
    if writingFiles { printError("selection on validation data: \(options.output.appendingPathComponent("selection.md").path)") }
  }
  if let baseline = options.baseline {
    do {
      table = try table.comparing(toBaseline: baseline)
    } catch let error as ComparisonTable.BaselineError {
      throw CLIError("--baseline: \(error)")
    }
  }
  guard writingFiles else { return print(try table.rendered(as: .markdown)) }
  let formats = options.formats.compactMap { TableFormat(rawValue: $0) }
  let urls = try ComparisonTable.write(table, formats: formats, to: options.output, baseName: baseName)
  print(try table.rendered(as: .markdown))
  printError("tables written: " + urls.map(\.path).joined(separator: ", "))
}
