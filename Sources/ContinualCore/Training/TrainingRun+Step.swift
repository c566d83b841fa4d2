import ContinualData
import ContinualEngine

/// What one training step's forward and backward passes produce.
struct StepGradients {
  /// Each objective term's value, in ``TrainingRun/termNames``' order.
  var values: [Float]
  /// The task loss's gradient alone, when some regulariser asks for it
  /// (``Regulariser/needsTaskGradients``).
  var task: NamedTensors?
  /// The whole objective's gradient, after every regulariser's
  /// ``Regulariser/gradientsDidCompute(_:step:)``.
  var total: NamedTensors
  /// The model state after the training pass (BatchNorm's running statistics).
  var state: NamedTensors
  /// The batch's outputs.
  var outputs: Tensor
}

extension TrainingRun {
  /// One step's forward and backward passes on `batch` of task `t`. The task-loss gradient, when
  /// asked for, is computed before the penalties so they can use it.
  ///
  /// - Throws: ``TrainingError/diverged(task:iteration:term:value:)`` when a term is not finite, or
  ///   the regularisers' errors.
  mutating func gradients(task t: Int, iteration: Int, batch: Batch) throws -> StepGradients {
    let tape = Tape()
    let pass = try model.training(task: t).forward(
      tape.constant(batch.inputs), on: tape, training: true, rng: dropout.split())
    let taskLoss = try plan.head.loss(logits: pass.output, for: batch)
    let taskGradients = try regularisers.contains { $0.needsTaskGradients } ? pass.gradients(of: taskLoss) : nil
    let (parameters, optimiser) = (model.parameters, optimiser)
    let step = StepContext(
      tape: tape, pass: pass, batch: batch, task: t, iteration: iteration, taskGradients: taskGradients,
      proposedChange: { try optimiser.proposedChange(for: parameters, along: $0) }, replay: replaySource(task: t),
      head: plan.head,
      network: StepContext.network(model.architecture, pass: pass, tape: tape, state: model.state, task: t))
    let penalties = try regularisers.map { try $0.penalty(step) }
    let values = [taskLoss.value.scalar] + penalties.map { $0?.value.scalar ?? 0 }
    for (name, value) in zip(termNames, values) where !value.isFinite {
      throw TrainingError.diverged(task: t, iteration: iteration, term: name, value: value)
    }
    let penalty = try penalties.compactMap { $0 }.sum()
    var total: NamedTensors
    if let taskGradients {
      // Gradients are linear: the total is the task gradient plus the penalties' (when any is active).
      total = try penalty.map { try taskGradients + pass.gradients(of: $0) } ?? taskGradients
    } else {
      total = try pass.gradients(of: penalty.map { try taskLoss + $0 } ?? taskLoss)
    }
    for k in regularisers.indices { try regularisers[k].gradientsDidCompute(&total, step: step) }
    return StepGradients(
      values: values, task: taskGradients, total: total, state: pass.state, outputs: pass.output.value)
  }

  /// The number of optimiser steps for task `t`: the configured iterations, or the epochs over the
  /// task's training samples (every task so far, in the cumulative regime).
  static func iterations(
    forTask t: Int, in sequence: TaskSequence, regime: DataRegime, configuration: TrainingConfiguration
  ) -> Int {
    switch configuration.length {
    case .iterations(let n): return n
    case .epochs(let e):
      return e * stepsPerEpoch(forTask: t, in: sequence, regime: regime, configuration: configuration)
    }
  }

  /// The steps of one pass over task `t`'s training samples (every task so far, in the cumulative
  /// regime), the last batch partial: an epoch of ``LearningRateSchedule``, whether the task's
  /// length is given in epochs or iterations. At least 1.
  static func stepsPerEpoch(
    forTask t: Int, in sequence: TaskSequence, regime: DataRegime, configuration: TrainingConfiguration
  ) -> Int {
    let tasks = regime == .cumulative ? Array(0...t) : [t]
    let samples = tasks.map { sequence.tasks[$0].train.count }.reduce(0, +)
    return max(1, (samples + configuration.batchSize - 1) / configuration.batchSize)
  }
}
