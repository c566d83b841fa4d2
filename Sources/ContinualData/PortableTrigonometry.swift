/// Sine and cosine computed with plain arithmetic, so they give bit-identical results on every
/// platform (libm's `sin` and `cos` may differ in the last bit between systems).
///
/// Used wherever a seed must reproduce the same tensors everywhere: glyph rendering and rotations.
enum PortableTrigonometry {
  /// π/2 split into a high part exact in `Double` and a low correction.
  private static let halfPiHigh = 1.5707963267948966
  private static let halfPiLow = 6.123233995736766e-17

  /// `(−1)ᵏ / (2k + 1)!` for k = 7, 6, …, 0: the sine series, highest term first.
  private static let sineCoefficients: [Double] = stride(from: 15, through: 1, by: -2).map { n in
    (n / 2 % 2 == 0 ? 1 : -1) / factorial(n)
  }
  /// `(−1)ᵏ / (2k)!` for k = 8, 7, …, 0: the cosine series, highest term first.
  private static let cosineCoefficients: [Double] = stride(from: 16, through: 0, by: -2).map { n in
    (n / 2 % 2 == 0 ? 1 : -1) / factorial(n)
  }

  /// The sine and cosine of `x` radians, accurate to about one ulp for `|x|` up to a few thousand.
  static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
    let quadrant = (x / halfPiHigh).rounded()
    let r = (x - quadrant * halfPiHigh) - quadrant * halfPiLow  // |r| ≤ π/4 (up to rounding)
    let r2 = r * r
    // Taylor series to r¹⁵ and r¹⁶ (Horner's rule): the remainder is below 2⁻⁵⁶ for |r| ≤ π/4.
    var s = 0.0
    for coefficient in sineCoefficients { s = s * r2 + coefficient }
    var c = 0.0
    for coefficient in cosineCoefficients { c = c * r2 + coefficient }
    let sine = s * r, cosine = c
    switch Int(quadrant.truncatingRemainder(dividingBy: 4)) & 3 {
    case 0: return (sine, cosine)
    case 1: return (cosine, -sine)
    case 2: return (-sine, -cosine)
    default: return (-cosine, sine)
    }
  }

  /// The sine and cosine of an angle in degrees.
  static func sinCos(degrees: Double) -> (sin: Double, cos: Double) {
    sinCos(degrees * (Double.pi / 180))
  }

  /// `n!` as a `Double` (exact for the small `n` used here).
  private static func factorial(_ n: Int) -> Double {
    n <= 1 ? 1 : (2...n).reduce(1.0) { $0 * Double($1) }
  }
}
