import _ContinualKernels

/// The geometry of a 2-D convolution or pooling window over NCHW tensors.
struct ConvolutionGeometry: Sendable {
  let batch: Int, channels: Int, height: Int, width: Int
  let kernelHeight: Int, kernelWidth: Int
  let stride: Int, padding: Int

  var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
  var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
  /// Rows of the im2col matrix: one per (channel, kernel row, kernel column).
  var patchSize: Int { channels * kernelHeight * kernelWidth }
  var outputPlane: Int { outputHeight * outputWidth }
  var inputPlane: Int { height * width }

  /// Validates shapes for a window over `input` and returns the geometry.
  static func make(operation: String, input: [Int], kernel: (Int, Int), stride: Int, padding: Int) throws
    -> ConvolutionGeometry
  {
    guard input.count == 4 else {
      throw TensorError.rankMismatch(
        operation: operation, expected: "an input of shape [batch, channels, height, width]", shape: input)
    }
    guard stride >= 1, padding >= 0, kernel.0 >= 1, kernel.1 >= 1 else {
      throw TensorError.invalidArgument(
        operation: operation,
        reason: "kernel \(kernel), stride \(stride), padding \(padding): kernel and stride must be ≥ "
          + "1, padding ≥ 0")
    }
    let g = ConvolutionGeometry(
      batch: input[0], channels: input[1], height: input[2], width: input[3],
      kernelHeight: kernel.0, kernelWidth: kernel.1, stride: stride, padding: padding)
    guard input[2] + 2 * padding >= kernel.0, input[3] + 2 * padding >= kernel.1 else {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [input],
        reason: "the \(kernel.0)×\(kernel.1) window is larger than the padded input")
    }
    return g
  }

  /// Visits every line of the im2col matrix: row `(c, ky, kx)` of `cols [patchSize, outputPlane]`
  /// holds, for each output row `oy`, the input row `y = oy·stride − padding + ky` of channel `c`.
  /// `body(line, source, kx)` gets the line's offset in `cols` (`ow` entries), the input row's offset
  /// in the image, or `nil` when `y` lies in the padding, and the kernel column.
  @inline(__always)
  func forEachColumnLine(_ body: (_ line: Int, _ source: Int?, _ kx: Int) -> Void) {
    var row = 0
    for c in 0..<channels {
      for ky in 0..<kernelHeight {
        for kx in 0..<kernelWidth {
          for oy in 0..<outputHeight {
            let y = oy * stride - padding + ky
            body(row * outputPlane + oy * outputWidth, y < 0 || y >= height ? nil : c * inputPlane + y * width, kx)
          }
          row += 1
        }
      }
    }
  }

  /// Unfolds one image `[C, H, W]` into `cols [patchSize, outputPlane]`.
  func im2col(_ image: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>) {
    let ow = outputWidth
    forEachColumnLine { offset, source, kx in
      let line = cols + offset
      guard let source else { return line.update(repeating: 0, count: ow) }
      let src = image + source
      if stride == 1 {
        // Contiguous run with zero borders.
        let x0 = kx - padding
        let first = Swift.max(0, -x0), last = Swift.min(ow, width - x0)
        if first > 0 { line.update(repeating: 0, count: first) }
        if last > first { (line + first).update(from: src + x0 + first, count: last - first) }
        if last < ow { (line + Swift.max(last, 0)).update(repeating: 0, count: ow - Swift.max(last, 0)) }
      } else {
        for ox in 0..<ow {
          let x = ox * stride - padding + kx
          line[ox] = x >= 0 && x < width ? src[x] : 0
        }
      }
    }
  }

  /// Folds `cols [patchSize, outputPlane]` back into one image `[C, H, W]`, adding overlaps (the
  /// adjoint of ``im2col(_:_:)``). The image must be zeroed first.
  func col2im(_ cols: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>) {
    let ow = outputWidth
    forEachColumnLine { offset, target, kx in
      guard let target else { return }
      let dst = image + target, line = cols + offset
      if stride == 1 {
        // Contiguous run: output column ox lands on input column ox + kx − padding.
        let shift = kx - padding
        let first = Swift.max(0, -shift), last = Swift.min(ow, width - shift)
        if last > first {
          let d = dst + shift
          for ox in first..<last { d[ox] += line[ox] }
        }
      } else {
        for ox in 0..<ow {
          let x = ox * stride - padding + kx
          if x >= 0 && x < width { dst[x] += line[ox] }
        }
      }
    }
  }
}

