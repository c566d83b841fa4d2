import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

/// The replay memory's reservoir policy: filled after every step with the samples' outputs,
/// algorithm R's replacement, draws without replacement, checkpoints.
@Suite struct ReservoirMemoryTests {
  /// A batch of task 0 samples with the given indices and one output row `(i, −i)` each.
  static func offered(_ indices: [Int]) throws -> (Batch, Tensor) {
    let batch = Batch(
      inputs: Tensor.zeros([indices.count, 1]), labels: indices.map { $0 % 2 },
      tasks: [Int](repeating: 0, count: indices.count),
      currentTask: 0, indices: indices)
    return (batch, try Tensor(rows: indices.map { [Float($0), -Float($0)] }))
  }

  @Test func fillsInOrderThenReplacesAsAlgorithmR() throws {
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 3, selection: .reservoir))
    var rng = SeededGenerator(seed: 7)
    let (batch, outputs) = try Self.offered(Array(0..<10))
    memory.offer(batch, outputs: outputs, using: &rng)
    // Algorithm R by hand with the same generator: sample n (from 0) replaces slot j = U{0…n} when j < 3.
    var expected = [0, 1, 2]
    var check = SeededGenerator(seed: 7)
    for n in 3..<10 {
      let j = check.nextInt(below: n + 1)
      if j < 3 { expected[j] = n }
    }
    #expect(memory.reservoir.map(\.index) == expected)
    #expect(memory.reservoir.map(\.outputs) == expected.map { [Float($0), -Float($0)] })
    #expect(memory.offered == 10 && memory.count == 3 && memory.classes.isEmpty)
    #expect(Set(expected) != [0, 1, 2], "the seed should replace something")
  }

  @Test func keepsEverySampleOfferedUniformly() throws {
    // 20 samples into 5 slots, 4000 times: each sample is kept with probability 5/20.
    var counts = [Int](repeating: 0, count: 20)
    var rng = SeededGenerator(seed: 1)
    let (batch, _) = try Self.offered(Array(0..<20))
    for _ in 0..<4000 {
      var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 5, selection: .reservoir))
      memory.offer(batch, outputs: nil, using: &rng)
      for e in memory.reservoir { counts[e.index] += 1 }
    }
    // Expected 1000 each, binomial σ ≈ 27: ±150 is over 5σ.
    #expect(counts.allSatisfy { abs($0 - 1000) < 150 }, "\(counts)")
  }

  @Test func taskEndsAndOtherPoliciesLeaveItAlone() throws {
    let problem = try ToyProblem(tasks: 2)
    var reservoir = ReplayMemory(configuration: ReplayConfiguration(capacity: 4, selection: .reservoir))
    var rng = SeededGenerator(seed: 1)
    try reservoir.update(
      after: TaskContext(
        task: 0, data: problem.sequence.tasks[0].train, model: Model(problem.architecture, rng: &rng),
        head: problem.head,
        layout: problem.layout, rng: rng))
    #expect(reservoir.isEmpty)
    var balanced = ReplayMemory(configuration: ReplayConfiguration(capacity: 4, selection: .first))
    let (batch, outputs) = try Self.offered([0, 1])
    balanced.offer(batch, outputs: outputs, using: &rng)
    #expect(balanced.isEmpty && balanced.offered == 0)
  }

  @Test func drawsDistinctSamplesWithTheirOutputs() throws {
    let problem = try ToyProblem(tasks: 1, trainPerTask: 16)
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 10, selection: .reservoir))
    var rng = SeededGenerator(seed: 2)
    let (batch, outputs) = try Self.offered(Array(0..<6))
    memory.offer(batch, outputs: outputs, using: &rng)
    let drawn = try #require(memory.draw(4, from: problem.sequence, currentTask: 0, using: &rng))
    let indices = try #require(drawn.batch.indices)
    #expect(Set(indices).count == 4 && indices.allSatisfy { (0..<6).contains($0) })
    #expect(drawn.outputs?.scalars == indices.flatMap { [Float($0), -Float($0)] })
    #expect(drawn.batch.labels == indices.map { problem.sequence.tasks[0].train.labels[$0] })
    // Asking for more than is stored gives every exemplar once.
    let all = try #require(memory.draw(50, from: problem.sequence, currentTask: 0, using: &rng))
    #expect(all.batch.indices.map { Set($0) } == Set(0..<6) && all.batch.count == 6)
  }

  @Test func checkpointRoundTrip() throws {
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 3, selection: .reservoir))
    var rng = SeededGenerator(seed: 7)
    let (batch, outputs) = try Self.offered(Array(0..<10))
    memory.offer(batch, outputs: outputs, using: &rng)
    var restored = ReplayMemory(configuration: memory.configuration)
    var generator = SeededGenerator(seed: 1)
    try restored.restore(from: memory.checkpointState(), model: Model(Sequential([Linear(1, 2)]), rng: &generator))
    #expect(restored == memory && restored.reservoir.map(\.outputs) == memory.reservoir.map(\.outputs))
    var tampered = try memory.checkpointState()
    tampered.numbers["offered"] = [1]
    #expect(throws: CheckpointError.self) {
      try restored.restore(from: tampered, model: Model(Sequential([Linear(1, 2)]), rng: &generator))
    }
  }

  @Test func theTrainerOffersEveryCurrentSampleOnce() throws {
    // A reservoir as large as the data keeps every sample offered: 2 tasks × 6 steps × 8 samples
    // = 96 offers of 16 + 16 samples (each epoch reshuffles).
    var problem = try ToyProblem(tasks: 2, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2])))
    problem.configuration.batchSize = 8
    let reservoir = ReplayConfiguration(capacity: 1000, selection: .reservoir, batchSize: 2)
    let sizes = try problem.batchTasks(replay: reservoir).map(\.samples.count)
    // ER-style joining with a reservoir: replay starts at the second step of the first task.
    #expect(sizes == [8] + [Int](repeating: 10, count: 11))
  }
}
