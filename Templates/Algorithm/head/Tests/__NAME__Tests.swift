import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing
import __NAME__

/// Hand-computed cases of ``__NAME__Head`` and the shared gradient check.
///
/// Scaffolded by `swift package new-algorithm --kind head`: when you change the head, change the
/// expected values with it, and keep the gradient check.
@Suite struct __NAME__Tests {
  static let layout = TaskLayout(classCounts: [2, 2])
  static let batch = Batch(
    inputs: Tensor(shape: [2, 1], repeating: 0), labels: [1, 0], tasks: [0, 1], currentTask: 1)
  static let logits = try! Tensor(shape: [2, 4], scalars: [0.5, -1, 2, 0.25, 1, 0, -0.5, 1.5])

  /// Loss, predictions and label columns agree (``HeadConformance``) in every scenario.
  @Test(arguments: Scenario.allCases) func conformance(scenario: Scenario) throws {
    let head = __NAME__Head(
      base: __NAME__Head.standardHead(layout: Self.layout, scenario: scenario), temperature: 2)
    try HeadConformance.expectConformance(head, layout: Self.layout)
  }

  /// The loss's gradient with respect to the logits matches finite differences in every scenario.
  @Test(arguments: Scenario.allCases) func gradientMatchesFiniteDifferences(scenario: Scenario) throws {
    let head = __NAME__Head(
      base: __NAME__Head.standardHead(layout: Self.layout, scenario: scenario), temperature: 2)
    let report = try GradientCheck.run(inputs: [Self.logits]) { _, v in try head.loss(logits: v[0], for: Self.batch) }
    #expect(report.passed, "\(report)")
  }

  /// With T = 2 the loss is the base head's loss of the halved logits; with T = 1 it is the base loss.
  @Test func lossIsTheBaseLossOfScaledLogits() throws {
    let base = ActiveClassHead(layout: Self.layout)
    let tape = Tape()
    let scaledHead = __NAME__Head(base: base, temperature: 2)
    let scaled = try scaledHead.loss(logits: tape.constant(Self.logits), for: Self.batch).value.scalar
    let halved = try base.loss(logits: tape.constant(Self.logits * 0.5), for: Self.batch).value.scalar
    let plainHead = __NAME__Head(base: base, temperature: 1)
    let plain = try plainHead.loss(logits: tape.constant(Self.logits), for: Self.batch).value.scalar
    let unscaled = try base.loss(logits: tape.constant(Self.logits), for: Self.batch).value.scalar
    #expect(
      abs(scaled - halved) < 1e-6 && abs(plain - unscaled) < 1e-6, "\(scaled) vs \(halved), \(plain) vs \(unscaled)")
    #expect(abs(scaled - unscaled) > 1e-3, "the temperature changes the loss")
  }

  /// Predictions are the base head's.
  @Test func predictionsAreTheBaseHeads() {
    let base = MultiHead(layout: Self.layout)
    let head = __NAME__Head(base: base, temperature: 3)
    #expect(
      head.predictions(logits: Self.logits, task: 1, trainedThrough: 1)
        == base.predictions(logits: Self.logits, task: 1, trainedThrough: 1))
    #expect(head.outputCount == 4 && head.columns(forTask: 1, currentTask: 1) == 2..<4)
  }

  /// The command line's settings reach the head.
  @Test func componentsFromSettings() throws {
    let settings = try Settings(
      component: __NAME__.name, declared: __NAME__.hyperparameters,
      given: ["temperature": "4"])
    let make = try #require(try __NAME__.components(settings).head)
    let head = try #require(try make(Self.layout, .class) as? __NAME__Head)
    #expect(head.temperature == 4 && head.base is ActiveClassHead)
  }
}
