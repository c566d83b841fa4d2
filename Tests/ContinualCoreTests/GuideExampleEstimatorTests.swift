import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

/// The worked example of the "Writing an importance estimator" article (`Docs/ContinualCore.docc`):
/// the same file the article shows, checked by hand-computed values and the shared conformance
/// checkers. `.ci/docs.sh` checks the article's listings equal these files.
///
/// `Linear(2, 2, bias: false)` with zero weights and one shared 2-class head: every softmax is
/// (½, ½), so the gradient of sample `(x, y)`'s loss is `(p − e_y) xᵀ`. For x₁ = (1, 2), y₁ = 0 it
/// is [[−½, −1], [½, 1]]; for x₂ = (2, 0), y₂ = 1 it is [[1, 0], [−1, 0]].
@Suite struct GuideExampleEstimatorTests {
  static let architecture = Sequential([Linear(2, 2, bias: false)])

  static func context() throws -> TaskContext {
    let data = try LabelledImages(
      inputs: Tensor(shape: [2, 2], scalars: [1, 2, 2, 0]), labels: [0, 1], classNames: ["a", "b"])
    let zeros = try NamedTensors(names: ["0.weight"], tensors: [Tensor.zeros([2, 2])])
    return TaskContext(
      task: 0, data: data, model: try Model(architecture, parameters: zeros), head: SharedHead(classCount: 2),
      layout: TaskLayout(classCounts: [2, 2]), rng: SeededGenerator(seed: 1))
  }

  static func omega(batchSize: Int) throws -> [Float] {
    var estimator = LossSensitivity(batchSize: batchSize)
    return try estimator.importance(after: context()).tensors[0].scalars
  }

  @Test func perSampleBatchesAverageTheMagnitudes() throws {
    // (|g₁| + |g₂|) / 2 = [[0.75, 0.5], [0.75, 0.5]].
    let value = try Self.omega(batchSize: 1)
    expectApproximatelyEqual(value, [0.75, 0.5, 0.75, 0.5], absoluteTolerance: 1e-6)
  }

  @Test func oneBatchTakesTheMagnitudeOfTheMeanGradient() throws {
    // |(g₁ + g₂) / 2| = [[0.25, 0.5], [0.25, 0.5]]: opposite signs cancel first.
    let value = try Self.omega(batchSize: 2)
    expectApproximatelyEqual(value, [0.25, 0.5, 0.25, 0.5], absoluteTolerance: 1e-6)
  }

  @Test func quadraticPenaltyUsesTheImportance() throws {
    let settings = try Settings(
      component: "sensitivity", declared: Sensitivity.hyperparameters, given: ["lambda": "2", "batch": "1"])
    var penalty = try #require(try Sensitivity.components(settings).regularisers.first)
    try penalty.taskDidFinish(Self.context())
    // Anchor 0, Ω = [[0.75, 0.5], [0.75, 0.5]], θ = [[1, 1], [0, 0]]: 2 · (0.75 + 0.5) = 2.5,
    // gradient 2 λ Ω (θ − θ*) = [[3, 2], [0, 0]].
    let point = try NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [2, 2], scalars: [1, 1, 0, 0])])
    let batch = Batch(inputs: Tensor.zeros([1, 2]), labels: [0], tasks: [1], currentTask: 1)
    let result = try #require(
      try RegulariserHarness.penalty(
        of: penalty, architecture: Self.architecture, parameters: point, batch: batch, task: 1))
    #expect(abs(result.value - 2.5) < 1e-5, "\(result.value)")
    expectApproximatelyEqual(result.gradients.tensors[0].scalars, [3, 2, 0, 0], absoluteTolerance: 1e-6)
  }

  @Test func passesTheSharedConformanceChecks() throws {
    let settings = try Settings(
      component: "sensitivity", declared: Sensitivity.hyperparameters, given: ["lambda": "10", "batch": "4"])
    try RegulariserConformance.expectConformance { try Sensitivity.components(settings).regularisers[0] }
  }

  @Test func runsWithTheTrainerAndLogsItsTerm() throws {
    let problem = try ToyProblem()
    let settings = try Settings(component: "sensitivity", declared: Sensitivity.hyperparameters, given: [:])
    let plan = TrainingPlan(head: problem.head, regularisers: try Sensitivity.components(settings).regularisers)
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    #expect(result.lossTerms[0]["sensitivity"] == 0, "\(result.lossTerms)")
    #expect((result.lossTerms[1]["sensitivity"] ?? 0) > 0, "\(result.lossTerms)")
  }
}

extension GuideExampleEstimatorTests {
  @Test func lossSensitivityConforms() throws {
    try ImportanceConformance.expectConformance { LossSensitivity(batchSize: 5) }
  }
}