extension Tensor {
  /// Per-thread chunks of the batch and one scratch buffer of `size` floats per chunk.
  private static func batchChunks(_ batch: Int) -> [Range<Int>] {
    chunkRanges(batch, parts: EngineThreads.count)
  }

  /// A forward convolution's output `[N, O, H', W']`, not yet written, and pointers the threads share
  /// to the input, the weights, the bias and the output.
  private static func forwardOperands(input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry)
    -> (
      Tensor, SendableConstPointer<Float>, SendableConstPointer<Float>, SendableConstPointer<Float>?,
      SendablePointer<Float>
    )
  {
    let out = Tensor(uninitializedShape: [g.batch, weight.shape[0], g.outputHeight, g.outputWidth])
    return (
      out, SendableConstPointer(input.storage.base), SendableConstPointer(weight.storage.base),
      bias.map { SendableConstPointer($0.storage.base) }, SendablePointer(out.storage.base)
    )
  }

  /// 2-D convolution (cross-correlation, as in PyTorch) of NCHW input with `[out, in, kh, kw]` weights.
  ///
  /// Implicit GEMM (`ck_conv2d_forward_at`): no im2col buffer exists. The weights are packed once
  /// per thread. At stride 1 the micro-kernel reads the image operand straight from a zero-bordered
  /// copy of each image; otherwise it is packed straight from the images into the GEMM's panels.
  /// Per instruction set the result is bit-identical to ``convolution2DByIm2col(input:weight:bias:geometry:)``.
  static func convolution2D(
    input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry
  ) -> Tensor {
    let (out, x, w, b, o) = forwardOperands(input: input, weight: weight, bias: bias, geometry: g)
    let outChannels = weight.shape[0], chunks = batchChunks(g.batch), level = ck_sgemm_isa()
    let imageSize = g.channels * g.inputPlane, outputSize = outChannels * g.outputPlane
    parallelForEach(chunks.count) { part in
      let images = chunks[part]
      let dst = o.base + images.lowerBound * outputSize
      ck_conv2d_forward_at(
        level, images.count, g.channels, g.height, g.width, x.base + images.lowerBound * imageSize,
        outChannels, g.kernelHeight, g.kernelWidth, w.base, g.stride, g.padding, dst)
      if let b {
        for n in 0..<images.count {
          for oc in 0..<outChannels {
            let v = b.base[oc], line = dst + n * outputSize + oc * g.outputPlane
            for i in 0..<g.outputPlane { line[i] += v }
          }
        }
      }
    }
    return out
  }

  /// Whether the input gradient can be taken as a forward convolution with the flipped weights.
  static func hasDirectInputGradient(_ g: ConvolutionGeometry) -> Bool {
    g.stride == 1 && g.kernelHeight == g.kernelWidth && g.padding <= g.kernelHeight - 1
  }

