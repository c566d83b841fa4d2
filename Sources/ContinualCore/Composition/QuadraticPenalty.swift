import ContinualEngine

/// The quadratic pull towards earlier optima that EWC, online EWC, SI and MAS share:
/// `strength · scale · Σ_k Σ_i Ω_k,i (θ_i − θ*_k,i)²`.
///
/// Only the ``ImportanceEstimator`` differs between those algorithms; how importances from several
/// tasks combine is an ``Accumulation``:
/// - ``Accumulation/perTask``: one anchor and importance per finished task (EWC as in Kirkpatrick et al.);
/// - ``Accumulation/sum(clampNonNegative:)``: one running sum of importances and the latest anchor
///   (SI, MAS); SI's official code clamps the running sum at zero;
/// - ``Accumulation/decayed(gamma:)``: `F̃ ← γ F̃ + F` with the latest anchor, and the penalty
///   weighted by `γ F̃` (online EWC, as in Schwarz et al. and van de Ven's code).
///
/// ```swift
/// let ewc = QuadraticPenalty(
///   name: "ewc", estimator: FisherEstimator(), strength: 5000, scale: 0.5, accumulation: .perTask)
/// ```
public struct QuadraticPenalty<Estimator: ImportanceEstimator>: Regulariser {
  /// How importances of successive tasks combine.
  public enum Accumulation: Sendable, Equatable {
    /// One anchor and importance per task, all penalised.
    case perTask
    /// A running sum of importances, optionally clamped at zero after each addition.
    case sum(clampNonNegative: Bool)
    /// `F̃ ← γ F̃ + F`; the penalty uses `γ F̃`.
    case decayed(gamma: Float)
  }

  /// The name used in logs (`ewc`, `si`, …).
  public var name: String
  /// The importance estimator.
  public var estimator: Estimator
  /// λ (EWC, MAS) or c (SI).
  public var strength: Float
  /// A constant factor: ½ for EWC's `λ/2`, 1 for SI and MAS.
  public var scale: Float
  /// How importances combine across tasks.
  public var accumulation: Accumulation
  /// The anchors and importances currently penalised.
  public internal(set) var anchors: [(anchor: NamedTensors, importance: NamedTensors)] = []

  /// Creates the penalty.
  ///
  /// - Parameters:
  ///   - name: The name used in logs.
  ///   - estimator: The importance estimator.
  ///   - strength: λ or c.
  ///   - scale: ½ for EWC's convention, 1 otherwise.
  ///   - accumulation: How importances combine across tasks.
  public init(name: String, estimator: Estimator, strength: Float, scale: Float = 1, accumulation: Accumulation) {
    self.name = name
    self.estimator = estimator
    self.strength = strength
    self.scale = scale
    self.accumulation = accumulation
  }

  /// Whether the estimator needs task-loss gradients.
  public var needsTaskGradients: Bool { estimator.needsTaskGradients }
  /// Whether the estimator watches steps.
  public var observesSteps: Bool { estimator.observesSteps }

  /// Forwards to the estimator.
  public mutating func taskWillStart(_ context: TaskContext) throws { try estimator.taskWillStart(context) }

  /// Forwards to the estimator.
  public mutating func stepDidFinish(_ step: StepObservation) throws { try estimator.stepDidFinish(step) }

  /// Estimates this task's importance and folds it into the penalised anchors.
  public mutating func taskDidFinish(_ context: TaskContext) throws {
    let importance = try estimator.importance(after: context)
    try context.model.parameters.requireSameNames(importance, operation: "\(name): importance")
    let anchor = context.model.parameters
    switch accumulation {
    case .perTask:
      anchors.append((anchor, importance))
    case .sum(let clamp):
      var total = try anchors.last.map { try $0.importance + importance } ?? importance
      if clamp { total = total.mapTensors { $0.relu() } }
      anchors = [(anchor, total)]
    case .decayed(let gamma):
      // F̃_t = F_t + γ F̃_{t−1}; the penalty multiplies the stored F̃ by γ again (see `penalty`).
      let total = try anchors.last.map { try importance + $0.importance * gamma } ?? importance
      anchors = [(anchor, total)]
    }
  }

  /// `strength · scale · Σ Ω (θ − θ*)²`, or `nil` before the first task has finished.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard !anchors.isEmpty else { return nil }
    var factor = strength * scale
    if case .decayed(let gamma) = accumulation { factor *= gamma }
    let terms = try anchors.flatMap { anchor, importance in
      try step.pass.weights.enumerated().map { k, weight in
        try weight.weightedSquaredDistance(to: anchor.tensors[k], weights: importance.tensors[k])
      }
    }
    return try terms.sum().map { $0 * factor }
  }
}
