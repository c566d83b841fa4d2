import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

/// Task-boundary checkpoints: the optimisers' state, the file round trip, and runs resumed from a
/// checkpoint that end exactly like uninterrupted ones.
@Suite struct CheckpointResumeTests {
  /// A fresh, empty folder; remove it afterwards.
  static func folder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ck-checkpoint-\(UUID().uuidString)")
  }

  /// The last checkpoint that the set-up's run with `seed` saved in `url` under `identity` (after its
  /// second task).
  static func lastCheckpoint(seed: UInt64, identity: String, in url: URL) throws -> TrainingCheckpoint {
    let (problem, trainer, plan) = try setUp()
    _ = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: seed,
      checkpoints: CheckpointDirectory(url: url, identity: identity))
    return try #require(try CheckpointDirectory(url: url, identity: identity).load())
  }

  /// A three-task run with EWC-like importances, Adam and a replay memory: every kind of state.
  static func setUp() throws -> (problem: ToyProblem, trainer: ContinualTrainer, plan: () -> TrainingPlan) {
    var problem = try ToyProblem(tasks: 3, trainPerTask: 24)
    problem.configuration.optimiser = .adam(learningRate: 0.05)
    var rng = SeededGenerator(seed: 1)
    let reference = Model(problem.architecture, rng: &rng).parameters
    let importances = (1...3).map { t in reference.mapTensors { Tensor(shape: $0.shape, repeating: Float(t)) } }
    let plan = {
      TrainingPlan(
        head: problem.head,
        regularisers: [
          QuadraticPenalty(
            name: "pull", estimator: ScriptedImportance(importances), strength: 0.3, accumulation: .perTask)
        ],
        replay: ReplayConfiguration(capacity: 10, selection: .random, batchSize: 4))
    }
    return (problem, ContinualTrainer(configuration: problem.configuration), plan)
  }

  @Test(arguments: ["adam", "sgd-momentum"])
  func optimiserStateRoundTripsExactly(kind: String) throws {
    func make() -> any Optimiser { kind == "adam" ? Adam(learningRate: 0.1) : SGD(learningRate: 0.1, momentum: 0.9) }
    var parameters = try NamedTensors(names: ["w", "b"], tensors: [Tensor([1, -2, 3]), Tensor([0.5])])
    var optimiser = make()
    func gradient(_ k: Int) throws -> NamedTensors {
      try NamedTensors(
        names: ["w", "b"], tensors: [Tensor([Float(k), -1, 0.25 * Float(k)]), Tensor([Float(k % 3) - 1])])
    }
    for k in 0..<3 { try optimiser.update(&parameters, along: gradient(k)) }
    var resumed = make()
    try resumed.restore(optimiser.savedState())
    #expect(resumed.savedState() == optimiser.savedState())
    var a = parameters, b = parameters
    for k in 3..<6 {
      try optimiser.update(&a, along: gradient(k))
      try resumed.update(&b, along: gradient(k))
    }
    #expect(a == b)
    // A fresh optimiser (no saved moments) would step differently: the state matters.
    var fresh = make(), c = parameters
    for k in 3..<6 { try fresh.update(&c, along: gradient(k)) }
    #expect(c != a)
  }

  @Test func optimisersRejectBuffersThatAreNotTheirs() throws {
    var adam = Adam()
    var parameters = try NamedTensors(names: ["w"], tensors: [Tensor([1, 2])])
    try adam.update(&parameters, along: parameters)
    let saved = adam.savedState()
    #expect(saved.buffers.names == ["m/w", "v/w"] && saved.step == 1)
    var other = SGD(learningRate: 0.1, momentum: 0.9)
    #expect(throws: TensorError.self) { try other.restore(saved) }  // m/, v/ are not momentum buffers
    var plain = SGD(learningRate: 0.1)
    #expect(throws: TensorError.self) {
      try plain.restore(
        OptimiserState(step: 0, buffers: try NamedTensors(names: ["momentum/w"], tensors: [Tensor([0, 0])])))
    }
    var mismatched = saved
    mismatched.buffers.tensors[1] = Tensor([1, 2, 3])
    #expect(throws: TensorError.self) { try adam.restore(mismatched) }
    var infinite = saved
    infinite.buffers.tensors[0] = Tensor([.infinity, 0])
    #expect(throws: TensorError.self) { try adam.restore(infinite) }
    #expect(throws: TensorError.self) { try adam.restore(OptimiserState(step: -1, buffers: saved.buffers)) }
  }

  @Test func aResumedRunEqualsTheUninterruptedOne() throws {
    let (problem, trainer, plan) = try Self.setUp()
    let url = Self.folder()
    defer { try? FileManager.default.removeItem(at: url) }
    let directory = CheckpointDirectory(url: url, identity: "run")
    let plain = try trainer.run(problem.sequence, architecture: problem.architecture, plan: plan(), seed: 4)
    let whole = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: 4, checkpoints: directory)
    #expect(
      whole.accuracyMatrix == plain.accuracyMatrix && whole.lossTerms == plain.lossTerms
        && whole.model.parameters == plain.model.parameters)
    let checkpoint = try #require(try directory.load())
    #expect(checkpoint.completedTasks == 2 && checkpoint.taskCount == 3 && checkpoint.identity == "run")
    #expect(checkpoint.components.map(\.role) == ["regulariser", "memory"])
    #expect(checkpoint.optimiser.step == 12 && checkpoint.optimiser.buffers.count == 2 * whole.model.parameters.count)
    #expect(try directory.url.path.contents().sorted() == ["manifest.json", "task-2.safetensors"])
    let resumed = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: 4, resumingFrom: checkpoint)
    #expect(resumed.accuracyMatrix == whole.accuracyMatrix)
    #expect(resumed.lossTerms == whole.lossTerms)
    #expect(resumed.initialAccuracies == whole.initialAccuracies)
    #expect(resumed.model.parameters == whole.model.parameters)
    // Dropping any one part of the state changes the result, so each part is really used.
    var noMemory = checkpoint
    noMemory.components[1].state = try ReplayMemory(configuration: ReplayConfiguration(capacity: 10)).checkpointState()
    var noAnchors = checkpoint
    let kept = noAnchors.components[0].state.tensors.names.indices.filter {
      !noAnchors.components[0].state.tensors.names[$0].contains(".1/")
    }
    noAnchors.components[0].state = CheckpointState(
      tensors: try NamedTensors(
        names: kept.map { checkpoint.components[0].state.tensors.names[$0] },
        tensors: kept.map { checkpoint.components[0].state.tensors.tensors[$0] }
      ),
      numbers: ["count": [1]])
    var freshOptimiser = checkpoint
    freshOptimiser.optimiser = Adam().savedState()
    var otherGenerators = checkpoint
    otherGenerators.generators["sampling"] = SeededGenerator(seed: 99)
    for (part, damaged) in [
      ("memory", noMemory), ("anchors", noAnchors), ("optimiser", freshOptimiser), ("generators", otherGenerators),
    ] {
      let result = try trainer.run(
        problem.sequence, architecture: problem.architecture, plan: plan(), seed: 4, resumingFrom: damaged)
      #expect(result.model.parameters != whole.model.parameters, "resuming without the saved \(part) gave the same run")
    }
  }

  @Test func aCheckpointRoundTripsThroughItsFiles() throws {
    let url = Self.folder(), copy = Self.folder()
    defer {
      try? FileManager.default.removeItem(at: url)
      try? FileManager.default.removeItem(at: copy)
    }
    let loaded = try Self.lastCheckpoint(seed: 2, identity: "a", in: url)
    try CheckpointDirectory(url: copy, identity: "a").save(loaded)
    #expect(try CheckpointDirectory(url: copy, identity: "a").load() == loaded)
    #expect(loaded.lossTerms.count == 2 && loaded.accuracyMatrix.count == 2 && loaded.initialAccuracies.count == 3)
  }

  @Test func aCheckpointOfAnotherRunIsRefused() throws {
    let (problem, trainer, plan) = try Self.setUp()
    let url = Self.folder()
    defer { try? FileManager.default.removeItem(at: url) }
    let checkpoint = try Self.lastCheckpoint(seed: 2, identity: "a", in: url)
    #expect(throws: CheckpointError.self) { try CheckpointDirectory(url: url, identity: "b").load() }
    // Another plan (no regulariser), another network, another number of tasks.
    let bare = TrainingPlan(head: problem.head, replay: ReplayConfiguration(capacity: 10))
    #expect(throws: CheckpointError.self) {
      try trainer.run(
        problem.sequence, architecture: problem.architecture, plan: bare, seed: 2, resumingFrom: checkpoint)
    }
    let wider = Sequential([Linear(4, 7), Tanh(), Linear(7, problem.head.outputCount)])
    #expect(throws: CheckpointError.self) {
      try trainer.run(problem.sequence, architecture: wider, plan: plan(), seed: 2, resumingFrom: checkpoint)
    }
    let shorter = try ToyProblem(tasks: 2, trainPerTask: 24)
    #expect(throws: CheckpointError.self) {
      try trainer.run(
        shorter.sequence, architecture: problem.architecture, plan: plan(), seed: 2, resumingFrom: checkpoint)
    }
  }

  @Test func aRunThatCannotBeCheckpointedSaysWhy() throws {
    let problem = try ToyProblem()
    let plan = TrainingPlan(head: problem.head, regularisers: [RecordingRegulariser(name: "probe")])
    #expect(ContinualTrainer.checkpointBlocker(plan) == "probe")
    let url = Self.folder()
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(throws: CheckpointError.unsupported(component: "probe")) {
      try ContinualTrainer(configuration: problem.configuration).run(
        problem.sequence, architecture: problem.architecture, plan: plan, seed: 1,
        checkpoints: CheckpointDirectory(url: url, identity: "x"))
    }
    #expect(ContinualTrainer.checkpointBlocker(TrainingPlan(head: problem.head)) == nil)
  }

  @Test func componentStatesAreChecked() throws {
    var rng = SeededGenerator(seed: 7)
    let model = Model(Sequential([Linear(2, 3)]), rng: &rng)
    // A stateless component refuses state.
    let stateless = ScriptedImportance([])
    #expect(throws: CheckpointError.self) {
      try stateless.restore(from: CheckpointState(numbers: ["x": [1]]), model: model)
    }
    // A running sum keeps one anchor; tensors must fit the model.
    var penalty = QuadraticPenalty(
      name: "p", estimator: ScriptedImportance([]), strength: 1, accumulation: .sum(clampNonNegative: false))
    var two = CheckpointState(numbers: ["count": [2]])
    two.store(model.parameters, under: "anchor.0")
    #expect(throws: CheckpointError.self) { try penalty.restore(from: two, model: model) }
    var misshapen = CheckpointState(numbers: ["count": [1]])
    misshapen.store(model.parameters.mapTensors { _ in Tensor([1]) }, under: "anchor.0")
    misshapen.store(model.parameters, under: "importance.0")
    #expect(throws: CheckpointError.self) { try penalty.restore(from: misshapen, model: model) }
    var good = CheckpointState(numbers: ["count": [1]])
    good.store(model.parameters, under: "anchor.0")
    good.store(model.parameters * 2, under: "importance.0")
    try penalty.restore(from: good, model: model)
    #expect(try penalty.checkpointState() == good)
    var extra = good
    extra.tensors["stray"] = Tensor([1])
    #expect(throws: CheckpointError.self) { try penalty.restore(from: extra, model: model) }
    var fraction = good
    fraction.numbers["count"] = [0.5]
    #expect(throws: CheckpointError.self) { try penalty.restore(from: fraction, model: model) }
  }

  @Test func memoryStatesAreChecked() throws {
    var rng = SeededGenerator(seed: 7)
    let model = Model(Sequential([Linear(2, 3)]), rng: &rng)
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 4))
    func state(_ tasks: [Double], _ labels: [Double], _ sizes: [Double], _ indices: [Double]) -> CheckpointState {
      CheckpointState(numbers: [
        "class_tasks": tasks, "class_labels": labels, "class_sizes": sizes, "exemplar_indices": indices,
      ])
    }
    try memory.restore(from: state([0, 0], [0, 1], [2, 2], [3, 5, 4, 6]), model: model)
    #expect(memory.exemplars.map(\.index) == [3, 5, 4, 6] && memory.classes.map(\.key.label) == [0, 1])
    #expect(try memory.checkpointState() == state([0, 0], [0, 1], [2, 2], [3, 5, 4, 6]))
    #expect(throws: CheckpointError.self) {
      try memory.restore(from: state([0, 0], [0, 1], [2, 3], [3, 5, 4, 6]), model: model)
    }  // sizes ≠ indices
    // Over budget.
    #expect(throws: CheckpointError.self) {
      try memory.restore(from: state([0, 0, 1], [0, 1, 0], [2, 2, 1], [1, 2, 3, 4, 5]), model: model)
    }
    #expect(throws: CheckpointError.self) {
      try memory.restore(from: state([0, 0], [1, 1], [1, 1], [1, 2]), model: model)
    }  // class twice
    // A negative index.
    #expect(throws: CheckpointError.self) { try memory.restore(from: state([0], [0], [1], [-1]), model: model) }
  }
}

extension String {
  /// The names in the folder at this path.
  fileprivate func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: self) }
}
