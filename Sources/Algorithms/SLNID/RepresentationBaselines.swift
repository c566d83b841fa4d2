import ContinualCore
import ContinualEngine

/// What an ``ActivationPenalty`` measures on one layer's `[batch, units]` activations.
///
/// ```swift
/// enum MeanSquare: ActivationMeasure {
///   static let defaultName = "l2rep"
///   static func measure(_ a: Variable) throws -> Variable { a.squared().sum() * (1 / Float(a.shape[0])) }
/// }
/// ```
public protocol ActivationMeasure: Sendable {
  /// The penalty's name in logs when none is given.
  static var defaultName: String { get }

  /// The measure of one layer's activations.
  ///
  /// - Parameter activations: `[M, N]`.
  /// - Returns: A scalar variable.
  /// - Throws: ``TensorError`` when `activations` is not `[batch, units]`.
  static func measure(_ activations: Variable) throws -> Variable
}

/// `λ Σ_layers measure(h)`: a penalty on hidden activations that keeps nothing between tasks, the
/// shape of SLNID's two baselines (``ActivationL1Penalty`` and ``DecorrelationPenalty``).
///
/// ```swift
/// let l1 = ActivationL1Penalty(strength: 1e-4)   // every hidden ReLU after a Linear layer
/// ```
public struct ActivationPenalty<Measure: ActivationMeasure>: Regulariser, StatelessBetweenTasks {
  /// The name used in logs.
  public var name: String
  /// λ.
  public var strength: Float
  /// The layers whose outputs are penalised.
  public let layers: ActivationLayers
  /// The layers' indices, once ``taskWillStart(_:)`` has resolved them (again at every task, so a
  /// checkpoint holds nothing for this penalty).
  public private(set) var resolvedLayers: [Int]?

  /// Creates the penalty.
  ///
  /// - Parameters:
  ///   - strength: λ.
  ///   - layers: The layers whose outputs are penalised.
  ///   - name: The name in logs; the measure's default when `nil`.
  public init(strength: Float, layers: ActivationLayers = .hiddenReLUs, name: String? = nil) {
    self.name = name ?? Measure.defaultName
    self.strength = strength
    self.layers = layers
  }

  /// Finds the penalised layers.
  ///
  /// - Parameter context: The task about to be trained.
  /// - Throws: ``TensorError`` when a chosen layer is not in the network.
  public mutating func taskWillStart(_ context: TaskContext) throws {
    resolvedLayers = try layers.resolve(in: context.model.architecture)
  }

  /// `λ Σ_layers measure(h)`, or `nil` when λ is 0 or no layer is penalised.
  ///
  /// - Parameter step: The step's forward pass.
  /// - Returns: A scalar on the step's tape, or `nil`.
  /// - Throws: ``TensorError`` before ``taskWillStart(_:)`` or when an activation is not `[batch, units]`.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard strength != 0 else { return nil }
    let terms = try requireLayers(resolvedLayers, name: name).map { k in
      try Measure.measure(try hiddenActivations(step.pass.trace, layer: k, operation: name))
    }
    return try sumOf(terms).map { $0 * strength }
  }
}

/// L1-Rep, the first baseline of SLNID's paper: an L1 penalty on hidden activations,
/// `λ · (1/M) Σ_m ‖h^m‖₁` summed over the chosen layers.
///
/// The paper writes `λ Σ_m ‖h^m‖₁` and the official repository has no implementation, so the
/// normalisation is our choice: the **mean over the batch** (divide by the batch size M), which makes
/// λ independent of the batch size, as the task loss (a batch mean) and SLNID's `AᵀA / M` are. There
/// is no division by the number of units.
public typealias ActivationL1Penalty = ActivationPenalty<ActivationL1>

/// The measure of L1-Rep: `(1/M) Σ_m Σ_i |h_i^m|`.
public enum ActivationL1: ActivationMeasure {
  /// `l1rep`.
  public static let defaultName = "l1rep"

  /// `(1/M) Σ_m Σ_i |h_i^m|` of one layer's activations.
  ///
  /// - Parameter activations: `[M, N]`.
  /// - Returns: A scalar variable.
  /// - Throws: ``TensorError`` when `activations` is not rank 2.
  public static func measure(_ activations: Variable) throws -> Variable {
    try activations.abs().sum() * (1 / batchSize(of: activations, operation: "ActivationL1.measure"))
  }
}

/// DeCov (Cogswell, Ahmed, Girshick, Zitnick, Batra, "Reducing overfitting in deep networks by
/// decorrelating representations", ICLR 2016), the second baseline of SLNID's paper:
/// `λ Σ_layers ½(‖C‖_F² − ‖diag C‖²)` with the mean-centred batch covariance
/// `C_ij = (1/M) Σ_m (h_i^m − μ_i)(h_j^m − μ_j)`.
///
/// Unlike SLNID's `cov`, `C` is centred and squared, so DeCov decorrelates units rather than
/// making them fire rarely. The official SLNID repository has no DeCov implementation; this follows
/// Cogswell et al.'s definition.
///
/// - Complexity: per layer and step, one `N×M · M×N` product and O(N²) element-wise work.
public typealias DecorrelationPenalty = ActivationPenalty<Decorrelation>

/// The measure of DeCov: `½(‖C‖_F² − ‖diag C‖²)`.
public enum Decorrelation: ActivationMeasure {
  /// `decov`.
  public static let defaultName = "decov"

  /// `½(‖C‖_F² − ‖diag C‖²) = ½ Σ_{i≠j} C_ij²` of one layer's activations.
  ///
  /// - Parameter activations: `[M, N]`.
  /// - Returns: A scalar variable.
  /// - Throws: ``TensorError`` when `activations` is not rank 2.
  public static func measure(_ activations: Variable) throws -> Variable {
    let m = try batchSize(of: activations, operation: "Decorrelation.measure")
    let centred = try activations - activations.mean(alongAxes: [0], keepingDimensions: true)
    let covariance = try centred.matmul(centred, transposingSelf: true) * (1 / m)
    let variances = try centred.squared().sum(alongAxes: [0]) * (1 / m)  // diag C
    return try (covariance.squaredNorm() - variances.squaredNorm()) * 0.5
  }
}

/// `M` of activations `[M, N]` (at least 1), or an error naming `operation` for another rank.
func batchSize(of activations: Variable, operation: String) throws -> Float {
  guard activations.shape.count == 2 else {
    throw TensorError.rankMismatch(
      operation: operation, expected: "activations of shape [batch, units]", shape: activations.shape)
  }
  return Float(max(activations.shape[0], 1))
}

/// The layers resolved by `taskWillStart`, or an error saying it has not run.
func requireLayers(_ layers: [Int]?, name: String) throws -> [Int] {
  guard let layers else {
    throw TensorError.invalidArgument(
      operation: name, reason: "the regularised layers are unknown: call taskWillStart(_:) first")
  }
  return layers
}

/// The sum of scalar variables, or `nil` for none.
func sumOf(_ terms: [Variable]) throws -> Variable? {
  guard var total = terms.first else { return nil }
  for term in terms.dropFirst() { total = try total + term }
  return total
}
