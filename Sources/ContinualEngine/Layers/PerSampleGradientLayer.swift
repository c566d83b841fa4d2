import Foundation

/// A parametrised layer that can sum powers of its per-sample weight gradients from one batched
/// backward pass, when each sample's loss depends only on that sample's outputs.
///
/// With the layer's input `a_m` and the gradient `δ_m` at its output for sample `m`, a linear
/// layer's per-sample weight gradient is `δ_m ⊗ a_m` and a convolution's is `δ_m · cols(a_m)ᵀ`, so
/// importance estimates defined per sample (the Fisher information, MAS) need one forward and one
/// backward pass per batch, not one per sample. ``LayerTaps`` collects what the method needs.
public protocol PerSampleGradientLayer: Layer {
  /// `Σ_m w_m |∂ℓ_m/∂θ|^power` for each of the layer's parameters, in ``Layer/parameterSpecs``
  /// order.
  ///
  /// - Parameters:
  ///   - input: The layer's input for the batch.
  ///   - outputGradient: `∂(Σ_m ℓ_m)/∂output`, whose row `m` is sample `m`'s gradient.
  ///   - state: The layer's state during the pass (BatchNorm's running statistics).
  ///   - task: The task the pass served (``ForwardContext/task``).
  ///   - sampleWeights: `w_m`, one per sample.
  ///   - power: 1 or 2.
  /// - Returns: One sum per parameter, shaped like it.
  /// - Throws: ``TensorError`` when the shapes do not fit.
  func perSampleGradientPowerSums(
    input: Tensor, outputGradient: Tensor, state: [Tensor], task: Int?, sampleWeights: [Float], power: Int
  ) throws -> [Tensor]
}

/// A layer made of other layers (``Sequential``, ``Residual``): it has no weights of its own, and
/// the layers inside it report themselves to ``LayerTaps``.
public protocol ComposedLayer: Layer {
  /// The layers inside, for walking the network.
  var components: [any Layer] { get }
}

extension Sequential: ComposedLayer {
  /// The layers in order.
  public var components: [any Layer] { layers }
}

extension Residual: ComposedLayer {
  /// The body's layers, then the shortcut's.
  public var components: [any Layer] { body.layers + shortcut.layers }
}

extension Layer {
  /// Whether every parametrised layer inside this one (itself included) is a
  /// ``PerSampleGradientLayer`` and no weight is used twice, so that per-sample gradient powers
  /// can be summed from batched passes.
  public var supportsPerSampleGradientSums: Bool {
    if let composed = self as? any ComposedLayer {
      return composed.components.allSatisfy(\.supportsPerSampleGradientSums)
    }
    return parameterSpecs.isEmpty || self is any PerSampleGradientLayer
  }
}

/// What a forward pass records about each ``PerSampleGradientLayer`` it runs: the layer, its
/// input and output on the tape, the tape indices of its weights and its state.
///
/// Pass one to `Model.forward(_:on:training:rng:taps:)`; it is filled in as the pass runs (one
/// pass, one thread).
public final class LayerTaps: @unchecked Sendable {
  /// One layer's record.
  public struct Tap {
    /// The layer.
    public var layer: any PerSampleGradientLayer
    /// Its input.
    public var input: Variable
    /// Its output.
    public var output: Variable
    /// The tape indices of its weights, in ``Layer/parameterSpecs`` order.
    public var weightIndices: [Int]
    /// Its state during the pass.
    public var state: [Tensor]
    /// The task the pass served.
    public var task: Int?
  }

  /// The records, guarded by ``lock``.
  private var recorded: [Tap] = []
  /// Serialises access to ``recorded``, so one recorder may be read while a pass on another
  /// thread records (the class is `Sendable` because of this lock).
  private let lock = NSLock()

  /// The records, in the order the layers ran.
  public var taps: [Tap] { lock.withLock { recorded } }

  /// Creates an empty recorder.
  public init() {}

  /// Adds a record (called by ``Sequential``).
  func record(_ tap: Tap) { lock.withLock { recorded.append(tap) } }
}

/// A ``PerSampleGradientLayer`` whose per-sample weight gradient is an outer product `δ_m ⊗ a_m`
/// of the gradient at its output and its input, so that for several losses over one pass
/// `Σ_k Σ_m w_k,m |δ_k,m ⊗ a_m|^p = Σ_m (Σ_k w_k,m |δ_k,m|^p) ⊗ |a_m|^p`: the losses (the expected
/// Fisher's one per label) share one product instead of one each.
public protocol OuterProductGradientLayer: PerSampleGradientLayer {
  /// `Σ_m v_m ⊗ |a_m|^power` for each of the layer's parameters, in ``Layer/parameterSpecs`` order,
  /// given `v = Σ_k w_k ⊙ |δ_k|^power` (``weightedPower(of:sampleWeights:power:)``).
  ///
  /// - Parameters:
  ///   - input: The layer's input for the batch.
  ///   - weightedOutputGradientPowers: `v`, shaped like the layer's output, `[n, outputs]`.
  ///   - power: 1 or 2.
  /// - Returns: One sum per parameter, shaped like it.
  /// - Throws: ``TensorError`` when the shapes do not fit.
  func perSampleGradientPowerSums(input: Tensor, weightedOutputGradientPowers: Tensor, power: Int) throws -> [Tensor]
}

