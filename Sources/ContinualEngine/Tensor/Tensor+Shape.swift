extension Tensor {
  /// The transpose of a rank-2 tensor (a copy with rows and columns swapped).
  ///
  /// - Throws: ``TensorError/rankMismatch(operation:expected:shape:)`` unless the rank is 2.
  public func transposed() throws -> Tensor {
    guard rank == 2 else {
      throw TensorError.rankMismatch(operation: "transposed", expected: "a rank-2 tensor", shape: shape)
    }
    return Tensor.transpose2D(self)
  }

  /// Transposes a rank-2 tensor in cache-sized tiles.
  static func transpose2D(_ x: Tensor) -> Tensor {
    let rows = x.shape[0], cols = x.shape[1]
    let out = Tensor(uninitializedShape: [cols, rows])
    let a = x.storage.base, o = out.storage.base
    let tile = 32
    for i0 in stride(from: 0, to: rows, by: tile) {
      for j0 in stride(from: 0, to: cols, by: tile) {
        for i in i0..<Swift.min(i0 + tile, rows) {
          for j in j0..<Swift.min(j0 + tile, cols) { o[j * rows + i] = a[i * cols + j] }
        }
      }
    }
    return out
  }

  /// The tensor with its axes reordered: output axis `i` is input axis `permutation[i]`.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` unless `permutation` is a
  ///   permutation of `0..<rank`.
  public func permuted(_ permutation: [Int]) throws -> Tensor {
    guard permutation.sorted() == Array(0..<rank) else {
      throw TensorError.invalidArgument(
        operation: "permuted", reason: "\(permutation) is not a permutation of the axes 0..<\(rank) of shape \(shape)")
    }
    if permutation == Array(0..<rank) { return self }
    if rank == 2 { return Tensor.transpose2D(self) }
    var inputStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inputStrides[i] = inputStrides[i + 1] * shape[i + 1] }
    let outShape = permutation.map { shape[$0] }
    let strides = permutation.map { inputStrides[$0] }
    let out = Tensor(uninitializedShape: outShape)
    let a = storage.base, o = out.storage.base
    var index = [Int](repeating: 0, count: rank)
    var source = 0
    for position in 0..<count {
      o[position] = a[source]
      var d = rank - 1
      while d >= 0 {
        index[d] += 1
        source += strides[d]
        if index[d] < outShape[d] { break }
        source -= strides[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return out
  }

  /// The sub-tensor whose index along `axis` lies in `range`.
  ///
  /// ```swift
  /// let logits = Tensor.zeros([128, 10])
  /// let firstTask = try logits.slice(alongAxis: 1, range: 0..<2)   // shape [128, 2]
  /// ```
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` or
  ///   ``TensorError/invalidArgument(operation:reason:)`` for a range outside the axis.
  public func slice(alongAxis axis: Int, range: Range<Int>) throws -> Tensor {
    let axis = try normalisedAxis(axis, operation: "slice")
    guard range.lowerBound >= 0 && range.upperBound <= shape[axis] else {
      throw TensorError.invalidArgument(
        operation: "slice", reason: "range \(range) is outside 0..<\(shape[axis]) on axis \(axis) of shape \(shape)")
    }
    let (outer, _, inner) = layout(around: axis)
    let out = uninitialised(resizing: axis, to: range.count)
    let run = range.count * inner
    let a = storage.base, o = out.storage.base
    for i in 0..<outer {
      (o + i * run).update(from: a + (i * shape[axis] + range.lowerBound) * inner, count: run)
    }
    return out
  }

  /// A tensor of this shape but `count` entries along `axis`, its values not yet written.
  func uninitialised(resizing axis: Int, to count: Int) -> Tensor {
    var resized = shape
    resized[axis] = count
    return Tensor(uninitializedShape: resized)
  }

  /// Adds `source` into the part of this tensor that `slice(alongAxis:range:)` would return.
  mutating func addSlice(_ source: Tensor, alongAxis axis: Int, range: Range<Int>) {
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    let run = range.count * inner
    let width = shape[axis]
    let s = source.storage.base
    withUnsafeMutableBufferPointer { buffer in
      let o = buffer.baseAddress!
      for i in 0..<outer {
        let dst = o + (i * width + range.lowerBound) * inner, src = s + i * run
        for k in 0..<run { dst[k] += src[k] }
      }
    }
  }

  /// Joins tensors along an axis; all other dimensions must agree.
  ///
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when they do not.
  public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError.invalidArgument(operation: "concatenate", reason: "no tensors given")
    }
    let axis = try first.normalisedAxis(axis, operation: "concatenate")
    for t in tensors {
      var a = t.shape, b = first.shape
      guard a.count == b.count else {
        throw TensorError.shapeMismatch(operation: "concatenate", shapes: tensors.map(\.shape), reason: "ranks differ")
      }
      a[axis] = 0
      b[axis] = 0
      guard a == b else {
        throw TensorError.shapeMismatch(
          operation: "concatenate", shapes: tensors.map(\.shape), reason: "dimensions other than axis \(axis) differ")
      }
    }
    var outShape = first.shape
    outShape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
    let out = Tensor(uninitializedShape: outShape)
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let outRun = outShape[axis] * inner
    var start = 0
    for t in tensors {
      let run = t.shape[axis] * inner
      for i in 0..<outer { (out.storage.base + i * outRun + start).update(from: t.storage.base + i * run, count: run) }
      start += run
    }
    return out
  }

  /// Picks entries along `axis` by index (NumPy's `take`): output dimension `axis` has
  /// `indices.count` entries, entry `j` being input entry `indices[j]`.
  ///
  /// ```swift
  /// let table = try Tensor(rows: [[1, 2], [3, 4], [5, 6]])
  /// try table.gather(indices: [2, 0], alongAxis: 0)   // [[5, 6], [1, 2]]
  /// ```
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` for an index out of range.
  public func gather(indices: [Int], alongAxis axis: Int) throws -> Tensor {
    let axis = try normalisedAxis(axis, operation: "gather")
    if let bad = indices.first(where: { $0 < 0 || $0 >= shape[axis] }) {
      throw TensorError.invalidArgument(
        operation: "gather", reason: "index \(bad) is outside 0..<\(shape[axis]) on axis \(axis) of shape \(shape)")
    }
    let (outer, _, inner) = layout(around: axis)
    let out = uninitialised(resizing: axis, to: indices.count)
    let a = storage.base, o = out.storage.base
    for i in 0..<outer {
      for (j, index) in indices.enumerated() {
        (o + (i * indices.count + j) * inner).update(from: a + (i * shape[axis] + index) * inner, count: inner)
      }
    }
    return out
  }

  /// The adjoint of ``gather(indices:alongAxis:)``: scatters `self` (shaped like a gather result)
  /// into zeros of `shape`, adding where indices repeat.
  func scatterAdding(indices: [Int], alongAxis axis: Int, into shape: [Int]) -> Tensor {
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    let out = Tensor(shape: shape, repeating: 0)
    let g = storage.base, o = out.storage.base
    for i in 0..<outer {
      for (j, index) in indices.enumerated() {
        let dst = o + (i * shape[axis] + index) * inner, src = g + (i * indices.count + j) * inner
        for k in 0..<inner { dst[k] += src[k] }
      }
    }
    return out
  }
}
