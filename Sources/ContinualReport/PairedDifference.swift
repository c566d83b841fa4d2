/// The seed-paired difference of a metric between two rows of a comparison: the mean of the per-seed
/// differences, its standard error, and a two-sided 95 % confidence interval from Student's *t*
/// distribution with `n − 1` degrees of freedom.
///
/// Every algorithm of a sweep sees the same data order for a given seed, so the difference between
/// two algorithms is measured per seed, and only seeds both rows finished are paired. The interval is
/// `mean ± t(0.975, n − 1) · SE`; with one pair there is no spread to estimate and no interval.
///
/// ```swift
/// // Row A: 0.90, 0.92, 0.97 on seeds 1–3; row B: 0.88, 0.91, 0.93 on the same seeds.
/// let difference = PairedDifference(differences: [0.02, 0.01, 0.04])!
/// difference.mean                  // 0.023333…
/// difference.standardError         // 0.008819… (= √0.000233… / √3)
/// difference.confidenceInterval    // 0.023333 ± 4.302653 · 0.008819 = −0.01461…0.06128…
/// difference.excludesZero          // false: not significant at 95 %
/// ```
public struct PairedDifference: Sendable, Equatable, Codable {
  /// The mean of the per-seed differences (first row minus second).
  public var mean: Double
  /// The standard error of that mean: sample standard deviation over `√count` (0 for one pair).
  public var standardError: Double
  /// How many seeds were paired.
  public var count: Int
  /// The two-sided 95 % confidence interval of the mean difference, `nil` with fewer than two pairs.
  public var confidenceInterval: ClosedRange<Double>?

  /// Whether the 95 % confidence interval excludes 0, that is, whether the difference is
  /// significant at the 5 % level by a two-sided paired *t* test.
  public var excludesZero: Bool {
    guard let interval = confidenceInterval else { return false }
    return !interval.contains(0)
  }

  enum CodingKeys: String, CodingKey {
    case mean, standardError = "standard_error", count = "n", lower = "ci95_lower", upper = "ci95_upper"
  }

  /// Creates a difference from its parts.
  ///
  /// - Parameters:
  ///   - mean: The mean difference.
  ///   - standardError: Its standard error.
  ///   - count: The number of pairs.
  ///   - confidenceInterval: The 95 % interval, or `nil` with fewer than two pairs.
  public init(mean: Double, standardError: Double, count: Int, confidenceInterval: ClosedRange<Double>?) {
    self.mean = mean
    self.standardError = standardError
    self.count = count
    self.confidenceInterval = confidenceInterval
  }

  /// Summarises per-seed differences; fails (is `nil`) when there are none.
  ///
  /// - Parameter differences: One difference per paired seed.
  /// - Complexity: O(*n*), plus the *t* quantile for the interval.
  public init?(differences: [Double]) {
    guard let estimate = MeanEstimate(differences) else { return nil }
    var interval: ClosedRange<Double>?
    if estimate.count > 1 {
      let halfWidth = StudentT.quantile(0.975, degreesOfFreedom: estimate.count - 1) * estimate.standardError
      interval = (estimate.mean - halfWidth)...(estimate.mean + halfWidth)
    }
    self.init(
      mean: estimate.mean, standardError: estimate.standardError, count: estimate.count, confidenceInterval: interval)
  }

  /// Pairs two sets of per-seed values by seed and summarises `value − reference` over the seeds
  /// both have; `nil` when they share no seed.
  ///
  /// ```swift
  /// let difference = PairedDifference(pairing: [1: 0.90, 2: 0.92, 3: 0.97], with: [2: 0.91, 3: 0.93, 4: 0.5])
  /// difference?.count  // 2: seeds 2 and 3
  /// ```
  ///
  /// - Parameters:
  ///   - values: Values by seed.
  ///   - reference: The values to subtract, by seed.
  /// - Complexity: O(*n* log *n*): the seeds are sorted, so the result does not depend on hashing.
  public init?(pairing values: [UInt64: Double], with reference: [UInt64: Double]) {
    let seeds = values.keys.filter { reference[$0] != nil }.sorted()
    self.init(differences: seeds.map { values[$0]! - reference[$0]! })
  }

  /// Decodes a difference written by ``ComparisonTable/json()``.
  ///
  /// - Parameter decoder: The decoder.
  /// - Throws: `DecodingError` when a key is missing or has the wrong type.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let lower = try container.decodeIfPresent(Double.self, forKey: .lower)
    let upper = try container.decodeIfPresent(Double.self, forKey: .upper)
    self.init(
      mean: try container.decode(Double.self, forKey: .mean),
      standardError: try container.decode(Double.self, forKey: .standardError),
      count: try container.decode(Int.self, forKey: .count),
      confidenceInterval: lower.flatMap { lower in upper.map { lower...max(lower, $0) } })
  }

  /// Encodes `mean`, `standard_error`, `n`, and the interval as `ci95_lower` and `ci95_upper`
  /// (`null` with one pair).
  ///
  /// - Parameter encoder: The encoder.
  /// - Throws: `EncodingError` when a number is not finite.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(mean, forKey: .mean)
    try container.encode(standardError, forKey: .standardError)
    try container.encode(count, forKey: .count)
    try container.encode(confidenceInterval?.lowerBound, forKey: .lower)
    try container.encode(confidenceInterval?.upperBound, forKey: .upper)
  }
}
