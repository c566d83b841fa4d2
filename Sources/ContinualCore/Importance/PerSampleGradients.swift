import ContinualData
import ContinualEngine

/// Sums over samples of powers of per-sample gradients, for importance estimates defined per sample
/// (the Fisher information, MAS's per-sample output sensitivity).
///
/// For a network whose parametrised layers are all `PerSampleGradientLayer`s (`Linear`, `Conv2d`,
/// `BatchNorm`, inside `Sequential`s and `Residual`s), one batched forward and backward pass
/// gives every per-sample term exactly: the gradient of sample `m`'s loss with respect to a linear
/// layer's weight is the outer product `δ_m ⊗ a_m` of the gradient at the layer's output and the
/// layer's input, so `Σ_m w_m |δ_m ⊗ a_m|^p = (w ⊙ |δ|^p)ᵀ · |a|^p`, and with several losses per
/// pass (one per label for the expected Fisher) their factors `w ⊙ |δ|^p` are summed before that
/// one product (`OuterProductGradientLayer`); a convolution's is
/// `δ_m · cols(a_m)ᵀ`, formed per sample from the same pass. The model runs in evaluation mode, so
/// BatchNorm uses its running statistics and samples do not interact. Other architectures (a
/// hypernetwork) fall back to one backward pass per sample. Both paths give the same numbers (a
/// test checks it).
public enum PerSampleGradients {
  /// Samples per batched pass by default: 128, a training batch's size, so that an importance
  /// estimate holds one training step's worth of activations (an evaluation-mode pass keeps its
  /// tape like a training pass). At 256 EWC on ResNet-32 peaked at about twice training's memory.
  public static let defaultBatchSize = 128

  /// The losses to differentiate for one batch: each is a sum over the batch's samples of per-sample
  /// losses, with one weight per sample.
  public typealias Losses = (_ logits: Variable, _ indices: Range<Int>) throws -> [(loss: Variable, weights: [Float])]

  /// `Σ_m Σ_k w_k,m |∂ℓ_k,m/∂θ|^power` for every parameter, over all samples of `inputs`.
  ///
  /// - Parameters:
  ///   - power: 1 (absolute values, MAS) or 2 (squares, Fisher).
  ///   - model: The model, run in evaluation mode.
  ///   - inputs: `[n, …sample shape]`.
  ///   - batchSize: Samples per batched pass (the fast path).
  ///   - losses: Given a batch's logits and the sample indices it covers, the losses `Σ_m ℓ_k,m` and
  ///     their per-sample weights `w_k,m`. Each sample's loss may depend only on that sample's logits.
  /// - Returns: The sums, named and shaped like the model's parameters.
  /// - Throws: `TensorError` when the model does not fit the inputs, or whatever `losses` throws.
  public static func sumOfPowers(
    _ power: Int, model: Model, inputs: Tensor, batchSize: Int = defaultBatchSize, losses: Losses
  ) throws -> NamedTensors {
    try sumOfPowers(power, model: model, count: inputs.shape.first ?? 0, batchSize: batchSize, losses: losses) {
      try inputs.slice(alongAxis: 0, range: $0)
    }
  }

  /// `Σ_m Σ_k w_k,m |∂ℓ_k,m/∂θ|^power` over the samples of `data` at `indices`, whose float inputs
  /// are made one batch at a time (a task's data is never held as floats at once).
  ///
  /// ```swift
  /// let sum = try PerSampleGradients.sumOfPowers(
  ///   2, model: model, data: context.data, indices: Array(0..<1000)
  /// ) { logits, range in … }
  /// ```
  /// - Parameters:
  ///   - power: 1 (absolute values, MAS) or 2 (squares, Fisher).
  ///   - model: The model, run in evaluation mode.
  ///   - data: The samples.
  ///   - indices: The positions in `data` to use, in order; `losses` receives ranges of positions
  ///     in this list.
  ///   - batchSize: Samples per batched pass (the fast path).
  ///   - losses: As for ``sumOfPowers(_:model:inputs:batchSize:losses:)``.
  /// - Returns: The sums, named and shaped like the model's parameters.
  /// - Throws: `TensorError` when the model does not fit the inputs, `DatasetError` for an index
  ///   out of range, or whatever `losses` throws.
  public static func sumOfPowers(
    _ power: Int, model: Model, data: LabelledImages, indices: [Int], batchSize: Int = defaultBatchSize, losses: Losses
  ) throws -> NamedTensors {
    try sumOfPowers(power, model: model, count: indices.count, batchSize: batchSize, losses: losses) {
      try data.inputs(at: Array(indices[$0]))
    }
  }