  /// Gradients of ``convolution2D(input:weight:bias:geometry:)`` with respect to its input and weight.
  ///
  /// The weight gradient is one implicit GEMM per thread whose depth runs over all of the thread's
  /// images (`ck_conv2d_weight_gradient_at`; at stride 1 it reads the images in place, as the
  /// forward pass does). For stride 1 the input gradient is the forward
  /// convolution of the output gradient with the flipped, transposed weights
  /// (`ck_conv2d_input_gradient_at`), so neither im2col nor col2im runs. Strided convolutions take
  /// their input gradient from
  /// ``convolution2DBackwardByIm2col(outputGradient:input:weight:geometry:needInput:needWeight:)``.
  static func convolution2DBackward(
    outputGradient: Tensor, input: Tensor, weight: Tensor, geometry g: ConvolutionGeometry,
    needInput: Bool, needWeight: Bool
  ) -> (input: Tensor?, weight: Tensor?) {
    let direct = hasDirectInputGradient(g)
    let outChannels = weight.shape[0]
    let chunks = batchChunks(g.batch), level = ck_sgemm_isa()
    let strided =
      needInput && !direct
      ? convolution2DBackwardByIm2col(
        outputGradient: outputGradient, input: input, weight: weight, geometry: g, needInput: true, needWeight: false
      ).input : nil
    let inputGradient = needInput && direct ? Tensor(uninitializedShape: input.shape) : strided
    // One weight-gradient accumulator per chunk, summed afterwards (deterministic order).
    let partials = needWeight ? Tensor(uninitializedShape: [chunks.count, outChannels * g.patchSize]) : nil
    let dy = SendableConstPointer(outputGradient.storage.base), x = SendableConstPointer(input.storage.base)
    let w = SendableConstPointer(weight.storage.base)
    let dx = direct ? inputGradient.map { SendablePointer($0.storage.base) } : nil
    let dw = partials.map { SendablePointer($0.storage.base) }
    let imageSize = g.channels * g.inputPlane, outputSize = outChannels * g.outputPlane
    parallelForEach(chunks.count) { part in
      let images = chunks[part]
      let dyn = dy.base + images.lowerBound * outputSize, xn = x.base + images.lowerBound * imageSize
      if let dw {
        ck_conv2d_weight_gradient_at(
          level, images.count, g.channels, g.height, g.width, xn, outChannels, g.kernelHeight, g.kernelWidth, dyn,
          g.stride, g.padding, 0, dw.base + part * outChannels * g.patchSize)
      }
      if let dx {
        ck_conv2d_input_gradient_at(
          level, images.count, g.channels, g.height, g.width, dyn, outChannels, g.kernelHeight, g.kernelWidth,
          w.base, g.padding, dx.base + images.lowerBound * imageSize)
      }
    }
    let weightGradient = partials.map { p in
      let summed = chunks.count == 1 ? p : try! p.sum(alongAxes: [0])
      return Tensor(shape: weight.shape, storage: summed.storage)
    }
    return (inputGradient, weightGradient)
  }

  /// The plain im2col + GEMM convolution, one image at a time: the reference that
  /// ``convolution2D(input:weight:bias:geometry:)`` is tested against.
  static func convolution2DByIm2col(
    input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry
  ) -> Tensor {
    let (out, x, w, b, o) = forwardOperands(input: input, weight: weight, bias: bias, geometry: g)
    let outChannels = weight.shape[0], chunks = batchChunks(g.batch)
    parallelForEach(chunks.count) { part in
      let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
      defer { cols.deallocate() }
      for n in chunks[part] {
        g.im2col(x.base + n * g.channels * g.inputPlane, cols)
        let dst = o.base + n * outChannels * g.outputPlane
        gemm(
          transposeA: false, transposeB: false, m: outChannels, n: g.outputPlane, k: g.patchSize,
          a: w.base, lda: g.patchSize, b: cols, ldb: g.outputPlane, c: dst, ldc: g.outputPlane, parallel: false)
        if let b {
          for oc in 0..<outChannels {
            let v = b.base[oc], line = dst + oc * g.outputPlane
            for i in 0..<g.outputPlane { line[i] += v }
          }
        }
      }
    }
    return out
  }

