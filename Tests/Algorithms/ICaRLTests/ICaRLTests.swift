import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import ICaRL

/// iCaRL: the sigmoid loss and its distillation term (hand-computed values and finite differences),
/// herding through the run's one memory, nearest-mean-of-exemplars classification by hand, the
/// head and regulariser conformance checks, stacking rules and a trainer run.
@Suite struct ICaRLTests {
  // MARK: - Losses

  @Test func handComputedBinaryCrossEntropy() throws {
    // softplus(1) − 1·1 + softplus(−2) − 0 = ln(1 + e) − 1 + ln(1 + e⁻²) = 1.3132617 − 1 + 0.1269280.
    let tape = Tape()
    let value = try summedBinaryCrossEntropy(
      logits: tape.variable(Tensor(rows: [[1, -2]])), targets: tape.constant(Tensor(rows: [[1, 0]])))
    expectApproximatelyEqual(value.value.scalar, 0.4401897, absoluteTolerance: 1e-6)
    // No overflow far from 0: softplus(100) = 100, softplus(−100) ≈ 0.
    let far = try summedBinaryCrossEntropy(
      logits: tape.variable(Tensor(rows: [[100, -100]])), targets: tape.constant(Tensor(rows: [[0, 0]])))
    expectApproximatelyEqual(far.value.scalar, 100, absoluteTolerance: 1e-4)
  }

  @Test func handComputedHeadLoss() throws {
    // Task 0 of [2, 2] while training task 0: columns 0 and 1 are active. Label 0, z = (1, −1):
    // (BCE(1, 1) + BCE(−1, 0)) / (1 · 2) = (ln(1 + e⁻¹) + ln(1 + e⁻¹)) / 2 = 0.3132617.
    let head = NearestMeanHead(layout: TaskLayout(classCounts: [2, 2]))
    let tape = Tape()
    let logits = tape.variable(try Tensor(rows: [[1, -1, 5, 5]]))
    let batch = Batch(inputs: Tensor.zeros([1, 1]), labels: [0], tasks: [0], currentTask: 0)
    expectApproximatelyEqual(try head.loss(logits: logits, for: batch).value.scalar, 0.3132617, absoluteTolerance: 1e-6)
    // While training task 1 all four columns are active: a sample of task 1, label 1 (column 3),
    // z = (0, 0, 0, 2): (3 ln 2 + ln(1 + e⁻²)) / 4 = (2.0794415 + 0.1269280) / 4 = 0.5515924.
    let later = Batch(inputs: Tensor.zeros([1, 1]), labels: [1], tasks: [1], currentTask: 1)
    let value = try head.loss(logits: tape.variable(Tensor(rows: [[0, 0, 0, 2]])), for: later).value.scalar
    expectApproximatelyEqual(value, 0.5515924, absoluteTolerance: 1e-6)
    // A label outside its task is an error, not a silent zero.
    let bad = Batch(inputs: Tensor.zeros([1, 1]), labels: [2], tasks: [0], currentTask: 1)
    #expect(throws: TensorError.self) { _ = try head.loss(logits: logits, for: bad) }
  }

  @Test func headLossMatchesFiniteDifferences() throws {
    let head = NearestMeanHead(layout: TaskLayout(classCounts: [2, 2, 2]))
    let batch = Batch(inputs: Tensor.zeros([3, 1]), labels: [1, 0, 1], tasks: [0, 2, 1], currentTask: 2)
    let report = try GradientCheck.run(inputs: [TestData.awayFromZero([3, 6], seed: 5)]) { _, v in
      try head.loss(logits: v[0], for: batch)
    }
    #expect(report.passed, "\(report)")
  }

  /// A step of task 1 of `[2, 2]` classes with the given logits, a frozen model whose logits are
  /// `old`, and two samples: label 1 of task 0 (an old class, column 1) and label 0 of task 1.
  static func distillationTerm(logits: Variable, tape: Tape, old: Tensor) throws -> Variable? {
    // The frozen model: one linear layer from a 2-value input that returns `old`'s rows for the
    // inputs e₀ and e₁ (weights = oldᵀ, no bias).
    let teacher = try Model(
      Sequential([Linear(2, 4, bias: false)]),
      parameters: NamedTensors(names: ["0.weight"], tensors: [old.transposed()]))
    var distillation = SigmoidDistillation()
    (distillation.teacher, distillation.layout, distillation.teacherTasks) = (
      teacher, TaskLayout(classCounts: [2, 2]), 1
    )
    let inputs = try Tensor(rows: [[1, 0], [0, 1]])
    let batch = Batch(inputs: inputs, labels: [1, 0], tasks: [0, 1], currentTask: 1)
    let pass = Model.Pass(weights: [], trace: ForwardTrace(activations: [], output: logits), names: [])
    return try distillation.penalty(StepContext(tape: tape, pass: pass, batch: batch, task: 1, iteration: 0))
  }

