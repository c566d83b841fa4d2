import Foundation

extension Tensor {
  /// Splits the shape around `axis` into (outer, length, inner) for axis-wise kernels.
  func layout(around axis: Int) -> (outer: Int, length: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// The softmax along an axis: `exp(xᵢ − max) / Σ exp(xⱼ − max)`.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func softmax(alongAxis axis: Int = -1) throws -> Tensor {
    try softmax(alongAxis: axis, logarithm: false, operation: "softmax")
  }

  /// The log-softmax along an axis: `xᵢ − max − log Σ exp(xⱼ − max)`, computed stably.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:rank:)`` for an axis out of range.
  public func logSoftmax(alongAxis axis: Int = -1) throws -> Tensor {
    try softmax(alongAxis: axis, logarithm: true, operation: "logSoftmax")
  }

  /// The softmax or its logarithm along an axis, both shifted by the line's maximum.
  private func softmax(alongAxis axis: Int, logarithm: Bool, operation: String) throws -> Tensor {
    let axis = try normalisedAxis(axis, operation: operation)
    return axisWise(axis) { values, n, stride, out in
      var m = -Float.infinity
      for j in 0..<n { m = Swift.max(m, values[j * stride]) }
      var total: Float = 0
      if logarithm {
        for j in 0..<n { total += Foundation.exp(values[j * stride] - m) }
        let shift = m + Foundation.log(total)
        for j in 0..<n { out[j * stride] = values[j * stride] - shift }
        return
      }
      for j in 0..<n {
        let e = Foundation.exp(values[j * stride] - m)
        out[j * stride] = e
        total += e
      }
      let scale = 1 / total
      for j in 0..<n { out[j * stride] *= scale }
    }
  }

  /// Runs `body` on every 1-D line along `axis`; `body(values, length, stride, output)`.
  @inline(__always)
  func axisWise(
    _ axis: Int, _ body: (UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>) -> Void
  ) -> Tensor {
    let (outer, n, inner) = layout(around: axis)
    let out = Tensor(uninitializedShape: shape)
    let a = storage.base, o = out.storage.base
    for i in 0..<outer {
      for k in 0..<inner {
        let start = i * n * inner + k
        body(a + start, n, inner, o + start)
      }
    }
    return out
  }
}
