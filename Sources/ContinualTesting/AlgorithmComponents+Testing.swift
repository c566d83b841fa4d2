import ContinualCore

extension Algorithm {
  /// The components built from the settings `given`, the declared defaults standing for the rest:
  /// what `--set name.key=value` gives.
  ///
  /// ```swift
  /// let ewc = try EWC.components(given: ["lambda": "10"]).only(QuadraticPenalty<FisherEstimator>.self)
  /// ```
  ///
  /// - Parameter given: Values by setting name, as text.
  /// - Returns: The algorithm's components.
  /// - Throws: `SettingsError` for an unknown name or an invalid value; what `components(_:)` throws.
  public static func components(given: [String: String]) throws -> AlgorithmComponents {
    try components(Settings(component: name, declared: hyperparameters, given: given))
  }
}

/// The components did not hold the one regulariser a test expected.
public struct UnexpectedComponents: Error, CustomStringConvertible {
  /// What was expected and what was found.
  public var description: String
}

extension AlgorithmComponents {
  /// The only regulariser, as `R`.
  ///
  /// - Parameter type: The regulariser's expected type.
  /// - Returns: The regulariser.
  /// - Throws: ``UnexpectedComponents`` when there is not exactly one regulariser or it is another type.
  public func only<R: Regulariser>(_ type: R.Type) throws -> R {
    guard regularisers.count == 1, let only = regularisers[0] as? R else {
      throw UnexpectedComponents(
        description:
          "expected one \(R.self), found [\(regularisers.map { "\(Swift.type(of: $0))" }.joined(separator: ", "))]")
    }
    return only
  }
}
