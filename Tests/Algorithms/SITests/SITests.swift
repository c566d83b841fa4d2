import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@testable import SI

/// Hand-computed cases of ALGORITHMS.md §2.4 and the shared conformance checks.
///
/// The model has two weights, `0.weight = [[θ₀, θ₁]]`, starting at θ = (1, −2); one plain-SGD step
/// with lr 0.1 along the task gradient g = (0.5, −1) moves them by Δθ = (−0.05, 0.1).
@Suite struct SITests {
  static let architecture = Sequential([Linear(2, 1, bias: false)])

  static func weights(_ a: Float, _ b: Float) -> NamedTensors {
    try! NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [1, 2], scalars: [a, b])])
  }

  static func context(task: Int = 0, at parameters: NamedTensors) throws -> TaskContext {
    let data = try LabelledImages(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], classNames: ["a"])
    return TaskContext(
      task: task, data: data, model: try Model(architecture, parameters: parameters), head: SharedHead(classCount: 1),
      layout: TaskLayout(classCounts: [1, 1]), rng: SeededGenerator(seed: 1))
  }

  /// One observed step from `start` by `change`, with the given task and total gradients.
  static func step(
    task: Int = 0, iteration: Int = 0, from start: NamedTensors, change: NamedTensors, taskGradient: NamedTensors?,
    totalGradient: NamedTensors
  ) throws -> StepObservation {
    StepValues.observation(
      task: task, iteration: iteration, parameters: try start + change, change: change, totalGradients: totalGradient,
      taskGradients: taskGradient)
  }

  static let theta = weights(1, -2)
  static let g = weights(0.5, -1)
  static let delta = weights(-0.05, 0.1)

  /// Runs one task of `steps` (each from the previous end point) through the estimator.
  static func importance(
    _ estimator: PathIntegralEstimator, steps: [(change: NamedTensors, task: NamedTensors?, total: NamedTensors)],
    from start: NamedTensors = theta
  ) throws -> (omega: NamedTensors?, importance: NamedTensors) {
    var estimator = estimator
    try estimator.taskWillStart(context(at: start))
    var current = start
    for (k, s) in steps.enumerated() {
      try estimator.stepDidFinish(
        step(iteration: k, from: current, change: s.change, taskGradient: s.task, totalGradient: s.total))
      current = try current + s.change
    }
    let omega = estimator.integral
    return (omega, try estimator.importance(after: context(at: current)))
  }

  @Test func pathIntegralOfOneStep() throws {
    // ω = −g·Δθ = (0.025, 0.1).
    let (omega, _) = try Self.importance(PathIntegralEstimator(damping: 0.1), steps: [(Self.delta, Self.g, Self.g)])
    try expectApproximatelyEqual(#require(omega).tensors[0].scalars, [0.025, 0.1], absoluteTolerance: 1e-5)
  }

  @Test func importanceOfAOneStepTask() throws {
    // Ω = (0.025 / (0.0025 + 0.1), 0.1 / (0.01 + 0.1)).
    let (_, omega) = try Self.importance(PathIntegralEstimator(damping: 0.1), steps: [(Self.delta, Self.g, Self.g)])
    expectApproximatelyEqual(omega.tensors[0].scalars, [0.243902, 0.909091], absoluteTolerance: 1e-5)
  }

  @Test func integralAccumulatesOverStepsAndDividesByTheTasksTotalMove() throws {
    // Two identical steps: ω = (0.05, 0.2), Δ_task = (−0.1, 0.2): Ω = (0.05 / 0.11, 0.2 / 0.14).
    let (omega, importance) = try Self.importance(
      PathIntegralEstimator(damping: 0.1), steps: [(Self.delta, Self.g, Self.g), (Self.delta, Self.g, Self.g)])
    try expectApproximatelyEqual(#require(omega).tensors[0].scalars, [0.05, 0.2], absoluteTolerance: 1e-5)
    expectApproximatelyEqual(importance.tensors[0].scalars, [0.454545, 1.428571], absoluteTolerance: 1e-5)
  }

  @Test func gradientSourceTaskUsesTheTaskLossGradient() throws {
    // The total gradient (1.5, 0) would give ω = (0.075, 0); the task gradient gives (0.025, 0.1).
    let total = Self.weights(1.5, 0)
    let estimator = PathIntegralEstimator(damping: 0.1, gradientSource: .task)
    #expect(estimator.needsTaskGradients && estimator.observesSteps)
    let (omega, _) = try Self.importance(estimator, steps: [(Self.delta, Self.g, total)])
    try expectApproximatelyEqual(#require(omega).tensors[0].scalars, [0.025, 0.1], absoluteTolerance: 1e-5)
  }

  @Test func gradientSourceTotalUsesTheWholeObjectivesGradient() throws {
    let total = Self.weights(1.5, 0)
    let estimator = PathIntegralEstimator(damping: 0.1, gradientSource: .total)
    #expect(!estimator.needsTaskGradients && estimator.observesSteps)
    let (omega, importance) = try Self.importance(estimator, steps: [(Self.delta, Self.g, total)])
    try expectApproximatelyEqual(#require(omega).tensors[0].scalars, [0.075, 0], absoluteTolerance: 1e-5)
    expectApproximatelyEqual(importance.tensors[0].scalars, [0.731707, 0], absoluteTolerance: 1e-5)
  }

  @Test func eachTaskStartsAFreshIntegralFromItsOwnStart() throws {
    var estimator = PathIntegralEstimator(damping: 0.1)
    try estimator.taskWillStart(Self.context(at: Self.theta))
    try estimator.stepDidFinish(
      Self.step(from: Self.theta, change: Self.delta, taskGradient: Self.g, totalGradient: Self.g))
    let end = try Self.theta + Self.delta
    _ = try estimator.importance(after: Self.context(at: end))
    // Task 2: one step of the same size from the end of task 1.
    try estimator.taskWillStart(Self.context(task: 1, at: end))
    try expectApproximatelyEqual(#require(estimator.integral).tensors[0].scalars, [0, 0], absoluteTolerance: 1e-5)
    try estimator.stepDidFinish(
      Self.step(task: 1, from: end, change: Self.delta, taskGradient: Self.g, totalGradient: Self.g))
    let next = try estimator.importance(after: Self.context(task: 1, at: end + Self.delta))
    expectApproximatelyEqual(next.tensors[0].scalars, [0.243902, 0.909091], absoluteTolerance: 1e-5)
  }

  // MARK: - Penalty and clamp through QuadraticPenalty

  /// SI's penalty after one one-step task.
  static func siPenalty(
    clamp: Bool, change: NamedTensors = delta, gradient: NamedTensors = g, strength: Float = 1
  ) throws -> QuadraticPenalty<PathIntegralEstimator> {
    var si = QuadraticPenalty(
      name: "si", estimator: PathIntegralEstimator(damping: 0.1), strength: strength,
      accumulation: .sum(clampNonNegative: clamp))
    try si.taskWillStart(context(at: theta))
    try si.stepDidFinish(step(from: theta, change: change, taskGradient: gradient, totalGradient: gradient))
    try si.taskDidFinish(context(at: theta + change))
    return si
  }

  @Test func penaltyNearTheAnchor() throws {
    // θ* = (0.95, −1.9); at θ* + (0.1, 0.1) with c = 1: 0.243902·0.01 + 0.909091·0.01 = 0.01153.
    let si = try Self.siPenalty(clamp: true)
    #expect(si.anchors.count == 1 && si.anchors[0].anchor == Self.weights(0.95, -1.9))
    let batch = Batch(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], tasks: [1], currentTask: 1)
    let result = try #require(
      try RegulariserHarness.penalty(
        of: si, architecture: Self.architecture, parameters: Self.weights(1.05, -1.8), batch: batch, task: 1))
    #expect(abs(result.value - 0.0115299) < 1e-6, "\(result.value)")
    // No ½: the gradient is 2 c Ω (θ − θ*).
    expectApproximatelyEqual(result.gradients.tensors[0].scalars, [0.0487805, 0.181818], absoluteTolerance: 1e-5)
  }

  @Test(arguments: [true, false])
  func clampOfTheAccumulatedImportance(clamp: Bool) throws {
    // g = (−1, −1), Δθ = (−0.05, 0.1) gives ω = (−0.05, 0.1): Ω₁ = relu(−0.05 / 0.1025) = 0 (official),
    // −0.4878 without the clamp (van de Ven).
    let si = try Self.siPenalty(clamp: clamp, gradient: Self.weights(-1, -1))
    let expected: [Float] = clamp ? [0, 0.909091] : [-0.487805, 0.909091]
    expectApproximatelyEqual(si.anchors[0].importance.tensors[0].scalars, expected, absoluteTolerance: 1e-5)
  }

  // MARK: - Algorithm components

  @Test func componentsFromSettings() throws {
    let defaults = try SI.components(given: [:])
    let si = try defaults.only(QuadraticPenalty<PathIntegralEstimator>.self)
    #expect(defaults.dataRegime == nil)
    #expect(si.outline == PenaltyOutline("si", strength: SI.c.defaultValue, accumulation: .sum(clampNonNegative: true)))
    #expect(si.estimator.damping == 0.1 && si.estimator.gradientSource == .task)
    #expect(si.needsTaskGradients && si.observesSteps)

    let given = ["c": "2", "xi": "0.001", "gradient": "total", "clamp": "false"]
    let vdv = try SI.components(given: given).only(QuadraticPenalty<PathIntegralEstimator>.self)
    #expect(vdv.outline == PenaltyOutline("si", strength: 2, accumulation: .sum(clampNonNegative: false)))
    #expect(vdv.estimator.damping == 0.001 && vdv.estimator.gradientSource == .total)
    #expect(!vdv.needsTaskGradients)
  }

  // MARK: - Conformance

  @Test(arguments: PathIntegralEstimator.GradientSource.allCases, [true, false])
  func conformance(gradientSource: PathIntegralEstimator.GradientSource, clamp: Bool) throws {
    try RegulariserConformance.expectConformance {
      QuadraticPenalty(
        name: "si", estimator: PathIntegralEstimator(damping: 0.1, gradientSource: gradientSource), strength: 1,
        accumulation: .sum(clampNonNegative: clamp))
    }
  }
}

extension SITests {
  @Test(arguments: PathIntegralEstimator.GradientSource.allCases)
  func pathIntegralEstimatorConforms(gradientSource: PathIntegralEstimator.GradientSource) throws {
    try ImportanceConformance.expectConformance { PathIntegralEstimator(gradientSource: gradientSource) }
  }
}
