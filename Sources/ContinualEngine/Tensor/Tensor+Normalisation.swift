/// Per-channel normalisation kernels for batch normalisation over `[N, C]` or `[N, C, H, W]`
/// tensors: statistics are taken per channel over the batch and every spatial position.
///
/// The layout is treated as `[N, C, S]` with `S = H·W` (1 for vectors), so one channel's values
/// are `N` runs of `S` contiguous elements. Work is spread over channels.
extension Tensor {
  /// The `(N, C, S)` view of a batch-normalisation input, or an error naming the operation.
  static func channelLayout(_ shape: [Int], operation: String) throws -> (batch: Int, channels: Int, spatial: Int) {
    guard shape.count == 2 || shape.count == 4 else {
      throw TensorError.rankMismatch(
        operation: operation, expected: "an input of shape [batch, channels] or [batch, channels, height, width]",
        shape: shape)
    }
    return (shape[0], shape[1], shape.count == 4 ? shape[2] * shape[3] : 1)
  }

  /// Each channel's mean and biased variance over the batch and spatial positions.
  ///
  /// - Returns: Two `[C]` tensors. Both are zero for an empty batch.
  static func channelMoments(_ x: Tensor, batch n: Int, channels c: Int, spatial s: Int) -> (
    mean: Tensor, variance: Tensor
  ) {
    let mean = Tensor(shape: [c], repeating: 0), variance = Tensor(shape: [c], repeating: 0)
    let count = n * s
    guard count > 0 else { return (mean, variance) }
    let xp = SendableConstPointer(UnsafePointer(x.storage.base))
    let mp = SendablePointer(mean.storage.base), vp = SendablePointer(variance.storage.base)
    parallelForEach(c) { ch in
      var total: Double = 0
      for i in 0..<n { total += Double(sum(xp.base + (i * c + ch) * s, s)) }
      let mu = total / Double(count)
      var squares: Double = 0
      let muF = Float(mu)
      for i in 0..<n { squares += Double(sumOfSquares(xp.base + (i * c + ch) * s, s, around: muF)) }
      mp.base[ch] = Float(mu)
      vp.base[ch] = Float(squares / Double(count))
    }
    return (mean, variance)
  }

  /// `y = (x − mean_c) · inverseStd_c · scale_c + shift_c` per channel, and the normalised `x̂`
  /// when asked for (the backward pass needs it).
  static func normalise(
    _ x: Tensor, mean: Tensor, inverseStd: Tensor, scale: Tensor?, shift: Tensor?, batch n: Int, channels c: Int,
    spatial s: Int,
    keepNormalised: Bool
  ) -> (output: Tensor, normalised: Tensor?) {
    let output = Tensor(uninitializedShape: x.shape)
    let normalised = keepNormalised ? Tensor(uninitializedShape: x.shape) : nil
    let xp = SendableConstPointer(UnsafePointer(x.storage.base)), op = SendablePointer(output.storage.base)
    let np = normalised.map { SendablePointer($0.storage.base) }
    let mp = SendableConstPointer(UnsafePointer(mean.storage.base)),
      ip = SendableConstPointer(UnsafePointer(inverseStd.storage.base))
    let sp = scale.map { SendableConstPointer(UnsafePointer($0.storage.base)) },
      bp = shift.map { SendableConstPointer(UnsafePointer($0.storage.base)) }
    parallelForEach(c) { ch in
      let mu = mp.base[ch], inv = ip.base[ch]
      let gain = (sp?.base[ch] ?? 1) * inv, offset = (bp?.base[ch] ?? 0) - mu * gain
      for i in 0..<n {
        let start = (i * c + ch) * s
        let src = xp.base + start, dst = op.base + start
        for k in 0..<s { dst[k] = src[k] * gain + offset }
        if let np {
          let nd = np.base + start
          for k in 0..<s { nd[k] = (src[k] - mu) * inv }
        }
      }
    }
    return (output, normalised)
  }

  /// The gradients of batch normalisation: `Σ g` (shift), `Σ g·x̂` (scale) per channel, and, when
  /// asked for, the input's gradient.
  ///
  /// With batch statistics the input gradient is `γ·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂))`; with fixed
  /// statistics it is `γ·σ⁻¹·g`. `x̂ = (x − mean)·σ⁻¹` is recomputed from the input, with the same
  /// arithmetic as ``normalise(_:mean:inverseStd:scale:shift:batch:channels:spatial:keepNormalised:)``
  /// (so the same bits), rather than kept from the forward pass: a training tape then holds one tensor
  /// per BatchNorm instead of two (ResNet-32 at batch 128: 155 MB less).
  static func normalisationBackward(
    outputGradient g: Tensor, input x: Tensor, mean: Tensor, inverseStd: Tensor, scale: Tensor?,
    batchStatistics: Bool, batch n: Int, channels c: Int, spatial s: Int, needInput: Bool
  ) -> (input: Tensor?, scale: Tensor, shift: Tensor) {
    let dScale = Tensor(shape: [c], repeating: 0), dShift = Tensor(shape: [c], repeating: 0)
    let dx = needInput ? Tensor(uninitializedShape: g.shape) : nil
    let gp = SendableConstPointer(UnsafePointer(g.storage.base)),
      xp = SendableConstPointer(UnsafePointer(x.storage.base))
    let mp = SendableConstPointer(UnsafePointer(mean.storage.base)),
      ip = SendableConstPointer(UnsafePointer(inverseStd.storage.base)),
      sp = scale.map { SendableConstPointer(UnsafePointer($0.storage.base)) }
    let dsp = SendablePointer(dScale.storage.base), dbp = SendablePointer(dShift.storage.base)
    let dxp = dx.map { SendablePointer($0.storage.base) }
    let count = Float(n * s)
    parallelForEach(c) { ch in
      let mu = mp.base[ch], inv = ip.base[ch]
      var sumG: Double = 0, sumGH: Double = 0
      for i in 0..<n {
        let start = (i * c + ch) * s
        let (pg, pgh) = sums(gp.base + start, normalising: xp.base + start, s, mean: mu, inverseStd: inv)
        sumG += Double(pg)
        sumGH += Double(pgh)
      }
      dbp.base[ch] = Float(sumG)
      dsp.base[ch] = Float(sumGH)
      guard let dxp else { return }
      let factor = (sp?.base[ch] ?? 1) * inv
      let meanG = batchStatistics && count > 0 ? Float(sumG) / count : 0
      let meanGH = batchStatistics && count > 0 ? Float(sumGH) / count : 0
      for i in 0..<n {
        let start = (i * c + ch) * s
        inputGradient(
          gp.base + start, normalising: xp.base + start, into: dxp.base + start, s, mean: mu, inverseStd: inv,
          factor: factor, meanGradient: meanG, meanProduct: meanGH)
      }
    }
    return (dx, dScale, dShift)
  }

