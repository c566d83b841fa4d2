import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing
import __NAME__

/// The shared conformance checks and hand-computed cases of ``__NAME__Estimator``.
///
/// Scaffolded by `swift package new-algorithm --kind estimator`: when you change the estimate,
/// change the expected values of the hand-computed cases with it, and keep the conformance check.
@Suite struct __NAME__Tests {
  /// A one-layer model `F(x) = W x` with `W = [[1, −2], [0, 3]]` and two samples.
  static func context() throws -> TaskContext {
    let parameters = try NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [2, 2], scalars: [1, -2, 0, 3])])
    let data = try LabelledImages(
      inputs: Tensor(shape: [2, 2], scalars: [1, -1, -1, 0]), labels: [0, 1], classNames: ["0", "1"])
    return TaskContext(
      task: 0, data: data, model: try Model(Sequential([Linear(2, 2, bias: false)]), parameters: parameters),
      head: SharedHead(classCount: 2), layout: TaskLayout(classCounts: [2]), rng: SeededGenerator(seed: 1))
  }

  /// Every regulariser's checks on the penalty built from the estimator.
  @Test func conformance() throws {
    try RegulariserConformance.expectConformance {
      QuadraticPenalty(
        name: "__name__", estimator: __NAME__Estimator(), strength: 1,
        accumulation: .sum(clampNonNegative: false))
    }
  }

  /// The estimator's own checks: named and shaped like the parameters, finite, non-negative, seeded.
  @Test func estimatorConformance() throws {
    try ImportanceConformance.expectConformance { __NAME__Estimator() }
  }

  /// Ω = |W| = [[1, 2], [0, 3]].
  @Test func importanceOfAKnownModel() throws {
    var estimator = __NAME__Estimator()
    let omega = try estimator.importance(after: Self.context())
    #expect(omega.names == ["0.weight"] && omega.tensors[0].scalars == [1, 2, 0, 3], "\(omega)")
  }

  /// With λ = 1 and θ − θ* = [[0.1, 0.1], [0.1, 0.1]]: Σ Ω δ² = 6 · 0.01 = 0.06, gradient 2 Ω δ.
  @Test func penaltyWithTheEstimatedImportance() throws {
    var penalty = QuadraticPenalty(
      name: "__name__", estimator: __NAME__Estimator(), strength: 1,
      accumulation: .sum(clampNonNegative: false))
    let context = try Self.context()
    try penalty.taskWillStart(context)
    try penalty.taskDidFinish(context)
    let moved = context.model.parameters.mapTensors { $0 + 0.1 }
    let batch = Batch(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], tasks: [1], currentTask: 1)
    let result = try #require(
      try RegulariserHarness.penalty(
        of: penalty, architecture: context.model.architecture, parameters: moved, batch: batch, task: 1))
    #expect(abs(result.value - 0.06) < 1e-6, "\(result.value)")
    let expected: [Float] = [0.2, 0.4, 0, 0.6]
    #expect(
      zip(result.gradients.tensors[0].scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 },
      "\(result.gradients.tensors[0])")
  }

  /// The command line's settings reach the penalty.
  @Test func componentsFromSettings() throws {
    let settings = try Settings(
      component: __NAME__.name, declared: __NAME__.hyperparameters,
      given: ["lambda": "5"])
    let regularisers = try __NAME__.components(settings).regularisers
    let penalty = try #require(regularisers.first as? QuadraticPenalty<__NAME__Estimator>)
    #expect(penalty.strength == 5 && penalty.name == "__name__")
  }
}
