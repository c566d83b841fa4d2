import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

/// A penalty `c Σ θ²` (active from task `activeFrom`) that checks, after every step, the gradients and
/// the change the trainer reports.
private struct GradientProbe: Regulariser {
  final class Log: @unchecked Sendable {
    let lock = NSLock()
    var problems: [String] = []
    var steps = 0
    func record(_ problem: String?) {
      lock.withLock {
        steps += 1
        if let problem { problems.append(problem) }
      }
    }
  }

  let log: Log
  var needsTaskGradients: Bool
  var activeFrom = 1
  let c: Float = 0.05
  let learningRate: Float
  var name: String { "l2" }
  var observesSteps: Bool { true }

  func penalty(_ step: StepContext) throws -> Variable? {
    guard step.task >= activeFrom else { return nil }
    var total: Variable?
    for weight in step.pass.weights {
      let term = weight.squaredNorm() * c
      total = try total.map { try $0 + term } ?? term
    }
    return total
  }

  mutating func stepDidFinish(_ step: StepObservation) throws {
    log.record(try problem(step))
  }

  func problem(_ step: StepObservation) throws -> String? {
    let at = "task \(step.task) iteration \(step.iteration)"
    // Plain SGD: the change is −lr times the total gradient.
    let sgd = step.totalGradients * -learningRate
    for (a, b) in zip(step.change.tensors, sgd.tensors)
    where !a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6, relativeTolerance: 1e-4) {
      return "\(at): the change \(a) is not −lr × the total gradient \(b)"
    }
    guard needsTaskGradients else {
      return step.taskGradients == nil ? nil : "\(at): task gradients were computed although nothing asked for them"
    }
    guard let task = step.taskGradients else { return "\(at): no task gradients" }
    // total = task + ∂(c Σ θ²)/∂θ at the parameters before the step.
    let before = try step.parameters - step.change
    let expected = step.task >= activeFrom ? try task + before * (2 * c) : task
    for (name, (a, b)) in zip(task.names, zip(step.totalGradients.tensors, expected.tensors))
    where !a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6, relativeTolerance: 1e-4) {
      return "\(at): total gradient of '\(name)' \(a) is not task gradient + penalty gradient \(b)"
    }
    return nil
  }
}

