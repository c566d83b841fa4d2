extension Tensor {
  /// The matrix product `op(self) · op(other)` of two rank-2 tensors.
  ///
  /// ```swift
  /// let x = Tensor.zeros([128, 784]), w = Tensor.zeros([400, 784])
  /// let y = try x.matmul(w, transposingOther: true)   // x · wᵀ, shape [128, 400]
  /// ```
  /// - Parameters:
  ///   - other: The right operand.
  ///   - transposingSelf: Use `selfᵀ` as the left operand (no copy is made).
  ///   - transposingOther: Use `otherᵀ` as the right operand (no copy is made).
  /// - Returns: A tensor of shape `[rows of op(self), columns of op(other)]`.
  /// - Throws: ``TensorError`` when an operand is not rank 2 or the inner dimensions differ.
  /// - Complexity: `2·m·n·k` floating-point operations, spread over ``EngineThreads/count`` threads.
  public func matmul(_ other: Tensor, transposingSelf: Bool = false, transposingOther: Bool = false) throws -> Tensor {
    guard rank == 2 else {
      throw TensorError.rankMismatch(operation: "matmul", expected: "a rank-2 left operand", shape: shape)
    }
    guard other.rank == 2 else {
      throw TensorError.rankMismatch(operation: "matmul", expected: "a rank-2 right operand", shape: other.shape)
    }
    let (m, k) = transposingSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
    let (k2, n) = transposingOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
    guard k == k2 else {
      let lhs = transposingSelf ? "ᵀ" : "", rhs = transposingOther ? "ᵀ" : ""
      throw TensorError.shapeMismatch(
        operation: "matmul", shapes: [shape, other.shape],
        reason: "inner dimensions differ for A\(lhs)·B\(rhs) (\(k) ≠ \(k2))")
    }
    let out = Tensor(uninitializedShape: [m, n])
    if k == 0 {
      out.storage.base.update(repeating: 0, count: m * n)
      return out
    }
    gemm(
      transposeA: transposingSelf, transposeB: transposingOther, m: m, n: n, k: k,
      a: storage.base, lda: shape[1], b: other.storage.base, ldb: other.shape[1],
      c: out.storage.base, ldc: n)
    return out
  }
}