  /// The plain im2col + GEMM + col2im gradients, one image at a time: the reference that
  /// ``convolution2DBackward(outputGradient:input:weight:geometry:needInput:needWeight:)`` is tested
  /// against, and the input gradient of strided convolutions.
  static func convolution2DBackwardByIm2col(
    outputGradient: Tensor, input: Tensor, weight: Tensor, geometry g: ConvolutionGeometry,
    needInput: Bool, needWeight: Bool
  ) -> (input: Tensor?, weight: Tensor?) {
    let outChannels = weight.shape[0]
    let chunks = batchChunks(g.batch)
    let inputGradient = needInput ? Tensor(shape: input.shape, repeating: 0) : nil
    // One weight-gradient accumulator per chunk, summed afterwards (deterministic order).
    let partials = needWeight ? Tensor(shape: [chunks.count, outChannels * g.patchSize], repeating: 0) : nil
    let dy = SendableConstPointer(outputGradient.storage.base), x = SendableConstPointer(input.storage.base)
    let w = SendableConstPointer(weight.storage.base)
    let dx = inputGradient.map { SendablePointer($0.storage.base) }
    let dw = partials.map { SendablePointer($0.storage.base) }
    parallelForEach(chunks.count) { part in
      let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
      defer { cols.deallocate() }
      for n in chunks[part] {
        let dyn = dy.base + n * outChannels * g.outputPlane
        if let dw {
          g.im2col(x.base + n * g.channels * g.inputPlane, cols)
          gemm(
            transposeA: false, transposeB: true, m: outChannels, n: g.patchSize, k: g.outputPlane,
            a: dyn, lda: g.outputPlane, b: cols, ldb: g.outputPlane, beta: 1,
            c: dw.base + part * outChannels * g.patchSize, ldc: g.patchSize, parallel: false)
        }
        if let dx {
          gemm(
            transposeA: true, transposeB: false, m: g.patchSize, n: g.outputPlane, k: outChannels,
            a: w.base, lda: g.patchSize, b: dyn, ldb: g.outputPlane, c: cols, ldc: g.outputPlane, parallel: false)
          g.col2im(cols, dx.base + n * g.channels * g.inputPlane)
        }
      }
    }
    let weightGradient = partials.map { p in
      Tensor(shape: weight.shape, storage: (try! p.sum(alongAxes: [0])).storage)
    }
    return (inputGradient, weightGradient)
  }

  /// `Σ_m w_m |∂ℓ_m/∂W|^power` (as `[out, patchSize]`) and `Σ_m w_m |∂ℓ_m/∂b|^power` for a
  /// convolution, from the batch's output gradient: each sample's weight gradient
  /// `δ_m · cols(x_m)ᵀ` is formed, raised to the power and added, per thread, then summed.
  static func convolution2DPerSampleGradientPowers(
    outputGradient: Tensor, input: Tensor, outChannels: Int, geometry g: ConvolutionGeometry, sampleWeights: [Float],
    power: Int
  ) -> (weight: Tensor, bias: Tensor) {
    let chunks = batchChunks(g.batch)
    let size = outChannels * g.patchSize
    let partials = Tensor(shape: [chunks.count, size + outChannels], repeating: 0)
    let dy = SendableConstPointer(outputGradient.storage.base), x = SendableConstPointer(input.storage.base)
    let acc = SendablePointer(partials.storage.base)
    sampleWeights.withUnsafeBufferPointer { weights in
      let w = SendableConstPointer(weights.baseAddress!)
      parallelForEach(chunks.count) { part in
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
        let sample = UnsafeMutablePointer<Float>.allocate(capacity: size)
        defer {
          cols.deallocate()
          sample.deallocate()
        }
        let weightSum = acc.base + part * (size + outChannels), biasSum = weightSum + size
        for n in chunks[part] {
          let dyn = dy.base + n * outChannels * g.outputPlane
          g.im2col(x.base + n * g.channels * g.inputPlane, cols)
          gemm(
            transposeA: false, transposeB: true, m: outChannels, n: g.patchSize, k: g.outputPlane,
            a: dyn, lda: g.outputPlane, b: cols, ldb: g.outputPlane, c: sample, ldc: g.patchSize, parallel: false)
          let wn = w.base[n]
          if power == 2 {
            for i in 0..<size { weightSum[i] += wn * sample[i] * sample[i] }
          } else {
            for i in 0..<size { weightSum[i] += wn * Swift.abs(sample[i]) }
          }
          for oc in 0..<outChannels {
            let line = dyn + oc * g.outputPlane
            var total: Float = 0
            for i in 0..<g.outputPlane { total += line[i] }
            biasSum[oc] += wn * (power == 2 ? total * total : Swift.abs(total))
          }
        }
      }
    }
    let summed = try! partials.sum(alongAxes: [0])
    return (
      try! summed.slice(alongAxis: 0, range: 0..<size).reshaped([outChannels, g.patchSize]),
      try! summed.slice(alongAxis: 0, range: size..<size + outChannels)
    )
  }

