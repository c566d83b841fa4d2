import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import EWC
import Testing

/// The worked example of the "Writing a regulariser" article (`Docs/ContinualCore.docc`): the same
/// file the article shows, checked by hand-computed values, the shared conformance checkers and a
/// run of the trainer with EWC stacked on it. `.ci/docs.sh` checks the article's listings equal
/// these files.
@Suite struct GuideExampleRegulariserTests {
  /// `Linear(2, 1)`: parameters `0.weight` (1×2) and `0.bias` (1).
  static let architecture = Sequential([Linear(2, 1)])

  static func parameters(_ w0: Float, _ w1: Float, bias: Float) throws -> NamedTensors {
    try NamedTensors(
      names: ["0.weight", "0.bias"], tensors: [Tensor(shape: [1, 2], scalars: [w0, w1]), Tensor([bias])])
  }

  /// The context of a task that ended at `parameters`.
  static func finished(at parameters: NamedTensors) throws -> TaskContext {
    let data = try LabelledImages(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], classNames: ["a"])
    return TaskContext(
      task: 0, data: data, model: try Model(architecture, parameters: parameters), head: SharedHead(classCount: 1),
      layout: TaskLayout(classCounts: [1, 1]), rng: SeededGenerator(seed: 1))
  }

  @Test func penaltyAndGradientMatchHandComputedValues() throws {
    var l2 = L2ToAnchor(strength: 0.1)
    let batch = Batch(inputs: Tensor(shape: [1, 2], repeating: 1), labels: [0], tasks: [1], currentTask: 1)
    let point = try Self.parameters(1, 3, bias: 0.5)
    // No anchor yet: no penalty.
    #expect(
      try RegulariserHarness.penalty(of: l2, architecture: Self.architecture, parameters: point, batch: batch, task: 1)
        == nil)

    try l2.taskDidFinish(Self.finished(at: Self.parameters(0, 1, bias: 0.5)))
    let result = try #require(
      try RegulariserHarness.penalty(of: l2, architecture: Self.architecture, parameters: point, batch: batch, task: 1))
    // θ − θ* = (1, 2, 0): (0.1 / 2) · (1 + 4 + 0) = 0.25; gradient λ (θ − θ*) = (0.1, 0.2, 0).
    #expect(abs(result.value - 0.25) < 1e-6, "\(result.value)")
    #expect(result.gradients.names == ["0.weight", "0.bias"])
    #expect(
      result.gradients.tensors[0].isApproximatelyEqual(to: try Tensor(shape: [1, 2], scalars: [0.1, 0.2])),
      "\(result.gradients.tensors[0])")
    #expect(result.gradients.tensors[1].isApproximatelyEqual(to: Tensor([0])), "\(result.gradients.tensors[1])")
  }

  @Test func passesTheSharedConformanceChecks() throws {
    let problem = try ToyProblem()
    let make: () -> any Regulariser = { L2ToAnchor(strength: 0.5) }
    try RegulariserConformance.expectConformance(
      make, except: [.stateSurvivesTaskBoundaries: "an L2 pull remembers only the latest anchor"], problem: problem)
    // By design it remembers only the latest task, which the state check reports (and nothing else).
    let state = try RegulariserConformance.checkStateSurvivesTaskBoundaries(make, problem: problem)
    #expect(state.count == 1 && state[0].contains("never saw task 1"), "\(state)")
  }

  @Test func runsWithTheTrainerStackedWithEWC() throws {
    let problem = try ToyProblem()
    let l2 = try L2Anchor.components(
      Settings(component: "l2", declared: L2Anchor.hyperparameters, given: ["lambda": "0.5"]))
    let ewc = try EWC.components(Settings(component: "ewc", declared: EWC.hyperparameters, given: ["lambda": "100"]))
    let plan = TrainingPlan(head: problem.head, regularisers: l2.regularisers + ewc.regularisers)
    let trainer = ContinualTrainer(configuration: problem.configuration)
    let result = try trainer.run(problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)

    // Each term is logged under its own name: zero while task 1 trains, positive once an anchor exists.
    #expect(result.lossTerms.count == 2)
    #expect(result.lossTerms[0]["l2"] == 0 && result.lossTerms[0]["ewc"] == 0, "\(result.lossTerms)")
    #expect((result.lossTerms[1]["l2"] ?? 0) > 0 && (result.lossTerms[1]["ewc"] ?? 0) > 0, "\(result.lossTerms)")
    #expect(result.accuracyMatrix.count == 2 && result.accuracyMatrix.allSatisfy { $0.count == 2 })

    // Without the stack the second task's training ends elsewhere: the terms changed the trajectory.
    let plain = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: TrainingPlan(head: problem.head), seed: 1)
    #expect(plain.model.parameters != result.model.parameters)
  }

  @Test func declaresItsHyperparameterForTheCommandLine() throws {
    #expect(L2Anchor.name == "l2")
    #expect(L2Anchor.hyperparameters.map(\.name) == ["lambda"])
    let regularisers = try L2Anchor.components(
      Settings(component: "l2", declared: L2Anchor.hyperparameters, given: ["lambda": "0.25"])
    ).regularisers
    #expect((regularisers.first as? L2ToAnchor)?.strength == 0.25)
    #expect(throws: SettingsError.self) {
      try Settings(component: "l2", declared: L2Anchor.hyperparameters, given: ["lamda": "1"])
    }
  }
}
