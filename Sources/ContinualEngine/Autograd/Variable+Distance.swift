extension Variable {
  /// The importance-weighted squared distance `Σᵢ wᵢ (xᵢ − aᵢ)²` to a fixed anchor, as a scalar.
  ///
  /// The quadratic penalty of EWC, SI and MAS, fused into one pass. Its gradient is `2 w ⊙ (x − a)`;
  /// the anchor and the weights are constants.
  ///
  /// - Parameters:
  ///   - anchor: The point `a` the penalty pulls towards, shaped like `self`.
  ///   - weights: The non-negative importances `w`, shaped like `self`.
  /// - Returns: A scalar variable.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes differ.
  public func weightedSquaredDistance(to anchor: Tensor, weights: Tensor) throws -> Variable {
    guard anchor.shape == shape, weights.shape == shape else {
      throw TensorError.shapeMismatch(
        operation: "weightedSquaredDistance", shapes: [shape, anchor.shape, weights.shape],
        reason: "value, anchor and weights must have the same shape")
    }
    let x = value
    var total: Double = 0
    x.withUnsafeBufferPointer { xp in
      anchor.withUnsafeBufferPointer { ap in
        weights.withUnsafeBufferPointer { wp in
          var acc: Float = 0
          for i in 0..<xp.count {
            let d = xp[i] - ap[i]
            acc += wp[i] * d * d
            if i & 4095 == 4095 {
              total += Double(acc)
              acc = 0
            }
          }
          total += Double(acc)
        }
      }
    }
    return unary(Tensor(Float(total))) { g in
      let factor = 2 * g.scalar
      let out = Tensor(uninitializedShape: x.shape)
      x.withUnsafeBufferPointer { xp in
        anchor.withUnsafeBufferPointer { ap in
          weights.withUnsafeBufferPointer { wp in
            for i in 0..<xp.count { out.storage.base[i] = factor * wp[i] * (xp[i] - ap[i]) }
          }
        }
      }
      return out
    }
  }
}
