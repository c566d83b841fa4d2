import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import EWC

/// Hand-computed cases of ALGORITHMS.md §1.5 and the shared conformance checks.
@Suite struct EWCTests {
  // MARK: - Fisher of a 2-class softmax with one weight per class (§1.5)

  /// Logits `z = w·x` with `w = (ln 3, 0)`: at x = 1, p = (0.75, 0.25).
  static func context(
    weights: [Float] = [Float(log(3.0)), 0], inputs: [Float] = [1], labels: [Int], head: (any Head)? = nil,
    task: Int = 0, seed: UInt64 = 1
  ) throws -> TaskContext {
    let head = head ?? SharedHead(classCount: 2)
    let architecture = Sequential([Linear(1, weights.count, bias: false)])
    let parameters = try NamedTensors(
      names: ["0.weight"], tensors: [Tensor(shape: [weights.count, 1], scalars: weights)])
    let data = try LabelledImages(
      inputs: Tensor(shape: [inputs.count, 1], scalars: inputs), labels: labels, classNames: ["0", "1"])
    let layout = TaskLayout(classCounts: [Int](repeating: 2, count: head.outputCount / 2))
    return TaskContext(
      task: task, data: data, model: try Model(architecture, parameters: parameters), head: head, layout: layout,
      rng: SeededGenerator(seed: seed))
  }

  static func fisher(_ estimator: FisherEstimator, _ context: TaskContext) throws -> [Float] {
    var estimator = estimator
    let importance = try estimator.importance(after: context)
    #expect(importance.names == ["0.weight"])
    return importance.tensors[0].scalars
  }

  /// One sample whose two classes have p = (0.75, 0.25): each label mode's Fisher per weight, by hand.
  @Test(arguments: [
    // 0.75·0.0625 + 0.25·0.5625 = 0.1875 per weight, whatever the label.
    (FisherEstimator.LabelMode.expected, 1, Float(0.1875)),
    // argmax = class 0: gradient (−0.25, 0.25) squared.
    (.predicted, 1, 0.0625),
    // y = 1: gradient (0.75, −0.75) squared.
    (.empirical, 1, 0.5625),
    // Mammoth's ewc_on: y = 1 has p = 0.25, so 0.25 · 0.5625; y = 0 (p = 0.75): 0.75 · 0.0625.
    (.weighted, 1, 0.140625), (.weighted, 0, 0.046875),
  ])
  func oneSamplesFisherByHand(mode: FisherEstimator.LabelMode, label: Int, expected: Float) throws {
    let value = try Self.fisher(FisherEstimator(labelMode: mode), Self.context(labels: [label]))
    expectApproximatelyEqual(value, [expected, expected], absoluteTolerance: 1e-6)
  }

  @Test func empiricalFisherOverTwoSamplesAndTheVanDeVenNormalisation() throws {
    let context = try Self.context(inputs: [1, 1], labels: [0, 1])
    // (0.0625 + 0.5625) / 2 = 0.3125; van de Ven & Tolias 2019 divide by N − 1 = 1: 0.625.
    let mean = try Self.fisher(FisherEstimator(labelMode: .empirical), context)
    expectApproximatelyEqual(mean, [0.3125, 0.3125], absoluteTolerance: 1e-6)
    let vdv = try Self.fisher(FisherEstimator(labelMode: .empirical, vanDeVen2019Normalisation: true), context)
    expectApproximatelyEqual(vdv, [0.625, 0.625], absoluteTolerance: 1e-6)
    let expectedVdv = try Self.fisher(FisherEstimator(labelMode: .expected, vanDeVen2019Normalisation: true), context)
    expectApproximatelyEqual(expectedVdv, [0.375, 0.375], absoluteTolerance: 1e-6)
  }

  @Test func sampledLabelsAverageToTheExpectedFisher() throws {
    // Each sample contributes 0.0625 (label 0, p = 0.75) or 0.5625 (label 1, p = 0.25).
    let n = 400
    let context = try Self.context(inputs: [Float](repeating: 1, count: n), labels: [Int](repeating: 0, count: n))
    let value = try Self.fisher(FisherEstimator(labelMode: .sampled), context)
    #expect(abs(value[0] - value[1]) < 1e-6, "\(value)")
    let ones = (value[0] - 0.0625) / 0.5 * Float(n)
    #expect(abs(ones - ones.rounded()) < 1e-2, "not a mixture of the two per-sample values: \(value)")
    #expect(abs(value[0] - 0.1875) < 0.05, "\(value)")
    #expect(try Self.fisher(FisherEstimator(labelMode: .sampled), context) == value, "same generator, same estimate")
  }

