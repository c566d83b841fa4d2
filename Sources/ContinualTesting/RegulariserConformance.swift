import ContinualCore
import ContinualData
import ContinualEngine
import Foundation

/// Checks every regulariser must pass, whatever its algorithm: the conformance suite each
/// algorithm's tests call.
///
/// Each check builds fresh regularisers with `make`, drives them on a ``ToyProblem`` through a
/// ``RegulariserHarness`` (or `ContinualTrainer`) and returns one readable message per failure,
/// so tests assert on an empty list:
///
/// ```swift
/// @Test func conformance() throws {
///   let failures = try RegulariserConformance.check {
///     QuadraticPenalty(name: "ewc", estimator: FisherEstimator(), strength: 10, scale: 0.5, accumulation: .perTask)
///   }
///   #expect(failures.isEmpty, "\(failures)")
/// }
/// ```
///
/// The checks target regularisers that pull parameters towards a snapshot taken at the end of each
/// task (EWC, SI, MAS and their variants). A regulariser that by design remembers only the latest
/// task (a plain L2 pull towards the last anchor) fails the "accounts for the first task" part of
/// ``checkStateSurvivesTaskBoundaries(_:problem:seed:displacement:)``; exempt it with its reason:
///
/// ```swift
/// try RegulariserConformance.expectConformance(
///   { L2ToAnchor(strength: 0.5) }, except: [.stateSurvivesTaskBoundaries: "remembers only the latest anchor"])
/// ```
public enum RegulariserConformance {
  /// One property of ``check(_:except:problem:seed:displacement:)``, to name a check a regulariser is
  /// exempt from.
  public enum Check: String, CaseIterable, Sendable, CustomStringConvertible {
    /// ``checkZeroPenaltyAtAnchor(_:problem:seed:tolerance:)``.
    case zeroPenaltyAtAnchor = "zero penalty at the anchor"
    /// ``checkGradientMatchesFiniteDifferences(_:problem:seed:displacement:)``.
    case gradientMatchesFiniteDifferences = "gradient matches finite differences"
    /// ``checkStateSurvivesTaskBoundaries(_:problem:seed:displacement:)``.
    case stateSurvivesTaskBoundaries = "state survives task boundaries"
    /// ``checkSameSeedSameResult(_:problem:seed:)``.
    case sameSeedSameResult = "same seed, same result"
    /// ``checkResumesFromCheckpoint(_:problem:seed:)``.
    case resumesFromCheckpoint = "resumes from a checkpoint"

    /// The property's name, as skip notes and failures show it.
    public var description: String { rawValue }
  }

  /// Runs every check but those in `exemptions`.
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser in its initial state.
  ///   - exemptions: The checks not to run, each with the reason it does not apply; none by default.
  ///   - problem: The tasks, network and head; a two-task ``ToyProblem`` by default.
  ///   - seed: Seeds the harness and the trainer.
  ///   - displacement: The largest distance of each weight from its anchor in the gradient and state
  ///     checks.
  /// - Returns: One message per failed property; empty when the regulariser conforms.
  /// - Throws: Whatever the regulariser, the harness or the trainer throws.
  public static func check(
    _ make: () throws -> any Regulariser, except exemptions: [Check: String] = [:], problem: ToyProblem? = nil,
    seed: UInt64 = 1, displacement: Float = 0.5
  ) throws -> [String] {
    let problem = try problem ?? ToyProblem()
    var failures: [String] = []
    for check in Check.allCases where exemptions[check] == nil {
      switch check {
      case .zeroPenaltyAtAnchor:
        failures += try checkZeroPenaltyAtAnchor(make, problem: problem, seed: seed)
      case .gradientMatchesFiniteDifferences:
        failures += try checkGradientMatchesFiniteDifferences(
          make, problem: problem, seed: seed, displacement: displacement)
      case .stateSurvivesTaskBoundaries:
        failures += try checkStateSurvivesTaskBoundaries(make, problem: problem, seed: seed, displacement: displacement)
      case .sameSeedSameResult:
        failures += try checkSameSeedSameResult(make, problem: problem, seed: seed)
      case .resumesFromCheckpoint:
        failures += try checkResumesFromCheckpoint(make, problem: problem, seed: seed)
      }
    }
    return failures
  }

  /// Right after the first task finishes, the penalty at the current (anchor) parameters is zero or
  /// absent, and so is its gradient.
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser.
  ///   - problem: The tasks, network and head.
  ///   - seed: Seeds the harness.
  ///   - tolerance: The largest magnitude accepted as zero.
  /// - Returns: One message per failure.
  /// - Throws: Whatever the regulariser or the harness throws.
  public static func checkZeroPenaltyAtAnchor(
    _ make: () throws -> any Regulariser, problem: ToyProblem, seed: UInt64 = 1, tolerance: Float = 1e-6
  ) throws -> [String] {
    var harness = RegulariserHarness(regulariser: try make(), problem: problem, seed: seed)
    try harness.train(task: 0)
    guard
      let (value, gradients) = try harness.penalty(
        at: harness.model.parameters, task: min(1, problem.sequence.count - 1))
    else {
      return []
    }
    var failures: [String] = []
    if !(abs(value) <= tolerance) {
      failures.append("zero at anchor: the penalty right after task 1 is \(value), expected 0")
    }
    let largest = largestMagnitude(gradients)
    if !(largest.value <= tolerance) {
      failures.append(
        "zero at anchor: the penalty's gradient right after task 1 is \(largest.value) at '\(largest.name)', expected 0"
      )
    }
    return failures
  }

