extension Tensor {
  /// Normalises a possibly negative axis, throwing when it is out of range.
  func normalisedAxis(_ axis: Int, operation: String) throws -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0 && resolved < rank else {
      throw TensorError.invalidAxis(operation: operation, axis: axis, rank: rank)
    }
    return resolved
  }

  /// Normalises, de-duplicates and sorts a list of axes.
  func normalisedAxes(_ axes: [Int], operation: String) throws -> [Int] {
    Array(Set(try axes.map { try normalisedAxis($0, operation: operation) })).sorted()
  }

  /// The sum of all elements, as a scalar tensor.
  public func sum() -> Tensor { Tensor(Tensor.sum(storage.base, count)) }

  /// The mean of all elements, as a scalar tensor (NaN for an empty tensor).
  public func mean() -> Tensor { Tensor(Tensor.sum(storage.base, count) / Float(count)) }

  /// Sums `n` contiguous elements with eight independent accumulators.
  static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
      acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
      i += 8
    }
    var total = acc.sum()
    while i < n {
      total += p[i]
      i += 1
    }
    return total
  }

  /// Sums over the given axes.
  ///
  /// ```swift
  /// let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
  /// try x.sum(alongAxes: [0])                          // [5, 7, 9], shape [3]
  /// try x.sum(alongAxes: [1], keepingDimensions: true)  // [[6], [15]], shape [2, 1]
  /// ```
  /// - Parameters:
  ///   - axes: The axes to reduce; negative values count from the end.
  ///   - keepingDimensions: Whether reduced axes stay as size-1 dimensions.
  /// - Returns: The sums.
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
    let axes = try normalisedAxes(axes, operation: "sum(alongAxes:)")
    var result = self
    for axis in axes.reversed() { result = result.sumKeepingDimension(axis) }
    if !keepingDimensions {
      let kept = shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
      result = Tensor(shape: kept, storage: result.storage)
    }
    return result
  }

  /// Averages over the given axes.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
    let normalised = try normalisedAxes(axes, operation: "mean(alongAxes:)")
    let n = normalised.map { shape[$0] }.reduce(1, *)
    return try sum(alongAxes: normalised, keepingDimensions: keepingDimensions) * (1 / Float(n))
  }

  /// Sums one axis, keeping it as a size-1 dimension.
  func sumKeepingDimension(_ axis: Int) -> Tensor {
    let n = shape[axis]
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    var outShape = shape
    outShape[axis] = 1
    let out = Tensor(shape: outShape, repeating: 0)
    let a = storage.base, o = out.storage.base
    for i in 0..<outer {
      if inner == 1 {
        o[i] = Tensor.sum(a + i * n, n)
      } else {
        let dst = o + i * inner
        for j in 0..<n {
          let src = a + (i * n + j) * inner
          for k in 0..<inner { dst[k] += src[k] }
        }
      }
    }
    return out
  }

  /// Sums a broadcast result back down to `target`, the shape of one broadcast operand.
  ///
  /// Used by the backward pass of broadcasting operations.
  func reduced(toShape target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    var axes = Array(0..<lead)
    for (i, size) in target.enumerated() where size == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
    let summed = try! sum(alongAxes: axes, keepingDimensions: true)
    return Tensor(shape: target, storage: summed.storage)
  }

  /// The largest element, as a scalar tensor.
  public func max() -> Tensor {
    withUnsafeBufferPointer { Tensor($0.max() ?? -.infinity) }
  }

  /// The index of the largest element along the last axis, for every leading position.
  ///
  /// For logits of shape `[batch, classes]` this gives the predicted class of each sample.
  /// - Parameter columns: Restricts the search to these columns; the returned indices are still
  ///   absolute column indices.
  /// - Returns: One column index per row.
  public func argmaxAlongLastAxis(columns: Range<Int>? = nil) -> [Int] {
    let width = shape.last ?? 1
    let columns = columns ?? 0..<width
    let rows = count / Swift.max(width, 1)
    let p = storage.base
    return (0..<rows).map { row in
      var best = columns.lowerBound
      var bestValue = -Float.infinity
      for c in columns where p[row * width + c] > bestValue {
        bestValue = p[row * width + c]
        best = c
      }
      return best
    }
  }

  /// The squared L2 norm `Σ xᵢ²`, as a `Float`.
  public func squaredNorm() -> Float {
    withUnsafeBufferPointer { b in
      var acc = SIMD8<Float>()
      var i = 0
      while i + 8 <= b.count {
        let v = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
        acc += v * v
        i += 8
      }
      var total = acc.sum()
      while i < b.count {
        total += b[i] * b[i]
        i += 1
      }
      return total
    }
  }
}
