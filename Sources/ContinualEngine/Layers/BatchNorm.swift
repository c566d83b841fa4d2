/// Batch normalisation over the channels of `[N, C]` or `[N, C, H, W]` input, as PyTorch's
/// `BatchNorm1d`/`BatchNorm2d`.
///
/// In training, each channel is normalised with the batch's mean and variance (over the batch and
/// every spatial position), and the running statistics move towards them by `momentum`:
/// `running ← (1 − momentum)·running + momentum·batch`, with the unbiased variance, as PyTorch.
/// In evaluation, the running statistics are used. They are model state (``StateSpec``), not
/// parameters: a ``Model`` keeps them in ``Model/state``, and optimisers, regularisers and
/// importance estimators never see them.
///
/// ```swift
/// let block = Sequential([Conv2d(3, 16, kernelSize: 3, padding: 1, bias: false), BatchNorm(16), ReLU()])
/// block.stateSpecs.map(\.name)   // ["1.running_mean", "1.running_var"]
/// ```
public struct BatchNorm: Layer {
  /// The number of channels (the size of dimension 1 of the input).
  public var channels: Int
  /// How far the running statistics move towards each training batch's.
  public var momentum: Float
  /// Added to the variance before its square root.
  public var epsilon: Float
  /// Whether the layer learns a gain `weight` and offset `bias` per channel.
  public var isAffine: Bool

  /// Creates a batch-normalisation layer with PyTorch's defaults.
  public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
    self.channels = channels
    self.momentum = momentum
    self.epsilon = epsilon
    self.isAffine = affine
  }

  /// `weight [C]` (ones) and `bias [C]` (zeros) when affine.
  public var parameterSpecs: [ParameterSpec] {
    guard isAffine else { return [] }
    return [
      ParameterSpec(name: "weight", shape: [channels], initialiser: .constant(1)),
      ParameterSpec(name: "bias", shape: [channels], initialiser: .zeros),
    ]
  }

  /// `running_mean [C]` (zeros) and `running_var [C]` (ones), PyTorch's buffer names.
  public var stateSpecs: [StateSpec] {
    [StateSpec(name: "running_mean", shape: [channels], initialValue: 0), StateSpec(name: "running_var", shape: [channels], initialValue: 1)]
  }

  /// The input shape, `[C]` or `[C, H, W]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape.count == 1 || shape.count == 3, shape[0] == channels else {
      throw TensorError.shapeMismatch(
        operation: description, shapes: [shape], reason: "expects samples of shape [\(channels)] or [\(channels), height, width]")
    }
    return shape
  }

  /// Normalises with the batch's statistics (training, updating the running ones in `context`)
  /// or with the running statistics (evaluation).
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws -> Variable {
    let start = weights.startIndex
    let scale = isAffine ? weights[start] : nil, shift = isAffine ? weights[start + 1] : nil
    let runningMean = try context.state(at: 0, for: description), runningVariance = try context.state(at: 1, for: description)
    guard context.training else {
      return try input.normalised(mean: runningMean, variance: runningVariance, scale: scale, shift: shift, epsilon: epsilon)
    }
    let (output, mean, variance) = try input.batchNormalised(scale: scale, shift: shift, epsilon: epsilon)
    let count = input.shape.reduce(1, *) / channels
    let unbiased = count > 1 ? Float(count) / Float(count - 1) : 1
    context.setState(try runningMean * (1 - momentum) + mean * momentum, at: 0)
    context.setState(try runningVariance * (1 - momentum) + variance * (momentum * unbiased), at: 1)
    return output
  }

  /// `BatchNorm(C)`.
  public var description: String { "BatchNorm(\(channels)\(isAffine ? "" : ", affine: false"))" }
}
