import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@testable import DER

/// DER's logit replay and DER++'s label replay: hand-computed values, finite differences, the
/// reservoir requirement and the trainer-driven conformance checks.
///
/// Hand-computed case: one task of two samples `e₀` (label 0) and `e₁` (label 1); a reservoir of
/// two holds both, with stored logits `s₀ = (0, 0)` and `s₁ = (1, 1.5)`; the network (a table)
/// now gives `r₀ = (1, 0)` and `r₁ = (0.5, 1.5)`; `memory.batch = 2` draws both.
/// - DER: the differences are `(1, 0)` and `(−0.5, 0)`; the mean of the four squares is
///   `(1 + 0 + 0.25 + 0) / 4 = 0.3125`; with `α = 0.5` the term is **0.15625**.
/// - DER++'s label term: each sample's cross-entropy over its task's two classes is
///   `log(1 + e^{−1}) = 0.3132617` (logit margin 1 for both); the mean times `β = 2` is **0.6265234**.
@Suite struct DERTests {
  static let rows: [[Float]] = [[1, 0], [0.5, 1.5]]
  static let stored: [[Float]] = [[0, 0], [1, 1.5]]
  static let layout = TaskLayout(classCounts: [2])

  static func sequence() throws -> TaskSequence {
    let train = try LabelledImages(inputs: Tensor(rows: [[1, 0], [0, 1]]), labels: [0, 1])
    return try TaskSequence(
      name: "two", tasks: [ContinualTask(index: 0, name: "t", train: train, test: train, sourceClasses: [0, 1])])
  }

  /// A reservoir of `selection` holding both samples with the stored logits.
  static func memory(_ selection: ReplayConfiguration.Selection = .reservoir) throws -> ReplayMemory {
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 2, selection: selection, batchSize: 2))
    var rng = SeededGenerator(seed: 1)
    let batch = Batch(
      inputs: try Tensor(rows: [[1, 0], [0, 1]]), labels: [0, 1], tasks: [0, 0], currentTask: 0, indices: [0, 1])
    memory.offer(batch, outputs: try Tensor(rows: stored), using: &rng)
    return memory
  }

  /// The weight of the table network that maps `e_m` to `rows[m]`.
  static func weight(_ rows: [[Float]]) throws -> Tensor {
    try Tensor(shape: [2, 2], scalars: (0..<2).flatMap { c in (0..<2).map { m in rows[m][c] } })
  }

  /// A regulariser's penalty with the given weight (recorded on `tape`), on a current batch `e₀`.
  static func penalty(
    _ regulariser: any Regulariser, weights: [Variable], on tape: Tape, memory: ReplayMemory, seed: UInt64 = 3
  ) throws -> Variable? {
    let architecture = Sequential([Linear(2, 2, bias: false)])
    let current = try Tensor(rows: [[1, 0]])
    let pass = try StepValues.pass(
      architecture: architecture, weights: weights, input: tape.constant(current), on: tape, names: ["0.weight"],
      task: 0)
    let step = try StepContext(
      tape: tape, pass: pass, batch: Batch(inputs: current, labels: [0], tasks: [0], currentTask: 0), task: 0,
      iteration: 0,
      replay: ReplaySource(memory: memory, sequence: try sequence(), currentTask: 0, rng: SeededGenerator(seed: seed)),
      head: ActiveClassHead(layout: layout),
      network: StepContext.network(architecture, pass: pass, tape: tape, state: NamedTensors(), task: 0))
    return try regulariser.penalty(step)
  }

  static func value(_ regulariser: any Regulariser, memory: ReplayMemory) throws -> Float? {
    let tape = Tape()
    return try penalty(regulariser, weights: [tape.variable(weight(rows))], on: tape, memory: memory)?.value.scalar
  }

  @Test func handComputedLogitReplay() throws {
    let value = try #require(try Self.value(LogitReplay(strength: 0.5), memory: Self.memory()))
    #expect(abs(value - 0.15625) < 1e-6, "\(value)")
  }

  @Test func handComputedLabelReplay() throws {
    let value = try #require(try Self.value(LabelReplay(strength: 2), memory: Self.memory()))
    #expect(abs(Double(value) - 0.6265234) < 1e-6, "\(value)")
  }

  @Test(arguments: [0, 1])
  func gradientsMatchFiniteDifferences(term: Int) throws {
    let regulariser: any Regulariser = term == 0 ? LogitReplay(strength: 0.7) : LabelReplay(strength: 1.3)
    let memory = try Self.memory()
    try GradientCheck.expectMatch(inputs: [TestData.uniform([2, 2], in: -2...2, seed: 9)]) { tape, weights in
      try #require(try Self.penalty(regulariser, weights: weights, on: tape, memory: memory))
    }
  }

  @Test func nothingWhileTheMemoryIsEmptyOrTheWeightIsZero() throws {
    let empty = ReplayMemory(configuration: ReplayConfiguration(capacity: 2, selection: .reservoir))
    #expect(try Self.value(LogitReplay(strength: 1), memory: empty) == nil)
    #expect(try Self.value(LabelReplay(strength: 1), memory: empty) == nil)
    #expect(try Self.value(LogitReplay(strength: 0), memory: Self.memory()) == nil)
  }

  @Test func logitReplayNeedsAReservoir() throws {
    #expect(throws: TrainingError.self) { _ = try Self.value(LogitReplay(strength: 1), memory: Self.memory(.first)) }
  }

  /// Class-incremental blobs with a reservoir memory that the trainer-driven checks use.
  static func problem() throws -> ToyProblem {
    var problem = try ToyProblem(tasks: 2, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2])))
    problem.replay = ReplayConfiguration(capacity: 10, selection: .reservoir, batchSize: 4)
    return problem
  }

  @Test(arguments: [false, true])
  func conformance(plusPlus: Bool) throws {
    let problem = try Self.problem()
    let components = plusPlus ? DERPlusPlus.components(try DERPlusPlus.settings()) : DER.components(try DER.settings())
    for regulariser in components.regularisers {
      let replayed = "the penalty reads replayed samples, which only the trainer-driven checks draw"
      try RegulariserConformance.expectConformance(
        { regulariser },
        except: [
          .zeroPenaltyAtAnchor: "the logits were stored at earlier weights, so the penalty is not zero at a task's end",
          .gradientMatchesFiniteDifferences: replayed, .stateSurvivesTaskBoundaries: replayed,
        ],
        problem: problem)
    }
  }

  @Test func theTrainerRunsBothTermsFromTheFirstTask() throws {
    // The reservoir fills from the first step, so both terms are active in both tasks.
    let problem = try Self.problem()
    let components = DERPlusPlus.components(try DERPlusPlus.settings())
    let plan = TrainingPlan(head: problem.head, regularisers: components.regularisers, replay: problem.replay)
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    for task in 0..<2 {
      #expect(
        (result.lossTerms[task]["der"] ?? 0) > 0 && (result.lossTerms[task]["der-labels"] ?? 0) > 0,
        "\(result.lossTerms)")
    }
  }

  @Test func componentsAskForAReservoirAndDrawTheirOwnReplay() throws {
    for components in [DER.components(try DER.settings()), DERPlusPlus.components(try DERPlusPlus.settings())] {
      #expect(components.usesReplay && components.drawsReplay && components.memorySelection == .reservoir)
      #expect(!components.projectsGradients)
    }
    let der = try #require(DER.components(try DER.settings(["alpha": "0.2"])).regularisers.first as? LogitReplay)
    #expect(der.strength == 0.2 && DERPlusPlus.name == "derpp")
  }
}
