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
    let schedule = LearningRateSchedule([(epoch: 3, factor: 0.01), (1, 0.1)])
    #expect(schedule.epochs == [1, 3] && schedule.factors == [0.1, 0.01])
    #expect([0, 1, 2, 3, 7].map(schedule.factor(atEpoch:)) == [1, 0.1, 0.1, 0.01, 0.01])
    #expect(LearningRateSchedule.constant.factor(atEpoch: 5) == 1 && LearningRateSchedule.constant.isConstant)
  }

  /// Every step's rate when plain SGD at 0.2 trains `tasks` toy tasks for 3 epochs of 4 steps each
  /// (16 samples, batches of 4) under `schedule`, with the algorithm's per-task factor `scale`.
  static func rates(
    tasks: Int, schedule: LearningRateSchedule, scale: (@Sendable (Int) -> Float)? = nil
  ) throws -> [(task: Int, iteration: Int, rate: Float)] {
    let problem = try ToyProblem(tasks: tasks, trainPerTask: 16)
    var configuration = problem.configuration
    (configuration.length, configuration.batchSize) = (.epochs(3), 4)
    configuration.optimiser = .sgd(learningRate: 0.2)
    configuration.learningRateSchedule = schedule
    let log = RateProbe.Log()
    let plan = TrainingPlan(head: problem.head, regularisers: [RateProbe(log: log)], learningRateScale: scale)
    _ = try ContinualTrainer(configuration: configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    return log.rates
  }

  /// With the schedule 1:0.5, 2:0.1 and the algorithm's factor 1/(t+1), every step's rate is
  /// lr × 1/(t+1) × its epoch's factor, starting again at each task.
  @Test func everyStepTrainsAtTheTasksRateTimesTheEpochsFactor() throws {
    let rates = try Self.rates(
      tasks: 2, schedule: LearningRateSchedule([(1, 0.5), (2, 0.1)]), scale: { 1 / Float($0 + 1) })
    #expect(rates.count == 2 * 12)
    for (task, iteration, rate) in rates {
      let expected = 0.2 / Float(task + 1) * [1, 0.5, 0.1][iteration / 4]
      #expect(abs(rate - expected) <= 1e-4 * expected, "task \(task) iteration \(iteration): \(rate) vs \(expected)")
    }
  }

  /// Without an algorithm's factor, each task starts again at the configured rate: the last epoch's
  /// factor of one task does not carry over into the next.
  @Test func eachTaskStartsAgainAtTheConfiguredRate() throws {
    let rates = try Self.rates(tasks: 3, schedule: LearningRateSchedule([(1, 0.5), (2, 0.1)]))
    #expect(rates.count == 3 * 12)
    for (task, iteration, rate) in rates {
      let expected: Float = 0.2 * [1, 0.5, 0.1][iteration / 4]
      #expect(abs(rate - expected) <= 1e-4 * expected, "task \(task) iteration \(iteration): \(rate) vs \(expected)")
    }
  }

  /// Without a schedule the rate stays the task's: the probe can tell the two apart.
  @Test func withoutAScheduleTheRateIsConstant() throws {
    let rates = try Self.rates(tasks: 1, schedule: .constant)
    #expect(rates.count == 12 && rates.allSatisfy { abs($0.rate - 0.2) <= 2e-5 })
  }
}
