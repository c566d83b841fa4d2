import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import HNet

/// Hand-computed cases of ALGORITHMS.md §5.7, gradient checks through the hypernetwork, chunking,
/// frozen embeddings and determinism.
///
/// The hand-computed cases use a linear hypernetwork `h(e, Θ) = Θ·e`: a generator with no hidden
/// layer (`Linear(1, 2)`, bias 0) generating the two weights of a target `Linear(2, 1)`, and task
/// embeddings of size 1 with `e⁰ = 1`.
@Suite struct HNetTests {
  /// `h(e, Θ) = Θ·e` for the two weights of `Linear(2, 1, bias: false)`.
  static let linear = Hypernetwork(
    target: Sequential([Linear(2, 1, bias: false)]), taskCount: 2, embeddingSize: 1, hidden: [])

  /// The linear hypernetwork's parameters: generator weight `Θ`, zero bias, `e⁰ = 1`, `e¹ = 0.5`.
  static func parameters(_ theta: (Float, Float), e0: Float = 1) -> NamedTensors {
    try! NamedTensors(
      names: ["0.generator.0.weight", "0.generator.0.bias", "0.embedding.0", "0.embedding.1"],
      tensors: [Tensor(shape: [2, 1], scalars: [theta.0, theta.1]), Tensor.zeros([2]), Tensor([e0]), Tensor([0.5])])
  }

  static var architecture: Sequential { Sequential([linear]) }

