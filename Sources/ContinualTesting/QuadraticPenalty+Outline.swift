import ContinualCore

/// What a `QuadraticPenalty` is apart from its estimator: its name, strength, scale and how
/// importances combine across tasks. Compared with `==` inside `#expect`, a mismatch prints both
/// outlines, field by field.
///
/// ```swift
/// let mas = try MAS.components(given: [:]).only(QuadraticPenalty<OutputSensitivityEstimator>.self)
/// #expect(mas.outline == PenaltyOutline("mas", strength: 0.05, accumulation: .sum(clampNonNegative: false)))
/// ```
public struct PenaltyOutline<Estimator: ImportanceEstimator>: Equatable, CustomStringConvertible {
  /// The penalty's name.
  public var name: String
  /// Its strength λ.
  public var strength: Float
  /// Its scale (½ for EWC's convention).
  public var scale: Float
  /// How importances combine across tasks.
  public var accumulation: QuadraticPenalty<Estimator>.Accumulation

  /// Creates an outline.
  ///
  /// - Parameters:
  ///   - name: The penalty's name.
  ///   - strength: Its strength.
  ///   - scale: Its scale; 1 unless EWC's ½.
  ///   - accumulation: How importances combine across tasks.
  public init(
    _ name: String, strength: Float, scale: Float = 1, accumulation: QuadraticPenalty<Estimator>.Accumulation
  ) {
    self.name = name
    self.strength = strength
    self.scale = scale
    self.accumulation = accumulation
  }

  /// `name λ=… scale=… accumulation`.
  public var description: String { "\(name) λ=\(strength) scale=\(scale) \(accumulation)" }
}

extension QuadraticPenalty {
  /// The penalty's name, strength, scale and accumulation (see ``PenaltyOutline``).
  public var outline: PenaltyOutline<Estimator> {
    PenaltyOutline(name, strength: strength, scale: scale, accumulation: accumulation)
  }
}