  /// `dx = factor · (g − meanGradient − x̂ · meanProduct)` over `n` contiguous elements, eight lanes
  /// at a time (element by element, so the same bits as one at a time); `x̂` has
  /// ``normalise(_:mean:inverseStd:scale:shift:batch:channels:spatial:keepNormalised:)``'s arithmetic.
  static func inputGradient(
    _ g: UnsafePointer<Float>, normalising x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, _ n: Int,
    mean: Float, inverseStd: Float, factor: Float, meanGradient: Float, meanProduct: Float
  ) {
    let m = SIMD8<Float>(repeating: mean), inv = SIMD8<Float>(repeating: inverseStd)
    let f = SIMD8<Float>(repeating: factor), mg = SIMD8<Float>(repeating: meanGradient)
    let mp = SIMD8<Float>(repeating: meanProduct)
    var i = 0
    while i + 8 <= n {
      let h = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m) * inv
      let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(dx + i).storeBytes(of: f * (gv - mg - h * mp), as: SIMD8<Float>.self)
      i += 8
    }
    while i < n {
      let h = (x[i] - mean) * inverseStd
      dx[i] = factor * (g[i] - meanGradient - h * meanProduct)
      i += 1
    }
  }

  /// `Σ (x − mean)²` over `n` contiguous elements, eight lanes at a time (as ``sum(_:_:)``: the
  /// lanes are added at the end, then the tail).
  static func sumOfSquares(_ p: UnsafePointer<Float>, _ n: Int, around mean: Float) -> Float {
    var acc = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean)
    var i = 0
    while i + 8 <= n {
      let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - m
      acc += d * d
      i += 8
    }
    var total = acc.sum()
    while i < n {
      let d = p[i] - mean
      total += d * d
      i += 1
    }
    return total
  }

  /// `Σ g` and `Σ g · x̂`, `x̂ = (x − mean) · inverseStd`, over `n` contiguous elements, eight lanes
  /// at a time; `x̂` has ``normalise(_:mean:inverseStd:scale:shift:batch:channels:spatial:keepNormalised:)``'s
  /// arithmetic.
  static func sums(
    _ g: UnsafePointer<Float>, normalising x: UnsafePointer<Float>, _ n: Int, mean: Float, inverseStd: Float
  ) -> (gradient: Float, product: Float) {
    var sumG = SIMD8<Float>(), sumGH = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean), inv = SIMD8<Float>(repeating: inverseStd)
    var i = 0
    while i + 8 <= n {
      let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
      let h = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m) * inv
      sumG += gv
      sumGH += gv * h
      i += 8
    }
    var totalG = sumG.sum(), totalGH = sumGH.sum()
    while i < n {
      totalG += g[i]
      totalGH += g[i] * ((x[i] - mean) * inverseStd)
      i += 1
    }
    return (totalG, totalGH)
  }

  /// The mean over every spatial position of each channel: `[N, C, H, W] → [N, C]`.
  static func spatialMean(_ x: Tensor) -> Tensor {
    let (n, c, s) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    let out = Tensor(uninitializedShape: [n, c])
    let xp = x.storage.base, op = out.storage.base
    let inverse = s > 0 ? 1 / Float(s) : 0
    for row in 0..<(n * c) { op[row] = sum(xp + row * s, s) * inverse }
    return out
  }

  /// The gradient of ``spatialMean(_:)``: each `[N, C]` gradient spread evenly over its plane.
  static func spatialMeanBackward(_ g: Tensor, inputShape: [Int]) -> Tensor {
    let (n, c, s) = (inputShape[0], inputShape[1], inputShape[2] * inputShape[3])
    let dx = Tensor(uninitializedShape: inputShape)
    let gp = g.storage.base, dp = dx.storage.base
    let inverse = s > 0 ? 1 / Float(s) : 0
    for row in 0..<(n * c) { (dp + row * s).update(repeating: gp[row] * inverse, count: s) }
    return dx
  }
}