  static func context(task: Int, at parameters: NamedTensors) throws -> TaskContext {
    let data = try LabelledImages(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], classNames: ["a"])
    var model = try Model(architecture, parameters: parameters)
    model.task = task
    return TaskContext(
      task: task, data: data, model: model, head: SharedHead(classCount: 1), layout: TaskLayout(classCounts: [1, 1]),
      rng: SeededGenerator(seed: 1))
  }

  /// The penalty and its gradient at `theta` while training task 1, the targets taken at Θ* = (1, 2).
  static func penalty(
    _ regulariser: HypernetworkOutputRegulariser, at theta: (Float, Float), change: NamedTensors? = nil
  ) throws -> (value: Float, gradients: NamedTensors) {
    var regulariser = regulariser
    try regulariser.taskWillStart(context(task: 1, at: parameters((1, 2))))
    let tape = Tape()
    var model = try Model(architecture, parameters: parameters(theta))
    model.task = 1
    let pass = try model.forward(tape.constant(Tensor(shape: [1, 2], repeating: 1)), on: tape)
    let batch = Batch(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], tasks: [1], currentTask: 1)
    let step = StepContext(
      tape: tape, pass: pass, batch: batch, task: 1, iteration: 0,
      taskGradients: change.map { NamedTensors.zeros(like: $0) },
      proposedChange: change.map { c in { _ in c } })
    let value = try #require(try regulariser.penalty(step))
    return (value.value.scalar, try pass.gradients(of: value))
  }

  // MARK: - ALGORITHMS.md §5.7

  @Test func penaltyWithoutLookahead() throws {
    // reg = 0.5² + 1² = 1.25 → β·reg = 0.0125; gradient β·2(Θe − t)e = (0.01, −0.02).
    let (value, gradients) = try Self.penalty(
      HypernetworkOutputRegulariser(strength: 0.01, lookahead: false), at: (1.5, 1.0))
    #expect(Swift.abs(value - 0.0125) < 1e-7, "\(value)")
    expectApproximatelyEqual(gradients["0.generator.0.weight"]!.scalars, [0.01, -0.02], absoluteTolerance: 1e-6)
    // The previous task's embedding is fixed: no gradient reaches it.
    #expect(gradients["0.embedding.0"]!.scalars == [0])
  }

  @Test func penaltyWithLookahead() throws {
    // ΔΘ = (−0.1, 0.2): evaluated at (1.4, 1.2): reg = 0.16 + 0.64 = 0.8 → 0.008; gradient (0.008, −0.016).
    var change = NamedTensors.zeros(like: Self.parameters((0, 0)))
    change.tensors[0] = try Tensor(shape: [2, 1], scalars: [-0.1, 0.2])
    let (value, gradients) = try Self.penalty(
      HypernetworkOutputRegulariser(strength: 0.01, lookahead: true), at: (1.5, 1.0), change: change)
    #expect(Swift.abs(value - 0.008) < 1e-7, "\(value)")
    expectApproximatelyEqual(gradients["0.generator.0.weight"]!.scalars, [0.008, -0.016], absoluteTolerance: 1e-6)
  }

  @Test func lookaheadMovesOnlyTheSharedParameters() throws {
    // A proposed change of the embeddings must not shift the regulariser's evaluation point.
    var change = NamedTensors.zeros(like: Self.parameters((0, 0)))
    change.tensors[2] = Tensor([5])
    let (value, _) = try Self.penalty(
      HypernetworkOutputRegulariser(strength: 0.01, lookahead: true), at: (1.5, 1.0), change: change)
    #expect(Swift.abs(value - 0.0125) < 1e-7, "\(value)")
  }

  @Test func recomputedTargetsEqualTheSnapshot() throws {
    let (value, gradients) = try Self.penalty(
      HypernetworkOutputRegulariser(strength: 0.01, lookahead: false, targets: .recomputed), at: (1.5, 1.0))
    #expect(Swift.abs(value - 0.0125) < 1e-7)
    expectApproximatelyEqual(gradients["0.generator.0.weight"]!.scalars, [0.01, -0.02], absoluteTolerance: 1e-6)
  }

  @Test func regularisedPreviousEmbeddingsGetTheGradient() throws {
    // d/de⁰ β‖t − Θe⁰‖² = 2β Σ (Θe⁰ − t)·Θ = 0.02·(0.5·1.5 − 1·1.0) = −0.005.
    let (_, gradients) = try Self.penalty(
      HypernetworkOutputRegulariser(strength: 0.01, lookahead: false, previousEmbeddings: .regularised), at: (1.5, 1.0))
    expectApproximatelyEqual(gradients["0.embedding.0"]!.scalars, [-0.005], absoluteTolerance: 1e-6)
  }

  @Test func sampleLossScaleDividesThePenaltyAndMultipliesTheGradient() throws {
    // One training sample in the context: N = 1 leaves the value; a gradient of norm 5 is clipped to 1.
    var regulariser = HypernetworkOutputRegulariser(strength: 0.01, lookahead: false, lossScale: .samples, clipNorm: 1)
    try regulariser.taskWillStart(Self.context(task: 1, at: Self.parameters((1, 2))))
    var gradients = try NamedTensors(names: ["a"], tensors: [Tensor([3, 4])])
    let tape = Tape()
    let pass = Model.Pass(
      weights: [], trace: ForwardTrace(activations: [], output: tape.constant(Tensor(0))), names: [])
    let step = StepContext(
      tape: tape, pass: pass, batch: Batch(inputs: Tensor.zeros([1, 2]), labels: [0], tasks: [1], currentTask: 1),
      task: 1, iteration: 0)
    try regulariser.gradientsDidCompute(&gradients, step: step)
    expectApproximatelyEqual(gradients.tensors[0].scalars, [0.6, 0.8], absoluteTolerance: 1e-5)
  }

  @Test func entropiesOfTheHandCase() {
    // Logits (2, 0) → H = 0.365334; (0.5, 0) → H = 0.662847.
    let h = Hypernetwork.predictiveEntropies(logits: try! Tensor(rows: [[2, 0], [0.5, 0]]))
    expectApproximatelyEqual(h, [0.365334, 0.662847], absoluteTolerance: 1e-5)
  }

  /// A hypernetwork whose task `t` makes the target `Linear(1, 2)` output `W·e_t` for input 1.
  static func inferenceModel(embeddings: [Float], groups: [Range<Int>]? = nil, outputs: Int = 2) throws -> Model {
    let hnet = Hypernetwork(
      target: Sequential([Linear(1, outputs, bias: false)]), taskCount: embeddings.count, embeddingSize: 1, hidden: [],
      outputGroups: groups)
    let generator = (0..<outputs).map { $0 == 0 ? Float(2) : 0 }
    let names = ["0.generator.0.weight", "0.generator.0.bias"] + embeddings.indices.map { "0.embedding.\($0)" }
    let tensors =
      [try Tensor(shape: [outputs, 1], scalars: generator), Tensor.zeros([outputs])] + embeddings.map { Tensor([$0]) }
    return try Model(Sequential([hnet]), parameters: NamedTensors(names: names, tensors: tensors))
  }

  @Test func taskInferencePicksTheLowestEntropy() throws {
    // Embedding A = 1 gives logits (2, 0), B = 0.25 gives (0.5, 0): A is chosen whichever task it is.
    for embeddings: [Float] in [[1, 0.25], [0.25, 1]] {
      var model = try Self.inferenceModel(embeddings: embeddings)
      model.learnedTasks = 2
      #expect(try model.predict(Tensor.ones([1, 1])).scalars == [2, 0])
    }
    // With only the first task learned, it is used even though the second is more confident.
    var model = try Self.inferenceModel(embeddings: [0.25, 1])
    model.learnedTasks = 1
    #expect(try model.predict(Tensor.ones([1, 1])).scalars == [0.5, 0])
  }

  @Test func taskInferenceMasksTheOtherTasksColumns() throws {
    // Four outputs, two heads; the generator writes 2·e into output 0 and 0 elsewhere, so task 0
    // (head 0..<2) is confident when its embedding is large and task 1's head (2..<4) is uniform.
    var model = try Self.inferenceModel(embeddings: [3, 3], groups: [0..<2, 2..<4], outputs: 4)
    model.learnedTasks = 2
    let out = try model.predict(Tensor.ones([1, 1])).scalars
    #expect(
      out[0] == 6 && out[1] == 0 && out[2] == -Float.greatestFiniteMagnitude
        && out[3] == -Float.greatestFiniteMagnitude, "\(out)")
    let head = TaskInferenceHead(layout: TaskLayout(classCounts: [2, 2]))
    #expect(head.predictions(logits: try Tensor(shape: [1, 4], scalars: out), task: 0, trainedThrough: 1) == [0])
  }
}