  @Test func handComputedDistillationTerm() throws {
    // Old columns 0, 1; C = 4 active; B = 2. Frozen logits ẑ = 0 everywhere, so q = ½ and
    // D = (1/8) Σ_i Σ_{c<2} (δ − ½)(z − 0). Row 0 (label column 1), z = (1, 2): (−½)(1) + (½)(2) = 0.5;
    // row 1 (a new class), z = (−1, 3): (−½)(−1) + (−½)(3) = −1. D = (0.5 − 1) / 8 = −0.0625.
    let tape = Tape()
    let logits = tape.variable(try Tensor(rows: [[1, 2, 7, 7], [-1, 3, 7, 7]]))
    let value = try #require(try Self.distillationTerm(logits: logits, tape: tape, old: Tensor.zeros([2, 4])))
    expectApproximatelyEqual(value.value.scalar, -0.0625, absoluteTolerance: 1e-7)
    // The head loss plus D is iCaRL's loss up to a constant: its gradient on the old columns is
    // (σ(z) − q) / (B·C), on the new ones (σ(z) − δ) / (B·C).
    let head = NearestMeanHead(layout: TaskLayout(classCounts: [2, 2]))
    let batch = Batch(inputs: Tensor.zeros([2, 1]), labels: [1, 0], tasks: [0, 1], currentTask: 1)
    let total = try head.loss(logits: logits, for: batch) + value
    let gradient = try tape.gradients(of: total, withRespectTo: [logits])[0].scalars
    let z: [Float] = [1, 2, 7, 7, -1, 3, 7, 7]
    let targets: [Float] = [0.5, 0.5, 0, 0, 0.5, 0.5, 1, 0]
    let expected = zip(z, targets).map { (1 / (1 + Foundation.exp(-$0)) - $1) / 8 }
    expectApproximatelyEqual(gradient, expected, absoluteTolerance: 1e-6)
  }

  @Test func distillationTermMatchesFiniteDifferencesAndIsZeroAtTheFrozenModel() throws {
    let old = TestData.uniform([2, 4], in: -2...2, seed: 9)
    let report = try GradientCheck.run(inputs: [TestData.uniform([2, 4], in: -2...2, seed: 3)]) { tape, v in
      try #require(try Self.distillationTerm(logits: v[0], tape: tape, old: old))
    }
    #expect(report.passed, "\(report)")
    let tape = Tape()
    let same = try #require(try Self.distillationTerm(logits: tape.variable(old), tape: tape, old: old))
    #expect(same.value.scalar == 0)
  }

  // MARK: - Herding and the nearest mean of exemplars

  /// Two linear layers: the first (identity) is the penultimate layer, so an input's features are
  /// the input itself.
  static func identityFeatures(outputs: Int = 4) throws -> Model {
    try Model(
      Sequential([Linear(2, 2), Linear(2, outputs)]),
      parameters: NamedTensors(
        names: ["0.weight", "0.bias", "1.weight", "1.bias"],
        tensors: [
          Tensor(rows: [[1, 0], [0, 1]]), Tensor.zeros([2]), Tensor.zeros([outputs, 2]), Tensor.zeros([outputs]),
        ]))
  }

  static func task(_ index: Int, _ rows: [[Float]], labels: [Int]) throws -> ContinualTask {
    let images = try LabelledImages(inputs: Tensor(rows: rows), labels: labels)
    return try ContinualTask(
      index: index, name: "t\(index)", train: images, test: images, sourceClasses: Array(0...labels.max()!))
  }

