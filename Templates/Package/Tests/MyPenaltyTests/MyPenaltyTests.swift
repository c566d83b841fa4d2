import ContinualCore
import ContinualEngine
import ContinualTesting
import EWC
import MyPenalty
import Testing

/// MyPenalty against ContinualKit's shared checks, a hand-computed case and a run stacked with EWC.
@Suite struct MyPenaltyTests {
  /// Every regulariser's checks: zero at the anchor, gradient against finite differences, state
  /// across task boundaries, same seed → same result, resume from a checkpoint.
  @Test func conformance() throws {
    try RegulariserConformance.expectConformance { MagnitudePull(strength: 1) }
  }

  /// After one task, `Ω = |θ*|`. Moving every weight by δ gives `(λ/2) δ² Σ_i |θ*_i|` and the
  /// gradient `λ |θ*_i| δ` in element `i`.
  @Test func penaltyAwayFromTheAnchor() throws {
    let strength: Float = 2, delta: Float = 0.1
    var harness = RegulariserHarness(regulariser: MagnitudePull(strength: strength), problem: try ToyProblem(), seed: 1)
    #expect(try harness.penalty(at: harness.model.parameters, task: 0) == nil, "no penalty before the first task ends")
    try harness.train(task: 0)
    let anchor = harness.model.parameters
    let magnitudes = anchor.tensors.flatMap(\.scalars).map(abs)

    let away = try #require(try harness.penalty(at: anchor.mapTensors { $0 + delta }, task: 1))
    let expected = strength / 2 * delta * delta * magnitudes.reduce(0, +)
    #expect(abs(away.value - expected) <= 1e-4 * expected, "\(away.value) vs \(expected)")
    let gradients = away.gradients.tensors.flatMap(\.scalars)
    for (gradient, magnitude) in zip(gradients, magnitudes) {
      #expect(abs(gradient - strength * magnitude * delta) < 1e-5, "\(gradient) vs \(strength * magnitude * delta)")
    }
  }

  /// `--set my-penalty.lambda=5` reaches the penalty.
  @Test func settingsReachThePenalty() throws {
    let components = try MyPenalty.components(
      Settings(component: MyPenalty.name, declared: MyPenalty.hyperparameters, given: ["lambda": "5"]))
    #expect((components.regularisers.first as? MagnitudePull)?.strength == 5)
  }

  /// EWC and MyPenalty in one objective: both terms are in the loss of the second task.
  @Test func stacksWithEWC() throws {
    let problem = try ToyProblem()
    // Core's stack combines the parts by the same rules as `continual compare --algorithms ewc+my-penalty`.
    let stack = try AlgorithmStack([EWC.self, MyPenalty.self])
    #expect(stack.name == "ewc+my-penalty")
    let plan = TrainingPlan(head: problem.head, regularisers: try stack.components().regularisers)
    let result = try ContinualTrainer(configuration: problem.configuration)
      .run(problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    let secondTask = try #require(result.lossTerms.last)
    #expect((secondTask["ewc"] ?? 0) > 0 && (secondTask["my-penalty"] ?? 0) > 0, "\(secondTask)")
  }
}