extension OuterProductGradientLayer {
  /// `w ⊙ |δ|^power`, row `m` scaled by `w_m`: one loss's share of the folded factor.
  ///
  /// - Throws: ``TensorError`` when the weights do not match the rows.
  public func weightedPower(of outputGradient: Tensor, sampleWeights: [Float], power: Int) throws -> Tensor {
    let n = outputGradient.shape[0]
    let dp = power == 2 ? outputGradient.squared() : outputGradient.abs()
    return try dp * Tensor(shape: [n, 1], scalars: sampleWeights)
  }

  /// The single-loss case: the weighted power of `outputGradient`, then the product.
  public func perSampleGradientPowerSums(
    input: Tensor, outputGradient: Tensor, state: [Tensor], task: Int?, sampleWeights: [Float], power: Int
  ) throws
    -> [Tensor]
  {
    try perSampleGradientPowerSums(
      input: input,
      weightedOutputGradientPowers: weightedPower(of: outputGradient, sampleWeights: sampleWeights, power: power),
      power: power)
  }
}

extension Linear: OuterProductGradientLayer {
  /// `vᵀ · |a|^p` for the weight and `Σ_m v_m` for the bias.
  public func perSampleGradientPowerSums(input: Tensor, weightedOutputGradientPowers v: Tensor, power: Int) throws
    -> [Tensor]
  {
    let n = input.shape[0]
    let a = try input.reshaped([n, -1])
    let ap = power == 2 ? a.squared() : a.abs()
    var sums = [try v.matmul(ap, transposingSelf: true)]
    if hasBias { sums.append(try v.sum(alongAxes: [0])) }
    return sums
  }
}

extension Conv2d: PerSampleGradientLayer {
  /// Each sample's `δ_m · cols(a_m)ᵀ` raised to the power and weighted, summed over the batch.
  public func perSampleGradientPowerSums(
    input: Tensor, outputGradient: Tensor, state: [Tensor], task: Int?, sampleWeights: [Float], power: Int
  ) throws
    -> [Tensor]
  {
    let g = try ConvolutionGeometry.make(
      operation: description, input: input.shape, kernel: (kernelSize, kernelSize), stride: stride, padding: padding)
    let (weight, bias) = Tensor.convolution2DPerSampleGradientPowers(
      outputGradient: outputGradient, input: input, outChannels: outChannels, geometry: g, sampleWeights: sampleWeights,
      power: power)
    return hasBias
      ? [try weight.reshaped([outChannels, inChannels, kernelSize, kernelSize]), bias]
      : [try weight.reshaped([outChannels, inChannels, kernelSize, kernelSize])]
  }
}

extension BatchNorm: PerSampleGradientLayer {
  /// With fixed (running) statistics: `Σ_m w_m |Σ_s δ_m x̂_m|^p` for the gain and
  /// `Σ_m w_m |Σ_s δ_m|^p` for the offset, per channel. In training mode samples interact through
  /// the batch statistics, so callers run evaluation passes.
  public func perSampleGradientPowerSums(
    input: Tensor, outputGradient: Tensor, state: [Tensor], task: Int?, sampleWeights: [Float], power: Int
  ) throws
    -> [Tensor]
  {
    guard isAffine else { return [] }
    let (n, c, s) = try Tensor.channelLayout(input.shape, operation: description)
    let position = try statisticsPosition(task: task)
    let inverseStd = state[position + 1].map { 1 / ($0 + epsilon).squareRoot() }
    let (_, xhat) = Tensor.normalise(
      input, mean: state[position], inverseStd: inverseStd, scale: nil, shift: nil, batch: n, channels: c, spatial: s,
      keepNormalised: true)
    var gain = Tensor(shape: [c], repeating: 0), offset = Tensor(shape: [c], repeating: 0)
    outputGradient.withUnsafeBufferPointer { g in
      xhat!.withUnsafeBufferPointer { h in
        gain.withUnsafeMutableBufferPointer { dg in
          offset.withUnsafeMutableBufferPointer { db in
            for m in 0..<n {
              for ch in 0..<c {
                var sg: Float = 0, sb: Float = 0
                let start = (m * c + ch) * s
                for k in start..<start + s {
                  sg += g[k] * h[k]
                  sb += g[k]
                }
                dg[ch] += sampleWeights[m] * (power == 2 ? sg * sg : Swift.abs(sg))
                db[ch] += sampleWeights[m] * (power == 2 ? sb * sb : Swift.abs(sb))
              }
            }
          }
        }
      }
    }
    return [gain, offset]
  }
}