  @Test func herdingThroughICaRLsMemoryPolicy() throws {
    // One class, features (1, 0), (0, 1), (1, 1), (1, 0.2), normalised: (1, 0), (0, 1), (0.7071, 0.7071),
    // (0.9806, 0.1961); their mean μ = (0.6719, 0.4758). Herding picks the sample whose addition keeps the
    // running mean nearest μ: k = 1, squared distances 0.3340, 0.7263, 0.0547, 0.1735 → (1, 1) (index 2);
    // k = 2: 0.0479, 0.2441, —, 0.0301 → (1, 0.2) (index 3); k = 3: 0.0807, 0.0371 → (0, 1) (index 1).
    let components = ICaRL.components(try ICaRL.settings())
    let selection = try #require(components.memorySelection)
    #expect(selection == .herding)
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 3, selection: selection))
    let data = try Self.task(0, [[1, 0], [0, 1], [1, 1], [1, 0.2]], labels: [0, 0, 0, 0]).train
    let head = NearestMeanHead(layout: TaskLayout(classCounts: [1]))
    try memory.update(
      after: TaskContext(
        task: 0, data: data, model: Self.identityFeatures(outputs: 1), head: head,
        layout: TaskLayout(classCounts: [1]), rng: SeededGenerator(seed: 1)))
    #expect(memory.exemplars.map(\.index) == [2, 3, 1])
  }

  /// Tasks of [2, 2] classes whose training samples all fit in the memory: column 0 ← (1, 0), (1, 1);
  /// column 1 ← (0, 1); column 2 ← (−1, 0); column 3 ← (0, −2).
  static func exemplarSequence() throws -> TaskSequence {
    try TaskSequence(
      name: "nme",
      tasks: [
        Self.task(0, [[1, 0], [1, 1], [0, 1]], labels: [0, 0, 1]), Self.task(1, [[-1, 0], [0, -2]], labels: [0, 1]),
      ])
  }

  @Test func handComputedNearestMeanOfExemplars() throws {
    let sequence = try Self.exemplarSequence()
    let layout = TaskLayout(classCounts: [2, 2])
    let model = try Self.identityFeatures()
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 100, selection: .first))
    for t in 0..<2 {
      try memory.update(
        after: TaskContext(
          task: t, data: sequence.tasks[t].train, model: model, head: NearestMeanHead(layout: layout), layout: layout,
          rng: SeededGenerator(seed: 1)))
    }
    let prepared = try #require(
      try NearestMeanHead(layout: layout).prepared(
        for: EvaluationContext(model: model, sequence: sequence, memory: memory, trainedThrough: 1)) as? NearestMeanHead
    )
    // μ₀ = normalise((1, 0) + (0.7071, 0.7071)) = (0.9239, 0.3827) (the 22.5° direction); the others are
    // single unit vectors.
    #expect(prepared.meanColumns == [0, 1, 2, 3])
    expectApproximatelyEqual(prepared.means[0], [0.9238795, 0.3826834], absoluteTolerance: 1e-6)
    #expect(prepared.means[1...] == [[0, 1], [-1, 0], [0, -1]])
    // (1, 0.8) is at 38.7°, nearest μ₀ (22.5°) → column 0; (0.2, 1) at 78.7° → column 1 (90°);
    // (−3, −0.1) → column 2 and (0.1, −1) → column 3: for task 0 those are the labels 2 and 3
    // outside the task (another task's classes win).
    let queries = try Tensor(rows: [[1, 0.8], [0.2, 1], [-3, -0.1], [0.1, -1]])
    #expect(try prepared.predictions(inputs: queries, model: model, task: 0, trainedThrough: 1) == [0, 1, 2, 3])
    // The same inputs as task 1's samples: columns minus task 1's offset 2.
    #expect(try prepared.predictions(inputs: queries, model: model, task: 1, trainedThrough: 1) == [-2, -1, 0, 1])
    // After task 0 only columns 0 and 1 compete: (−3, −0.1) (181.9°) is nearer μ₁ (90°, angle 91.9°)
    // than μ₀ (159.4°), and (0.1, −1) (275.7°) nearer μ₀ (106.8°) than μ₁ (174.3°).
    #expect(try prepared.predictions(inputs: queries, model: model, task: 0, trainedThrough: 0) == [0, 1, 1, 0])
  }

  @Test func withoutExemplarsTheHeadPredictsByTheOutputs() throws {
    let layout = TaskLayout(classCounts: [2, 2])
    let model = try Model(
      Sequential([Linear(2, 2), Linear(2, 4)]),
      parameters: NamedTensors(
        names: ["0.weight", "0.bias", "1.weight", "1.bias"],
        tensors: [
          Tensor(rows: [[1, 0], [0, 1]]), Tensor.zeros([2]), Tensor(rows: [[0, 0], [1, 0], [0, 0], [0, 1]]),
          Tensor.zeros([4]),
        ]))
    let sequence = try Self.exemplarSequence()
    let unprepared = NearestMeanHead(layout: layout)
    let empty = try unprepared.prepared(
      for: EvaluationContext(model: model, sequence: sequence, memory: nil, trainedThrough: 1))
    // Outputs (0, x, 0, y): x > y → column 1, else column 3.
    let inputs = try Tensor(rows: [[2, 1], [1, 2]])
    #expect(try empty.predictions(inputs: inputs, model: model, task: 0, trainedThrough: 1) == [1, 3])
    #expect(try unprepared.predictions(inputs: inputs, model: model, task: 0, trainedThrough: 1) == [1, 3])
  }

  // MARK: - Conformance

  static func problem() throws -> ToyProblem {
    let layout = TaskLayout(classCounts: [2, 2, 2])
    var problem = try ToyProblem(tasks: 3, head: NearestMeanHead(layout: layout))
    problem.replay = ReplayConfiguration(capacity: 8, selection: .herding, batchSize: 8)
    return problem
  }

  @Test func headConformance() throws {
    let layout = TaskLayout(classCounts: [2, 3, 1])
    try HeadConformance.expectConformance(NearestMeanHead(layout: layout), layout: layout)
  }

  @Test func regulariserConformance() throws {
    try RegulariserConformance.expectConformance(
      { SigmoidDistillation() },
      except: [
        .stateSurvivesTaskBoundaries:
          "iCaRL distils only the latest model: a fresh copy that saw task 2's end holds the same teacher",
        // The term is zero at the frozen model (handComputedDistillationTerm and the finite-difference
        // test check it) but not stationary there: it moves the old columns' targets from the labels
        // to q, so its gradient is (y − q)/(B·C); head loss plus term is stationary where σ(z) = q.
        .zeroPenaltyAtAnchor:
          "iCaRL's term swaps the old columns' targets, linear in the logits: zero at the copy, not a minimum",
      ],
      problem: Self.problem())
  }

  // MARK: - Stacking and runs

  /// Stand-ins for the other algorithms' contributions (this target depends on no other algorithm;
  /// the command-line tests stack `icarl` with the real ones).
  enum Penalty: Algorithm {
    static let configuration = AlgorithmConfiguration(name: "penalty", summary: "a plain penalty")
    static func components(_ settings: Settings) -> AlgorithmComponents {
      AlgorithmComponents(regularisers: [SigmoidDistillation()])
    }
  }
  enum OtherHead: Algorithm {
    static let configuration = AlgorithmConfiguration(name: "other-head", summary: "replaces the head")
    static func components(_ settings: Settings) -> AlgorithmComponents {
      AlgorithmComponents(head: { layout, _ in ActiveClassHead(layout: layout) })
    }
  }
  enum Reservoir: Algorithm {
    static let configuration = AlgorithmConfiguration(name: "reservoir", summary: "needs a reservoir")
    static func components(_ settings: Settings) -> AlgorithmComponents {
      AlgorithmComponents(usesReplay: true, memorySelection: .reservoir)
    }
  }
  struct Drawing: Regulariser {
    var name: String { "drawing" }
    var drawsReplay: Bool { true }
    func penalty(_ step: StepContext) throws -> Variable? { nil }
  }
  enum Drawer: Algorithm {
    static let configuration = AlgorithmConfiguration(name: "drawer", summary: "draws replay itself")
    static func components(_ settings: Settings) -> AlgorithmComponents {
      AlgorithmComponents(regularisers: [Drawing()], usesReplay: true)
    }
  }

  @Test func stacksWithPenaltiesAndRefusesOtherHeadsMemoriesAndDrawers() throws {
    let icarl = try AlgorithmStack([ICaRL.self]).components()
    #expect(icarl.usesReplay && !icarl.drawsReplay && icarl.memorySelection == .herding && icarl.head != nil)
    #expect(try AlgorithmStack([ICaRL.self]).intendedScenarios == [.class])
    #expect(throws: ICaRLError.unsupportedScenario(.task)) {
      _ = try AlgorithmStack([ICaRL.self]).head(for: .task, classesPerTask: [2, 2])
    }
    #expect(try AlgorithmStack([ICaRL.self]).head(for: .class, classesPerTask: [2, 2]) is NearestMeanHead)
    // A penalty stacks: both terms, iCaRL's head and memory.
    let stacked = try AlgorithmStack([ICaRL.self, Penalty.self]).components()
    #expect(stacked.regularisers.count == 2 && stacked.memorySelection == .herding)
    let refusals: [(any Algorithm.Type, String)] = [
      (OtherHead.self, "two components replace the head"),
      (Reservoir.self, "two components need different memory policies (herding and reservoir)"),
      (
        Drawer.self,
        "drawer draws replayed samples itself, so the replay icarl joins to each batch would be switched off"
      ),
    ]
    for (other, reason) in refusals {
      #expect(throws: StackError.conflict(stack: "icarl+\(other.name)", reason: reason)) {
        _ = try AlgorithmStack([ICaRL.self, other]).components()
      }
    }
  }

  @Test func aRunDistilsFromTheSecondTaskAndClassifiesByExemplarMeans() throws {
    let problem = try Self.problem()
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: [SigmoidDistillation()], replay: problem.replay), seed: 2)
    #expect(result.lossTerms[0]["icarl"] == 0)
    #expect(result.lossTerms[1]["icarl"] != 0)
    #expect(result.lossTerms[2]["icarl"] != 0)
    // The confusion matrix counts every test sample once.
    let confusion = try #require(result.confusionMatrix)
    #expect(confusion.joined().reduce(0, +) == problem.sequence.tasks.map(\.test.count).reduce(0, +))
  }
}