  /// Away from the anchor, the penalty's gradient with respect to the weights matches central
  /// finite differences (``GradientCheck``), after the first and after the second task.
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser.
  ///   - problem: The tasks, network and head.
  ///   - seed: Seeds the harness and the displacement from the anchor.
  ///   - displacement: The largest distance of each weight from its anchor.
  /// - Returns: One message per failure.
  /// - Throws: Whatever the regulariser or the harness throws.
  public static func checkGradientMatchesFiniteDifferences(
    _ make: () throws -> any Regulariser, problem: ToyProblem, seed: UInt64 = 1, displacement: Float = 0.5
  ) throws -> [String] {
    var harness = RegulariserHarness(regulariser: try make(), problem: problem, seed: seed)
    var failures: [String] = []
    for task in 0..<min(2, problem.sequence.count) {
      try harness.train(task: task)
      let next = min(task + 1, problem.sequence.count - 1)
      let point = try displaced(harness.model.parameters, by: displacement, seed: seed &+ UInt64(task))
      guard try harness.penalty(at: point, task: next) != nil else {
        failures.append("gradient: no penalty after task \(task + 1), nothing to check")
        continue
      }
      let regulariser = harness.regulariser
      let batch = harness.batch(task: next)
      let report = try GradientCheck.run(inputs: point.tensors) { tape, weights in
        let pass = try StepValues.pass(
          architecture: problem.architecture, weights: weights, input: tape.constant(batch.inputs), on: tape,
          names: point.names, task: next)
        guard
          let penalty = try regulariser.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: next))
        else {
          throw TensorError.invalidArgument(operation: "RegulariserConformance", reason: "the penalty disappeared")
        }
        return penalty
      }
      if !report.passed { failures.append("gradient after task \(task + 1): \(report)") }
    }
    return failures
  }

  /// The penalty survives task boundaries: after the first task it is present and positive once the
  /// weights move; starting the next task does not change it; after the second task it still
  /// accounts for the first (it differs from a fresh regulariser's that saw only the second task's
  /// trajectory).
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser.
  ///   - problem: The tasks, network and head (at least two tasks).
  ///   - seed: Seeds the harness and the displacement from the anchor.
  ///   - displacement: The largest distance of each weight from its anchor.
  /// - Returns: One message per failure.
  /// - Throws: Whatever the regulariser or the harness throws.
  public static func checkStateSurvivesTaskBoundaries(
    _ make: () throws -> any Regulariser, problem: ToyProblem, seed: UInt64 = 1, displacement: Float = 0.5
  ) throws -> [String] {
    guard problem.sequence.count >= 2 else { return ["state: the problem needs at least two tasks"] }
    var harness = RegulariserHarness(regulariser: try make(), problem: problem, seed: seed)
    try harness.train(task: 0)
    let moved = try displaced(harness.model.parameters, by: displacement, seed: seed)
    guard let afterFirst = try harness.penalty(at: moved, task: 1)?.value else {
      return ["state: no penalty after task 1 once the weights moved away from the anchor"]
    }
    var failures: [String] = []
    if !(afterFirst > 0 && afterFirst.isFinite) {
      failures.append(
        "state: the penalty after task 1 away from the anchor is \(afterFirst), expected a positive number")
    }
    let firstTaskEvents = harness.events.count
    try harness.begin(task: 1)
    let whileSecond = try harness.penalty(at: moved, task: 1)?.value
    if whileSecond != afterFirst {
      failures.append(
        "state: taskWillStart of task 2 changed the penalty from \(afterFirst) "
          + "to \(whileSecond.map { "\($0)" } ?? "nil")"
      )
    }
    try harness.steps(task: 1, count: harness.stepsPerTask)
    try harness.finish(task: 1)

    // A fresh regulariser that sees only task 2's hook calls (the same trajectory).
    var fresh = try make()
    try harness.replay(into: &fresh, events: Array(harness.events[firstTaskEvents...]))
    let point = try displaced(harness.model.parameters, by: displacement, seed: seed &+ 1)
    let both = try harness.penalty(at: point, task: 1)?.value
    let onlySecond = try RegulariserHarness.penalty(
      of: fresh, architecture: problem.architecture, parameters: point, batch: harness.batch(task: 1), task: 1)?.value
    switch (both, onlySecond) {
    case (nil, _):
      failures.append("state: no penalty after task 2")
    case (let both?, let onlySecond?):
      if !(abs(both - onlySecond) > 1e-4 * max(abs(both), abs(onlySecond))) {
        failures.append(
          "state: after task 2 the penalty (\(both)) equals that of a regulariser that never saw task 1 (\(onlySecond))"
        )
      }
    case (_?, nil):
      break  // The fresh regulariser is inactive, so task 1 is what makes the penalty active.
    }
    return failures
  }

  /// Two `ContinualTrainer` runs with the same seed give identical accuracy matrices, loss terms
  /// and final parameters.
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser.
  ///   - problem: The tasks, network, head and training configuration.
  ///   - seed: The runs' seed.
  /// - Returns: One message per failure.
  /// - Throws: Whatever the regulariser or the trainer throws.
  public static func checkSameSeedSameResult(
    _ make: () throws -> any Regulariser, problem: ToyProblem, seed: UInt64 = 1
  ) throws -> [String] {
    let trainer = ContinualTrainer(configuration: problem.configuration)
    let first = try trainer.run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: [make()], replay: problem.replay), seed: seed)
    let second = try trainer.run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: [make()], replay: problem.replay), seed: seed)
    var failures: [String] = []
    if first.accuracyMatrix != second.accuracyMatrix {
      failures.append("same seed: accuracy matrices differ: \(first.accuracyMatrix) vs \(second.accuracyMatrix)")
    }
    if first.lossTerms != second.lossTerms {
      failures.append("same seed: loss terms differ: \(first.lossTerms) vs \(second.lossTerms)")
    }
    if first.model.parameters != second.model.parameters { failures.append("same seed: the final parameters differ") }
    return failures
  }

  /// The regulariser conforms to `Checkpointable`, and a run resumed from the checkpoint written
  /// after its first task ends exactly like the uninterrupted run (accuracy matrix, loss terms,
  /// final parameters), which itself equals a run that wrote no checkpoints.
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser.
  ///   - problem: The tasks, network, head and training configuration (at least two tasks).
  ///   - seed: The runs' seed.
  /// - Returns: One message per failure.
  /// - Throws: Whatever the regulariser, the trainer or the file system throws.
  public static func checkResumesFromCheckpoint(
    _ make: () throws -> any Regulariser, problem: ToyProblem, seed: UInt64 = 1
  ) throws -> [String] {
    let regulariser = try make()
    guard regulariser is any Checkpointable else {
      return ["checkpoint: '\(regulariser.name)' does not conform to Checkpointable"]
    }
    guard problem.sequence.count >= 2 else { return ["checkpoint: the problem needs at least two tasks"] }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ck-conformance-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let directory = CheckpointDirectory(url: folder, identity: "conformance")
    let trainer = ContinualTrainer(configuration: problem.configuration)
    func plan() throws -> TrainingPlan {
      TrainingPlan(head: problem.head, regularisers: [try make()], replay: problem.replay)
    }
    let plain = try trainer.run(problem.sequence, architecture: problem.architecture, plan: plan(), seed: seed)
    // With two tasks the only checkpoint is the one after the first; with more, the last one is kept.
    let whole = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: seed, checkpoints: directory)
    guard let checkpoint = try directory.load() else { return ["checkpoint: the run wrote no checkpoint"] }
    let resumed = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: seed, resumingFrom: checkpoint)
    var failures: [String] = []
    if whole.accuracyMatrix != plain.accuracyMatrix || whole.model.parameters != plain.model.parameters {
      failures.append("checkpoint: writing checkpoints changed the run")
    }
    if resumed.accuracyMatrix != whole.accuracyMatrix {
      failures.append(
        "checkpoint: resumed accuracy matrix \(resumed.accuracyMatrix) differs from \(whole.accuracyMatrix)")
    }
    if resumed.lossTerms != whole.lossTerms {
      failures.append("checkpoint: resumed loss terms \(resumed.lossTerms) differ from \(whole.lossTerms)")
    }
    if resumed.model.parameters != whole.model.parameters {
      failures.append("checkpoint: the resumed run's final parameters differ")
    }
    return failures
  }

  /// `parameters` plus a seeded uniform displacement in `[−size, size]`, kept at least `size/5`
  /// from zero in every element so no weight sits on its anchor.
  ///
  /// - Parameters:
  ///   - parameters: The starting point.
  ///   - size: The largest displacement.
  ///   - seed: Seeds the displacement.
  /// - Returns: The displaced parameters.
  /// - Throws: `TensorError` if shapes disagree (they cannot).
  public static func displaced(_ parameters: NamedTensors, by size: Float, seed: UInt64) throws -> NamedTensors {
    var copy = parameters
    for (k, tensor) in parameters.tensors.enumerated() {
      let offset = TestData.awayFromZero(tensor.shape, margin: 0.25, seed: seed &* 31 &+ UInt64(k)) * (size / 1.25)
      copy.tensors[k] = try tensor + offset
    }
    return copy
  }

  private static func largestMagnitude(_ tensors: NamedTensors) -> (name: String, value: Float) {
    var best = (name: "", value: Float(0))
    for (name, tensor) in zip(tensors.names, tensors.tensors) {
      for value in tensor.scalars where !(abs(value) <= best.value) {
        best = (name, abs(value))
        if value.isNaN { return best }
      }
    }
    return best
  }
}
