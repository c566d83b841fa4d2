import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

/// The extension GEM-like methods use, tested from outside any algorithm target: a regulariser
/// that draws replayed samples (``Regulariser/drawsReplay``) gets the run's memory in
/// ``StepContext/replay``, a reference gradient from ``StepContext/gradients(ofHeadLossOn:)``, and
/// changes the gradient in ``Regulariser/gradientsDidCompute(_:step:)`` before the optimiser step.
@Suite struct GradientProjectionTests {
  /// A user-written projection: removes from the gradient its component along the reference
  /// gradient (whatever the sign), and logs what it saw.
  struct Orthogonalise: Regulariser, StatelessBetweenTasks {
    final class Log: @unchecked Sendable {
      var batchSizes: [Int] = [], referenceDrawn: [Bool] = [], residualDots: [Double] = []
    }
    let log: Log
    var name: String { "orthogonalise" }
    var drawsReplay: Bool { true }
    func penalty(_ step: StepContext) throws -> Variable? {
      log.batchSizes.append(step.batch.count)
      return nil
    }
    mutating func gradientsDidCompute(_ gradients: inout NamedTensors, step: StepContext) throws {
      guard let drawn = step.replay?.draw(4) else {
        log.referenceDrawn.append(false)
        return
      }
      log.referenceDrawn.append(true)
      let reference = try step.gradients(ofHeadLossOn: drawn.batch)
      let dot = Self.dot(gradients, reference), norm = Self.dot(reference, reference)
      guard norm > 0 else { return }
      gradients = try gradients - reference * Float(dot / norm)
      log.residualDots.append(Self.dot(gradients, reference) / norm.squareRoot())
    }
    static func dot(_ a: NamedTensors, _ b: NamedTensors) -> Double {
      zip(a.tensors, b.tensors).reduce(0.0) { sum, pair in
        zip(pair.0.scalars, pair.1.scalars).reduce(sum) { $0 + Double($1.0) * Double($1.1) }
      }
    }
  }

  /// A one-task sequence whose two training samples are `x₀ = (1, 2)` (label 0) and `x₁ = (0, 1)` (label 1).
  static func sequence() throws -> TaskSequence {
    let train = try LabelledImages(inputs: Tensor(rows: [[1, 2], [0, 1]]), labels: [0, 1])
    return try TaskSequence(
      name: "two", tasks: [ContinualTask(index: 0, name: "t", train: train, test: train, sourceClasses: [0, 1])])
  }

