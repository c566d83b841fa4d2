import ContinualCore
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

/// Records, for every step, the rate plain SGD applied: `−change / gradient` on the largest gradient
/// entry (the change is `−lr × gradient`, element by element).
private struct RateProbe: Regulariser {
  final class Log: @unchecked Sendable {
    let lock = NSLock()
    var rates: [(task: Int, iteration: Int, rate: Float)] = []
  }

  let log: Log
  var name: String { "rate-probe" }
  var observesSteps: Bool { true }

  func penalty(_ step: StepContext) throws -> Variable? { nil }

  mutating func stepDidFinish(_ step: StepObservation) throws {
    var best: (gradient: Float, change: Float) = (0, 0)
    for (g, c) in zip(step.totalGradients.tensors, step.change.tensors) {
      for (gi, ci) in zip(g.scalars, c.scalars) where abs(gi) > abs(best.gradient) { best = (gi, ci) }
    }
    let rate = -best.change / best.gradient
    log.lock.withLock { log.rates.append((step.task, step.iteration, rate)) }
  }
}

@Suite struct LearningRateScheduleTests {
  @Test func theFactorIsTheLastStepsAtOrBeforeTheEpoch() {
    let schedule = LearningRateSchedule([.init(epoch: 3, factor: 0.01), .init(epoch: 1, factor: 0.1)])
    #expect(schedule.steps.map(\.epoch) == [1, 3])
    #expect([0, 1, 2, 3, 7].map(schedule.factor(atEpoch:)) == [1, 0.1, 0.1, 0.01, 0.01])
    #expect(LearningRateSchedule.constant.factor(atEpoch: 5) == 1)
  }

  /// Plain SGD, 3 epochs of 4 steps per task (16 samples, batches of 4), the schedule 1:0.5, 2:0.1
  /// and the algorithm's factor 1/(t+1): every step's rate is lr × 1/(t+1) × the epoch's factor,
  /// starting again at each task.
  @Test func everyStepTrainsAtTheTasksRateTimesTheEpochsFactor() throws {
    let problem = try ToyProblem(tasks: 2, trainPerTask: 16)
    var configuration = problem.configuration
    configuration.length = .epochs(3)
    configuration.batchSize = 4
    configuration.optimiser = .sgd(learningRate: 0.2)
    configuration.learningRateSchedule = LearningRateSchedule([
      .init(epoch: 1, factor: 0.5), .init(epoch: 2, factor: 0.1),
    ])
    let log = RateProbe.Log()
    let plan = TrainingPlan(
      head: problem.head, regularisers: [RateProbe(log: log)], learningRateScale: { 1 / Float($0 + 1) })
    _ = try ContinualTrainer(configuration: configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    #expect(log.rates.count == 2 * 12)
    for (task, iteration, rate) in log.rates {
      let expected = 0.2 / Float(task + 1) * [1, 0.5, 0.1][iteration / 4]
      #expect(abs(rate - expected) <= 1e-4 * expected, "task \(task) iteration \(iteration): \(rate) vs \(expected)")
    }
  }

  /// Without a schedule the rate stays the task's: the probe can tell the two apart.
  @Test func withoutAScheduleTheRateIsConstant() throws {
    let problem = try ToyProblem(tasks: 1, trainPerTask: 16)
    var configuration = problem.configuration
    configuration.length = .epochs(3)
    configuration.batchSize = 4
    configuration.optimiser = .sgd(learningRate: 0.2)
    let log = RateProbe.Log()
    _ = try ContinualTrainer(configuration: configuration).run(
      problem.sequence, architecture: problem.architecture,
      plan: TrainingPlan(head: problem.head, regularisers: [RateProbe(log: log)]), seed: 1)
    #expect(log.rates.count == 12 && log.rates.allSatisfy { abs($0.rate - 0.2) <= 2e-5 })
  }
}
