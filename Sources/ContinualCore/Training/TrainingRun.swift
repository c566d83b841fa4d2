import ContinualData
import ContinualEngine
import Dispatch

/// One run of ``ContinualTrainer/run(_:architecture:plan:seed:resumingFrom:checkpoints:observer:)``
/// in progress: everything the run changes as it trains (what a checkpoint saves) and its per-task
/// phases, in the order the trainer's loop calls them:
///
/// `startTask` (optimiser reset and schedule, `taskWillStart`) → `trainTask` (the steps, with
/// progress) → `finishTask` (`taskDidFinish`, the replay memory, evaluation) → `checkpoint`.
struct TrainingRun {
  let trainer: ContinualTrainer
  let sequence: TaskSequence
  let plan: TrainingPlan
  let layout: TaskLayout
  let observer: (@Sendable (TrainingEvent) -> Void)?
  var model: Model
  var optimiser: any Optimiser
  let baseLearningRate: Float
  var regularisers: [any Regulariser]
  var memory: ReplayMemory?
  /// The generators of batch order (and augmentation), dropout, the algorithms' sampling and replay.
  var sampling: SeededGenerator, dropout: SeededGenerator, algorithm: SeededGenerator, replay: SeededGenerator
  var initial: [Double]
  var matrix: [[Double]] = [], validationMatrix: [[Double]] = []
  var lossTerms: [[String: Double]] = []
  /// The confusion matrix after the last task (see ``TrainingResult/confusionMatrix``).
  var confusionMatrix: [[Int]]?
  /// The first task this process trains (after a resumed checkpoint's completed ones).
  var firstTask = 0
  /// Training seconds spent before this process, from a resumed checkpoint.
  var priorSeconds = 0.0
  /// Whether every task holds out validation data, measured after each task beside the test set.
  let validates: Bool
  /// Optimiser steps for each task.
  let iterationsPerTask: [Int]
  /// Steps done by this process, for the time remaining.
  var iterationsDone = 0
  let runStart = DispatchTime.now().uptimeNanoseconds

  /// The objective's term names: `task`, then each regulariser's.
  var termNames: [String] { ["task"] + regularisers.map(\.name) }
  /// The number of tasks.
  var taskCount: Int { sequence.tasks.count }

  /// Sets up a fresh run (initial weights from `seed`, the untrained model's accuracies), or
  /// continues a checkpoint of it.
  init(
    trainer: ContinualTrainer, sequence: TaskSequence, architecture: Sequential, plan: TrainingPlan, seed: UInt64,
    resumingFrom resumed: TrainingCheckpoint?, observer: (@Sendable (TrainingEvent) -> Void)?
  ) throws {
    (self.trainer, self.sequence, self.plan, self.observer) = (trainer, sequence, plan, observer)
    layout = TaskLayout(classCounts: sequence.classesPerTask)
    var rng = SeededGenerator(seed: seed)
    model = Model(architecture, rng: &rng)
    (sampling, dropout, algorithm, replay) = (rng.split(), rng.split(), rng.split(), rng.split())
    memory = plan.replay.map { ReplayMemory(configuration: $0) }
    regularisers = plan.regularisers
    optimiser = trainer.configuration.optimiser.makeOptimiser()
    baseLearningRate = optimiser.learningRate
    validates = sequence.tasks.allSatisfy { $0.validation != nil }
    iterationsPerTask = sequence.tasks.indices.map {
      Self.iterations(forTask: $0, in: sequence, regime: plan.dataRegime, configuration: trainer.configuration)
    }
    initial = []
    if let resumed {
      try restore(from: resumed)
    } else {
      let head = try plan.head.prepared(
        for: EvaluationContext(model: model, sequence: sequence, memory: memory, trainedThrough: 0))
      initial = try trainer.evaluate(model, on: sequence, head: head, trainedThrough: 0)
    }
  }

  /// A task's context for the regularisers' hooks, with a generator split off the algorithms'.
  mutating func context(_ t: Int) -> TaskContext {
    TaskContext(
      task: t, data: sequence.tasks[t].train, model: model.training(task: t), head: plan.head,
      layout: layout,
      rng: algorithm.split())
  }

  /// Resets the optimiser (when configured), applies the task's learning-rate factor and runs every
  /// regulariser's `taskWillStart`.
  mutating func startTask(_ t: Int) throws {
    if trainer.configuration.resetOptimiserBetweenTasks { optimiser.reset() }
    if let scale = plan.learningRateScale { optimiser.learningRate = baseLearningRate * scale(t) }
    let start = context(t)
    for k in regularisers.indices { try regularisers[k].taskWillStart(start) }
  }