  /// The shared loop: `batch(range)` gives the inputs of the samples at positions `range`.
  private static func sumOfPowers(
    _ power: Int, model: Model, count n: Int, batchSize: Int, losses: Losses, batch: (Range<Int>) throws -> Tensor
  ) throws -> NamedTensors {
    precondition(power == 1 || power == 2, "sumOfPowers supports powers 1 and 2")
    var sum = NamedTensors.zeros(like: model.parameters)
    let batched = model.architecture.supportsPerSampleGradientSums
    let step = batched ? max(batchSize, 1) : 1
    for start in stride(from: 0, to: n, by: step) {
      let indices = start..<min(start + step, n)
      let tape = Tape()
      let taps = batched ? LayerTaps() : nil
      let x = tape.constant(try batch(indices))
      let pass = try model.forward(x, on: tape, training: false, taps: taps)
      var folded = FoldedFactors()
      // Where each weight of the pass sits among the model's parameters, once per pass.
      let position =
        taps == nil ? [:] : Dictionary(uniqueKeysWithValues: pass.weights.enumerated().map { ($1.index, $0) })
      for (loss, weights) in try losses(pass.output, indices) {
        guard weights.count == indices.count else {
          throw TensorError.invalidArgument(
            operation: "sumOfPowers", reason: "\(weights.count) sample weights for \(indices.count) samples")
        }
        guard let taps else {
          // One sample: its gradient is the per-sample gradient.
          let g = try pass.gradients(of: loss)
          for k in 0..<sum.count { accumulate(g.tensors[k], power: power, weight: weights[0], into: &sum.tensors[k]) }
          continue
        }
        try addBatched(
          power, taps: taps, position: position, loss: loss, sampleWeights: weights, into: &sum, folding: &folded)
      }
      if let taps { try folded.add(power, taps: taps.taps, position: position, into: &sum) }
    }
    return sum
  }

  /// The outer-product layers' folded factors `Σ_k w_k ⊙ |δ_k|^p` of one batch, by tap, summed over
  /// its losses before the one product each layer needs (`OuterProductGradientLayer`).
  private struct FoldedFactors {
    /// The factor of each outer-product tap so far, by its position in the taps.
    var factors: [Int: Tensor] = [:]

    /// Adds one loss's `w ⊙ |δ|^p` at tap `t`.
    mutating func fold(_ factor: Tensor, at t: Int) throws {
      if factors[t] == nil { factors[t] = factor } else { try factors[t]!.add(factor) }
    }

    /// Forms each folded tap's products and adds them to the parameters they belong to.
    func add(_ power: Int, taps: [LayerTaps.Tap], position: [Int: Int], into sum: inout NamedTensors) throws {
      for (t, factor) in factors.sorted(by: { $0.key < $1.key }) {
        let layer = taps[t].layer as! any OuterProductGradientLayer
        let sums = try layer.perSampleGradientPowerSums(
          input: taps[t].input.value, weightedOutputGradientPowers: factor, power: power)
        try PerSampleGradients.add(sums, of: taps[t], position: position, into: &sum)
      }
    }
  }

  /// Adds one tapped layer's sums to the parameters they belong to (`position`: a weight's tape
  /// index to its parameter's).
  private static func add(
    _ sums: [Tensor], of tap: LayerTaps.Tap, position: [Int: Int], into sum: inout NamedTensors
  ) throws {
    for (weightIndex, layerSum) in zip(tap.weightIndices, sums) {
      guard let k = position[weightIndex] else {
        throw TensorError.invalidArgument(
          operation: "sumOfPowers", reason: "\(tap.layer) uses a weight that is not a model parameter")
      }
      try sum.tensors[k].add(layerSum)
    }
  }

  /// One backward pass to every tapped layer's output; each layer's per-sample sums are added to
  /// the parameters they belong to as soon as the pass reaches the layer (an outer-product layer's
  /// factor is folded for later instead), and its output gradient is then freed, so the pass holds
  /// one layer's gradient at a time rather than every layer's (for ResNet-32, about as much memory
  /// again as the forward pass).
  private static func addBatched(
    _ power: Int, taps: LayerTaps, position: [Int: Int], loss: Variable, sampleWeights: [Float],
    into sum: inout NamedTensors, folding folded: inout FoldedFactors
  ) throws {
    let recorded = taps.taps
    try loss.tape.forEachGradient(of: loss, withRespectTo: recorded.map(\.output)) { t, delta in
      let tap = recorded[t]
      if let layer = tap.layer as? any OuterProductGradientLayer {
        try folded.fold(layer.weightedPower(of: delta, sampleWeights: sampleWeights, power: power), at: t)
        return
      }
      let sums = try tap.layer.perSampleGradientPowerSums(
        input: tap.input.value, outputGradient: delta, state: tap.state, task: tap.task, sampleWeights: sampleWeights,
        power: power)
      try add(sums, of: tap, position: position, into: &sum)
    }
  }

  /// Adds `weight · |g|^power` to `sum` element by element.
  static func accumulate(_ g: Tensor, power: Int, weight: Float, into sum: inout Tensor) {
    g.withUnsafeBufferPointer { gp in
      sum.withUnsafeMutableBufferPointer { s in
        if power == 2 {
          for i in 0..<s.count { s[i] += weight * gp[i] * gp[i] }
        } else {
          for i in 0..<s.count { s[i] += weight * Swift.abs(gp[i]) }
        }
      }
    }
  }

  /// Adds `weight · |g|^power` to every tensor of `sum`.
  ///
  /// - Throws: `TensorError` when the names or shapes differ.
  public static func accumulate(_ gradients: NamedTensors, power: Int, weight: Float, into sum: inout NamedTensors)
    throws
  {
    try sum.requireSameNames(gradients, operation: "PerSampleGradients.accumulate")
    for k in 0..<sum.count { accumulate(gradients.tensors[k], power: power, weight: weight, into: &sum.tensors[k]) }
  }
}
