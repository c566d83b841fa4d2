import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing
import __NAME__

/// The shared conformance checks and hand-computed cases of ``__NAME__Penalty``.
///
/// Scaffolded by `swift package new-algorithm`: when you change the penalty, change the expected
/// values of the hand-computed cases with it, and keep the conformance check.
@Suite struct __NAME__Tests {
  /// Every regulariser's checks: zero at the anchor, gradient against finite differences, state
  /// across task boundaries, same seed → same result.
  @Test func conformance() throws {
    try RegulariserConformance.expectConformance { __NAME__Penalty(strength: 1) }
  }

  /// On a toy problem after one task: zero at the anchor; moving every weight by δ = 0.1 gives
  /// `(λ/2) · n · δ²` and the gradient `λ δ` in every element.
  @Test func penaltyAwayFromTheAnchor() throws {
    let strength: Float = 2, delta: Float = 0.1
    var harness = RegulariserHarness(
      regulariser: __NAME__Penalty(strength: strength), problem: try ToyProblem(), seed: 1)
    #expect(try harness.penalty(at: harness.model.parameters, task: 0) == nil, "no penalty before the first task ends")
    try harness.train(task: 0)
    let anchor = harness.model.parameters
    let atAnchor = try #require(try harness.penalty(at: anchor, task: 1))
    #expect(abs(atAnchor.value) < 1e-6, "\(atAnchor.value)")

    let moved = anchor.mapTensors { $0 + delta }
    let n = anchor.tensors.reduce(0) { $0 + $1.count }
    let away = try #require(try harness.penalty(at: moved, task: 1))
    let expected = strength / 2 * Float(n) * delta * delta
    #expect(abs(away.value - expected) <= 1e-4 * expected, "\(away.value) vs \(expected)")
    let gradients = away.gradients.tensors.flatMap(\.scalars)
    #expect(gradients.allSatisfy { abs($0 - strength * delta) < 1e-5 }, "\(gradients)")
  }

  /// The command line's settings reach the penalty.
  @Test func componentsFromSettings() throws {
    let defaults = try __NAME__.components(
      Settings(
        component: __NAME__.name, declared: __NAME__.hyperparameters,
        given: [:]))
    let penalty = try #require(defaults.regularisers.first as? __NAME__Penalty)
    #expect(defaults.regularisers.count == 1 && penalty.strength == 1 && penalty.name == "__name__")
    let custom = try __NAME__.components(
      Settings(
        component: __NAME__.name, declared: __NAME__.hyperparameters,
        given: ["lambda": "5"]))
    #expect((custom.regularisers.first as? __NAME__Penalty)?.strength == 5)
  }
}
