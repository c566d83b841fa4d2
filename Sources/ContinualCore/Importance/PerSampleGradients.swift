import ContinualData
import ContinualEngine

/// Sums over samples of powers of per-sample gradients, for importance estimates defined per sample
/// (the Fisher information, MAS's per-sample output sensitivity).
///
/// For a network whose parametrised layers are all `Linear`, the gradient of sample `m`'s loss with
/// respect to a weight matrix is the outer product `δ_m ⊗ a_m` of the gradient at the layer's output
/// and the layer's input, so `Σ_m w_m |δ_m ⊗ a_m|^p = (w ⊙ |δ|^p)ᵀ · |a|^p`: one batched backward pass
/// and one matrix product per layer give every per-sample term exactly. Other architectures fall back
/// to one backward pass per sample. Both paths give the same numbers (a test checks it).
public enum PerSampleGradients {
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
    _ power: Int, model: Model, inputs: Tensor, batchSize: Int = 256, losses: Losses
  ) throws -> NamedTensors {
    try sumOfPowers(power, model: model, count: inputs.shape.first ?? 0, batchSize: batchSize, losses: losses) {
      try inputs.slice(alongAxis: 0, range: $0)
    }
  }

  /// `Σ_m Σ_k w_k,m |∂ℓ_k,m/∂θ|^power` over the samples of `data` at `indices`, whose float inputs
  /// are made one batch at a time (a task's data is never held as floats at once).
  ///
  /// ```swift
  /// let sum = try PerSampleGradients.sumOfPowers(2, model: model, data: context.data, indices: Array(0..<1000)) { logits, range in … }
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
    _ power: Int, model: Model, data: LabelledImages, indices: [Int], batchSize: Int = 256, losses: Losses
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
    let layers = model.architecture.layers
    let linearOnly = layers.allSatisfy { $0 is Linear || $0.parameterSpecs.isEmpty }
    let step = linearOnly ? max(batchSize, 1) : 1
    let ranges = model.architecture.weightRanges
    for start in stride(from: 0, to: n, by: step) {
      let indices = start..<min(start + step, n)
      let tape = Tape()
      let x = tape.constant(try batch(indices))
      let pass = try model.forward(x, on: tape, training: false)
      for (loss, weights) in try losses(pass.output, indices) {
        guard weights.count == indices.count else {
          throw TensorError.invalidArgument(operation: "sumOfPowers", reason: "\(weights.count) sample weights for \(indices.count) samples")
        }
        if !linearOnly {
          // One sample: its gradient is the per-sample gradient.
          let g = try pass.gradients(of: loss)
          for k in 0..<sum.count { accumulate(g.tensors[k], power: power, weight: weights[0], into: &sum.tensors[k]) }
          continue
        }
        let linear = layers.indices.filter { layers[$0] is Linear }
        let outputs = linear.map { pass.trace.activations[$0] }
        let deltas = try tape.gradients(of: loss, withRespectTo: outputs)
        let w = try Tensor(shape: [weights.count, 1], scalars: weights)
        for (layerIndex, delta) in zip(linear, deltas) {
          let input = layerIndex == 0 ? x.value : pass.trace.activations[layerIndex - 1].value
          let a = try input.reshaped([indices.count, -1])
          let dp = power == 2 ? delta.squared() : delta.abs()
          let ap = power == 2 ? a.squared() : a.abs()
          let weighted = try dp * w  // [B, out]
          let range = ranges[layerIndex]
          try sum.tensors[range.lowerBound].add(try weighted.matmul(ap, transposingSelf: true))
          if range.count > 1 { try sum.tensors[range.lowerBound + 1].add(try weighted.sum(alongAxes: [0])) }
        }
      }
    }
    return sum
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
  public static func accumulate(_ gradients: NamedTensors, power: Int, weight: Float, into sum: inout NamedTensors) throws {
    try sum.requireSameNames(gradients, operation: "PerSampleGradients.accumulate")
    for k in 0..<sum.count { accumulate(gradients.tensors[k], power: power, weight: weight, into: &sum.tensors[k]) }
  }
}