  /// Max-pooling over NCHW input; returns the output and, per output element, the flat input index
  /// of its maximum (for the backward pass).
  static func maxPool2D(input: Tensor, geometry g: ConvolutionGeometry) -> (Tensor, [Int32]) {
    let planes = g.batch * g.channels
    let out = Tensor(uninitializedShape: [g.batch, g.channels, g.outputHeight, g.outputWidth])
    var argmax = [Int32](repeating: 0, count: out.count)
    let x = SendableConstPointer(input.storage.base), o = SendablePointer(out.storage.base)
    argmax.withUnsafeMutableBufferPointer { buffer in
      let indices = SendablePointer(buffer.baseAddress!)
      let chunks = chunkRanges(planes, parts: EngineThreads.count)
      parallelForEach(chunks.count) { part in
        if g.kernelHeight == 2 && g.kernelWidth == 2 && g.stride == 2 && g.padding == 0 {
          maxPool2x2(x.base, planes: chunks[part], geometry: g, output: o.base, indices: indices.base)
          return
        }
        for p in chunks[part] {
          let plane = x.base + p * g.inputPlane
          for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
              var best = -Float.infinity
              var bestIndex = -1
              let y0 = oy * g.stride - g.padding, x0 = ox * g.stride - g.padding
              for y in Swift.max(y0, 0)..<Swift.min(y0 + g.kernelHeight, g.height) {
                let row = plane + y * g.width
                for xx in Swift.max(x0, 0)..<Swift.min(x0 + g.kernelWidth, g.width)
                where row[xx] > best || bestIndex < 0 {
                  best = row[xx]
                  bestIndex = y * g.width + xx
                }
              }
              let position = (p * g.outputHeight + oy) * g.outputWidth + ox
              o.base[position] = best
              indices.base[position] = Int32(p * g.inputPlane + bestIndex)
            }
          }
        }
      }
    }
    return (out, argmax)
  }

  /// ``maxPool2D(input:geometry:)`` for 2×2 windows at stride 2 without padding (every window whole):
  /// the same candidates in the same order (row by row, the first maximum wins, a NaN in first place
  /// stays), without the general loop's bounds.
  private static func maxPool2x2(
    _ x: UnsafePointer<Float>, planes: Range<Int>, geometry g: ConvolutionGeometry, output: UnsafeMutablePointer<Float>,
    indices: UnsafeMutablePointer<Int32>
  ) {
    for p in planes {
      let plane = x + p * g.inputPlane
      for oy in 0..<g.outputHeight {
        let top = 2 * oy * g.width, bottom = top + g.width
        let first = (p * g.outputHeight + oy) * g.outputWidth
        for ox in 0..<g.outputWidth {
          var at = top + 2 * ox
          var best = plane[at]
          if plane[at + 1] > best { (best, at) = (plane[at + 1], at + 1) }
          let below = bottom + 2 * ox
          if plane[below] > best { (best, at) = (plane[below], below) }
          if plane[below + 1] > best { (best, at) = (plane[below + 1], below + 1) }
          output[first + ox] = best
          indices[first + ox] = Int32(p * g.inputPlane + at)
        }
      }
    }
  }
}
