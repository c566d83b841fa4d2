import ContinualEngine

/// The penalty's anchors and importances (and its estimator's state) in a checkpoint.
extension QuadraticPenalty: Checkpointable where Estimator: Checkpointable {
  /// `count`, then `anchor.<i>/<parameter>` and `importance.<i>/<parameter>` per stored pair, and
  /// the estimator's state under `estimator:`.
  public func checkpointState() throws -> CheckpointState {
    var state = CheckpointState(numbers: ["count": [Double(anchors.count)]])
    for (i, pair) in anchors.enumerated() {
      state.store(pair.anchor, under: "anchor.\(i)")
      state.store(pair.importance, under: "importance.\(i)")
    }
    state.embed(try estimator.checkpointState(), as: "estimator")
    return state
  }

  /// Restores the anchors and importances, each checked against the model's parameters, and the
  /// estimator's state.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when a tensor is missing or
  ///   misshapen, or the count does not suit the accumulation.
  public mutating func restore(from state: CheckpointState, model: Model) throws {
    let count = try state.integer("count", in: 0...1_000_000, component: name)
    if accumulation != .perTask, count > 1 {
      throw CheckpointError.invalidState(
        component: name, reason: "\(count) anchors, but a running accumulation keeps at most one")
    }
    anchors = try (0..<count).map { i in
      (
        try state.tensors(under: "anchor.\(i)", like: model.parameters, component: name),
        try state.tensors(under: "importance.\(i)", like: model.parameters, component: name)
      )
    }
    let expected = 2 * count * model.parameters.count
    let estimatorState = state.embedded("estimator")
    guard state.tensors.count == expected + estimatorState.tensors.count else {
      throw CheckpointError.invalidState(
        component: name, reason: "it holds tensors other than \(count) anchors and importances")
    }
    try estimator.restore(from: estimatorState, model: model)
  }
}
