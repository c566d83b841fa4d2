import ContinualEngine

/// Which layers' outputs a representation regulariser reads: by default every hidden ReLU, as the
/// official SLNID code regularises the ReLU outputs of the hidden fully connected layers
/// (`in_layers = [['1', '3'], []]` for the MNIST MLP).
///
/// On a convolutional feature map `[batch, C, H, W]` each channel is one unit, and every spatial
/// position of every sample is one observation of it: the map is read as `[batch·H·W, C]`, as
/// the SLNID paper treats a convolutional layer's neurons as its feature maps.
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
  /// Every ``ReLU`` of the network's top level except its first and last layers: in an MLP the
  /// ReLUs after the hidden linear layers, in a CNN also those after convolutions and residual
  /// blocks.
  case hiddenReLUs
  /// The hidden ReLUs that follow a fully connected layer (``Linear``): the official code's choice
  /// on its MLPs (the same layers as ``hiddenReLUs`` there), `zenke`'s 512-unit layer, and none in
  /// a ResNet, whose only fully connected layer is its output.
  case denseReLUs
  /// The last of the ``hiddenReLUs``: the representation the output layer reads (`resnet32`'s last
  /// block, 64 channels; an MLP's last hidden layer).
  case lastHiddenReLU
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
      return Self.hiddenReLUs(in: layers)
    case .denseReLUs:
      let dense = Self.hiddenReLUs(in: layers).filter { layers[$0 - 1] is Linear }
      guard !dense.isEmpty else {
        throw TensorError.invalidArgument(
          operation: "ActivationLayers",
          reason: "the network has no ReLU after a fully connected hidden layer; choose every hidden ReLU or the last")
      }
      return dense
    case .lastHiddenReLU:
      return Array(Self.hiddenReLUs(in: layers).suffix(1))
    case .indices(let chosen):
      for k in chosen where !(0..<layers.count - 1).contains(k) {
        throw TensorError.invalidArgument(
          operation: "ActivationLayers",
          reason:
            "layer \(k) is not a hidden layer of a network of \(layers.count) layers (valid: 0..<\(layers.count - 1))")
      }
      return Array(Set(chosen)).sorted()
    }
  }

  /// Every top-level ``ReLU`` except the first and last layers.
  private static func hiddenReLUs(in layers: [any Layer]) -> [Int] {
    layers.indices.filter { k in k > 0 && k < layers.count - 1 && layers[k] is ReLU }
  }
}

/// The activations of layer `index` of a forward pass as `[observations, units]`: a vector layer's
/// `[batch, units]` as it is, a feature map `[batch, C, H, W]` as `[batch·H·W, C]`.
///
/// - Throws: ``TensorError`` when the trace has no such layer or its output is neither.
func hiddenActivations(_ trace: ForwardTrace, layer index: Int, operation: String) throws -> Variable {
  try unitColumns(layerOutput(trace, layer: index, operation: operation))
}

/// Layer `index`'s output as recorded, `[batch, units]` or `[batch, C, H, W]`.
///
/// - Throws: ``TensorError`` when the trace has no such layer or its output has another rank.
func layerOutput(_ trace: ForwardTrace, layer index: Int, operation: String) throws -> Variable {
  guard trace.activations.indices.contains(index) else {
    throw TensorError.invalidArgument(
      operation: operation, reason: "the forward pass has no layer \(index) (it has \(trace.activations.count))")
  }
  let activations = trace.activations[index]
  guard activations.shape.count == 2 || activations.shape.count == 4 else {
    throw TensorError.rankMismatch(
      operation: "\(operation), layer \(index)",
      expected: "activations of shape [batch, units] or [batch, channels, height, width]",
      shape: activations.shape)
  }
  return activations
}

/// `[batch, units]` unchanged; `[batch, C, H, W]` as `[batch·H·W, C]` (one row per position).
func unitColumns(_ v: Variable) throws -> Variable {
  guard v.shape.count == 4 else { return v }
  return try v.permuted([0, 2, 3, 1]).reshaped([-1, v.shape[1]])
}

/// The tensor form of ``unitColumns(_:)``, for gradients read at a layer's output.
func unitColumns(_ t: Tensor) throws -> Tensor {
  guard t.shape.count == 4 else { return t }
  return try t.permuted([0, 2, 3, 1]).reshaped([-1, t.shape[1]])
}

/// The number of units of each chosen layer for samples of `sampleShape`.
///
/// - Throws: ``TensorError`` when the samples do not fit the network or a chosen layer's output is
///   not a vector per sample.
func unitCounts(of layers: [Int], in architecture: Sequential, sampleShape: [Int], operation: String) throws -> [Int:
  Int]
{
  var counts: [Int: Int] = [:]
  var shape = sampleShape
  for (k, layer) in architecture.layers.enumerated() {
    shape = try layer.outputShape(forInput: shape)
    if layers.contains(k) {
      guard shape.count == 1 || shape.count == 3 else {
        throw TensorError.rankMismatch(
          operation: "\(operation), layer \(k)", expected: "one vector of units or one feature map per sample",
          shape: shape)
      }
      counts[k] = shape[0]
    }
  }
  return counts
}
