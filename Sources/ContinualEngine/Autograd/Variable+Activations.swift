import Foundation

extension Variable {
  /// The rectified linear unit `max(x, 0)`.
  public func relu() -> Variable {
    let y = value.relu()
    return unary(y) { g in g.zipMap(y) { gi, yi in yi > 0 ? gi : 0 } }
  }

  /// The exponential linear unit: `x` for `x > 0`, `alpha · (e^x − 1)` otherwise.
  public func elu(alpha: Float = 1) -> Variable {
    let x = value
    let y = x.elu(alpha: alpha)
    return unary(y) { g in
      var d = g.zipMap(y) { gi, yi in gi * (yi + alpha) }
      d = d.zipMap(x) { di, xi in xi > 0 ? 0 : di }
      return (try! d + g.zipMap(x) { gi, xi in xi > 0 ? gi : 0 })
    }
  }

  /// The logistic sigmoid `1 / (1 + e^(−x))`.
  public func sigmoid() -> Variable {
    let y = value.sigmoid()
    return unary(y) { g in g.zipMap(y) { gi, yi in gi * yi * (1 - yi) } }
  }

  /// The hyperbolic tangent.
  public func tanh() -> Variable {
    let y = value.tanh()
    return unary(y) { g in g.zipMap(y) { gi, yi in gi * (1 - yi * yi) } }
  }

  /// The element-wise exponential.
  public func exp() -> Variable {
    let y = value.exp()
    return unary(y) { g in g.zipMap(y, *) }
  }

  /// The element-wise natural logarithm.
  public func log() -> Variable {
    let x = value
    return unary(x.log()) { g in g.zipMap(x, /) }
  }

  /// The element-wise absolute value (its gradient at 0 is taken as 0).
  public func abs() -> Variable {
    let x = value
    return unary(x.abs()) { g in g.zipMap(x) { gi, xi in xi > 0 ? gi : (xi < 0 ? -gi : 0) } }
  }

  /// The element-wise square.
  public func squared() -> Variable {
    let x = value
    return unary(x.squared()) { g in g.zipMap(x) { gi, xi in 2 * gi * xi } }
  }

  /// The element-wise square root.
  public func squareRoot() -> Variable {
    let y = value.squareRoot()
    return unary(y) { g in g.zipMap(y) { gi, yi in gi / (2 * yi) } }
  }

  /// Inverted dropout: in training, zeroes each element with probability `rate` and scales the rest
  /// by `1 / (1 − rate)`; otherwise returns the input unchanged.
  ///
  /// - Parameters:
  ///   - rate: The probability of dropping an element, in `[0, 1)`.
  ///   - training: Whether to drop (training) or pass through (evaluation).
  ///   - rng: The generator the mask is drawn from.
  /// - Returns: The input with dropped elements zeroed and the rest rescaled.
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` for a rate outside `[0, 1)`.
  public func dropout(rate: Float, training: Bool, using rng: inout SeededGenerator) throws -> Variable {
    guard rate >= 0 && rate < 1 else {
      throw TensorError.invalidArgument(operation: "dropout", reason: "rate \(rate) is outside [0, 1)")
    }
    guard training && rate > 0 else { return self }
    let keep = 1 / (1 - rate)
    let mask = Tensor(uninitializedShape: shape)
    for i in 0..<mask.count { mask.storage.base[i] = rng.nextUniform() < rate ? 0 : keep }
    let m = mask
    return unary(value.zipMap(m, *)) { g in g.zipMap(m, *) }
  }
}