  @Test func sampleCountUsesASeededSubset() throws {
    let context = try Self.context(inputs: [1, 1], labels: [0, 1])
    let value = try Self.fisher(FisherEstimator(labelMode: .empirical, sampleCount: 1), context)
    let either = [[0.0625, 0.0625], [0.5625, 0.5625]].map {
      ApproximateEquality.firstMismatch(value, $0, absoluteTolerance: 1e-6)
    }
    #expect(either.contains(nil), "\(value)")
    #expect(try Self.fisher(FisherEstimator(labelMode: .empirical, sampleCount: 1), context) == value)
    #expect(
      try Self.fisher(FisherEstimator(labelMode: .empirical, sampleCount: 5), context)
        == Self.fisher(FisherEstimator(labelMode: .empirical), context)
    )
  }

  @Test func multiHeadFisherCoversOnlyTheTasksColumns() throws {
    // Task 1 owns columns 2 and 3, whose weights are (ln 3, 0); columns 0 and 1 get no Fisher.
    let head = MultiHead(layout: TaskLayout(classCounts: [2, 2]))
    let context = try Self.context(weights: [5, -3, Float(log(3.0)), 0], labels: [1], head: head, task: 1)
    let expected = try Self.fisher(FisherEstimator(labelMode: .expected), context)
    expectApproximatelyEqual(expected, [0, 0, 0.1875, 0.1875], absoluteTolerance: 1e-6)
    // Local label 1 of task 1 is column 3.
    let empirical = try Self.fisher(FisherEstimator(labelMode: .empirical), context)
    expectApproximatelyEqual(empirical, [0, 0, 0.5625, 0.5625], absoluteTolerance: 1e-6)
  }

  @Test func activeClassHeadFisherCoversEveryClassSeen() throws {
    // Softmax over all four columns; the expected Fisher of weight c is p_c (1 − p_c).
    let weights: [Float] = [1, -1, Float(log(3.0)), 0]
    let head = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2]))
    let value = try Self.fisher(
      FisherEstimator(labelMode: .expected), Self.context(weights: weights, labels: [0], head: head, task: 1))
    let e = weights.map { exp(Double($0)) }
    let p = e.map { $0 / e.reduce(0, +) }
    expectApproximatelyEqual(value, p.map { Float($0 * (1 - $0)) }, absoluteTolerance: 1e-5)
  }

  // MARK: - Online and offline accumulation (§1.1, §1.5)

  static let oneWeight = Sequential([Linear(1, 1, bias: false)])
  static func weight(_ value: Float) -> NamedTensors {
    try! NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [1, 1], scalars: [value])])
  }

  /// Finishes task 0 at anchor 0.3 with F₁ = 1 and task 1 at anchor 0.5 with F₂ = 0.2.
  static func afterTwoTasks(_ accumulation: QuadraticPenalty<ScriptedImportance>.Accumulation, lambda: Float) throws
    -> QuadraticPenalty<ScriptedImportance>
  {
    var penalty = QuadraticPenalty(
      name: "ewc", estimator: ScriptedImportance([weight(1), weight(0.2)]), strength: lambda, scale: 0.5,
      accumulation: accumulation)
    let data = try LabelledImages(inputs: Tensor(shape: [1, 1], repeating: 1), labels: [0], classNames: ["a"])
    for (task, anchor) in [Float(0.3), 0.5].enumerated() {
      let context = TaskContext(
        task: task, data: data, model: try Model(oneWeight, parameters: weight(anchor)),
        head: SharedHead(classCount: 1),
        layout: TaskLayout(classCounts: [1, 1]), rng: SeededGenerator(seed: 1))
      try penalty.taskWillStart(context)
      try penalty.taskDidFinish(context)
    }
    return penalty
  }

  static func penalty(_ regulariser: any Regulariser, at value: Float) throws -> (value: Float, gradient: Float)? {
    let batch = Batch(inputs: Tensor(shape: [1, 1], repeating: 1), labels: [0], tasks: [2], currentTask: 2)
    return try RegulariserHarness.penalty(
      of: regulariser, architecture: oneWeight, parameters: weight(value), batch: batch, task: 2
    )
    .map { ($0.value, $0.gradients.tensors[0].scalar) }
  }

  @Test func onlineEWCStoresTheDecayedSumAndWeightsItByGammaAgain() throws {
    // F̃₂ = 0.2 + 0.5·1.0 = 0.7 (stored); coefficient γ·F̃₂ = 0.35, times λ/2 = 2.
    let online = try Self.afterTwoTasks(.decayed(gamma: 0.5), lambda: 4)
    #expect(online.anchors.count == 1)
    expectApproximatelyEqual(online.anchors[0].importance.tensors[0].scalars, [0.7], absoluteTolerance: 1e-6)
    #expect(online.anchors[0].anchor == Self.weight(0.5))
    // θ − θ* = 0.1: 2 · 0.35 · 0.01 = 0.007; gradient 2 · 0.35 · 2 · 0.1 = 0.14.
    let result = try #require(try Self.penalty(online, at: 0.6))
    #expect(abs(result.value - 0.007) < 1e-7, "\(result)")
    #expect(abs(result.gradient - 0.14) < 1e-6, "\(result)")
  }

  @Test func onlineEWCWithGammaOneIsAPlainSum() throws {
    let online = try Self.afterTwoTasks(.decayed(gamma: 1), lambda: 2)
    expectApproximatelyEqual(online.anchors[0].importance.tensors[0].scalars, [1.2], absoluteTolerance: 1e-6)
    // λ/2 = 1: 1.2 · 0.01.
    #expect(abs((try Self.penalty(online, at: 0.6)?.value ?? .nan) - 0.012) < 1e-7)
  }

  @Test func offlineEWCKeepsOnePenaltyPerTask() throws {
    let offline = try Self.afterTwoTasks(.perTask, lambda: 4)
    #expect(offline.anchors.count == 2)
    #expect(offline.anchors.map(\.anchor) == [Self.weight(0.3), Self.weight(0.5)])
    // λ/2 · (F₁ (0.6 − 0.3)² + F₂ (0.6 − 0.5)²) = 2 · (0.09 + 0.002) = 0.184;
    // gradient λ/2 · 2 (F₁ · 0.3 + F₂ · 0.1) = 4 · 0.32 = 1.28.
    let result = try #require(try Self.penalty(offline, at: 0.6))
    #expect(abs(result.value - 0.184) < 1e-6, "\(result)")
    #expect(abs(result.gradient - 1.28) < 1e-5, "\(result)")
  }

  // MARK: - Algorithm components

  @Test func ewcComponentsFromSettings() throws {
    let defaults = try EWC.components(given: [:])
    #expect(defaults.dataRegime == nil)
    let ewc = try defaults.only(QuadraticPenalty<FisherEstimator>.self)
    #expect(ewc.outline == PenaltyOutline("ewc", strength: EWC.lambda.defaultValue, scale: 0.5, accumulation: .perTask))
    #expect(
      ewc.estimator.labelMode == .expected && ewc.estimator.sampleCount == nil
        && !ewc.estimator.vanDeVen2019Normalisation)

    let given = ["lambda": "10", "labels": "empirical", "samples": "200", "vdv2019": "true"]
    let custom = try EWC.components(given: given).only(QuadraticPenalty<FisherEstimator>.self)
    #expect(custom.strength == 10)
    #expect(
      custom.estimator.labelMode == .empirical && custom.estimator.sampleCount == 200
        && custom.estimator.vanDeVen2019Normalisation)
  }

  @Test func onlineEWCComponentsFromSettings() throws {
    let online = try OnlineEWC.components(given: ["gamma": "0.5", "lambda": "4"])
      .only(QuadraticPenalty<FisherEstimator>.self)
    #expect(online.outline == PenaltyOutline("online-ewc", strength: 4, scale: 0.5, accumulation: .decayed(gamma: 0.5)))
    #expect(Set(OnlineEWC.hyperparameters.map(\.name)) == ["lambda", "labels", "samples", "vdv2019", "gamma"])
  }

  @Test func everyLabelModeIsASetting() throws {
    for mode in FisherEstimator.LabelMode.allCases {
      let settings = try Settings(component: EWC.name, declared: EWC.hyperparameters, given: ["labels": mode.rawValue])
      #expect(EWC.fisher(settings).labelMode == mode)
    }
  }

  // MARK: - Conformance and training

  @Test(arguments: FisherEstimator.LabelMode.allCases)
  func ewcConformance(labelMode: FisherEstimator.LabelMode) throws {
    try RegulariserConformance.expectConformance {
      QuadraticPenalty(
        name: "ewc", estimator: FisherEstimator(labelMode: labelMode), strength: 20, scale: 0.5, accumulation: .perTask)
    }
  }

  @Test func onlineEWCConformance() throws {
    try RegulariserConformance.expectConformance {
      QuadraticPenalty(
        name: "online-ewc", estimator: FisherEstimator(), strength: 20, scale: 0.5, accumulation: .decayed(gamma: 0.7))
    }
  }

  @Test func penaltyIsActiveFromTheSecondTask() throws {
    let problem = try ToyProblem()
    let settings = try Settings(component: EWC.name, declared: EWC.hyperparameters, given: ["lambda": "100"])
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: EWC.components(settings).regularisers), seed: 1)
    #expect(result.lossTerms[0]["ewc"] == 0)
    #expect((result.lossTerms[1]["ewc"] ?? 0) > 0, "\(result.lossTerms)")
  }
}

extension EWCTests {
  @Test(arguments: FisherEstimator.LabelMode.allCases)
  func fisherEstimatorConforms(labelMode: FisherEstimator.LabelMode) throws {
    try ImportanceConformance.expectConformance { FisherEstimator(labelMode: labelMode) }
    // A seeded subset of the samples, and van de Ven's normalisation.
    try ImportanceConformance.expectConformance {
      FisherEstimator(labelMode: labelMode, sampleCount: 5, vanDeVen2019Normalisation: true)
    }
  }
}
