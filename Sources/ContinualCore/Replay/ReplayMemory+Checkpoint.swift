import ContinualEngine

/// The memory's checkpoint state: its classes in order with their exemplar references (all numbers;
/// the samples themselves stay in the data set).
extension ReplayMemory: Checkpointable {
  /// `class_tasks`, `class_labels`, `class_sizes` per class and `exemplar_indices` class after class.
  public func checkpointState() throws -> CheckpointState {
    CheckpointState(numbers: [
      "class_tasks": classes.map { Double($0.key.task) }, "class_labels": classes.map { Double($0.key.label) },
      "class_sizes": classes.map { Double($0.exemplars.count) }, "exemplar_indices": exemplars.map { Double($0.index) },
    ])
  }

  /// Restores the classes and exemplars, checking that the lists agree, no class repeats and the
  /// memory is within its budget. (The trainer checks the references against the data.)
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    let limit = 1 << 40
    let tasks = try state.integers("class_tasks", in: 0...limit, component: "replay")
    let labels = try state.integers("class_labels", in: 0...limit, component: "replay")
    let sizes = try state.integers("class_sizes", in: 0...configuration.capacity, component: "replay")
    let indices = try state.integers("exemplar_indices", in: 0...limit, component: "replay")
    guard tasks.count == labels.count, tasks.count == sizes.count, sizes.reduce(0, +) == indices.count else {
      throw CheckpointError.invalidState(component: "replay", reason: "the class lists and the \(indices.count) exemplars disagree")
    }
    guard indices.count <= configuration.capacity else {
      throw CheckpointError.invalidState(component: "replay", reason: "\(indices.count) exemplars exceed the budget of \(configuration.capacity)")
    }
    var restored: [(key: ClassKey, exemplars: [Exemplar])] = []
    var offset = 0
    for (k, size) in sizes.enumerated() {
      let key = ClassKey(task: tasks[k], label: labels[k])
      guard !restored.contains(where: { $0.key == key }) else {
        throw CheckpointError.invalidState(component: "replay", reason: "class \(labels[k]) of task \(tasks[k] + 1) appears twice")
      }
      restored.append((key, indices[offset..<offset + size].map { Exemplar(task: key.task, index: $0) }))
      offset += size
    }
    classes = restored
  }
}