  @Test func referenceGradientIsTheHeadLossGradientOnTheReplayedBatch() throws {
    // W = 0 (2 outputs × 2 inputs, no bias): softmax = (½, ½) for any input, so for one sample
    // x₀ = (1, 2) with label 0 the cross-entropy gradient is (p − e₀) x₀ᵀ = [[−½, −1], [½, 1]].
    let sequence = try Self.sequence()
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 1, selection: .reservoir))
    var rng = SeededGenerator(seed: 1)
    memory.offer(
      Batch(inputs: try Tensor(rows: [[1, 2]]), labels: [0], tasks: [0], currentTask: 0, indices: [0]), outputs: nil,
      using: &rng)
    let model = try Model(
      Sequential([Linear(2, 2, bias: false)]),
      parameters: NamedTensors(names: ["0.weight"], tensors: [Tensor.zeros([2, 2])]))
    let tape = Tape()
    let pass = try model.forward(tape.constant(Tensor(rows: [[0, 1]])), on: tape)
    let head = SharedHead(classCount: 2)
    let step = StepContext(
      tape: tape, pass: pass,
      batch: Batch(inputs: try Tensor(rows: [[0, 1]]), labels: [1], tasks: [0], currentTask: 0), task: 0,
      iteration: 0,
      replay: ReplaySource(memory: memory, sequence: sequence, currentTask: 0, rng: SeededGenerator(seed: 2)),
      head: head,
      network: StepContext.network(model.architecture, pass: pass, tape: tape, state: model.state, task: 0))
    let drawn = try #require(step.replay?.draw(8))
    #expect(drawn.batch.count == 1 && drawn.batch.labels == [0] && drawn.outputs == nil)
    let reference = try step.gradients(ofHeadLossOn: drawn.batch)
    #expect(reference["0.weight"]?.scalars == [-0.5, -1, 0.5, 1])
  }

  @Test func referenceGradientMatchesFiniteDifferences() throws {
    let problem = try ToyProblem(tasks: 2, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2])))
    var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 6, selection: .reservoir))
    var rng = SeededGenerator(seed: 3)
    let data = problem.sequence.tasks[0].train
    memory.offer(
      Batch(
        inputs: data.inputs, labels: data.labels, tasks: [Int](repeating: 0, count: data.count), currentTask: 1,
        indices: Array(0..<data.count)), outputs: nil, using: &rng)
    var generator = SeededGenerator(seed: 4)
    let parameters = Model(problem.architecture, rng: &generator).parameters
    let current = Batch(
      inputs: problem.sequence.tasks[1].train.inputs, labels: problem.sequence.tasks[1].train.labels,
      tasks: [Int](repeating: 1, count: 16), currentTask: 1)
    func reference(_ tape: Tape, _ weights: [Variable]) throws -> (StepContext, Batch) {
      let pass = try StepValues.pass(
        architecture: problem.architecture, weights: weights, input: tape.constant(current.inputs), on: tape,
        names: parameters.names, task: 1)
      let source = ReplaySource(
        memory: memory, sequence: problem.sequence, currentTask: 1, rng: SeededGenerator(seed: 5))
      let step = StepContext(
        tape: tape, pass: pass, batch: current, task: 1, iteration: 0, replay: source, head: problem.head,
        network: StepContext.network(problem.architecture, pass: pass, tape: tape, state: NamedTensors(), task: 1))
      return (step, try #require(source.draw(4)).batch)
    }
    // The head loss on a replayed draw, run through `outputs(for:)`, has the gradient finite
    // differences give; and `gradients(ofHeadLossOn:)` is exactly that gradient.
    let report = try GradientCheck.run(inputs: parameters.tensors) { tape, weights in
      let (step, drawn) = try reference(tape, weights)
      return try problem.head.loss(logits: step.outputs(for: drawn.inputs), for: drawn)
    }
    #expect(report.passed, "\(report)")
    let tape = Tape()
    let weights = tape.variables(parameters.tensors)
    let (step, drawn) = try reference(tape, weights)
    let viaContext = try step.gradients(ofHeadLossOn: drawn)
    let loss = try problem.head.loss(logits: step.outputs(for: drawn.inputs), for: drawn)
    #expect(viaContext.tensors == (try tape.gradients(of: loss, withRespectTo: weights)))
  }

  @Test func theTrainerHandsTheMemoryToAProjectionAndJoinsNothing() throws {
    var problem = try ToyProblem(tasks: 2, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2])))
    problem.configuration.batchSize = 8
    let log = Orthogonalise.Log()
    let plan = TrainingPlan(
      head: problem.head, regularisers: [Orthogonalise(log: log)], replay: ReplayConfiguration(capacity: 8))
    _ = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    // Six steps per task; the class-balanced memory fills at the end of task 1, so only task 2's
    // steps have a reference; no replayed sample was joined to any batch.
    #expect(log.batchSizes == [Int](repeating: 8, count: 12))
    #expect(log.referenceDrawn == [Bool](repeating: false, count: 6) + [Bool](repeating: true, count: 6))
    // After the projection the gradient is orthogonal to the reference.
    #expect(log.residualDots.count == 6 && log.residualDots.allSatisfy { abs($0) < 1e-4 }, "\(log.residualDots)")
  }

  @Test func withoutADrawingRegulariserReplayIsJoinedAsBefore() throws {
    var problem = try ToyProblem(tasks: 2, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2])))
    problem.configuration.batchSize = 8
    let sizes = try problem.batchTasks(replay: ReplayConfiguration(capacity: 8, batchSize: 3)).map(\.samples.count)
    #expect(sizes == [Int](repeating: 8, count: 6) + [Int](repeating: 11, count: 6))
  }
}
