import Foundation

/// How a loss over a batch is reduced to a scalar.
public enum Reduction: String, Sendable, Codable, CaseIterable {
  /// The mean over samples.
  case mean
  /// The sum over samples.
  case sum
}

extension Variable {
  /// The softmax along an axis.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func softmax(alongAxis axis: Int = -1) throws -> Variable {
    let resolved = try value.normalisedAxis(axis, operation: "softmax")
    let y = try value.softmax(alongAxis: resolved)
    return unary(y) { g in
      // dx = y ⊙ (g − Σ_axis g ⊙ y)
      let gy = g.zipMap(y, *)
      let s = gy.sumKeepingDimension(resolved)
      return try! (try! g - s) * y
    }
  }

  /// The log-softmax along an axis, computed stably.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func logSoftmax(alongAxis axis: Int = -1) throws -> Variable {
    let resolved = try value.normalisedAxis(axis, operation: "logSoftmax")
    let y = try value.logSoftmax(alongAxis: resolved)
    return unary(y) { g in
      // dx = g − softmax ⊙ Σ_axis g
      let s = g.sumKeepingDimension(resolved)
      return try! g - (try! y.exp() * s)
    }
  }

  /// The softmax over a range of columns of a rank-2 variable (for example one task's classes).
  ///
  /// - Throws: ``TensorError`` when the variable is not rank 2 or the range is out of bounds.
  public func softmax(columns: Range<Int>) throws -> Variable {
    guard rank2 else {
      throw TensorError.rankMismatch(operation: "softmax(columns:)", expected: "[batch, classes]", shape: shape)
    }
    return try slice(alongAxis: 1, range: columns).softmax(alongAxis: 1)
  }

  /// The log-softmax over a range of columns of a rank-2 variable.
  ///
  /// - Throws: ``TensorError`` when the variable is not rank 2 or the range is out of bounds.
  public func logSoftmax(columns: Range<Int>) throws -> Variable {
    guard rank2 else {
      throw TensorError.rankMismatch(operation: "logSoftmax(columns:)", expected: "[batch, classes]", shape: shape)
    }
    return try slice(alongAxis: 1, range: columns).logSoftmax(alongAxis: 1)
  }

  var rank2: Bool { shape.count == 2 }
}

/// The cross-entropy between softmax(logits) and integer labels.
///
/// With `classes` given, the softmax runs over those columns only (a task's head in a multi-head or
/// class-incremental model); labels are still absolute class indices and must lie in `classes`.
///
/// ```swift
/// let loss = try crossEntropy(logits: outputs, labels: [3, 2], classes: 2..<4)   // SS-IL's new-class CE
/// ```
/// - Parameters:
///   - logits: A `[batch, classes]` variable.
///   - labels: One class index per row.
///   - classes: The columns the softmax covers; all columns when `nil`.
///   - reduction: Mean (default) or sum over the batch.
/// - Returns: A scalar variable.
/// - Throws: ``TensorError`` for a wrong rank, a label count that differs from the batch, or a label
///   outside `classes`.
public func crossEntropy(logits: Variable, labels: [Int], classes: Range<Int>? = nil, reduction: Reduction = .mean)
  throws -> Variable
{
  guard logits.shape.count == 2 else {
    throw TensorError.rankMismatch(
      operation: "crossEntropy", expected: "logits of shape [batch, classes]", shape: logits.shape)
  }
  let range = classes ?? 0..<logits.shape[1]
  return try crossEntropy(
    logits: logits, labels: labels, rowClasses: [Range<Int>](repeating: range, count: logits.shape[0]),
    reduction: reduction)
}

