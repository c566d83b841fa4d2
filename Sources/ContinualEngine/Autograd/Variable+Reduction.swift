extension Tensor {
  /// This tensor repeated along its size-1 (or missing leading) dimensions to `target`.
  func broadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    return try! Tensor(shape: target, repeating: 0).broadcasting(self, .add)
  }
}

extension Variable {
  /// The sum of all elements, as a scalar.
  public func sum() -> Variable {
    let s = shape
    return unary(value.sum()) { g in Tensor(shape: s, repeating: g.scalar) }
  }

  /// The mean of all elements, as a scalar.
  public func mean() -> Variable {
    let s = shape, n = Float(value.count)
    return unary(value.mean()) { g in Tensor(shape: s, repeating: g.scalar / n) }
  }

  /// Sums over the given axes.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Variable {
    let x = value
    let axes = try x.normalisedAxes(axes, operation: "sum(alongAxes:)")
    var kept = x.shape
    for a in axes { kept[a] = 1 }
    let keptShape = kept, inputShape = x.shape
    return unary(try x.sum(alongAxes: axes, keepingDimensions: keepingDimensions)) { g in
      Tensor(shape: keptShape, storage: g.storage).broadcast(to: inputShape)
    }
  }

  /// Averages over the given axes.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Variable {
    let normalised = try value.normalisedAxes(axes, operation: "mean(alongAxes:)")
    let n = normalised.map { shape[$0] }.reduce(1, *)
    return try sum(alongAxes: normalised, keepingDimensions: keepingDimensions) * (1 / Float(n))
  }

  /// The squared L2 norm `Σ xᵢ²`, as a scalar.
  public func squaredNorm() -> Variable {
    let x = value
    return unary(Tensor(x.squaredNorm())) { g in x * (2 * g.scalar) }
  }
}

extension Variable {
  /// The same elements with another shape (one dimension may be `-1`).
  ///
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the element counts differ.
  public func reshaped(_ newShape: [Int]) throws -> Variable {
    let original = shape
    return unary(try value.reshaped(newShape)) { g in Tensor(shape: original, storage: g.storage) }
  }

  /// The transpose of a rank-2 variable.
  ///
  /// - Throws: ``TensorError/rankMismatch(operation:expected:shape:)`` unless the rank is 2.
  public func transposed() throws -> Variable {
    unary(try value.transposed()) { g in Tensor.transpose2D(g) }
  }

  /// The variable with its axes reordered (output axis `i` is input axis `permutation[i]`).
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` for an invalid permutation.
  public func permuted(_ permutation: [Int]) throws -> Variable {
    var inverse = [Int](repeating: 0, count: permutation.count)
    let out = try value.permuted(permutation)
    for (i, p) in permutation.enumerated() { inverse[p] = i }
    let back = inverse
    return unary(out) { g in try! g.permuted(back) }
  }

  /// The part whose index along `axis` lies in `range`.
  ///
  /// - Throws: ``TensorError`` for an axis or range out of bounds.
  public func slice(alongAxis axis: Int, range: Range<Int>) throws -> Variable {
    let out = try value.slice(alongAxis: axis, range: range)
    let inputShape = shape, resolved = try value.normalisedAxis(axis, operation: "slice")
    let i = index
    return tape.record(out, inputs: [self]) { g, context in
      context.accumulateSlice(g, into: i, shape: inputShape, alongAxis: resolved, range: range)
    }
  }

  /// Entries picked along `axis` by index (see ``Tensor/gather(indices:alongAxis:)``).
  ///
  /// - Throws: ``TensorError`` for an axis or index out of bounds.
  public func gather(indices: [Int], alongAxis axis: Int) throws -> Variable {
    let out = try value.gather(indices: indices, alongAxis: axis)
    let inputShape = shape, resolved = try value.normalisedAxis(axis, operation: "gather")
    return unary(out) { g in g.scatterAdding(indices: indices, alongAxis: resolved, into: inputShape) }
  }

  /// Joins variables along an axis.
  ///
  /// - Throws: ``TensorError`` when the shapes disagree off the axis.
  public static func concatenate(_ parts: [Variable], alongAxis axis: Int) throws -> Variable {
    guard let first = parts.first else {
      throw TensorError.invalidArgument(operation: "concatenate", reason: "no variables given")
    }
    let out = try Tensor.concatenate(parts.map(\.value), alongAxis: axis)
    let resolved = try first.value.normalisedAxis(axis, operation: "concatenate")
    let indices = parts.map(\.index)
    var bounds: [Range<Int>] = []
    var start = 0
    for p in parts {
      bounds.append(start..<start + p.shape[resolved])
      start += p.shape[resolved]
    }
    let ranges = bounds
    return first.tape.record(out, inputs: parts) { g, context in
      for (i, r) in zip(indices, ranges) where context.needs(i) {
        context.accumulate(try! g.slice(alongAxis: resolved, range: r), into: i)
      }
    }
  }
}
