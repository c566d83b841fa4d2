import ContinualCore
import ContinualEngine
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// Checkpoints as `continual compare` uses them: every registered algorithm (and stacks of them)
/// resumes from a task-boundary checkpoint to exactly the uninterrupted run, and a sweep finds,
/// uses, sets aside and cleans up checkpoints as it should.
@Suite struct CheckpointCommandTests {
  static func folder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ck-cli-checkpoint-\(UUID().uuidString)")
  }

  static func arguments(_ stack: String, scenario: String, output: URL) -> [String] {
    [
      "--benchmark", "split-builtin", "--scenario", scenario, "--algorithms", stack, "--seeds", "1", "--iterations",
      "12", "--train-per-task", "40",
      "--test-per-task", "20", "--hidden", "16", "--quiet", "--output", output.path, "--format", "json",
    ]
  }

  static let stacks = BuiltInAlgorithms.all.map { $0.name } + ["ewc+si", "slnid+mas", "ssil+ewc", "hnet+si"]

  @Test(arguments: stacks)
  func everyAlgorithmResumesToTheUninterruptedRun(stack: String) throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    // HNet's own regulariser is the interesting part in the task-incremental scenario too.
    let scenario = stack == "hnet" ? "task" : "class"
    let options = try Parsing.options(Self.arguments(stack, scenario: scenario, output: output))
    func prepare() throws -> PreparedRun {
      try PreparedRun(
        benchmark: try Benchmark(named: "split-builtin"), scenario: Scenario(rawValue: scenario)!,
        stack: ResolvedStack(
          stack, settings: options.settings(for: Scenario(rawValue: scenario)!), known: options.known),
        seed: 5,
        factory: BenchmarkFactory(dataDirectory: nil), options: options)
    }
    let first = try prepare()
    #expect(ContinualTrainer.checkpointBlocker(first.plan) == nil, "\(stack) cannot be checkpointed")
    let directory = CheckpointDirectory(url: output.appendingPathComponent("checkpoint"), identity: stack)
    let whole = try first.trainer.run(
      first.sequence, architecture: first.architecture, plan: first.plan, seed: 5, checkpoints: directory)
    let checkpoint = try #require(try directory.load())
    #expect(checkpoint.completedTasks == first.sequence.count - 1)
    let second = try prepare()
    let resumed = try second.trainer.run(
      second.sequence, architecture: second.architecture, plan: second.plan, seed: 5, resumingFrom: checkpoint)
    #expect(resumed.accuracyMatrix == whole.accuracyMatrix, "\(stack)")
    #expect(resumed.lossTerms == whole.lossTerms, "\(stack)")
    #expect(resumed.model.parameters == whole.model.parameters, "\(stack)")
  }

  @Test(arguments: ["finetune", "ewc", "hnet"])
  func batchNormStatisticsAreSavedAndResumed(stack: String) throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let options = try Parsing.options(
      Self.arguments(stack, scenario: "task", output: output).filter { $0 != "--hidden" && $0 != "16" } + [
        "--network", "resnet18:2",
      ])
    func prepare() throws -> PreparedRun {
      try PreparedRun(
        benchmark: try Benchmark(named: "split-builtin"), scenario: .task,
        stack: ResolvedStack(stack, settings: options.settings(for: .task), known: options.known),
        seed: 5,
        factory: BenchmarkFactory(dataDirectory: nil), options: options)
    }
    let first = try prepare()
    let directory = CheckpointDirectory(url: output.appendingPathComponent("checkpoint"), identity: stack)
    let whole = try first.trainer.run(
      first.sequence, architecture: first.architecture, plan: first.plan, seed: 5, checkpoints: directory)
    let checkpoint = try #require(try directory.load())
    // The checkpoint holds running statistics that training moved away from their initial values.
    #expect(checkpoint.modelState.count > 0 && checkpoint.modelState != Model.initialState(first.architecture))
    let second = try prepare()
    let resumed = try second.trainer.run(
      second.sequence, architecture: second.architecture, plan: second.plan, seed: 5, resumingFrom: checkpoint)
    #expect(resumed.accuracyMatrix == whole.accuracyMatrix && resumed.lossTerms == whole.lossTerms, "\(stack)")
    #expect(resumed.model.state == whole.model.state && resumed.model.parameters == whole.model.parameters, "\(stack)")
  }

  @Test func aSweepResumesFromACheckpointAndRemovesIt() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let options = try Parsing.options(Self.arguments("ewc", scenario: "class", output: output))
    let clean = try runGrid(options)
    #expect(clean.count == 1 && clean[0].notes == nil)
    let checkpoints = output.appendingPathComponent("checkpoints")
    #expect(!FileManager.default.fileExists(atPath: checkpoints.path), "the finished run's checkpoint was left behind")

    // Leave the checkpoint of an interrupted run: train with checkpoints but write no record.
    let prepared = try PreparedRun(
      benchmark: try Benchmark(named: "split-builtin"), scenario: .class,
      stack: ResolvedStack("ewc", settings: options.settings(for: .class), known: options.known),
      seed: 1,
      factory: BenchmarkFactory(dataDirectory: nil), options: options)
    let directory = CheckpointDirectory(
      url: checkpoints.appendingPathComponent(clean[0].runID), identity: clean[0].runID)
    _ = try prepared.trainer.run(
      prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: 1, checkpoints: directory)
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    let resumed = try runGrid(options)
    #expect(resumed[0].notes?["resumed_after_task"] == "4")
    #expect(resumed[0].accuracyMatrix == clean[0].accuracyMatrix && resumed[0].lossTerms == clean[0].lossTerms)
    #expect(!FileManager.default.fileExists(atPath: checkpoints.path))
  }

  @Test func aCorruptCheckpointIsSetAsideAndTheRunStartsOver() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let options = try Parsing.options(Self.arguments("si", scenario: "class", output: output))
    let clean = try runGrid(options)
    let folder = output.appendingPathComponent("checkpoints/\(clean[0].runID)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(#"{"format": "continualkit-checkpoint", "version": 1, "#.utf8).write(
      to: folder.appendingPathComponent("manifest.json"))
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    let rerun = try runGrid(options)
    #expect(rerun[0].notes == nil && rerun[0].accuracyMatrix == clean[0].accuracyMatrix)
    #expect(!FileManager.default.fileExists(atPath: folder.path))
  }

  @Test func aCheckpointOfAnotherNetworkIsRemovedAndTheRunStartsOver() throws {
    // A readable checkpoint that does not fit (here: another network's, put in
    // this run's folder) used to end the sweep with exit 2 on every rerun.
    let output = Self.folder(), other = Self.folder()
    defer {
      try? FileManager.default.removeItem(at: output)
      try? FileManager.default.removeItem(at: other)
    }
    let options = try Parsing.options(Self.arguments("ewc", scenario: "task", output: output))
    let clean = try runGrid(options)
    let folder = output.appendingPathComponent("checkpoints/\(clean[0].runID)")
    let wider = try Parsing.options(
      Self.arguments("ewc", scenario: "task", output: other).map { $0 == "16" ? "24" : $0 })
    let prepared = try PreparedRun(
      benchmark: try Benchmark(named: "split-builtin"), scenario: .task,
      stack: ResolvedStack("ewc", settings: [:], known: BuiltInAlgorithms.all),
      seed: 1,
      factory: BenchmarkFactory(dataDirectory: nil), options: wider)
    let directory = CheckpointDirectory(url: folder, identity: clean[0].runID)
    _ = try prepared.trainer.run(
      prepared.sequence, architecture: prepared.architecture, plan: prepared.plan, seed: 1, checkpoints: directory)
    #expect(try directory.load() != nil)
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    // Before the fix this call threw "the checkpoint does not fit this run"; now the run starts
    // over and gives the clean run's numbers.
    let rerun = try runGrid(options)
    #expect(rerun[0].status == .finished && rerun[0].accuracyMatrix == clean[0].accuracyMatrix)
    #expect(rerun[0].notes?["resumed_after_task"] == nil)
  }

  @Test func noCheckpointsMeansNone() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let options = try Parsing.options(Self.arguments("mas", scenario: "class", output: output) + ["--no-checkpoints"])
    #expect(!options.checkpoints)
    let (directory, resumed) = try checkpointDirectory(
      runID: "r", plan: TrainingPlan(head: SharedHead(classCount: 2)), options: options, label: "t")
    #expect(directory == nil && resumed == nil)
  }
}