@Suite struct ContinualTrainerTests {
  static func run(
    _ problem: ToyProblem, regularisers: [any Regulariser] = [], regime: DataRegime = .sequential,
    configuration: TrainingConfiguration? = nil, seed: UInt64 = 1, observer: (@Sendable (TrainingEvent) -> Void)? = nil
  ) throws -> TrainingResult {
    try ContinualTrainer(configuration: configuration ?? problem.configuration).run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: regularisers, dataRegime: regime), seed: seed,
      observer: observer)
  }

  /// The batch tasks of every `penalty` call, per training task.
  static func batchTasks(_ log: RecordingRegulariser.Log) -> [Int: [[Int]]] {
    var result: [Int: [[Int]]] = [:]
    for case .penalty(let task, _, let tasks) in log.events { result[task, default: []].append(tasks) }
    return result
  }

  @Test func resultHasOneRowPerTask() throws {
    let result = try Self.run(ToyProblem(tasks: 3))
    #expect(result.accuracyMatrix.count == 3 && result.accuracyMatrix.allSatisfy { $0.count == 3 })
    #expect(result.initialAccuracies.count == 3)
    #expect(result.accuracyMatrix.joined().allSatisfy { (0...1).contains($0) })
    #expect(result.lossTerms.count == 3 && result.lossTerms.allSatisfy { $0["task"].map(\.isFinite) ?? false })
  }

  @Test func sameSeedGivesIdenticalResults() throws {
    let problem = try ToyProblem()
    let first = try Self.run(problem, seed: 5)
    let second = try Self.run(problem, seed: 5)
    #expect(first.accuracyMatrix == second.accuracyMatrix)
    #expect(first.initialAccuracies == second.initialAccuracies)
    #expect(first.lossTerms == second.lossTerms)
    #expect(first.model.parameters == second.model.parameters)
  }

  @Test func differentSeedGivesDifferentRuns() throws {
    let problem = try ToyProblem()
    let first = try Self.run(problem, seed: 5)
    let second = try Self.run(problem, seed: 6)
    #expect(first.model.parameters != second.model.parameters)
    #expect(first.lossTerms != second.lossTerms)
  }

  @Test func regulariserHooksArriveInTrainerOrder() throws {
    let log = RecordingRegulariser.Log()
    let problem = try ToyProblem()
    let configuration = TrainingConfiguration(length: .iterations(2), batchSize: 8, optimiser: .sgd(learningRate: 0.1))
    _ = try Self.run(
      problem, regularisers: [RecordingRegulariser(log: log, observesSteps: true)], configuration: configuration)
    var expected: [RecordingRegulariser.Event] = []
    for task in 0..<2 {
      expected.append(.taskWillStart(task: task))
      for iteration in 0..<2 {
        expected += [
          .penalty(task: task, iteration: iteration, batchTasks: [Int](repeating: task, count: 8)),
          .stepDidFinish(task: task, iteration: iteration),
        ]
      }
      expected.append(.taskDidFinish(task: task))
    }
    #expect(log.events == expected)
  }

  @Test func stepsAreNotObservedUnlessAsked() throws {
    let log = RecordingRegulariser.Log()
    _ = try Self.run(ToyProblem(), regularisers: [RecordingRegulariser(log: log, observesSteps: false)])
    #expect(!log.events.contains { if case .stepDidFinish = $0 { true } else { false } })
  }

  @Test func aNaNPenaltyStopsTheRunNamingTermAndTask() throws {
    let exploder = RecordingRegulariser(name: "exploder") { task, iteration in
      task == 1 && iteration == 2 ? Float.nan : 0
    }
    #expect {
      _ = try Self.run(ToyProblem(), regularisers: [exploder])
    } throws: { error in
      guard case TrainingError.diverged(let task, let iteration, let term, let value) = error else { return false }
      let message = "\(error)"
      return task == 1 && iteration == 2 && term == "exploder" && value.isNaN
        && message.contains("'exploder' term") && message.contains("task 2, iteration 3")
    }
  }

  @Test func anInfinitePenaltyAlsoDiverges() throws {
    let exploder = RecordingRegulariser(name: "inf") { _, _ in Float.infinity }
    #expect(throws: TrainingError.diverged(task: 0, iteration: 0, term: "inf", value: .infinity)) {
      _ = try Self.run(ToyProblem(), regularisers: [exploder])
    }
  }

  @Test func lossTermsAreMeanValuesByName() throws {
    let constant = RecordingRegulariser(name: "half") { _, _ in 0.5 }
    let result = try Self.run(ToyProblem(), regularisers: [constant])
    #expect(result.lossTerms.map { $0["half"] } == [0.5, 0.5])
    #expect(result.lossTerms.allSatisfy { Set($0.keys) == ["task", "half"] })
  }

  @Test func progressEventsArriveInOrder() throws {
    final class Events: @unchecked Sendable {
      let lock = NSLock()
      var list: [TrainingEvent] = []
    }
    let events = Events()
    let problem = try ToyProblem()
    var configuration = problem.configuration
    configuration.length = .iterations(6)
    configuration.progressInterval = 4
    let result = try Self.run(
      problem, regularisers: [RecordingRegulariser(name: "probe") { _, _ in 0.25 }], configuration: configuration
    ) { event in events.lock.withLock { events.list.append(event) } }

    var summary: [String] = []
    for event in events.list {
      switch event {
      case .taskWillStart(let task, let count): summary.append("start \(task)/\(count)")
      case .progress(let p):
        summary.append("progress \(p.task)/\(p.taskCount) \(p.iteration)/\(p.iterationsInTask)")
        #expect(p.terms.map(\.name) == ["task", "probe"])
        #expect(p.terms[1].value == 0.25)
        #expect(p.samplesPerSecond > 0 && p.secondsRemaining >= 0)
      case .taskDidFinish(let task, let accuracies):
        summary.append("finish \(task)")
        #expect(accuracies == result.accuracyMatrix[task])
      }
    }
    #expect(
      summary == [
        "start 0/2", "progress 0/2 4/6", "progress 0/2 6/6", "finish 0", "start 1/2", "progress 1/2 4/6",
        "progress 1/2 6/6", "finish 1",
      ])
    if case .progress(let last) = events.list.dropLast().last { #expect(last.secondsRemaining == 0) }
  }

  @Test func sequentialRegimeTrainsOnTheCurrentTaskOnly() throws {
    let log = RecordingRegulariser.Log()
    _ = try Self.run(ToyProblem(tasks: 3), regularisers: [RecordingRegulariser(log: log)])
    let seen = Self.batchTasks(log)
    for task in 0..<3 { #expect(Set(seen[task, default: []].joined()) == [task]) }
  }

  @Test func cumulativeRegimeDrawsFromEveryTaskSeen() throws {
    let log = RecordingRegulariser.Log()
    let problem = try ToyProblem(tasks: 3)
    var configuration = problem.configuration
    configuration.length = .epochs(1)
    _ = try Self.run(
      problem, regularisers: [RecordingRegulariser(log: log)], regime: .cumulative, configuration: configuration)
    let seen = Self.batchTasks(log)
    // One epoch over the union: every sample of every task seen so far exactly once.
    for task in 0..<3 {
      let drawn = seen[task, default: []].joined()
      #expect(drawn.count == 16 * (task + 1))
      for source in 0...task { #expect(drawn.filter { $0 == source }.count == 16) }
    }
  }

  /// Epochs cover every sample once, keeping a partial last batch; iterations skip partial batches.
  @Test(arguments: [
    (TrainingLength.epochs(2), [4, 4, 2, 4, 4, 2]),
    (TrainingLength.iterations(5), [4, 4, 4, 4, 4]),
  ])
  func batchSizesOverATenSampleTask(length: TrainingLength, expected: [Int]) throws {
    var problem = try ToyProblem(trainPerTask: 10)
    problem.configuration.length = length
    problem.configuration.batchSize = 4
    let firstTask = try problem.batchTasks(replay: nil).filter { $0.task == 0 }
    #expect(firstTask.map(\.samples.count) == expected)
  }

  @Test func resettingAStatefulOptimiserChangesLaterTasksOnly() throws {
    let problem = try ToyProblem()
    var keep = problem.configuration
    keep.optimiser = .sgd(learningRate: 0.1, momentum: 0.9)
    var reset = keep
    reset.resetOptimiserBetweenTasks = true
    let kept = try Self.run(problem, configuration: keep)
    let wasReset = try Self.run(problem, configuration: reset)
    #expect(kept.lossTerms[0] == wasReset.lossTerms[0])
    #expect(kept.accuracyMatrix[0] == wasReset.accuracyMatrix[0])
    #expect(kept.lossTerms[1] != wasReset.lossTerms[1])
    #expect(kept.model.parameters != wasReset.model.parameters)
  }

  @Test func resettingAStatelessOptimiserChangesNothing() throws {
    let problem = try ToyProblem()
    var reset = problem.configuration
    reset.resetOptimiserBetweenTasks = true
    #expect(try Self.run(problem).model.parameters == Self.run(problem, configuration: reset).model.parameters)
  }

  @Test func invalidConfigurationsAreRejected() throws {
    let problem = try ToyProblem()
    var zeroBatch = problem.configuration
    zeroBatch.batchSize = 0
    #expect {
      _ = try Self.run(problem, configuration: zeroBatch)
    } throws: { error in
      guard case TrainingError.invalidConfiguration(let message) = error else { return false }
      return message.contains("batch size")
    }
    let trainer = ContinualTrainer(configuration: problem.configuration)
    #expect {
      _ = try trainer.run(
        problem.sequence, architecture: problem.architecture, plan: TrainingPlan(head: SharedHead(classCount: 3)),
        seed: 1)
    } throws: { error in
      guard case TrainingError.invalidConfiguration(let message) = error else { return false }
      return message.contains("[4]") && message.contains("[3]")
    }
  }

  @Test func evaluationCountsCorrectPredictions() throws {
    // A model whose output always favours column 0: every label-0 sample is right, every label-1 one wrong.
    let problem = try ToyProblem(head: SharedHead(classCount: 2))
    let architecture = Sequential([Linear(4, 2, weightInitialiser: .zeros, biasInitialiser: .zeros)])
    var rng = SeededGenerator(seed: 1)
    var model = Model(architecture, rng: &rng)
    model.parameters["0.bias"] = Tensor([1, 0])
    let accuracies = try ContinualTrainer(configuration: problem.configuration).evaluate(
      model, on: problem.sequence, head: problem.head, trainedThrough: 1)
    #expect(accuracies == [0.5, 0.5])
  }

  /// The evaluation batch size (256 by default since issue 30, 1,000 before) changes only how many
  /// images a forward pass holds, never a prediction: batches of 1, 3, 7 and all give the same
  /// accuracies and confusion counts.
  @Test func evaluationBatchSizeDoesNotChangePredictions() throws {
    let problem = try ToyProblem(testPerTask: 21, head: SharedHead(classCount: 4))
    var rng = SeededGenerator(seed: 3)
    let model = Model(problem.architecture, rng: &rng)
    #expect(TrainingConfiguration().evaluationBatchSize == TrainingConfiguration.defaultEvaluationBatchSize)
    let results = try [1, 3, 7, 1000].map { size in
      var configuration = problem.configuration
      configuration.evaluationBatchSize = size
      return try ContinualTrainer(configuration: configuration).evaluateWithConfusion(
        model, on: problem.sequence, head: problem.head, trainedThrough: 1)
    }
    for result in results.dropFirst() {
      #expect(result.accuracies == results[0].accuracies)
      #expect(result.confusion == results[0].confusion)
    }
  }

  @Test(arguments: [true, false])
  func observationsSeparateTaskAndTotalGradients(needsTaskGradients: Bool) throws {
    let log = GradientProbe.Log()
    let problem = try ToyProblem()
    var configuration = problem.configuration
    configuration.optimiser = .sgd(learningRate: 0.1)
    _ = try Self.run(
      problem, regularisers: [GradientProbe(log: log, needsTaskGradients: needsTaskGradients, learningRate: 0.1)],
      configuration: configuration)
    #expect(log.steps == 12)
    #expect(log.problems.isEmpty, "\(log.problems)")
  }
}
