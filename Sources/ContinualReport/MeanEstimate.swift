import Foundation

/// The mean of a quantity over seeds, with its standard error and the number of seeds.
///
/// The standard error is the sample standard deviation (divisor `n − 1`) over `√n`; with one seed
/// there is no spread to estimate, and it is 0.
///
/// ```swift
/// let estimate = MeanEstimate([0.90, 0.92, 0.97])!
/// estimate.mean           // 0.93
/// estimate.standardError  // ≈ 0.0208 (= √0.0013 / √3)
/// estimate.count          // 3
/// ```
public struct MeanEstimate: Sendable, Equatable, Codable {
  /// The arithmetic mean.
  public var mean: Double
  /// The standard error of the mean: sample standard deviation over `√count` (0 when `count` is 1).
  public var standardError: Double
  /// How many values (seeds) the estimate is over.
  public var count: Int

  enum CodingKeys: String, CodingKey {
    case mean, standardError = "standard_error", count = "n"
  }

  /// Creates an estimate from its parts.
  ///
  /// - Parameters:
  ///   - mean: The mean.
  ///   - standardError: The standard error of the mean.
  ///   - count: The number of values.
  public init(mean: Double, standardError: Double, count: Int) {
    self.mean = mean
    self.standardError = standardError
    self.count = count
  }

  /// Estimates the mean of `values` and its standard error; fails (is `nil`) when there are none.
  ///
  /// - Parameter values: One value per seed.
  /// - Complexity: O(*n*).
  public init?(_ values: [Double]) {
    guard !values.isEmpty else { return nil }
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    var standardError = 0.0
    if values.count > 1 {
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
      standardError = variance.squareRoot() / n.squareRoot()
    }
    self.init(mean: mean, standardError: standardError, count: values.count)
  }
}
