import ContinualData
import ContinualEngine

extension TrainingRun {
  /// The run's whole state after task `t`.
  func checkpoint(after t: Int) throws -> TrainingCheckpoint {
    var checkpoint = TrainingCheckpoint(
      completedTasks: t + 1, taskCount: taskCount, parameters: model.parameters, optimiser: optimiser.savedState(),
      generators: ["sampling": sampling, "dropout": dropout, "algorithm": algorithm, "replay": replay],
      components: try checkpointComponents(), accuracyMatrix: matrix, initialAccuracies: initial,
      lossTerms: lossTerms, elapsedSeconds: priorSeconds + secondsElapsed, modelState: model.state)
    checkpoint.validationMatrix = validationMatrix
    return checkpoint
  }

  /// Every regulariser's saved state, then the memory's.
  func checkpointComponents() throws -> [TrainingCheckpoint.Component] {
    var components = try regularisers.map { r in
      guard let c = r as? any Checkpointable else { throw CheckpointError.unsupported(component: r.name) }
      return TrainingCheckpoint.Component(role: "regulariser", name: r.name, state: try c.checkpointState())
    }
    if let memory { components.append(.init(role: "memory", name: "replay", state: try memory.checkpointState())) }
    return components
  }

  /// Puts a checkpoint's state into this freshly set-up run, checking that it fits: the task count,
  /// the parameters' names and shapes, the optimiser's buffers, each regulariser by name, the
  /// memory's exemplars against the data, and the random generators.
  mutating func restore(from checkpoint: TrainingCheckpoint) throws {
    guard checkpoint.taskCount == taskCount, checkpoint.completedTasks < taskCount else {
      throw CheckpointError.mismatch(
        reason:
          "it has \(checkpoint.completedTasks) of \(checkpoint.taskCount) tasks done; this run has \(taskCount) tasks")
    }
    try restoreModel(from: checkpoint)
    try restoreOptimiser(from: checkpoint)
    try restoreRegularisers(from: checkpoint)
    try restoreMemory(from: checkpoint)
    guard let s = checkpoint.generators["sampling"], let d = checkpoint.generators["dropout"],
      let a = checkpoint.generators["algorithm"], let r = checkpoint.generators["replay"]
    else { throw CheckpointError.mismatch(reason: "it lacks a random generator") }
    (sampling, dropout, algorithm, replay) = (s, d, a, r)
    (initial, matrix, lossTerms) = (checkpoint.initialAccuracies, checkpoint.accuracyMatrix, checkpoint.lossTerms)
    validationMatrix = checkpoint.validationMatrix
    (firstTask, priorSeconds) = (checkpoint.completedTasks, checkpoint.elapsedSeconds)
  }

  /// The parameters and the model state (running statistics), when their names and shapes fit.
  private mutating func restoreModel(from checkpoint: TrainingCheckpoint) throws {
    let parameters = model.parameters, state = model.state
    guard checkpoint.parameters.names == parameters.names,
      checkpoint.parameters.tensors.map(\.shape) == parameters.tensors.map(\.shape)
    else { throw CheckpointError.mismatch(reason: "its parameters are not this network's (names or shapes differ)") }
    guard checkpoint.modelState.names == state.names,
      checkpoint.modelState.tensors.map(\.shape) == state.tensors.map(\.shape)
    else {
      throw CheckpointError.mismatch(
        reason: "its model state (running statistics) is not this network's (names or shapes differ)")
    }
    (model.parameters, model.state) = (checkpoint.parameters, checkpoint.modelState)
  }

  /// The optimiser's step and buffers, each buffer the shape of the parameter it names.
  private mutating func restoreOptimiser(from checkpoint: TrainingCheckpoint) throws {
    do { try optimiser.restore(checkpoint.optimiser) } catch {
      throw CheckpointError.invalidState(component: "optimiser", reason: "\(error)")
    }
    let shapes = Dictionary(uniqueKeysWithValues: zip(model.parameters.names, model.parameters.tensors.map(\.shape)))
    for (name, tensor) in zip(checkpoint.optimiser.buffers.names, checkpoint.optimiser.buffers.tensors) {
      guard let slash = name.firstIndex(of: "/"), shapes[String(name[name.index(after: slash)...])] == tensor.shape
      else {
        throw CheckpointError.invalidState(
          component: "optimiser", reason: "buffer '\(name)' \(tensor.shape) matches no parameter")
      }
    }
  }

  /// Each regulariser's state, matched by name and order.
  private mutating func restoreRegularisers(from checkpoint: TrainingCheckpoint) throws {
    let saved = checkpoint.components.filter { $0.role == "regulariser" }
    guard saved.map(\.name) == regularisers.map(\.name) else {
      throw CheckpointError.mismatch(
        reason: "it holds regularisers \(saved.map(\.name)), this run has \(regularisers.map(\.name))")
    }
    for k in regularisers.indices {
      guard var r = regularisers[k] as? any Regulariser & Checkpointable else {
        throw CheckpointError.unsupported(component: regularisers[k].name)
      }
      try r.restore(from: saved[k].state, model: model)
      regularisers[k] = r
    }
  }

  /// The replay memory, when the run has one, every exemplar from data already seen.
  private mutating func restoreMemory(from checkpoint: TrainingCheckpoint) throws {
    let saved = checkpoint.components.filter { $0.role == "memory" }
    switch (memory, saved.count) {
    case (nil, 0): break
    case (var restored?, 1):
      try restored.restore(from: saved[0].state, model: model)
      for e in restored.exemplars
      where e.task >= checkpoint.completedTasks || e.index >= sequence.tasks[e.task].train.count {
        throw CheckpointError.invalidState(
          component: "replay", reason: "exemplar \(e.index) of task \(e.task + 1) is not in the data seen so far")
      }
      memory = restored
    default:
      throw CheckpointError.mismatch(reason: "it has \(saved.count) replay memories, this run \(memory == nil ? 0 : 1)")
    }
  }
}
