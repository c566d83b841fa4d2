import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// Trains one planned run and returns its record (a failed record when training diverged):
/// prepare → check memory → open checkpoints → train → record. A checkpoint that turns out not to
/// fit the run is discarded in an explicit step and the run trained from task 1.
struct RunOne {
  /// The run.
  var run: PlannedRun
  /// Loads its data.
  var factory: BenchmarkFactory
  /// The sweep's clock, for the whole sweep's time left.
  var clock: SweepClock?

  /// A run to train.
  init(_ run: PlannedRun, factory: BenchmarkFactory, clock: SweepClock? = nil) {
    self.run = run
    self.factory = factory
    self.clock = clock
  }

  /// The options of the run's point.
  private var options: Options { run.options }
  /// Where the run reports.
  private var console: Console { run.options.console }

  /// Trains the run.
  ///
  /// - Returns: Its record.
  /// - Throws: Errors that stop the sweep (unreadable data, a run that cannot fit in memory, an
  ///   unwritable checkpoint folder); a diverged run is a failed record instead.
  func train() throws -> RunRecord {
    let start = Date()
    do {
      return try attempt(start: start)
    } catch let unusable as UnusableCheckpoint {
      // A checkpoint this run cannot use (another network, other components) would fail the same
      // way on every rerun: set it aside and train from task 1, as Docs/Checkpoints.md promises.
      console.warn("\(run.label): \(unusable.error); the checkpoint is removed and the run starts from task 1")
      try checkpointFolder(runID: run.runID, options: options).remove()
      return try attempt(start: start)
    }
  }

  /// One attempt: prepare, check memory, open checkpoints, train and record.
  private func attempt(start: Date) throws -> RunRecord {
    let prepared = try PreparedRun(run, factory: factory)
    for warning in prepared.warnings { console.warn("\(run.label): \(warning)") }
    try MemoryBudget.check(prepared, label: run.label)  // before training, not "failed to allocate" an hour in
    // The algorithm's facts and the data's (CIFAR normalisation), said in the header and recorded.
    let runNotes = (prepared.notes ?? [:]).merging(try factory.notes(run.benchmark, normalise: options.normalise)) {
      own, _ in own
    }
    if !options.quiet { announce(prepared, notes: runNotes) }
    let checkpoints = try checkpointDirectory(runID: run.runID, plan: prepared.plan, options: options, label: run.label)
    let resumed = checkpoints.resumed
    if let resumed, !options.quiet {
      console.note(
        "\(run.label): resuming after task \(resumed.completedTasks) of \(resumed.taskCount) from "
          + "\(checkpoints.directory!.url.path)"
      )
    }
    do {
      let result = try prepared.trainer.run(
        prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: run.seed,
        resumingFrom: resumed,
        checkpoints: checkpoints.directory,
        observer: options.quiet ? nil : RunOne.progress(console: console, clock: clock))
      var notes = runNotes
      if let resumed { notes["resumed_after_task"] = String(resumed.completedTasks) }
      if options.saveModels {
        notes["model"] = saveModel(
          result.model, of: prepared, scenario: run.scenario, runID: run.runID, facts: runNotes, options: options,
          label: run.label)
      }
      return RunRecord(
        runID: run.runID, benchmark: run.benchmark.name, scenario: run.scenario.rawValue, algorithm: run.stack.name,
        seed: run.seed,
        config: run.config, accuracyMatrix: result.accuracyMatrix, initialAccuracies: result.initialAccuracies,
        lossTerms: result.lossTerms, wallSeconds: (resumed?.elapsedSeconds ?? 0) + Date().timeIntervalSince(start),
        peakRSSBytes: peakResidentBytes(), notes: notes.isEmpty ? nil : notes,
        validationAccuracyMatrix: result.validationMatrix, confusionMatrix: result.confusionMatrix,
        build: options.build)
    } catch let error as TrainingError {
      console.note("\(run.label): FAILED: \(error)")
      return RunRecord(
        runID: run.runID, benchmark: run.benchmark.name, scenario: run.scenario.rawValue, algorithm: run.stack.name,
        seed: run.seed,
        config: run.config, status: .failed, failure: error.description, accuracyMatrix: [],
        wallSeconds: Date().timeIntervalSince(start), peakRSSBytes: peakResidentBytes(), build: options.build)
    } catch let error as CheckpointError where resumed != nil && error.meansTheCheckpointDoesNotFit {
      throw UnusableCheckpoint(error: error)
    }
  }

  /// A resumed checkpoint that does not fit the run.
  private struct UnusableCheckpoint: Error {
    var error: CheckpointError
  }

  /// The run's header: tasks, parameters and facts.
  private func announce(_ prepared: PreparedRun, notes: [String: String]) {
    var shown = notes
    if prepared.trainer.configuration.augmentation != .none {
      shown["augment"] = prepared.trainer.configuration.augmentation.description
    }
    let facts = shown.sorted { $0.key < $1.key }.map { ", \($0.key) \($0.value)" }.joined()
    let parameters = prepared.architecture.parameterSpecs.map { $0.shape.reduce(1, *) }.reduce(0, +)
    console.note("\(run.label): \(prepared.sequence.count) tasks, \(parameters) parameters\(facts)")
  }

  /// Reports training events as progress lines, with the whole sweep's time left when other runs
  /// follow this one.
  static func progress(console: Console, clock: SweepClock?) -> @Sendable (TrainingEvent) -> Void {
    { event in
      switch event {
      case .taskWillStart: break
      case .progress(let p):
        let terms = p.terms.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")
        var line =
          "  task \(p.task + 1)/\(p.taskCount) it \(p.iteration)/\(p.iterationsInTask)  loss: \(terms)  "
          + "\(Int(p.samplesPerSecond)) samples/s  ETA \(duration(p.secondsRemaining))"
        if let clock, clock.runsAfterCurrent > 0 {
          line +=
            "  (sweep: \(clock.runsAfterCurrent) more run(s), ETA "
            + "\(duration(clock.secondsRemaining(currentRun: p.secondsRemaining))))"
        }
        console.note(line)
      case .taskDidFinish(let task, let accuracies):
        let shown = accuracies.prefix(task + 1).map { String(format: "%.1f", $0 * 100) }.joined(separator: " ")
        console.note("  after task \(task + 1): accuracy on tasks 1–\(task + 1): \(shown) %")
      }
    }
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
  // A full disk costs the run its checkpoints, not the sweep.
  directory.saveFailure = .continueWithoutCheckpoints { error in
    options.console.warn("\(label): \(error); the run goes on without checkpoints")
  }
  guard options.checkpoints else { return (nil, nil) }
  if let blocker = ContinualTrainer.checkpointBlocker(plan) {
    options.console.note(
      "\(label): no checkpoints: '\(blocker)' does not conform to Checkpointable; an interrupted run restarts from "
        + "task 1"
    )
    return (nil, nil)
  }
  do {
    return (directory, try directory.load())
  } catch {
    options.console.warn("\(label): the saved checkpoint cannot be used (\(error)); starting the run from task 1")
    try directory.remove()
    return (directory, nil)
  }
}
