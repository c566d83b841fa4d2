import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

/// `QuadraticPenalty` with scripted importances on a model with two weights, `0.weight = [[w₀, w₁]]`.
@Suite struct QuadraticPenaltyTests {
  static let architecture = Sequential([Linear(2, 1, bias: false)])

  static func parameters(_ w0: Float, _ w1: Float) -> NamedTensors {
    try! NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [1, 2], scalars: [w0, w1])])
  }

  static func context(task: Int, at parameters: NamedTensors) throws -> TaskContext {
    let data = try LabelledImages(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], classNames: ["a"])
    return TaskContext(
      task: task, data: data, model: try Model(architecture, parameters: parameters), head: SharedHead(classCount: 1),
      layout: TaskLayout(classCounts: [1, 1]), rng: SeededGenerator(seed: 1))
  }

  static var batch: Batch {
    Batch(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], tasks: [1], currentTask: 1)
  }

  static func penalty(_ r: any Regulariser, at parameters: NamedTensors) throws -> (
    value: Float, gradients: NamedTensors
  )? {
    try RegulariserHarness.penalty(of: r, architecture: architecture, parameters: parameters, batch: batch, task: 1)
  }

  /// Finishes one task per (anchor, importance) pair.
  static func finished<E>(_ penalty: QuadraticPenalty<E>, anchors: [NamedTensors]) throws -> QuadraticPenalty<E> {
    var penalty = penalty
    for (task, anchor) in anchors.enumerated() {
      try penalty.taskWillStart(context(task: task, at: anchor))
      try penalty.taskDidFinish(context(task: task, at: anchor))
    }
    return penalty
  }

  @Test func inactiveBeforeTheFirstTaskFinishes() throws {
    var penalty = QuadraticPenalty(
      name: "q", estimator: ScriptedImportance([Self.parameters(1, 1)]), strength: 1, accumulation: .perTask)
    #expect(try Self.penalty(penalty, at: Self.parameters(5, 5)) == nil)
    try penalty.taskWillStart(Self.context(task: 0, at: Self.parameters(0, 0)))
    #expect(try Self.penalty(penalty, at: Self.parameters(5, 5)) == nil)
    #expect(penalty.anchors.isEmpty)
  }

  @Test func perTaskKeepsEveryAnchorAndSumsTheirPenalties() throws {
    // strength 2 × scale ½ = 1; F₁ = (1, 2) at (0, 0), F₂ = (3, 0) at (1, 1).
    let scripted = ScriptedImportance([Self.parameters(1, 2), Self.parameters(3, 0)])
    let penalty = try Self.finished(
      QuadraticPenalty(name: "ewc", estimator: scripted, strength: 2, scale: 0.5, accumulation: .perTask),
      anchors: [Self.parameters(0, 0), Self.parameters(1, 1)])
    #expect(penalty.anchors.count == 2)
    // At (1, 2): 1·1 + 2·4 + 3·0 + 0·1 = 9.
    try expectApproximatelyEqual(Self.penalty(penalty, at: Self.parameters(1, 2))?.value, 9, absoluteTolerance: 1e-6)
    // At (0.5, 0.5): 0.25 + 0.5 + 0.75 + 0 = 1.5; gradient 2F₁(θ − A₁) + 2F₂(θ − A₂) = (1 − 3, 2 + 0).
    let result = try #require(try Self.penalty(penalty, at: Self.parameters(0.5, 0.5)))
    expectApproximatelyEqual(result.value, 1.5, absoluteTolerance: 1e-6)
    #expect(
      result.gradients.tensors[0].isApproximatelyEqual(to: try Tensor(shape: [1, 2], scalars: [-2, 2])),
      "\(result.gradients.tensors[0])")
  }

  @Test(arguments: [false, true])
  func sumAccumulatesImportancesAndKeepsTheLatestAnchor(clamp: Bool) throws {
    // Ω₁ = (1, −2), Ω₂ = (0.5, 1). Clamped after each task: (1, 0) then (1.5, 1); unclamped (1.5, −1).
    let scripted = ScriptedImportance([Self.parameters(1, -2), Self.parameters(0.5, 1)])
    let penalty = try Self.finished(
      QuadraticPenalty(name: "si", estimator: scripted, strength: 3, accumulation: .sum(clampNonNegative: clamp)),
      anchors: [Self.parameters(0, 0), Self.parameters(1, 1)])
    #expect(penalty.anchors.count == 1)
    #expect(penalty.anchors[0].anchor == Self.parameters(1, 1))
    #expect(penalty.anchors[0].importance == (clamp ? Self.parameters(1.5, 1) : Self.parameters(1.5, -1)))
    // At θ − θ* = (0.1, 0.2), strength 3: 3 (1.5·0.01 ± 1·0.04).
    let value = try Self.penalty(penalty, at: Self.parameters(1.1, 1.2))?.value
    expectApproximatelyEqual(value, clamp ? 0.165 : -0.075, absoluteTolerance: 1e-6)
  }

  @Test func clampAppliesAfterEveryTask() throws {
    // Ω₁ = (−1, 0) clamps to (0, 0) before Ω₂ = (0.5, 0) is added: (0.5, 0), not (−0.5 → 0, 0).
    let scripted = ScriptedImportance([Self.parameters(-1, 0), Self.parameters(0.5, 0)])
    let penalty = try Self.finished(
      QuadraticPenalty(name: "si", estimator: scripted, strength: 1, accumulation: .sum(clampNonNegative: true)),
      anchors: [Self.parameters(0, 0), Self.parameters(0, 0)])
    #expect(penalty.anchors[0].importance == Self.parameters(0.5, 0))
  }

  @Test func decayedRunningImportanceIsWeightedByGammaAgain() throws {
    // F̃₂ = F₂ + γF₁ = 0.2 + 0.5·1 = 0.7; the penalty uses γF̃₂ = 0.35, times strength·scale = 2·½.
    let scripted = ScriptedImportance([Self.parameters(1, 1), Self.parameters(0.2, 0.2)])
    let penalty = try Self.finished(
      QuadraticPenalty(
        name: "online", estimator: scripted, strength: 2, scale: 0.5, accumulation: .decayed(gamma: 0.5)),
      anchors: [Self.parameters(0, 0), Self.parameters(1, 1)])
    #expect(penalty.anchors.count == 1)
    #expect(
      penalty.anchors[0].importance.tensors[0].isApproximatelyEqual(
        to: try Tensor(shape: [1, 2], scalars: [0.7, 0.7])))
    // θ − θ* = (0.1, −0.2): 0.35·(0.01 + 0.04) = 0.0175.
    try expectApproximatelyEqual(
      Self.penalty(penalty, at: Self.parameters(1.1, 0.8))?.value, 0.0175, absoluteTolerance: 1e-6)
  }

  @Test func importancesMustBeNamedLikeTheParameters() throws {
    let wrong = try NamedTensors(names: ["other"], tensors: [Tensor.ones([1, 2])])
    var penalty = QuadraticPenalty(
      name: "q", estimator: ScriptedImportance([wrong]), strength: 1, accumulation: .perTask)
    #expect(throws: TensorError.self) { try penalty.taskDidFinish(Self.context(task: 0, at: Self.parameters(0, 0))) }
    let misshapen = try NamedTensors(names: ["0.weight"], tensors: [Tensor.ones([2])])
    var second = QuadraticPenalty(
      name: "q", estimator: ScriptedImportance([misshapen]), strength: 1, accumulation: .perTask)
    #expect(throws: TensorError.self) { try second.taskDidFinish(Self.context(task: 0, at: Self.parameters(0, 0))) }
  }

  @Test func forwardsTheEstimatorsNeeds() {
    let plain = QuadraticPenalty(name: "q", estimator: ScriptedImportance([]), strength: 1, accumulation: .perTask)
    #expect(!plain.observesSteps && !plain.needsTaskGradients)
  }

  @Test(arguments: [
    QuadraticPenalty<ScriptedImportance>.Accumulation.perTask, .sum(clampNonNegative: true), .decayed(gamma: 0.5),
  ])
  func conformance(accumulation: QuadraticPenalty<ScriptedImportance>.Accumulation) throws {
    // Scripted importances shaped like the toy problem's parameters.
    let problem = try ToyProblem()
    var rng = SeededGenerator(seed: 7)
    let model = Model(problem.architecture, rng: &rng)
    let importances = (1...2).map { k in
      model.parameters.mapTensors { $0.map { _ in Float(k) * (0.5 + rng.nextUniform()) } }
    }
    try RegulariserConformance.expectConformance(
      {
        QuadraticPenalty(name: "q", estimator: ScriptedImportance(importances), strength: 2, accumulation: accumulation)
      },
      problem: problem)
  }
}
