import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

/// The core's fixed-budget exemplar memory: quota, truncation, the budget, selection strategies,
/// sampling, and the trainer joining replayed samples to every batch from the second task on.
@Suite struct ReplayMemoryTests {
  /// `tasks` tasks of `classesPerTask` classes with `perTask` training samples each; labels
  /// alternate (`i mod classesPerTask`), so class `c` holds indices `c, c + k, c + 2k, …`.
  static func problem(tasks: Int = 3, classesPerTask: Int = 2, perTask: Int = 20) throws -> ToyProblem {
    try ToyProblem(
      tasks: tasks, classesPerTask: classesPerTask, trainPerTask: perTask,
      head: ActiveClassHead(layout: TaskLayout(classCounts: [Int](repeating: classesPerTask, count: tasks))))
  }

  /// The context the trainer passes to the memory after `task`.
  static func context(_ problem: ToyProblem, task: Int, seed: UInt64 = 1, model: Model? = nil) -> TaskContext {
    var rng = SeededGenerator(seed: seed)
    return TaskContext(
      task: task, data: problem.sequence.tasks[task].train, model: model ?? Model(problem.architecture, rng: &rng),
      head: problem.head,
      layout: problem.layout, rng: SeededGenerator(seed: seed &+ UInt64(task)))
  }

  /// A memory updated after each of the first `tasks` tasks.
  static func memory(
    _ configuration: ReplayConfiguration, problem: ToyProblem, tasks: Int? = nil, seed: UInt64 = 1
  ) throws -> [ReplayMemory] {
    var memory = ReplayMemory(configuration: configuration)
    var states: [ReplayMemory] = []
    for task in 0..<(tasks ?? problem.sequence.count) {
      try memory.update(after: context(problem, task: task, seed: seed))
      states.append(memory)
    }
    return states
  }

  /// Exemplar counts per class, in the order classes were added.
  static func sizes(_ memory: ReplayMemory) -> [Int] { memory.classes.map(\.exemplars.count) }

  @Test func quotaIsRecomputedAfterEachTask() throws {
    // Budget 12: 6 per class after task 0 (2 classes), 3 after task 1 (4 classes), 2 after task 2 (6 classes).
    let states = try Self.memory(ReplayConfiguration(capacity: 12), problem: Self.problem())
    #expect(states.map(Self.sizes) == [[6, 6], [3, 3, 3, 3], [2, 2, 2, 2, 2, 2]])
    #expect(states.map(\.count) == [12, 12, 12])
    #expect(states[2].classes.map { [$0.key.task, $0.key.label] } == (0..<3).flatMap { t in (0..<2).map { [t, $0] } })
  }

  @Test func firstSelectionKeepsTheFirstIndicesOfEachClassAndTruncatesToThem() throws {
    let states = try Self.memory(ReplayConfiguration(capacity: 12, selection: .first), problem: Self.problem())
    // Class c of a task holds indices c, c + 2, c + 4, …; "first q" keeps the first q of them, and
    // truncation keeps a prefix of what was kept.
    func indices(_ memory: ReplayMemory, _ k: Int) -> [Int] { memory.classes[k].exemplars.map(\.index) }
    #expect(indices(states[0], 0) == [0, 2, 4, 6, 8, 10] && indices(states[0], 1) == [1, 3, 5, 7, 9, 11])
    #expect(indices(states[1], 0) == [0, 2, 4] && indices(states[1], 3) == [1, 3, 5])
    #expect(indices(states[2], 0) == [0, 2] && indices(states[2], 5) == [1, 3])
    #expect(states[2].classes.allSatisfy { entry in entry.exemplars.allSatisfy { $0.task == entry.key.task } })
  }