/// The hypernetwork as a layer: chunking, gradients through generated weights, training behaviour.
@Suite struct HypernetworkTests {
  /// A small target `3 → 4 → tanh → 2` (n_W = 26), 4 chunks of 7 from a tanh generator.
  static let target = Sequential([Linear(3, 4), Tanh(), Linear(4, 2)])

  static func hypernetwork(chunk: Int? = 7, conditional: Bool = false, tasks: Int = 2) -> Hypernetwork {
    Hypernetwork(
      target: target, taskCount: tasks, embeddingSize: 3, hidden: [5], activation: .tanh, chunkSize: chunk,
      chunkEmbeddingSize: 2,
      conditionalChunkEmbeddings: conditional)
  }

  @Test func chunkingProducesTheTargetWeightCount() throws {
    let hnet = Self.hypernetwork()
    #expect(hnet.targetWeightCount == 26)
    #expect(hnet.chunkCount == 4)
    var rng = SeededGenerator(seed: 3)
    let model = Model(Sequential([hnet]), rng: &rng)
    let tape = Tape(recording: false)
    let weights = tape.variables(model.parameters.tensors)[...]
    let flat = try hnet.generate(tasks: [1], weights: weights)
    #expect(flat.shape == [1, 26])
    // The same numbers as the generator's 4 × 7 outputs, cut after 26.
    let ones = Tensor.ones([4, 1])
    let e = try model.parameters["0.embedding.1"]!.reshaped([1, 3])
    let x = try Tensor.concatenate([ones.matmul(e), model.parameters["0.chunks"]!], alongAxis: 1)
    var context = ForwardContext(training: false)
    let raw = try hnet.generator(tape.constant(x), weights: weights.prefix(4), context: &context).value.scalars
    #expect(flat.value.scalars == Array(raw.prefix(26)))
    // Parameter count: generator (5·5 + 5) + (5·7 + 7), chunk embeddings 4·2, embeddings 2·3.
    #expect(hnet.parameterCount == 30 + 42 + 8 + 6)
    #expect(Swift.abs(hnet.compressionRatio - 86.0 / 26.0) < 1e-12)
    let generated = try hnet.targetWeights(from: flat)
    #expect(generated.map(\.shape) == Self.target.parameterSpecs.map(\.shape))
  }

