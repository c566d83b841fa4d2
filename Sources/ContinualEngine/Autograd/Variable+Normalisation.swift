extension Variable {
  /// Batch normalisation with the batch's own statistics (training mode): each channel of
  /// `[N, C]` or `[N, C, H, W]` input is shifted to mean 0 and scaled to variance 1 over the batch
  /// and every spatial position, then multiplied by `scale` and offset by `shift`.
  ///
  /// ```swift
  /// let (y, mean, variance) = try x.batchNormalised(scale: gamma, shift: beta)   // x [N, C, H, W]
  /// ```
  /// - Parameters:
  ///   - scale: Optional `[C]` gains γ.
  ///   - shift: Optional `[C]` offsets β.
  ///   - epsilon: Added to the variance before the square root.
  /// - Returns: The output, and the batch's per-channel mean and biased variance (to update
  ///   running statistics; they carry no gradient).
  /// - Throws: ``TensorError`` for a rank other than 2 or 4, an empty batch, or `scale`/`shift`
  ///   not shaped `[C]`.
  public func batchNormalised(scale: Variable?, shift: Variable?, epsilon: Float = 1e-5) throws -> (
    output: Variable, mean: Tensor, variance: Tensor
  ) {
    let operation = "batchNorm"
    let (n, c, s) = try Tensor.channelLayout(shape, operation: operation)
    guard n * s > 0 else {
      throw TensorError.invalidArgument(
        operation: operation, reason: "batch statistics need at least one value per channel, got shape \(shape)")
    }
    try Self.checkAffine(scale, shift, channels: c, operation: operation)
    let (mean, variance) = Tensor.channelMoments(value, batch: n, channels: c, spatial: s)
    let inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    let output = normalisation(
      mean: mean, inverseStd: inverseStd, scale: scale, shift: shift, layout: (n, c, s), batchStatistics: true)
    return (output, mean, variance)
  }

  /// Batch normalisation with fixed statistics (evaluation mode):
  /// `(x − mean) / √(variance + ε) · scale + shift` per channel.
  ///
  /// - Parameters:
  ///   - mean: `[C]` means, such as running averages.
  ///   - variance: `[C]` variances.
  ///   - scale: Optional `[C]` gains γ.
  ///   - shift: Optional `[C]` offsets β.
  ///   - epsilon: Added to the variance before the square root.
  /// - Returns: The normalised input, shaped like it.
  /// - Throws: ``TensorError`` for a rank other than 2 or 4, or statistics or affine parameters not
  ///   shaped `[C]`.
  public func normalised(mean: Tensor, variance: Tensor, scale: Variable?, shift: Variable?, epsilon: Float = 1e-5)
    throws -> Variable
  {
    let operation = "batchNorm"
    let (n, c, s) = try Tensor.channelLayout(shape, operation: operation)
    guard mean.shape == [c], variance.shape == [c] else {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [shape, mean.shape, variance.shape], reason: "statistics must have shape [\(c)]")
    }
    try Self.checkAffine(scale, shift, channels: c, operation: operation)
    let inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    return normalisation(
      mean: mean, inverseStd: inverseStd, scale: scale, shift: shift, layout: (n, c, s), batchStatistics: false)
  }

  /// The mean of each channel over its spatial positions: `[N, C, H, W] → [N, C]`.
  ///
  /// - Throws: ``TensorError`` for an input that is not rank 4.
  public func globalAveragePooled() throws -> Variable {
    guard shape.count == 4 else {
      throw TensorError.rankMismatch(
        operation: "globalAveragePool", expected: "an input of shape [batch, channels, height, width]", shape: shape)
    }
    let inputShape = shape
    return unary(Tensor.spatialMean(value)) { Tensor.spatialMeanBackward($0, inputShape: inputShape) }
  }

  /// Records the normalisation with the given statistics; `batchStatistics` says whether the mean
  /// and variance were computed from this input (so their gradients flow back into it).
  private func normalisation(
    mean: Tensor, inverseStd: Tensor, scale: Variable?, shift: Variable?, layout: (Int, Int, Int), batchStatistics: Bool
  ) -> Variable {
    let (n, c, s) = layout
    let x = value
    // The backward pass recomputes x̂ from the input, which the tape keeps anyway (bit-identical).
    let (output, _) = Tensor.normalise(
      x, mean: mean, inverseStd: inverseStd, scale: scale?.value, shift: shift?.value, batch: n, channels: c,
      spatial: s, keepNormalised: false)
    let ix = index, iScale = scale?.index, iShift = shift?.index, gain = scale?.value
    let inputs = [self] + [scale, shift].compactMap { $0 }
    return tape.record(output, inputs: inputs) { gradient, context in
      let (dx, dScale, dShift) = Tensor.normalisationBackward(
        outputGradient: gradient, input: x, mean: mean, inverseStd: inverseStd, scale: gain,
        batchStatistics: batchStatistics, batch: n, channels: c, spatial: s, needInput: context.needs(ix))
      if let dx { context.accumulate(dx, into: ix) }
      if let iScale { context.accumulate(dScale, into: iScale) }
      if let iShift { context.accumulate(dShift, into: iShift) }
    }
  }

  /// Checks that the affine parameters, when given, have one value per channel.
  private static func checkAffine(_ scale: Variable?, _ shift: Variable?, channels c: Int, operation: String) throws {
    for (name, p) in [("scale", scale), ("shift", shift)] {
      if let p, p.shape != [c] {
        throw TensorError.shapeMismatch(
          operation: operation, shapes: [p.shape], reason: "\(name) must have shape [\(c)]")
      }
    }
  }
}
