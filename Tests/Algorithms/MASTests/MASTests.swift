import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@testable import MAS

/// Hand-computed cases of ALGORITHMS.md §3.4 and the shared conformance checks.
///
/// F(x) = W x with W = [[1, 2], [0, 1]]; the gradient of ‖F‖² is 2 F xᵀ. For x₁ = (1, −1),
/// g₁ = [[−2, 2], [−2, 2]]; for x₂ = (−1, 0), g₂ = [[2, 0], [0, 0]].
@Suite struct MASTests {
  static let w: [Float] = [1, 2, 0, 1]
  static let samples: [Float] = [1, -1, -1, 0]

  static func context(rows: [Float] = w, head: (any Head)? = nil, task: Int = 0, inputs: [Float] = samples) throws
    -> TaskContext
  {
    let outputs = rows.count / 2
    let head = head ?? SharedHead(classCount: 2)
    let architecture = Sequential([Linear(2, outputs, bias: false)])
    let parameters = try NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [outputs, 2], scalars: rows)])
    let n = inputs.count / 2
    let data = try LabelledImages(
      inputs: Tensor(shape: [n, 2], scalars: inputs), labels: [Int](repeating: 0, count: n), classNames: ["0", "1"])
    return TaskContext(
      task: task, data: data, model: try Model(architecture, parameters: parameters), head: head,
      layout: TaskLayout(classCounts: [Int](repeating: 2, count: outputs / 2)), rng: SeededGenerator(seed: 1))
  }

  static func omega(_ estimator: OutputSensitivityEstimator, _ context: TaskContext) throws -> [Float] {
    var estimator = estimator
    return try estimator.importance(after: context).tensors[0].scalars
  }

  @Test func perSampleModeIsThePapersDefinition() throws {
    // (|g₁| + |g₂|) / 2 = [[2, 1], [1, 1]].
    let value = try Self.omega(OutputSensitivityEstimator(mode: .sample), Self.context())
    expectApproximatelyEqual(value, [2, 1, 1, 1], absoluteTolerance: 1e-6)
  }

  @Test func batchModeTakesTheMagnitudeOfTheBatchSum() throws {
    // |g₁ + g₂| / 2 = [[0, 1], [1, 1]]: W₁₁ differs from the paper.
    let value = try Self.omega(OutputSensitivityEstimator(mode: .batch, batchSize: 2), Self.context())
    expectApproximatelyEqual(value, [0, 1, 1, 1], absoluteTolerance: 1e-6)
  }

  @Test func batchModeWithBatchSizeOneEqualsThePaper() throws {
    let value = try Self.omega(OutputSensitivityEstimator(mode: .batch, batchSize: 1), Self.context())
    expectApproximatelyEqual(value, [2, 1, 1, 1], absoluteTolerance: 1e-6)
  }

  @Test(arguments: [OutputSensitivityEstimator.Mode.sample, .batch])
  func sampleCountUsesTheFirstSamples(mode: OutputSensitivityEstimator.Mode) throws {
    // Only x₁: |g₁| = [[2, 2], [2, 2]].
    let value = try Self.omega(OutputSensitivityEstimator(mode: mode, sampleCount: 1), Self.context())
    expectApproximatelyEqual(value, [2, 2, 2, 2], absoluteTolerance: 1e-6)
  }

  @Test(arguments: [OutputSensitivityEstimator.Mode.sample, .batch])
  func multiHeadUsesOnlyTheTasksOutputs(mode: OutputSensitivityEstimator.Mode) throws {
    // Task 1 owns outputs 2 and 3 (rows [[1, 2], [0, 1]]); outputs 0 and 1 belong to task 0 and get no importance.
    let head = MultiHead(layout: TaskLayout(classCounts: [2, 2]))
    let value = try Self.omega(
      OutputSensitivityEstimator(mode: mode, batchSize: 2),
      Self.context(rows: [3, -1, 4, 1] + Self.w, head: head, task: 1))
    expectApproximatelyEqual(
      value, [0, 0, 0, 0] + (mode == .sample ? [2, 1, 1, 1] : [0, 1, 1, 1]), absoluteTolerance: 1e-6)
  }

  @Test func penaltyWithThePapersImportance() throws {
    // λ = 1, θ − θ* = [[0.1, 0], [0, 0]]: Ω₁₁ · 0.01 = 0.02; gradient 2 λ Ω Δ = [[0.4, 0], [0, 0]].
    var mas = QuadraticPenalty(
      name: "mas", estimator: OutputSensitivityEstimator(mode: .sample), strength: 1,
      accumulation: .sum(clampNonNegative: false))
    let context = try Self.context()
    try mas.taskWillStart(context)
    try mas.taskDidFinish(context)
    let moved = try NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [2, 2], scalars: [1.1, 2, 0, 1])])
    let batch = Batch(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], tasks: [1], currentTask: 1)
    let result = try #require(
      try RegulariserHarness.penalty(
        of: mas, architecture: context.model.architecture, parameters: moved, batch: batch, task: 1))
    #expect(abs(result.value - 0.02) < 1e-6, "\(result.value)")
    expectApproximatelyEqual(result.gradients.tensors[0].scalars, [0.4, 0, 0, 0], absoluteTolerance: 1e-6)
  }

  @Test func importancesOfSuccessiveTasksAreSummed() throws {
    var mas = QuadraticPenalty(
      name: "mas", estimator: OutputSensitivityEstimator(mode: .sample), strength: 1,
      accumulation: .sum(clampNonNegative: false))
    for task in 0..<2 {
      let context = try Self.context(task: task)
      try mas.taskWillStart(context)
      try mas.taskDidFinish(context)
    }
    expectApproximatelyEqual(mas.anchors[0].importance.tensors[0].scalars, [4, 2, 2, 2], absoluteTolerance: 1e-6)
  }

  @Test func componentsFromSettings() throws {
    let defaults = try MAS.components(given: [:])
    let mas = try defaults.only(QuadraticPenalty<OutputSensitivityEstimator>.self)
    #expect(defaults.dataRegime == nil)
    #expect(
      mas.outline
        == PenaltyOutline("mas", strength: MAS.lambda.defaultValue, accumulation: .sum(clampNonNegative: false)))
    #expect(mas.estimator.mode == .batch && mas.estimator.batchSize == 200 && mas.estimator.sampleCount == nil)

    let given = ["lambda": "0.5", "mode": "sample", "batch": "10", "samples": "100"]
    let custom = try MAS.components(given: given).only(QuadraticPenalty<OutputSensitivityEstimator>.self)
    #expect(custom.strength == 0.5)
    #expect(custom.estimator.mode == .sample && custom.estimator.batchSize == 10 && custom.estimator.sampleCount == 100)
  }

  @Test(arguments: [OutputSensitivityEstimator.Mode.sample, .batch])
  func conformance(mode: OutputSensitivityEstimator.Mode) throws {
    try RegulariserConformance.expectConformance {
      QuadraticPenalty(
        name: "mas", estimator: OutputSensitivityEstimator(mode: mode, batchSize: 4), strength: 1,
        accumulation: .sum(clampNonNegative: false))
    }
  }
}

extension MASTests {
  @Test(arguments: OutputSensitivityEstimator.Mode.allCases)
  func outputSensitivityEstimatorConforms(mode: OutputSensitivityEstimator.Mode) throws {
    try ImportanceConformance.expectConformance { OutputSensitivityEstimator(mode: mode, batchSize: 5) }
  }
}