  @Test func unchunkedAndConditionalChunkLayouts() {
    let full = Self.hypernetwork(chunk: nil)
    #expect(full.chunkCount == 1 && full.generatorOutputSize == 26 && full.generatorInputSize == 3)
    #expect(!full.parameterSpecs.contains { $0.name.hasPrefix("chunks") })
    let conditional = Self.hypernetwork(conditional: true)
    #expect(conditional.parameterSpecs.map(\.name).suffix(4) == ["embedding.0", "chunks.0", "embedding.1", "chunks.1"])
    #expect(conditional.conditionalParameterIndices(task: 1) == 6..<8)
    #expect(Hypernetwork.task(ofParameter: "0.chunks.1") == 1 && Hypernetwork.task(ofParameter: "0.chunks") == nil)
  }

  /// The task loss through hypernetwork → generated weights → target → cross-entropy, by task.
  static func lossCheck(_ hnet: Hypernetwork, task: Int) throws -> GradientCheck {
    var rng = SeededGenerator(seed: 5)
    let architecture = Sequential([hnet])
    let model = Model(architecture, rng: &rng)
    let inputs = TestData.uniform([4, 3], seed: 2)
    return try GradientCheck.run(inputs: model.parameters.tensors) { tape, weights in
      let pass = try StepValues.pass(
        architecture: architecture, weights: weights, input: tape.constant(inputs), on: tape,
        names: model.parameters.names, task: task)
      return try crossEntropy(logits: pass.output, labels: [0, 1, 1, 0])
    }
  }

  @Test(arguments: [(7, false), (7, true), (0, false)])
  func gradientThroughGeneratedWeights(chunk: Int, conditional: Bool) throws {
    let report = try Self.lossCheck(
      Self.hypernetwork(chunk: chunk > 0 ? chunk : nil, conditional: conditional), task: 1)
    #expect(report.passed, "\(report)")
  }

  @Test func regulariserGradientWithLookaheadMatchesFiniteDifferences() throws {
    // Targets from one parameter point, the penalty at another with a constant ΔΘ, earlier
    // embeddings trained too: every parameter's gradient is checked.
    let hnet = Self.hypernetwork(conditional: true, tasks: 3)
    let architecture = Sequential([hnet])
    var rng = SeededGenerator(seed: 7)
    let anchor = Model(architecture, rng: &rng)
    let data = try LabelledImages(inputs: TestData.uniform([2, 3]), labels: [0, 1], classNames: ["a", "b"])
    var regulariser = HypernetworkOutputRegulariser(strength: 0.3, lookahead: true, previousEmbeddings: .regularised)
    try regulariser.taskWillStart(
      TaskContext(
        task: 2, data: data, model: anchor, head: MultiHead(layout: TaskLayout(classCounts: [2, 2, 2])),
        layout: TaskLayout(classCounts: [2, 2, 2]), rng: SeededGenerator(seed: 1)))
    let point = try anchor.parameters.mapTensors {
      try $0 + TestData.uniform($0.shape, in: -0.3...0.3, seed: UInt64($0.count))
    }
    let change = point.mapTensors { TestData.uniform($0.shape, in: -0.05...0.05, seed: 11) }
    let batch = Batch(inputs: data.inputs, labels: [0, 1], tasks: [2, 2], currentTask: 2)
    let report = try GradientCheck.run(inputs: point.tensors) { tape, weights in
      let pass = try StepValues.pass(
        architecture: architecture, weights: weights, input: tape.constant(data.inputs), on: tape, names: point.names,
        task: 2)
      let step = StepContext(
        tape: tape, pass: pass, batch: batch, task: 2, iteration: 0, taskGradients: change,
        proposedChange: { _ in change })
      return try #require(try regulariser.penalty(step))
    }
    #expect(report.passed, "\(report)")
  }

