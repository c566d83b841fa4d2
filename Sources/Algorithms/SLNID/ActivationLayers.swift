import ContinualEngine

/// Which layers' outputs a representation regulariser reads: by default every hidden ReLU that
/// directly follows a ``Linear`` layer, as the official SLNID code regularises the ReLU outputs of the
/// hidden fully connected layers (`in_layers = [['1', '3'], []]` for the MNIST MLP).
///
/// Layers are named by their index in ``Sequential/layers``; a forward pass's
/// `trace.activations[k]` is layer `k`'s output.
///
/// ```swift
/// let mlp = Sequential([Flatten(), Linear(784, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 10)])
/// try ActivationLayers.hiddenReLUs.resolve(in: mlp)   // [2, 4]
/// try ActivationLayers.indices([4]).resolve(in: mlp)  // [4]
/// ```
public enum ActivationLayers: Sendable, Equatable {
  /// Every ``ReLU`` that directly follows a ``Linear`` layer, except a ReLU that is the network's
  /// last layer (its output).
  case hiddenReLUs
  /// The outputs of the layers at these indices, in increasing order. The neuron-importance
  /// estimator reads the gradient at each layer's *input*, so an index must be at least 1 there
  /// and the layer must keep the width of its input (an activation function).
  case indices([Int])

  /// The indices of the chosen layers in `architecture`.
  ///
  /// - Parameter architecture: The network.
  /// - Returns: Sorted, distinct layer indices.
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` when an explicit index is outside
  ///   the network or names its last layer.
  public func resolve(in architecture: Sequential) throws -> [Int] {
    let layers = architecture.layers
    switch self {
    case .hiddenReLUs:
      return layers.indices.filter { k in k > 0 && k < layers.count - 1 && layers[k] is ReLU && layers[k - 1] is Linear }
    case .indices(let chosen):
      for k in chosen where !(0..<layers.count - 1).contains(k) {
        throw TensorError.invalidArgument(
          operation: "ActivationLayers",
          reason: "layer \(k) is not a hidden layer of a network of \(layers.count) layers (valid: 0..<\(layers.count - 1))")
      }
      return Array(Set(chosen)).sorted()
    }
  }
}

/// The 2-D activations `[batch, units]` of layer `index` of a forward pass.
///
/// - Throws: ``TensorError`` when the trace has no such layer or its output is not rank 2.
func hiddenActivations(_ trace: ForwardTrace, layer index: Int, operation: String) throws -> Variable {
  guard trace.activations.indices.contains(index) else {
    throw TensorError.invalidArgument(operation: operation, reason: "the forward pass has no layer \(index) (it has \(trace.activations.count))")
  }
  let activations = trace.activations[index]
  guard activations.shape.count == 2 else {
    throw TensorError.rankMismatch(
      operation: "\(operation), layer \(index)", expected: "activations of shape [batch, units]", shape: activations.shape)
  }
  return activations
}

/// The number of units of each chosen layer for samples of `sampleShape`.
///
/// - Throws: ``TensorError`` when the samples do not fit the network or a chosen layer's output is
///   not a vector per sample.
func unitCounts(of layers: [Int], in architecture: Sequential, sampleShape: [Int], operation: String) throws -> [Int: Int] {
  var counts: [Int: Int] = [:]
  var shape = sampleShape
  for (k, layer) in architecture.layers.enumerated() {
    shape = try layer.outputShape(forInput: shape)
    if layers.contains(k) {
      guard shape.count == 1 else {
        throw TensorError.rankMismatch(operation: "\(operation), layer \(k)", expected: "one vector of units per sample", shape: shape)
      }
      counts[k] = shape[0]
    }
  }
  return counts
}
