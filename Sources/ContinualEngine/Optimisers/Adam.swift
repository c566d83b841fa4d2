import Foundation
import _ContinualKernels

/// Adam with bias correction (Kingma & Ba 2015), matching PyTorch's `torch.optim.Adam`.
///
/// Per step `t`: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)`. With `weightDecay`, `g ← g + wd·θ`
/// first.
///
/// ```swift
/// var adam = Adam(learningRate: 1e-3)
/// try adam.update(&model.parameters, along: gradients)
/// ```
public struct Adam: Optimiser {
  /// The step size.
  public var learningRate: Float
  /// The decay rate of the first-moment estimate.
  public var beta1: Float
  /// The decay rate of the second-moment estimate.
  public var beta2: Float
  /// Added to the denominator for numerical stability.
  public var epsilon: Float
  /// L2 weight decay added to the gradient.
  public var weightDecay: Float
  /// The number of steps taken since creation or the last ``reset()``.
  public private(set) var step: Int = 0
  var state = SlotState()

  /// Creates an Adam optimiser with PyTorch's defaults.
  public init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  /// Takes one step.
  ///
  /// - Throws: ``TensorError`` when names or shapes disagree.
  public mutating func update(_ parameters: inout NamedTensors, along gradients: NamedTensors) throws {
    try state.prepare(for: parameters, gradients: gradients, count: 2, operation: "Adam.update")
    step += 1
    let t = Double(step)
    let correction1 = 1 - Foundation.pow(Double(beta1), t)
    let correction2 = 1 - Foundation.pow(Double(beta2), t)
    let stepSize = Float(Double(learningRate) / correction1)
    let inverseRootCorrection2 = Float(1 / correction2.squareRoot())
    let (b1, b2, eps, wd) = (beta1, beta2, epsilon, weightDecay)
    for k in 0..<parameters.count {
      let g = gradients.tensors[k].storage.base
      // Take the buffers out so they are uniquely referenced while mutated (no copy).
      var first = state.slots[k][0], second = state.slots[k][1]
      state.slots[k] = []
      defer { state.slots[k] = [first, second] }
      first.withUnsafeMutableBufferPointer { m in
        second.withUnsafeMutableBufferPointer { v in
          parameters.tensors[k].withUnsafeMutableBufferPointer { theta in
            // Large tensors are split over threads; each chunk is updated by the fused C kernel.
            let n = theta.count
            let pt = SendablePointer(theta.baseAddress!), pm = SendablePointer(m.baseAddress!),
              pv = SendablePointer(v.baseAddress!)
            let pg = SendableConstPointer(g)
            let chunks = chunkRanges(n, parts: n >= 1 << 16 ? EngineThreads.count : 1, granule: 64)
            parallelForEach(chunks.count) { part in
              let r = chunks[part]
              ck_adam_update(
                pt.base + r.lowerBound, pg.base + r.lowerBound, pm.base + r.lowerBound, pv.base + r.lowerBound, r.count,
                b1, b2, stepSize, inverseRootCorrection2, eps, wd)
            }
          }
        }
      }
    }
  }

  /// Clears the moment estimates and the step count.
  public mutating func reset() {
    state = SlotState()
    step = 0
  }

  /// The step count and the moment estimates, named `m/<parameter>` and `v/<parameter>`.
  public func savedState() -> OptimiserState {
    OptimiserState(step: step, buffers: state.saved(slotNames: ["m", "v"]))
  }

  /// Restores the step count and the moment estimates.
  ///
  /// - Throws: ``TensorError`` when the buffers are not Adam's or the step count is negative.
  public mutating func restore(_ saved: OptimiserState) throws {
    guard saved.step >= 0 else {
      throw TensorError.invalidArgument(operation: "Adam.restore", reason: "step count \(saved.step) is negative")
    }
    state = try SlotState(restoring: saved.buffers, slotNames: ["m", "v"], operation: "Adam.restore")
    step = saved.step
  }
}