/// The cross-entropy where each row's softmax covers its own range of columns.
///
/// Multi-head and class-incremental training mix samples from several tasks in one batch (replay,
/// joint training); each sample is scored by its own task's head.
///
/// - Parameters:
///   - logits: A `[batch, classes]` variable.
///   - labels: One absolute class index per row, inside that row's range.
///   - rowClasses: One non-empty column range per row.
///   - reduction: Mean (default) or sum over the batch.
/// - Returns: A scalar variable.
/// - Throws: ``TensorError`` for a wrong rank, mismatched counts, an empty or out-of-bounds range, or
///   a label outside its row's range.
public func crossEntropy(logits: Variable, labels: [Int], rowClasses: [Range<Int>], reduction: Reduction = .mean) throws
  -> Variable
{
  let operation = "crossEntropy"
  guard logits.shape.count == 2 else {
    throw TensorError.rankMismatch(
      operation: operation, expected: "logits of shape [batch, classes]", shape: logits.shape)
  }
  let (batch, width) = (logits.shape[0], logits.shape[1])
  guard labels.count == batch, rowClasses.count == batch else {
    throw TensorError.invalidArgument(
      operation: operation,
      reason: "\(labels.count) labels and \(rowClasses.count) class ranges for a batch of \(batch)")
  }
  for (row, (label, range)) in zip(labels, rowClasses).enumerated() {
    guard range.lowerBound >= 0, range.upperBound <= width, !range.isEmpty else {
      throw TensorError.invalidArgument(
        operation: operation, reason: "class range \(range) of row \(row) is not a non-empty part of 0..<\(width)")
    }
    guard range.contains(label) else {
      throw TensorError.invalidArgument(
        operation: operation, reason: "label \(label) of row \(row) is outside the class range \(range)")
    }
  }
  // Per-row log-softmax over the row's range; probabilities kept for the backward pass.
  let probabilities = Tensor(shape: [batch, width], repeating: 0)
  var total: Double = 0
  let z = logits.value
  z.withUnsafeBufferPointer { zp in
    let p = probabilities.storage.base
    for row in 0..<batch {
      let range = rowClasses[row], base = row * width
      var m = -Float.infinity
      for c in range { m = max(m, zp[base + c]) }
      var sum: Float = 0
      for c in range {
        let e = Foundation.exp(zp[base + c] - m)
        p[base + c] = e
        sum += e
      }
      for c in range { p[base + c] /= sum }
      total -= Double(zp[base + labels[row]] - m - Foundation.log(sum))
    }
  }
  let scale: Float = reduction == .mean ? 1 / Float(max(batch, 1)) : 1
  let i = logits.index
  return logits.tape.record(Tensor(Float(total) * scale), inputs: [logits]) { g, context in
    // d/dz = (softmax − onehot) · scale inside each row's range; zero elsewhere.
    let factor = g.scalar * scale
    let d = probabilities * factor
    let o = d.storage.base
    for row in 0..<batch { o[row * width + labels[row]] -= factor }
    context.accumulate(d, into: i)
  }
}

/// The Kullback–Leibler divergence `KL(softmax(target/T) ‖ softmax(input/T))`, averaged over the
/// batch ("batchmean"), as used for knowledge distillation.
///
/// The divergence is not multiplied by `T²`; distillation losses that want the usual gradient scale
/// multiply by it themselves.
///
/// - Parameters:
///   - target: Teacher logits `[batch, classes]` (usually a constant).
///   - input: Student logits of the same shape.
///   - temperature: `T > 0`; both sets of logits are divided by it before the softmax.
/// - Returns: A scalar variable.
/// - Throws: ``TensorError`` when the shapes differ or are not rank 2, or `T ≤ 0`.
public func klDivergence(target: Variable, input: Variable, temperature: Float = 1) throws -> Variable {
  let operation = "klDivergence"
  guard target.shape == input.shape, input.shape.count == 2 else {
    throw TensorError.shapeMismatch(
      operation: operation, shapes: [target.shape, input.shape],
      reason: "expected two [batch, classes] tensors of the same shape")
  }
  guard temperature > 0 else {
    throw TensorError.invalidArgument(operation: operation, reason: "temperature \(temperature) must be positive")
  }
  let batch = input.shape[0], n = input.shape[1]
  let inverseT = 1 / temperature
  let logP = try (target.value * inverseT).logSoftmax(alongAxis: 1)  // teacher
  let logQ = try (input.value * inverseT).logSoftmax(alongAxis: 1)  // student
  var perSample = [Float](repeating: 0, count: batch)
  do {
    let lp = logP.storage.base, lq = logQ.storage.base
    for b in 0..<batch {
      var s: Float = 0
      for c in 0..<n {
        let k = b * n + c
        s += Foundation.exp(lp[k]) * (lp[k] - lq[k])
      }
      perSample[b] = s
    }
  }
  let value = perSample.reduce(0, +) / Float(max(batch, 1))
  let it = target.index, ii = input.index
  return input.tape.record(Tensor(value), inputs: [target, input]) { g, context in
    let factor = g.scalar / Float(max(batch, 1)) * inverseT
    if context.needs(ii) {
      // ∂/∂input = (q − p) / (B·T)
      let d = logQ.zipMap(logP) { a, b in (Foundation.exp(a) - Foundation.exp(b)) * factor }
      context.accumulate(d, into: ii)
    }
    if context.needs(it) {
      // ∂/∂target_c = p_c · ((log p_c − log q_c) − KL_b) / (B·T)
      let d = Tensor(uninitializedShape: [batch, n])
      let lp = logP.storage.base, lq = logQ.storage.base  // the closure keeps both tensors alive
      for b in 0..<batch {
        for c in 0..<n {
          let k = b * n + c
          d.storage.base[k] = Foundation.exp(lp[k]) * (lp[k] - lq[k] - perSample[b]) * factor
        }
      }
      context.accumulate(d, into: it)
    }
  }
}
