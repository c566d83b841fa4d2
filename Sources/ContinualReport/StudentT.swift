import Foundation

/// Student's *t* distribution: its cumulative distribution function and its quantiles, for the
/// confidence intervals of seed-paired differences (see ``PairedDifference``).
///
/// The distribution function is `F(t) = 1 − ½ I_{ν / (ν + t²)}(ν / 2, ½)` for `t ≥ 0` (and
/// `1 − F(−t)` below 0), where `I_x(a, b)` is the regularised incomplete beta function, evaluated
/// by its continued fraction (Numerical Recipes, 3rd ed., §6.4). The quantile inverts `F` by
/// bisection to the last bit, so it matches printed tables to every digit they print:
///
/// ```swift
/// StudentT.quantile(0.975, degreesOfFreedom: 1)   // 12.7062…
/// StudentT.quantile(0.975, degreesOfFreedom: 4)   //  2.7764…
/// StudentT.quantile(0.975, degreesOfFreedom: 30)  //  2.0423…
/// ```
public enum StudentT {
  /// The probability that a *t*-distributed variable is at most `t`.
  ///
  /// - Parameters:
  ///   - t: The value; infinities give 0 and 1.
  ///   - degreesOfFreedom: ν, at least 1.
  /// - Returns: `P(T ≤ t)`, in [0, 1].
  /// - Complexity: O(√ν) for the continued fraction.
  public static func cumulativeProbability(_ t: Double, degreesOfFreedom: Int) -> Double {
    precondition(degreesOfFreedom >= 1, "the t distribution needs at least one degree of freedom")
    if t.isNaN { return .nan }
    let nu = Double(degreesOfFreedom)
    let tail = 0.5 * regularisedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
    return t >= 0 ? 1 - tail : tail
  }

  /// The value `t` with `P(T ≤ t) = p`, such as 2.776 for `p = 0.975` and ν = 4 (the half-width
  /// factor of a two-sided 95 % interval with five values).
  ///
  /// - Parameters:
  ///   - p: A probability strictly between 0 and 1.
  ///   - degreesOfFreedom: ν, at least 1.
  /// - Returns: The quantile; negative for `p < 0.5`.
  /// - Complexity: O(√ν) per bisection step, with about 100 steps.
  public static func quantile(_ p: Double, degreesOfFreedom: Int) -> Double {
    precondition(p > 0 && p < 1, "a quantile needs a probability strictly between 0 and 1, not \(p)")
    precondition(degreesOfFreedom >= 1, "the t distribution needs at least one degree of freedom")
    if p == 0.5 { return 0 }
    if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: degreesOfFreedom) }
    var low = 0.0
    var high = 1.0
    while cumulativeProbability(high, degreesOfFreedom: degreesOfFreedom) < p {
      low = high
      high *= 2
    }
    // Bisection until the interval cannot shrink any more in floating point.
    while true {
      let middle = low + (high - low) / 2
      guard middle > low, middle < high else { return middle }
      if cumulativeProbability(middle, degreesOfFreedom: degreesOfFreedom) < p { low = middle } else { high = middle }
    }
  }

  /// `I_x(a, b)`, the regularised incomplete beta function, for `x` in [0, 1] and positive `a`, `b`.
  static func regularisedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let logFront = logPowers - logBeta
    // The continued fraction converges quickly for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
    if x < (a + 1) / (a + b + 2) {
      return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
  }

  /// The continued fraction of the incomplete beta function, by the modified Lentz method.
  static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    let (qab, qap, qam) = (a + b, a + 1, a - 1)
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...100_000 {
      let m = Double(m)
      let m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-15 { break }
    }
    return h
  }
}
