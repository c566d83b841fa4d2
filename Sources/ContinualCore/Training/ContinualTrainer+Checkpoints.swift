import ContinualData
import ContinualEngine

extension ContinualTrainer {
  /// The name of the first regulariser of `plan` that cannot be checkpointed, or `nil` when the
  /// run can be (every regulariser conforms to ``Checkpointable``; the replay memory always does).
  public static func checkpointBlocker(_ plan: TrainingPlan) -> String? {
    plan.regularisers.first { !($0 is any Checkpointable) }?.name
  }

  /// Saves a task-boundary checkpoint as the directory's ``CheckpointDirectory/saveFailure`` says.
  ///
  /// - Returns: `false` when the save failed on the file system and the run goes on without
  ///   checkpoints (the failure was reported once); `true` when it was saved.
  /// - Throws: The save's error when the policy is to stop, or when it is not a file-system error.
  func save(_ checkpoint: TrainingCheckpoint, to directory: CheckpointDirectory) throws -> Bool {
    do {
      try directory.save(checkpoint)
      return true
    } catch let error as CheckpointError {
      guard case .io = error, case .continueWithoutCheckpoints(let report) = directory.saveFailure else { throw error }
      report(error)
      return false
    }
  }

  /// Every regulariser's saved state, then the memory's.
  func checkpointComponents(regularisers: [any Regulariser], memory: ReplayMemory?) throws -> [TrainingCheckpoint.Component] {
    var components = try regularisers.map { r in
      guard let c = r as? any Checkpointable else { throw CheckpointError.unsupported(component: r.name) }
      return TrainingCheckpoint.Component(role: "regulariser", name: r.name, state: try c.checkpointState())
    }
    if let memory { components.append(.init(role: "memory", name: "replay", state: try memory.checkpointState())) }
    return components
  }

  /// Puts a checkpoint's state into a freshly set-up run, checking that it fits: the task count,
  /// the parameters' names and shapes, the optimiser's buffers, each regulariser by name and the
  /// memory's exemplars against the data. Returns the saved random generators.
  func restore(
    _ checkpoint: TrainingCheckpoint, sequence: TaskSequence, plan: TrainingPlan, model: inout Model, optimiser: inout any Optimiser,
    regularisers: inout [any Regulariser], memory: inout ReplayMemory?
  ) throws -> (sampling: SeededGenerator, dropout: SeededGenerator, algorithm: SeededGenerator, replay: SeededGenerator) {
    let taskCount = sequence.tasks.count
    guard checkpoint.taskCount == taskCount, checkpoint.completedTasks < taskCount else {
      throw CheckpointError.mismatch(
        reason: "it has \(checkpoint.completedTasks) of \(checkpoint.taskCount) tasks done; this run has \(taskCount) tasks")
    }
    guard checkpoint.parameters.names == model.parameters.names, checkpoint.parameters.tensors.map(\.shape) == model.parameters.tensors.map(\.shape)
    else { throw CheckpointError.mismatch(reason: "its parameters are not this network's (names or shapes differ)") }
    model.parameters = checkpoint.parameters
    guard checkpoint.modelState.names == model.state.names, checkpoint.modelState.tensors.map(\.shape) == model.state.tensors.map(\.shape)
    else { throw CheckpointError.mismatch(reason: "its model state (running statistics) is not this network's (names or shapes differ)") }
    model.state = checkpoint.modelState
    do { try optimiser.restore(checkpoint.optimiser) } catch { throw CheckpointError.invalidState(component: "optimiser", reason: "\(error)") }
    let shapes = Dictionary(uniqueKeysWithValues: zip(model.parameters.names, model.parameters.tensors.map(\.shape)))
    for (name, tensor) in zip(checkpoint.optimiser.buffers.names, checkpoint.optimiser.buffers.tensors) {
      guard let slash = name.firstIndex(of: "/"), shapes[String(name[name.index(after: slash)...])] == tensor.shape else {
        throw CheckpointError.invalidState(component: "optimiser", reason: "buffer '\(name)' \(tensor.shape) matches no parameter")
      }
    }
    let saved = checkpoint.components.filter { $0.role == "regulariser" }
    guard saved.map(\.name) == regularisers.map(\.name) else {
      throw CheckpointError.mismatch(reason: "it holds regularisers \(saved.map(\.name)), this run has \(regularisers.map(\.name))")
    }
    for k in regularisers.indices {
      guard var r = regularisers[k] as? any Regulariser & Checkpointable else { throw CheckpointError.unsupported(component: regularisers[k].name) }
      try r.restore(from: saved[k].state, model: model)
      regularisers[k] = r
    }
    let savedMemory = checkpoint.components.filter { $0.role == "memory" }
    switch (memory, savedMemory.count) {
    case (nil, 0): break
    case (var restored?, 1):
      try restored.restore(from: savedMemory[0].state, model: model)
      for e in restored.exemplars where e.task >= checkpoint.completedTasks || e.index >= sequence.tasks[e.task].train.count {
        throw CheckpointError.invalidState(component: "replay", reason: "exemplar \(e.index) of task \(e.task + 1) is not in the data seen so far")
      }
      memory = restored
    default: throw CheckpointError.mismatch(reason: "it has \(savedMemory.count) replay memories, this run \(memory == nil ? 0 : 1)")
    }
    guard let s = checkpoint.generators["sampling"], let d = checkpoint.generators["dropout"], let a = checkpoint.generators["algorithm"],
      let r = checkpoint.generators["replay"]
    else { throw CheckpointError.mismatch(reason: "it lacks a random generator") }
    return (s, d, a, r)
  }
}
