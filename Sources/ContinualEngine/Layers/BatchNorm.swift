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
  /// When set, the layer keeps separate running statistics for each of this many tasks and uses
  /// those of ``ForwardContext/task`` (which must then be known); `nil`: one set for all tasks.
  public var statisticsPerTask: Int?

  /// Creates a batch-normalisation layer with PyTorch's defaults.
  ///
  /// - Parameters:
  ///   - channels: The number of channels.
  ///   - momentum: How far running statistics move towards each training batch's.
  ///   - epsilon: Added to the variance before its square root.
  ///   - affine: Whether to learn a gain and an offset per channel.
  ///   - statisticsPerTask: Keep running statistics per task for this many tasks (`nil`: shared
  ///     by every task).
  public init(
    _ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true, statisticsPerTask: Int? = nil
  ) {
    self.channels = channels
    self.momentum = momentum
    self.epsilon = epsilon
    self.isAffine = affine
    self.statisticsPerTask = statisticsPerTask
  }

  /// `weight [C]` (ones) and `bias [C]` (zeros) when affine.
  public var parameterSpecs: [ParameterSpec] {
    guard isAffine else { return [] }
    return [
      ParameterSpec(name: "weight", shape: [channels], initialiser: .constant(1)),
      ParameterSpec(name: "bias", shape: [channels], initialiser: .zeros),
    ]
  }

  /// `running_mean [C]` (zeros) and `running_var [C]` (ones), PyTorch's buffer names; with
  /// statistics per task, `task.<t>.running_mean` and `task.<t>.running_var` for every task.
  public var stateSpecs: [StateSpec] {
    let pair = [
      StateSpec(name: "running_mean", shape: [channels], initialValue: 0),
      StateSpec(name: "running_var", shape: [channels], initialValue: 1),
    ]
    guard let tasks = statisticsPerTask else { return pair }
    return StateSpec.perTask(pair, tasks: tasks)
  }

  /// Where the statistics in use start in ``stateSpecs``.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` with statistics per task when the
  ///   task is unknown or out of range.
  func statisticsPosition(task: Int?) throws -> Int {
    guard let tasks = statisticsPerTask else { return 0 }
    guard let task, (0..<tasks).contains(task) else {
      throw TensorError.invalidArgument(
        operation: description,
        reason:
          "keeps statistics per task, so it needs the task identity (task \(task.map(String.init) ?? "unknown") "
          + "of \(tasks))"
      )
    }
    return 2 * task
  }

  /// The input shape, `[C]` or `[C, H, W]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape.count == 1 || shape.count == 3, shape[0] == channels else {
      throw TensorError.shapeMismatch(
        operation: description, shapes: [shape],
        reason: "expects samples of shape [\(channels)] or [\(channels), height, width]")
    }
    return shape
  }

  /// Normalises with the batch's statistics (training, updating the running ones in `context`)
  /// or with the running statistics (evaluation).
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    let start = weights.startIndex
    let scale = isAffine ? weights[start] : nil, shift = isAffine ? weights[start + 1] : nil
    let position = try statisticsPosition(task: context.task)
    let runningMean = try context.state(at: position, for: description)
    let runningVariance = try context.state(at: position + 1, for: description)
    guard context.training else {
      return try input.normalised(
        mean: runningMean, variance: runningVariance, scale: scale, shift: shift, epsilon: epsilon)
    }
    let (output, mean, variance) = try input.batchNormalised(scale: scale, shift: shift, epsilon: epsilon)
    let count = input.shape.reduce(1, *) / channels
    let unbiased = count > 1 ? Float(count) / Float(count - 1) : 1
    context.setState(try runningMean * (1 - momentum) + mean * momentum, at: position)
    context.setState(try runningVariance * (1 - momentum) + variance * (momentum * unbiased), at: position + 1)
    return output
  }

  /// `BatchNorm(C)`.
  public var description: String {
    let affine = isAffine ? "" : ", affine: false"
    let perTask = statisticsPerTask.map { ", statistics per task: \($0)" } ?? ""
    return "BatchNorm(\(channels)\(affine)\(perTask))"
  }
}