  @Test func conformance() throws {
    // The output regulariser's state is re-derived from the model at each task start, so the
    // "remembers the first task" part of the state check does not apply (as for a pull towards the
    // last anchor); the other checks run as for every regulariser. The harness has no optimiser,
    // hence no lookahead; earlier embeddings are regularised so the penalty is a true function of
    // every parameter (with `fixed` they enter as stop-gradient constants, tested by hand above).
    var problem = try ToyProblem(tasks: 3)
    problem.architecture = Sequential([
      Hypernetwork(
        target: problem.architecture, taskCount: 3, embeddingSize: 3, hidden: [5], activation: .tanh, chunkSize: 9,
        chunkEmbeddingSize: 2)
    ])
    let make = {
      HypernetworkOutputRegulariser(strength: 0.5, lookahead: false, previousEmbeddings: .regularised)
        as any Regulariser
    }
    try RegulariserConformance.expectConformance(
      make, except: [.stateSurvivesTaskBoundaries: "the targets are re-derived from the model at each task start"],
      problem: problem)
  }

  /// Trains HNet on a toy problem with the trainer, `tasks` of the problem's tasks, Adam with weight
  /// decay (which would move a parameter with zero gradient).
  static func train(tasks: Int, seed: UInt64 = 1, lookahead: Bool = true) throws -> TrainingResult {
    let problem = try ToyProblem(tasks: 3, trainPerTask: 24)
    let layout = problem.layout
    let hnet = Hypernetwork(
      target: problem.architecture, taskCount: 3, embeddingSize: 4, hidden: [8], chunkSize: 10, chunkEmbeddingSize: 3,
      outputGroups: (0..<3).map(layout.columns))
    let components = try HNet.components(
      Settings(
        component: "hnet", declared: HNet.hyperparameters, given: ["lookahead": String(lookahead), "beta": "0.05"]))
    let plan = TrainingPlan(
      head: try HNet.head(layout: layout, scenario: .task), regularisers: components.regularisers,
      frozenParameters: components.frozenParameters)
    var configuration = problem.configuration
    configuration.optimiser = .adam(learningRate: 0.01, weightDecay: 0.1)
    configuration.length = .iterations(8)
    configuration.resetOptimiserBetweenTasks = components.resetsOptimiser
    let sequence = try TaskSequence(name: "prefix", tasks: Array(problem.sequence.tasks.prefix(tasks)))
    return try ContinualTrainer(configuration: configuration).run(
      sequence, architecture: Sequential([hnet]), plan: plan, seed: seed)
  }

  @Test func earlierEmbeddingsStayFixedWhileLaterTasksTrain() throws {
    let afterFirst = try Self.train(tasks: 1).model.parameters
    let afterAll = try Self.train(tasks: 3).model.parameters
    #expect(afterAll["0.embedding.0"] == afterFirst["0.embedding.0"])
    // The shared parameters and the later embeddings did train.
    #expect(afterAll["0.generator.0.weight"] != afterFirst["0.generator.0.weight"])
    #expect(afterAll["0.embedding.1"] != afterFirst["0.embedding.1"])
    // Embeddings of tasks not yet trained never move, weight decay notwithstanding.
    var rng = SeededGenerator(seed: 1)
    let initial = Model(try Self.train(tasks: 1).model.architecture, rng: &rng).parameters
    #expect(afterFirst["0.embedding.2"] == initial["0.embedding.2"])
  }

