import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@testable import AGEM

/// A-GEM's projection: hand-computed cases, the projection through the trainer and the
/// trainer-driven conformance checks. Its reference gradient (``StepContext/gradients(ofHeadLossOn:)``)
/// is checked against finite differences in `Tests/ContinualCoreTests/GradientProjectionTests.swift`.
@Suite struct AGEMTests {
  static func named(_ values: [Float]) throws -> NamedTensors {
    try NamedTensors(names: ["a", "b"], tensors: [Tensor([values[0]]), Tensor([values[1]])])
  }

  @Test func handComputedProjection() throws {
    // g = (1, 0), g_ref = (−1, 1): g·g_ref = −1 < 0, ‖g_ref‖² = 2, so
    // g̃ = (1, 0) − (−1/2)(−1, 1) = (0.5, 0.5), and g̃·g_ref = 0.
    let projected = try #require(try GradientProjection.project(Self.named([1, 0]), onto: Self.named([-1, 1])))
    #expect(projected.tensors.map(\.scalars) == [[0.5], [0.5]])
  }

  @Test func noConflictNoChange() throws {
    // g·g_ref = 2 − 1 = 1 ≥ 0 and a zero reference: the gradient is kept.
    #expect(try GradientProjection.project(Self.named([2, 1]), onto: Self.named([1, -1])) == nil)
    #expect(try GradientProjection.project(Self.named([2, 1]), onto: Self.named([0, 0])) == nil)
    #expect(throws: TensorError.self) {
      _ = try GradientProjection.project(
        Self.named([1, 0]), onto: NamedTensors(names: ["c", "d"], tensors: [Tensor([1]), Tensor([1])]))
    }
  }

  /// Class-incremental blobs with a class-balanced memory.
  static func problem() throws -> ToyProblem {
    var problem = try ToyProblem(tasks: 3, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2, 2])))
    problem.replay = ReplayConfiguration(capacity: 8, batchSize: 8)
    return problem
  }

  @Test func theTrainerStepIsTheProjectedGradient() throws {
    // One step of plain SGD by hand: the step the trainer takes with A-GEM equals
    // −lr · project(g, g_ref) for the same draw, and it does not raise the replayed loss to first order.
    let problem = try Self.problem()
    var rng = SeededGenerator(seed: 4)
    let model = Model(problem.architecture, rng: &rng)
    var memory = ReplayMemory(configuration: problem.replay!)
    try memory.update(
      after: TaskContext(
        task: 0, data: problem.sequence.tasks[0].train, model: model, head: problem.head, layout: problem.layout,
        rng: rng))
    let data = problem.sequence.tasks[1].train
    let batch = Batch(
      inputs: data.inputs, labels: data.labels, tasks: [Int](repeating: 1, count: data.count), currentTask: 1)
    func context(_ tape: Tape, _ pass: Model.Pass) -> StepContext {
      StepContext(
        tape: tape, pass: pass, batch: batch, task: 1, iteration: 0,
        replay: ReplaySource(memory: memory, sequence: problem.sequence, currentTask: 1, rng: SeededGenerator(seed: 8)),
        head: problem.head,
        network: StepContext.network(problem.architecture, pass: pass, tape: tape, state: model.state, task: 1))
    }
    let tape = Tape()
    let pass = try model.forward(tape.constant(batch.inputs), on: tape)
    let step = context(tape, pass)
    let g = try pass.gradients(of: problem.head.loss(logits: pass.output, for: batch))
    let reference = try step.gradients(
      ofHeadLossOn: try #require(
        ReplaySource(memory: memory, sequence: problem.sequence, currentTask: 1, rng: SeededGenerator(seed: 8))
          .draw(8)
      ).batch)
    var projected = g
    var agem = GradientProjection()
    try agem.gradientsDidCompute(&projected, step: step)
    let expected = try GradientProjection.project(g, onto: reference) ?? g
    #expect(projected == expected)
    let dot = zip(projected.tensors, reference.tensors).reduce(0.0) { s, p in
      zip(p.0.scalars, p.1.scalars).reduce(s) { $0 + Double($1.0) * Double($1.1) }
    }
    #expect(dot >= -1e-5, "\(dot)")
  }

  @Test func conformance() throws {
    let noPenalty = "A-GEM projects gradients and adds no penalty"
    try RegulariserConformance.expectConformance(
      { GradientProjection() },
      except: [
        .zeroPenaltyAtAnchor: noPenalty, .gradientMatchesFiniteDifferences: noPenalty,
        .stateSurvivesTaskBoundaries: noPenalty,
      ],
      problem: Self.problem())
  }

  @Test func projectionChangesTheRunFromTheSecondTaskOn() throws {
    // With a memory but no projection the run is fine-tuning; A-GEM's runs differ only after task 1.
    let problem = try Self.problem()
    let trainer = ContinualTrainer(configuration: problem.configuration)
    let agem = try trainer.run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: [GradientProjection()], replay: problem.replay), seed: 1)
    let plain = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: TrainingPlan(head: problem.head), seed: 1)
    #expect(agem.accuracyMatrix[0] == plain.accuracyMatrix[0])
    #expect(agem.model.parameters != plain.model.parameters)
  }

  @Test func componentsProjectAndDrawTheirOwnReplay() throws {
    let components = AGEM.components(try AGEM.settings())
    #expect(
      components.usesReplay && components.drawsReplay && components.projectsGradients
        && components.memorySelection == nil)
  }
}
