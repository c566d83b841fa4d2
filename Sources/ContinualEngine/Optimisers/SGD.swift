/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 or L1 weight
/// decay, matching PyTorch's `torch.optim.SGD` (dampening 0).
///
/// Per step, with `d = g + l2·θ + l1·sign(θ)`:
/// `b ← μ·b + d`; `d ← d + μ·b` (Nesterov) or `d ← b`; `θ ← θ − lr·d`.
///
/// ```swift
/// var sgd = SGD(learningRate: 0.01, momentum: 0.9)
/// try sgd.update(&model.parameters, along: gradients)
/// ```
public struct SGD: Optimiser {
  /// The step size.
  public var learningRate: Float
  /// The momentum coefficient μ (0 for plain SGD).
  public var momentum: Float
  /// Whether to use Nesterov momentum.
  public var nesterov: Bool
  /// The L2 weight-decay coefficient (added to the gradient as `l2·θ`).
  public var weightDecay: Float
  /// The L1 weight-decay coefficient (added to the gradient as `l1·sign(θ)`).
  public var l1Decay: Float
  var state = SlotState()

  /// Creates an SGD optimiser.
  ///
  /// - Parameters:
  ///   - learningRate: The step size (> 0).
  ///   - momentum: μ ∈ [0, 1).
  ///   - nesterov: Nesterov momentum (needs μ > 0).
  ///   - weightDecay: L2 decay coefficient.
  ///   - l1Decay: L1 decay coefficient.
  public init(
    learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0, l1Decay: Float = 0
  ) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
    self.l1Decay = l1Decay
  }

  /// Takes one step.
  ///
  /// - Throws: ``TensorError`` when names or shapes disagree.
  public mutating func update(_ parameters: inout NamedTensors, along gradients: NamedTensors) throws {
    try state.prepare(for: parameters, gradients: gradients, count: momentum == 0 ? 0 : 1, operation: "SGD.update")
    let (lr, mu, l2, l1, nesterov) = (learningRate, momentum, weightDecay, l1Decay, self.nesterov)
    for k in 0..<parameters.count {
      let g = gradients.tensors[k].storage.base
      parameters.tensors[k].withUnsafeMutableBufferPointer { theta in
        if mu == 0 {
          for i in 0..<theta.count {
            let t = theta[i]
            let d = g[i] + l2 * t + l1 * (t > 0 ? 1 : (t < 0 ? -1 : 0))
            theta[i] = t - lr * d
          }
        } else {
          state.slots[k][0].withUnsafeMutableBufferPointer { buffer in
            for i in 0..<theta.count {
              let t = theta[i]
              let d = g[i] + l2 * t + l1 * (t > 0 ? 1 : (t < 0 ? -1 : 0))
              let b = mu * buffer[i] + d
              buffer[i] = b
              theta[i] = t - lr * (nesterov ? d + mu * b : b)
            }
          }
        }
      }
    }
  }

  /// Clears the momentum buffers.
  public mutating func reset() { state = SlotState() }

  /// The momentum buffers, named `momentum/<parameter>` (none without momentum); SGD counts no steps.
  public func savedState() -> OptimiserState { OptimiserState(step: 0, buffers: state.saved(slotNames: ["momentum"])) }

  /// Restores the momentum buffers.
  ///
  /// - Throws: ``TensorError`` when the buffers are not SGD's, or there are buffers but no momentum.
  public mutating func restore(_ saved: OptimiserState) throws {
    guard saved.step >= 0 else {
      throw TensorError.invalidArgument(operation: "SGD.restore", reason: "step count \(saved.step) is negative")
    }
    guard momentum != 0 || saved.buffers.count == 0 else {
      throw TensorError.invalidArgument(
        operation: "SGD.restore", reason: "momentum buffers given to an SGD without momentum")
    }
    state = try SlotState(restoring: saved.buffers, slotNames: ["momentum"], operation: "SGD.restore")
  }
}
