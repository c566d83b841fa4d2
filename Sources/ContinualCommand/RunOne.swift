import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// Trains one configuration and returns its record (a failed record when training diverged).
func runOne(
  benchmark: String, scenario: Scenario, stack: AlgorithmStack, seed: UInt64, config: [String: String], runID: String,
  factory: BenchmarkFactory, options: Options, label: String, clock: SweepClock? = nil
) throws -> RunRecord {
  let start = Date()
  let prepared = try PreparedRun(benchmark: benchmark, scenario: scenario, stack: stack, seed: seed, factory: factory, options: options)
  try MemoryBudget.check(prepared, label: label)  // before training, not "failed to allocate" an hour in
  let (sequence, architecture, plan, trainer, notes) = (prepared.sequence, prepared.architecture, prepared.plan, prepared.trainer, prepared.notes)
  let quiet = options.quiet
  // The whole sweep's time left, when other runs follow this one.
  let sweepETA: @Sendable (Double) -> String = { remaining in
    guard let clock, clock.runsAfterCurrent > 0 else { return "" }
    return "  (sweep: \(clock.runsAfterCurrent) more run(s), ETA \(duration(clock.secondsRemaining(currentRun: remaining))))"
  }
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
            + sweepETA(p.secondsRemaining))
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
      runID: runID, benchmark: benchmark, scenario: scenario.rawValue, algorithm: stack.name, seed: seed, config: config,
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
      label: label, clock: clock)
  } catch let error as TrainingError {
    printError("\(label): FAILED: \(error)")
    return RunRecord(
      runID: runID, benchmark: benchmark, scenario: scenario.rawValue, algorithm: stack.name, seed: seed, config: config, status: "failed",
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
