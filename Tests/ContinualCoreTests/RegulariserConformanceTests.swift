import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing

/// The conformance checkers themselves: a correct regulariser passes, and each kind of bug is caught
/// by the check meant for it.
@Suite struct RegulariserConformanceTests {
  /// `Σ_k s Σ (θ − θ*_k − offset)²` over every finished task's anchor, with switchable bugs.
  struct Pull: Regulariser {
    enum Bug: Sendable {
      case none, offsetAnchor, detachedGradient, forgetsAtTaskStart, keepsOnlyLastAnchor, randomStrength,
        dropsAnchorsFromCheckpoints
    }
    var bug: Bug
    var anchors: [NamedTensors] = []
    var strength: Float = 1
    var name: String { "pull" }

    func penalty(_ step: StepContext) throws -> Variable? {
      guard !anchors.isEmpty else { return nil }
      let offset: Float = bug == .offsetAnchor ? 0.1 : 0
      var total: Variable?
      for anchor in anchors {
        for (weight, a) in zip(step.pass.weights, anchor.tensors) {
          let term = try weight.weightedSquaredDistance(
            to: a + offset, weights: Tensor(shape: a.shape, repeating: strength))
          total = try total.map { try $0 + term } ?? term
        }
      }
      guard bug == .detachedGradient, let total else { return total }
      // The right value with a gradient of zero.
      return try step.tape.constant(total.value) + step.pass.weights[0].sum() * 0
    }

    mutating func taskWillStart(_ context: TaskContext) throws {
      if bug == .forgetsAtTaskStart { anchors = [] }
    }

    mutating func taskDidFinish(_ context: TaskContext) throws {
      if bug == .keepsOnlyLastAnchor { anchors = [] }
      if bug == .randomStrength { strength = Float.random(in: 0.5...2) }
      anchors.append(context.model.parameters)
    }
  }

  static func failures(_ bug: Pull.Bug) throws -> [String] { try RegulariserConformance.check { Pull(bug: bug) } }

  @Test func aCorrectRegulariserPasses() throws {
    let failures = try Self.failures(.none)
    #expect(failures.isEmpty, "\(failures)")
  }

  /// Each planted bug is reported by the check that looks for it, with these message prefixes: a
  /// penalty not zero at the anchor, a gradient that skips the penalty, state lost when a task starts,
  /// earlier tasks forgotten, a run that depends on more than its seed.
  @Test(arguments: [
    (Pull.Bug.offsetAnchor, ["zero at anchor: the penalty", "zero at anchor: the penalty's gradient"]),
    (.detachedGradient, ["gradient after task 1", "gradient after task 2"]),
    (.forgetsAtTaskStart, ["state: taskWillStart of task 2 changed the penalty"]),
    (.keepsOnlyLastAnchor, ["state: after task 2 the penalty"]),
    (.randomStrength, ["same seed: the final parameters differ"]),
  ])
  func aPlantedBugIsCaught(bug: Pull.Bug, prefixes: [String]) throws {
    let failures = try Self.failures(bug)
    for prefix in prefixes { #expect(failures.contains { $0.hasPrefix(prefix) }, "\(prefix): \(failures)") }
  }

  @Test func forgettingEarlierTasksIsNamedAsSuch() throws {
    let failures = try Self.failures(.keepsOnlyLastAnchor)
    #expect(failures.contains { $0.contains("equals that of a regulariser that never saw task 1") }, "\(failures)")
  }

  @Test func stateMissingFromCheckpointsIsCaught() throws {
    let failures = try Self.failures(.dropsAnchorsFromCheckpoints)
    #expect(failures.contains { $0.hasPrefix("checkpoint: the resumed run's final parameters differ") }, "\(failures)")
    #expect(failures.count == 1 || failures.allSatisfy { $0.hasPrefix("checkpoint:") }, "\(failures)")
  }

  @Test func aRegulariserThatCannotBeCheckpointedIsCaught() throws {
    let failures = try RegulariserConformance.checkResumesFromCheckpoint(
      { RecordingRegulariser(name: "probe", log: .init()) }, problem: ToyProblem())
    #expect(failures == ["checkpoint: 'probe' does not conform to Checkpointable"])
  }

  @Test func displacementKeepsEveryWeightAwayFromItsAnchor() throws {
    let zeros = try NamedTensors(names: ["a", "b"], tensors: [Tensor.zeros([3, 4]), Tensor.zeros([5])])
    let moved = try RegulariserConformance.displaced(zeros, by: 0.5, seed: 3)
    #expect(moved.names == zeros.names)
    for tensor in moved.tensors {
      #expect(tensor.scalars.allSatisfy { (0.1 - 1e-6...0.5 + 1e-6).contains(abs($0)) }, "\(tensor)")
    }
    #expect(try RegulariserConformance.displaced(zeros, by: 0.5, seed: 3) == moved)
  }

  @Test func stepValuesCarryTheirFields() throws {
    let g = try NamedTensors(names: ["w"], tensors: [Tensor([1, 2])])
    let observation = StepValues.observation(
      task: 2, iteration: 7, parameters: g, change: g * 2, totalGradients: g * 3, taskGradients: nil)
    #expect(observation.task == 2 && observation.iteration == 7)
    #expect(
      observation.parameters == g && observation.change == g * 2 && observation.totalGradients == g * 3
        && observation.taskGradients == nil)
  }
}

extension RegulariserConformanceTests.Pull: Checkpointable {
  func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: [
      "count": [Double(bug == .dropsAnchorsFromCheckpoints ? 0 : anchors.count)], "strength": [Double(strength)],
    ])
    if bug != .dropsAnchorsFromCheckpoints {
      for (t, a) in anchors.enumerated() { state.store(a, under: "anchor.\(t)") }
    }
    return state
  }

  mutating func restore(from state: CheckpointState, model: Model) throws {
    let count = try state.integer("count", in: 0...100, component: name)
    anchors = try (0..<count).map { try state.tensors(under: "anchor.\($0)", like: model.parameters, component: name) }
    strength = Float(state.numbers["strength"]?.first ?? 1)
  }
}

extension RegulariserConformanceTests {
  @Test func expectConformanceRecordsAFailingCheckAtTheCaller() throws {
    let line = #line + 2
    try withKnownIssue {
      try RegulariserConformance.expectConformance { Pull(bug: .offsetAnchor) }
    } matching: { issue in
      issue.sourceLocation?.line == line && issue.mentions("zero at anchor:")
    }
  }

  @Test func anExemptCheckIsNotRun() throws {
    // The planted bug only the state check can see passes once that check is exempt, with its reason.
    try RegulariserConformance.expectConformance(
      { Pull(bug: .keepsOnlyLastAnchor) },
      except: [.stateSurvivesTaskBoundaries: "planted: keeps only the last anchor"])
    let failures = try RegulariserConformance.check(
      { Pull(bug: .offsetAnchor) }, except: [.zeroPenaltyAtAnchor: "planted: the anchor is offset"])
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func anExemptionHidesOnlyTheCheckItNames() throws {
    try withKnownIssue {
      try RegulariserConformance.expectConformance(
        { Pull(bug: .offsetAnchor) }, except: [.stateSurvivesTaskBoundaries: "not the check that fails"])
    } matching: { issue in
      issue.mentions("zero at anchor:")
    }
  }

  @Test func anExemptionWithoutAReasonIsAnIssue() throws {
    try withKnownIssue {
      try RegulariserConformance.expectConformance({ Pull(bug: .none) }, except: [.sameSeedSameResult: " "])
    } matching: { issue in
      issue.mentions("exemption from 'same seed, same result' gives no reason")
    }
  }
}