  @Test func sameSeedSameRunDifferentSeedDifferentRun() throws {
    let a = try Self.train(tasks: 3, seed: 4), b = try Self.train(tasks: 3, seed: 4),
      c = try Self.train(tasks: 3, seed: 5)
    #expect(a.accuracyMatrix == b.accuracyMatrix && a.model.parameters == b.model.parameters)
    #expect(a.model.parameters != c.model.parameters)
  }

  /// Every parameter equally important: a plain L2 pull, standing in for EWC/SI on the
  /// hypernetwork's parameters.
  struct Uniform: ImportanceEstimator {
    var name: String { "uniform" }
    mutating func importance(after context: TaskContext) throws -> NamedTensors {
      context.model.parameters.mapTensors { Tensor(shape: $0.shape, repeating: 1) }
    }
  }

  @Test func composesWithAQuadraticPenaltyOnTheHypernetwork() throws {
    // The output regulariser and a quadratic penalty on Θ_h in one run: both terms are active from
    // the second task on, and the run differs from HNet alone.
    let problem = try ToyProblem(tasks: 3, trainPerTask: 24)
    let layout = problem.layout
    let hnet = Hypernetwork(
      target: problem.architecture, taskCount: 3, embeddingSize: 4, hidden: [8], chunkSize: 10, chunkEmbeddingSize: 3)
    let regulariser = HypernetworkOutputRegulariser(strength: 0.05)
    let l2 = QuadraticPenalty(
      name: "l2", estimator: Uniform(), strength: 0.5, accumulation: .sum(clampNonNegative: false))
    var configuration = problem.configuration
    configuration.optimiser = .adam(learningRate: 0.01)
    configuration.resetOptimiserBetweenTasks = true
    func run(_ regularisers: [any Regulariser]) throws -> TrainingResult {
      let plan = TrainingPlan(
        head: MultiHead(layout: layout), regularisers: regularisers,
        frozenParameters: { HNet.frozenParameters(task: $0, names: $1, trainsPrevious: false) })
      return try ContinualTrainer(configuration: configuration).run(
        problem.sequence, architecture: Sequential([hnet]), plan: plan, seed: 2)
    }
    let both = try run([regulariser, l2])
    #expect(both.lossTerms[1]["hnet", default: 0] > 0 && both.lossTerms[1]["l2", default: 0] > 0, "\(both.lossTerms)")
    #expect(try run([regulariser]).model.parameters != both.model.parameters)
  }

  @Test func frozenParameterNames() {
    let names = ["0.generator.0.weight", "0.chunks", "0.embedding.0", "0.chunks.0", "0.embedding.1", "0.embedding.2"]
    #expect(
      HNet.frozenParameters(task: 1, names: names, trainsPrevious: false) == [
        "0.embedding.0", "0.chunks.0", "0.embedding.2",
      ])
    #expect(HNet.frozenParameters(task: 1, names: names, trainsPrevious: true) == ["0.embedding.2"])
  }

  @Test func notesReportTheCompressionRatio() {
    let notes = HNet.notes(for: Sequential([Self.hypernetwork()]))
    #expect(notes["hnet.compression_ratio"] == String(format: "%.4f", 86.0 / 26.0))
    #expect(notes["hnet.target_parameters"] == "26" && notes["hnet.chunks"] == "4")
  }
}

extension HNetTests {
  @Test func taskInferenceHeadConforms() throws {
    let layout = TaskLayout(classCounts: [2, 3, 2])
    try HeadConformance.expectConformance(TaskInferenceHead(layout: layout), layout: layout)
  }
}
