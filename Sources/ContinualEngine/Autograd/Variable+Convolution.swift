extension Variable {
  /// 2-D convolution (cross-correlation, as in PyTorch) over NCHW input.
  ///
  /// ```swift
  /// let y = try x.convolved2D(with: w, bias: b, stride: 1, padding: 1)  // x [N,C,H,W], w [O,C,3,3]
  /// ```
  /// - Parameters:
  ///   - weight: Filters of shape `[outChannels, inChannels, kernelHeight, kernelWidth]`.
  ///   - bias: Optional `[outChannels]` offsets.
  ///   - stride: The step between windows (≥ 1).
  ///   - padding: Zeros added on each border (≥ 0).
  /// - Returns: `[batch, outChannels, (H + 2p − kh)/s + 1, (W + 2p − kw)/s + 1]`.
  /// - Throws: ``TensorError`` for shapes that do not fit together.
  /// - Complexity: `2·N·O·C·kh·kw·Ho·Wo` operations, via im2col and GEMM, over the batch in parallel.
  public func convolved2D(with weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0) throws
    -> Variable
  {
    let operation = "conv2d"
    let w = weight.value
    guard w.rank == 4 else {
      throw TensorError.rankMismatch(
        operation: operation, expected: "a weight of shape [out, in, kh, kw]", shape: w.shape)
    }
    let g = try ConvolutionGeometry.make(
      operation: operation, input: shape, kernel: (w.shape[2], w.shape[3]), stride: stride, padding: padding)
    guard w.shape[1] == g.channels else {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [shape, w.shape],
        reason: "input has \(g.channels) channels but the weight expects \(w.shape[1])")
    }
    if let bias, bias.shape != [w.shape[0]] {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [w.shape, bias.shape], reason: "bias must have shape [\(w.shape[0])]")
    }
    let x = value
    let out = Tensor.convolution2D(input: x, weight: w, bias: bias?.value, geometry: g)
    let ix = index, iw = weight.index, ib = bias?.index
    return tape.record(out, inputs: [self, weight] + (bias.map { [$0] } ?? [])) { gradient, context in
      let (dx, dw) = Tensor.convolution2DBackward(
        outputGradient: gradient, input: x, weight: w, geometry: g, needInput: context.needs(ix),
        needWeight: context.needs(iw))
      if let dx { context.accumulate(dx, into: ix) }
      if let dw { context.accumulate(dw, into: iw) }
      if let ib, context.needs(ib) {
        let planes = try! gradient.reshaped([g.batch, w.shape[0], g.outputPlane])
        context.accumulate(try! planes.sum(alongAxes: [0, 2]), into: ib)
      }
    }
  }

  /// 2-D max-pooling over NCHW input.
  ///
  /// - Parameters:
  ///   - size: The window's height and width.
  ///   - stride: The step between windows; defaults to `size`.
  ///   - padding: Border positions that never win the maximum.
  /// - Returns: `[batch, channels, H', W']` with the maximum of each window.
  /// - Throws: ``TensorError`` for a wrong rank or a window larger than the input.
  public func maxPooled2D(size: Int, stride: Int? = nil, padding: Int = 0) throws -> Variable {
    let g = try ConvolutionGeometry.make(
      operation: "maxPool2d", input: shape, kernel: (size, size), stride: stride ?? size, padding: padding)
    let (out, argmax) = Tensor.maxPool2D(input: value, geometry: g)
    let inputShape = shape
    return unary(out) { gradient in
      let dx = Tensor(shape: inputShape, repeating: 0)
      let d = dx.storage.base, gp = gradient.storage.base
      for (k, source) in argmax.enumerated() { d[Int(source)] += gp[k] }
      return dx
    }
  }
}