  /// Trains task `t` for its steps, reporting progress, and records the mean of each term.
  mutating func trainTask(_ t: Int) throws {
    let config = trainer.configuration
    var sampler = BatchSampler(
      sources: plan.dataRegime == .cumulative ? Array(0...t) : [t], sequence: sequence, batchSize: config.batchSize,
      length: config.length, rng: sampling.split())
    // Augmentation draws from its own generator, split off only when augmentation is on, so runs
    // without it keep their sampling streams.
    if config.augmentation != .none { sampler.augmentation = (config.augmentation, sampling.split()) }
    let frozen = FrozenParameters(plan: plan, task: t, model: model)
    var sums: [String: Double] = [:]
    var window = ProgressWindow()
    let steps = iterationsPerTask[t]
    // The schedule inside the task scales the task's rate, derived afresh (the last task's scheduled
    // rate must not carry over).
    let schedule = config.learningRateSchedule
    let taskRate = baseLearningRate * (plan.learningRateScale?(t) ?? 1)
    let epochSteps = Self.stepsPerEpoch(forTask: t, in: sequence, regime: plan.dataRegime, configuration: config)
    for iteration in 0..<steps {
      if !schedule.isConstant { optimiser.learningRate = taskRate * schedule.factor(atEpoch: iteration / epochSteps) }
      let (batch, current) = try nextBatch(&sampler, task: t)
      let values = try step(t, iteration: iteration, batch: batch, current: current, frozen: frozen)
      for (name, value) in zip(termNames, values) { sums[name, default: 0] += Double(value) }
      window.add(values, names: termNames, samples: batch.count)
      iterationsDone += 1
      if let observer, (iteration + 1) % max(config.progressInterval, 1) == 0 || iteration + 1 == steps {
        observer(
          .progress(
            window.report(task: t, of: taskCount, iteration: iteration + 1, steps: steps, names: termNames, run: self)))
        window = ProgressWindow()
      }
    }
    lossTerms.append(sums.mapValues { $0 / Double(max(steps, 1)) })
  }

  /// Whether some regulariser draws replayed samples itself (``Regulariser/drawsReplay``): the
  /// memory is then handed to the regularisers instead of joined to the batch.
  var regularisersDrawReplay: Bool { regularisers.contains { $0.drawsReplay } }

  /// The next mini-batch of task `t`, joined by replayed exemplars when the plan replays (and no
  /// regulariser draws them itself), and the current task's part of it.
  mutating func nextBatch(_ sampler: inout BatchSampler, task t: Int) throws -> (batch: Batch, current: Batch) {
    let batch = sampler.next(currentTask: t)
    guard let memory, !regularisersDrawReplay,
      let replayed = memory.sample(
        memory.configuration.batchSize, from: sequence, currentTask: t,
        augmentation: trainer.configuration.augmentation, using: &replay)
    else { return (batch, batch) }
    return (try batch.joined(with: replayed), batch)
  }

  /// The memory as the regularisers that draw from it see it in a step, with its own generator.
  mutating func replaySource(task t: Int) -> ReplaySource? {
    guard let memory, regularisersDrawReplay else { return nil }
    return ReplaySource(
      memory: memory, sequence: sequence, currentTask: t, augmentation: trainer.configuration.augmentation,
      rng: replay.split())
  }

  /// One optimiser step: gradients, frozen parameters held, the update, the reservoir offered the
  /// current samples, and the regularisers that observe steps. Returns each term's value.
  mutating func step(_ t: Int, iteration: Int, batch: Batch, current: Batch, frozen: FrozenParameters) throws -> [Float]
  {
    // The step's tape lives only inside `gradients(…)`: once it is gone, the parameters are
    // uniquely referenced again and the optimiser updates them in place without a copy.
    var step = try gradients(task: t, iteration: iteration, batch: batch)
    model.state = step.state  // running statistics (BatchNorm) move with every training step
    defer { offerToReservoir(current, outputs: step.outputs) }
    frozen.zero(&step.total)
    if var gradients = step.task {
      frozen.zero(&gradients)
      step.task = gradients
    }
    guard regularisers.contains(where: { $0.observesSteps }) else {
      try optimiser.update(&model.parameters, along: step.total)
      frozen.restore(&model.parameters)
      return step.values
    }
    var change = try optimiser.updateReportingChange(&model.parameters, along: step.total)
    frozen.restore(&model.parameters)
    frozen.zero(&change)
    let observation = StepObservation(
      task: t, iteration: iteration, parameters: model.parameters, change: change, totalGradients: step.total,
      taskGradients: step.task)
    for k in regularisers.indices where regularisers[k].observesSteps { try regularisers[k].stepDidFinish(observation) }
    return step.values
  }