  @Test func truncationKeepsAPrefixOfEveryOldClassForEverySelection() throws {
    // The class-balanced selections (a reservoir is filled by `offer`, ReservoirMemoryTests).
    for selection in ReplayConfiguration.Selection.allCases where selection != .reservoir {
      let states = try Self.memory(ReplayConfiguration(capacity: 12, selection: selection), problem: Self.problem())
      for (before, after) in zip(states, states.dropFirst()) {
        for (k, old) in before.classes.enumerated() {
          let kept = after.classes[k].exemplars
          #expect(
            after.classes[k].key == old.key && Array(old.exemplars.prefix(kept.count)) == kept,
            "\(selection), class \(k)")
        }
      }
    }
  }

  @Test func roundingUpTheQuotaNeverExceedsTheBudget() throws {
    // Budget 10 over 4 classes: q = ⌈10/4⌉ = 3 gives 12, so one exemplar leaves each of the two
    // largest classes (ties go to the earliest class): [2, 2, 3, 3].
    let states = try Self.memory(ReplayConfiguration(capacity: 10), problem: Self.problem(tasks: 2))
    #expect(states.map(Self.sizes) == [[5, 5], [2, 2, 3, 3]])
    // Budget 200 over 3, 6 and 9 classes (q = 67, 34, 23): always exactly 200, balanced within one.
    let wide = try Self.problem(tasks: 3, classesPerTask: 3, perTask: 300)
    for state in try Self.memory(ReplayConfiguration(capacity: 200), problem: wide) {
      let sizes = Self.sizes(state)
      #expect(state.count == 200 && sizes.max()! - sizes.min()! <= 1, "\(sizes)")
    }
  }

  @Test(arguments: [1, 2, 3, 5, 7, 10, 11, 13, 25, 39, 40, 41, 1000])
  func theBudgetIsNeverExceeded(capacity: Int) throws {
    // The class-balanced selections (a reservoir is filled by `offer`, ReservoirMemoryTests).
    for selection in ReplayConfiguration.Selection.allCases where selection != .reservoir {
      let states = try Self.memory(
        ReplayConfiguration(capacity: capacity, selection: selection), problem: Self.problem(tasks: 3, perTask: 20))
      for (t, state) in states.enumerated() {
        let sizes = Self.sizes(state)
        let available = 20 * (t + 1)
        // Never over budget, as full as the data allows, and balanced within one exemplar.
        #expect(state.count == min(capacity, available), "\(selection) capacity \(capacity) after task \(t): \(sizes)")
        #expect(
          sizes.max()! - sizes.min()! <= 1 || state.count == available,
          "\(selection) capacity \(capacity) after task \(t): \(sizes)")
        #expect(Set(state.exemplars).count == state.count, "duplicates: \(selection) capacity \(capacity)")
      }
    }
  }

  @Test func randomSelectionIsDeterministicPerSeedAndDiffersAcrossSeeds() throws {
    let problem = try Self.problem()
    let configuration = ReplayConfiguration(capacity: 12, selection: .random)
    let first = try Self.memory(configuration, problem: problem, seed: 7)
    let again = try Self.memory(configuration, problem: problem, seed: 7)
    let other = try Self.memory(configuration, problem: problem, seed: 8)
    #expect(first == again)
    #expect(first.last!.exemplars != other.last!.exemplars)
    // Each class's exemplars are members of that class, and not simply the first ones.
    let data = problem.sequence.tasks[0].train
    for entry in first[0].classes { #expect(entry.exemplars.allSatisfy { data.labels[$0.index] == entry.key.label }) }
    #expect(first[0].classes[0].exemplars.map(\.index) != [0, 2, 4, 6, 8, 10])
  }

  @Test func herdingPicksTheSampleNearestTheClassMeanFirst() throws {
    // The penultimate layer is an identity Linear(2, 2), so the features are the inputs (L2-normalised
    // by herding). Class 0 (indices 0, 2, 4, 6): (5, 0), (0, 1), (2, 2) and (3, 1), normalised to
    // (1, 0), (0, 1), (0.707, 0.707) and (0.949, 0.316); their mean (0.664, 0.506) is nearest to
    // (0.707, 0.707) → index 4 first ("first" would keep index 0). Class 1 is one repeated point.
    let features: [[Float]] = [[5, 0], [-1, -1], [0, 1], [-1, -1], [2, 2], [-1, -1], [3, 1], [-1, -1]]
    let data = try LabelledImages(inputs: Tensor(rows: features), labels: [0, 1, 0, 1, 0, 1, 0, 1])
    let architecture = Sequential([Linear(2, 2, bias: false), Linear(2, 2)])
    var rng = SeededGenerator(seed: 1)
    var model = Model(architecture, rng: &rng)
    model.parameters.tensors[0] = try Tensor(rows: [[1, 0], [0, 1]])
    let layout = TaskLayout(classCounts: [2])
    let context = TaskContext(
      task: 0, data: data, model: model, head: ActiveClassHead(layout: layout), layout: layout,
      rng: SeededGenerator(seed: 1))
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 4, selection: .herding))
    try memory.update(after: context)
    let chosen = memory.classes[0].exemplars.map(\.index)
    #expect(chosen.first == 4, "\(chosen)")
    // Second pick: (0.707, 0.707) averaged with (0.949, 0.316) gives (0.828, 0.512), the closest pair
    // mean (distance² 0.027 against 0.059 for (1, 0) and 0.217 for (0, 1)).
    #expect(chosen == [4, 6], "\(chosen)")
  }

  @Test func samplingDrawsStoredExemplarsWithTheirTasksAndLabels() throws {
    let problem = try Self.problem()
    let memory = try Self.memory(ReplayConfiguration(capacity: 8, batchSize: 5), problem: problem, tasks: 2).last!
    var rng = SeededGenerator(seed: 3)
    #expect(
      ReplayMemory(configuration: ReplayConfiguration()).sample(4, from: problem.sequence, currentTask: 1, using: &rng)
        == nil)
    let batch = try #require(memory.sample(50, from: problem.sequence, currentTask: 2, using: &rng))
    #expect(batch.count == 50 && batch.currentTask == 2 && Set(batch.tasks).isSubset(of: [0, 1]))
    let stored = Set(memory.exemplars.map { [$0.task, $0.index] })
    let inputs = batch.inputs.scalars
    for m in 0..<batch.count {
      let task = problem.sequence.tasks[batch.tasks[m]].train
      // Find which stored exemplar this row is (inputs identify samples), then check its label.
      let row = Array(inputs[m * 4..<(m + 1) * 4])
      let index = try #require((0..<task.count).first { Array(task.inputs.scalars[$0 * 4..<($0 + 1) * 4]) == row })
      #expect(stored.contains([batch.tasks[m], index]) && task.labels[index] == batch.labels[m])
    }
  }

  @Test func settingsBuildTheConfiguration() throws {
    let defaults = ReplayConfiguration(
      try Settings(component: "memory", declared: ReplayConfiguration.hyperparameters, given: [:]))
    #expect(defaults == ReplayConfiguration(capacity: 2000, selection: .first, batchSize: 32))
    let given = ["size": "500", "selection": "herding", "batch": "16"]
    let custom = ReplayConfiguration(
      try Settings(component: "memory", declared: ReplayConfiguration.hyperparameters, given: given))
    #expect(custom == ReplayConfiguration(capacity: 500, selection: .herding, batchSize: 16))
  }

  @Test func trainerJoinsReplayedSamplesFromTheSecondTaskOn() throws {
    let problem = try Self.problem(tasks: 3, perTask: 16)
    var batches: [Int: [[Int]]] = [:]
    for step in try problem.batchTasks(replay: ReplayConfiguration(capacity: 6, batchSize: 3)) {
      batches[step.task, default: []].append(step.samples)
    }
    let batchSize = problem.configuration.batchSize
    // Task 0: the current task's batch only. Later tasks: B current samples, then R = 3 replayed ones
    // from earlier tasks only.
    #expect(batches[0]?.allSatisfy { $0 == [Int](repeating: 0, count: batchSize) } == true, "\(batches[0] ?? [])")
    for task in 1..<3 {
      let seen = try #require(batches[task])
      #expect(seen.count == 6)
      for tasks in seen {
        #expect(tasks.count == batchSize + 3 && tasks.prefix(batchSize).allSatisfy { $0 == task }, "\(tasks)")
        #expect(tasks.suffix(3).allSatisfy { $0 < task }, "\(tasks)")
      }
      // From task 2 on, both earlier tasks are replayed.
      if task == 2 { #expect(Set(seen.flatMap { $0.suffix(3) }) == [0, 1]) }
    }
  }

  @Test func trainerWithoutReplayNeverJoinsSamples() throws {
    let problem = try Self.problem(tasks: 2, perTask: 16)
    let log = RecordingRegulariser.Log()
    _ = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: [RecordingRegulariser(log: log)]),
      seed: 1)
    for case .penalty(let task, _, let tasks) in log.events {
      #expect(tasks == [Int](repeating: task, count: problem.configuration.batchSize))
    }
  }
}
