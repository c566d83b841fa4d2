import ContinualEngine

/// The memory's checkpoint state: its classes in order with their exemplar references (all numbers;
/// the samples themselves stay in the data set); a reservoir adds its slots, the number of samples
/// offered and the stored outputs.
extension ReplayMemory: Checkpointable {
  /// `class_tasks`, `class_labels`, `class_sizes` per class and `exemplar_indices` class after class;
  /// for a reservoir also `reservoir_tasks`, `reservoir_indices`, `offered` and the tensor
  /// `reservoir_outputs` (`[slots, outputs]`, when the slots keep outputs).
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: [
      "class_tasks": classes.map { Double($0.key.task) }, "class_labels": classes.map { Double($0.key.label) },
      "class_sizes": classes.map { Double($0.exemplars.count) },
      "exemplar_indices": classes.flatMap(\.exemplars).map { Double($0.index) },
    ])
    guard configuration.selection == .reservoir else { return state }
    state.numbers["reservoir_tasks"] = reservoir.map { Double($0.task) }
    state.numbers["reservoir_indices"] = reservoir.map { Double($0.index) }
    state.numbers["offered"] = [Double(offered)]
    if let width = reservoir.first?.outputs?.count, reservoir.allSatisfy({ $0.outputs?.count == width }) {
      state.tensors = try NamedTensors(
        names: ["reservoir_outputs"],
        tensors: [Tensor(shape: [reservoir.count, width], scalars: reservoir.flatMap { $0.outputs! })])
    }
    return state
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
      throw CheckpointError.invalidState(
        component: "replay", reason: "the class lists and the \(indices.count) exemplars disagree")
    }
    guard indices.count <= configuration.capacity else {
      throw CheckpointError.invalidState(
        component: "replay", reason: "\(indices.count) exemplars exceed the budget of \(configuration.capacity)")
    }
    var restored: [(key: ClassKey, exemplars: [Exemplar])] = []
    var offset = 0
    for (k, size) in sizes.enumerated() {
      let key = ClassKey(task: tasks[k], label: labels[k])
      guard !restored.contains(where: { $0.key == key }) else {
        throw CheckpointError.invalidState(
          component: "replay", reason: "class \(labels[k]) of task \(tasks[k] + 1) appears twice")
      }
      restored.append((key, indices[offset..<offset + size].map { Exemplar(task: key.task, index: $0) }))
      offset += size
    }
    classes = restored
    guard configuration.selection == .reservoir else { return }
    let slotTasks = try state.integers("reservoir_tasks", in: 0...limit, component: "replay")
    let slotIndices = try state.integers("reservoir_indices", in: 0...limit, component: "replay")
    let seen = try state.integer("offered", in: 0...limit, component: "replay")
    guard slotTasks.count == slotIndices.count, slotTasks.count <= configuration.capacity, slotTasks.count <= seen
    else {
      throw CheckpointError.invalidState(
        component: "replay",
        reason: "\(slotTasks.count) reservoir slots for \(slotIndices.count) indices, \(seen) offered")
    }
    var outputs: [[Float]?] = Array(repeating: nil, count: slotTasks.count)
    if state.tensors["reservoir_outputs"] != nil {
      let tensor = try state.tensor("reservoir_outputs", component: "replay")
      guard tensor.rank == 2, tensor.shape[0] == slotTasks.count else {
        throw CheckpointError.invalidState(
          component: "replay", reason: "stored outputs \(tensor.shape) for \(slotTasks.count) slots")
      }
      let width = tensor.shape[1], values = tensor.scalars
      outputs = (0..<slotTasks.count).map { Array(values[$0 * width..<($0 + 1) * width]) }
    }
    reservoir = slotTasks.indices.map { Exemplar(task: slotTasks[$0], index: slotIndices[$0], outputs: outputs[$0]) }
    offered = seen
  }
}