  /// Offers the step's current samples, with the outputs the step computed for them (before its
  /// update, as Mammoth stores them), to a reservoir memory.
  mutating func offerToReservoir(_ current: Batch, outputs: Tensor) {
    guard memory?.configuration.selection == .reservoir else { return }
    memory?.offer(current, outputs: try? outputs.slice(alongAxis: 0, range: 0..<current.count), using: &replay)
  }

  /// Runs every regulariser's `taskDidFinish`, updates the replay memory, and measures every task
  /// (and its validation images, when held out).
  mutating func finishTask(_ t: Int) throws {
    let end = context(t)
    for k in regularisers.indices { try regularisers[k].taskDidFinish(end) }
    try memory?.update(after: end)
    let head = try plan.head.prepared(
      for: EvaluationContext(model: model, sequence: sequence, memory: memory, trainedThrough: t))
    // After the last task the test pass also counts the confusion matrix (a checkpoint is never
    // taken after the last task, so a resumed run records it too).
    let (accuracies, confusion) = try trainer.measure(
      model, on: sequence, head: head, trainedThrough: t, split: nil, confusion: t + 1 == taskCount)
    matrix.append(accuracies)
    if t + 1 == taskCount { confusionMatrix = confusion }
    if validates {
      validationMatrix.append(
        try trainer.evaluate(model, on: sequence, head: head, trainedThrough: t, split: .validation))
    }
  }

  /// Seconds since this process started the run.
  var secondsElapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - runStart) / 1e9 }

  /// What the run returns.
  var result: TrainingResult {
    TrainingResult(
      accuracyMatrix: matrix, initialAccuracies: initial, lossTerms: lossTerms,
      validationMatrix: validates ? validationMatrix : nil, model: model, confusionMatrix: confusionMatrix)
  }
}

/// The parameters a task must not move (``TrainingPlan/frozenParameters``) and their values at the
/// task's start.
struct FrozenParameters {
  let indices: [Int]
  let values: [Tensor]

  init(plan: TrainingPlan, task t: Int, model: Model) {
    let names = model.parameters.names
    let frozen = plan.frozenParameters.map { $0(t, names) } ?? []
    indices = names.indices.filter { frozen.contains(names[$0]) }
    values = indices.map { model.parameters.tensors[$0] }
  }

  /// Zeroes the frozen parameters' entries of a gradient or a change.
  func zero(_ tensors: inout NamedTensors) {
    for k in indices { tensors.tensors[k] = Tensor(shape: tensors.tensors[k].shape, repeating: 0) }
  }

  /// Puts the frozen parameters back to their values at the task's start.
  func restore(_ parameters: inout NamedTensors) {
    for (k, value) in zip(indices, values) { parameters.tensors[k] = value }
  }
}

/// The terms, samples and time since the last progress report.
struct ProgressWindow {
  var sums: [String: Double] = [:]
  var samples = 0, steps = 0
  let start = DispatchTime.now().uptimeNanoseconds

  mutating func add(_ values: [Float], names: [String], samples: Int) {
    for (name, value) in zip(names, values) { sums[name, default: 0] += Double(value) }
    self.samples += samples
    steps += 1
  }

  /// The report: each term's mean over the window, the window's throughput and the run's time left.
  func report(task t: Int, of taskCount: Int, iteration: Int, steps taskSteps: Int, names: [String], run: TrainingRun)
    -> TrainingProgress
  {
    let now = DispatchTime.now().uptimeNanoseconds
    let elapsed = Double(now - start) / 1e9, total = run.secondsElapsed
    let remaining = run.iterationsPerTask[run.firstTask...].reduce(0, +) - run.iterationsDone
    return TrainingProgress(
      task: t, taskCount: taskCount, iteration: iteration, iterationsInTask: taskSteps,
      terms: names.map { ($0, sums[$0, default: 0] / Double(steps)) },
      samplesPerSecond: Double(samples) / max(elapsed, 1e-9),
      secondsRemaining: total / Double(run.iterationsDone) * Double(remaining))
  }
}
