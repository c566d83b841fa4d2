import ContinualCore
import ContinualEngine
import Foundation

/// How neuron importance discounts the inhibition between two units `i` and `j`.
public enum DiscountForm: String, Sendable, CaseIterable {
  /// `min(e^{−α_i}, e^{−α_j}) = e^{−max(α_i, α_j)}`: the official code's default (`self.min = 1`).
  case min
  /// `e^{−(α_i + α_j)}`: the paper's definition (the official code's `take_min = False`).
  case product
}

/// SLNID's family of representation regularisers (Aljundi, Rohrbach, Tuytelaars, "Selfless
/// sequential learning", ICLR 2019): it penalises hidden units that fire together, so each task
/// uses few units and leaves the rest free for later tasks.
///
/// For the post-ReLU activations `A ∈ R^{M×N}` of each chosen layer (M samples, N units),
///
/// `R = Σ_{i≠j} w_ij |cov_ij|`,  `cov = AᵀA / M` (not mean-centred),
///
/// and the penalty is `λ_SSL · Σ_layers R`. The ``Variant`` decides `w_ij`:
///
/// | variant | `w_ij` |
/// |---|---|
/// | ``Variant/sni`` | 1 |
/// | ``Variant/slni`` | `exp(−(i−j)²/(2σ²))`, `σ = N / scale` |
/// | ``Variant/snid`` | the importance discount `D_ij` (``DiscountForm``) |
/// | ``Variant/slnid`` | the Gaussian times `D_ij` |
///
/// These are the official code's choices (`SLNI.py`): the entry-wise L1 norm of the weighted
/// covariance minus its diagonal (the `|·|` is inert on post-ReLU activations), no division by N,
/// `scale = 0` for the non-local form, the importance α detached. The regulariser is active from the
/// first task; the discounting variants use α once a task has finished (before that they are SNI or
/// SLNI, as the official code trains the first task with SLNI). α is estimated by a
/// ``NeuronImportanceEstimator`` after each task and accumulated by ``ImportanceAccumulation``.
///
/// The constant weight matrices (Gaussian × discount, zero diagonal) are built once per task and
/// layer width, at ``taskWillStart(_:)`` and whenever α changes, never per step.
///
/// ```swift
/// var slnid = RepresentationSparsity(variant: .slnid, strength: 1e-3)
/// // In a ContinualTrainer run, stacked with MAS:
/// let plan = TrainingPlan(head: SharedHead(classCount: 10), regularisers: [slnid, mas])
/// ```
///
/// - Complexity: per layer and step, on post-ReLU activations one `M×N · N×N` product forward and
///   one backward (the equal form `Σ A ⊙ (A·W) / M`), otherwise one `N×M · M×N` product forward and
///   two backward; plus `O(MN + N²)` element-wise work; never a loop over unit pairs.
public struct RepresentationSparsity: Regulariser {
  /// Which of the paper's four regularisers.
  public enum Variant: String, Sendable, CaseIterable {
    /// Sparse coding through neural inhibition: every pair of units inhibited alike.
    case sni
    /// Sparse coding through *local* neural inhibition: a Gaussian in the index distance.
    case slni
    /// SNI with neuron-importance discounting.
    case snid
    /// SLNI with neuron-importance discounting: the full method.
    case slnid

    /// Whether inhibition is weighted by a Gaussian in the index distance.
    public var isLocal: Bool { self == .slni || self == .slnid }
    /// Whether important units of earlier tasks are inhibited less.
    public var discountsImportance: Bool { self == .snid || self == .slnid }
  }

  /// How the importances of successive tasks combine.
  public enum ImportanceAccumulation: String, Sendable, CaseIterable {
    /// `α ← α + α_t` (the official default).
    case sum
    /// `α ← (n·α + α_t)/(n + 1)`, a running mean over tasks (the official `divide_by_tasks`).
    case mean
  }

  /// The name used in logs and loss breakdowns (the variant's name by default).
  public var name: String
  /// Which regulariser of the family.
  public let variant: Variant
  /// λ_SSL.
  public var strength: Float
  /// The Gaussian's width is `σ = N / scale` for a layer of N units; 0 makes the local variants
  /// non-local (as in the official code). Ignored by ``Variant/sni`` and ``Variant/snid``.
  public let scale: Float
  /// How importance discounts inhibition (discounting variants only).
  public let discountForm: DiscountForm
  /// The layers whose outputs are regularised.
  public let layers: ActivationLayers
  /// Estimates α after each task (discounting variants only).
  public var estimator: NeuronImportanceEstimator
  /// How α of successive tasks combine.
  public var accumulation: ImportanceAccumulation
  /// The accumulated unit importances α, one `[units]` tensor per regularised layer named by its
  /// index; `nil` until a task has finished (and always for the non-discounting variants).
  public internal(set) var importance: NamedTensors?
  /// How many tasks' importances are in ``importance``.
  public internal(set) var importanceTaskCount = 0
  /// The regularised layers' indices, once known (``taskWillStart(_:)`` or ``prepare(for:sampleShape:)``).
  public private(set) var resolvedLayers: [Int]?
  private var weightMatrices: [Int: Tensor] = [:]

  /// Creates the regulariser.
  ///
  /// - Parameters:
  ///   - variant: SNI, SLNI, SNID or SLNID.
  ///   - strength: λ_SSL.
  ///   - scale: `σ = N / scale`; 0 for non-local inhibition.
  ///   - discountForm: The official min form or the paper's product form.
  ///   - layers: The layers whose outputs are regularised.
  ///   - importanceLoss: The loss α is the gradient of (that of the stacked parameter method).
  ///   - accumulation: How α of successive tasks combine.
  ///   - importanceSampleCount: Estimate α on at most this many samples of each task (all when `nil`).
  ///   - name: The name in logs; the variant's name when `nil`.
  public init(
    variant: Variant = .slnid, strength: Float = 1e-3, scale: Float = 6, discountForm: DiscountForm = .min,
    layers: ActivationLayers = .hiddenReLUs, importanceLoss: NeuronImportanceEstimator.Loss = .mas,
    accumulation: ImportanceAccumulation = .sum,
    importanceSampleCount: Int? = nil, name: String? = nil
  ) {
    self.name = name ?? variant.rawValue
    self.variant = variant
    self.strength = strength
    self.scale = scale
    self.discountForm = discountForm
    self.layers = layers
    self.estimator = NeuronImportanceEstimator(loss: importanceLoss, layers: layers, sampleCount: importanceSampleCount)
    self.accumulation = accumulation
  }

  // MARK: - Regulariser

  /// Finds the regularised layers and builds their weight matrices for this task.
  ///
  /// - Parameter context: The task about to be trained (its model and sample shape are read).
  /// - Throws: ``TensorError`` when a chosen layer is not in the network or not a vector per sample.
  public mutating func taskWillStart(_ context: TaskContext) throws {
    try prepare(for: context.model.architecture, sampleShape: context.data.sampleShape)
  }

  /// `λ_SSL Σ_layers Σ_{i≠j} w_ij |cov_ij|` on the step's activations; `nil` when λ_SSL is 0 or no
  /// layer is regularised.
  ///
  /// - Parameter step: The step's forward pass.
  /// - Returns: A scalar on the step's tape, or `nil`.
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` before ``taskWillStart(_:)`` or
  ///   ``prepare(for:sampleShape:)`` has resolved the layers; ``TensorError`` when an activation is
  ///   not `[batch, units]`.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard strength != 0 else { return nil }
    guard let resolvedLayers else {
      throw TensorError.invalidArgument(
        operation: name,
        reason: "the regularised layers are unknown: call taskWillStart(_:) or prepare(for:sampleShape:) first")
    }
    let terms = try resolvedLayers.map { k in
      let activations = try hiddenActivations(step.pass.trace, layer: k, operation: name)
      return try Self.inhibition(activations, weights: weights(forLayer: k, width: activations.shape[1]))
    }
    return try terms.sum().map { $0 * strength }
  }

  /// Estimates this task's unit importance and folds it into α (discounting variants only).
  ///
  /// - Parameter context: The finished task, its data and the trained model.
  /// - Throws: Whatever the estimator throws.
  public mutating func taskDidFinish(_ context: TaskContext) throws {
    try prepare(for: context.model.architecture, sampleShape: context.data.sampleShape)
    guard variant.discountsImportance else { return }
    try accumulate(try estimator.importance(after: context))
  }

  // MARK: - State

  /// Resolves the regularised layers in `architecture` and builds their weight matrices.
  ///
  /// - Parameters:
  ///   - architecture: The network.
  ///   - sampleShape: The shape of one input sample (to find each layer's width).
  /// - Throws: ``TensorError`` when a chosen layer is not in the network or not a vector per sample.
  public mutating func prepare(for architecture: Sequential, sampleShape: [Int]) throws {
    let chosen = try layers.resolve(in: architecture)
    let widths = try unitCounts(of: chosen, in: architecture, sampleShape: sampleShape, operation: name)
    resolvedLayers = chosen
    weightMatrices = [:]
    for k in chosen { weightMatrices[k] = try makeWeights(forLayer: k, width: widths[k]!) }
  }

  /// Folds one task's unit importances into α (as ``ImportanceAccumulation`` says) and rebuilds
  /// the weight matrices.
  ///
  /// - Parameter taskImportance: One non-negative `[units]` tensor per regularised layer, named by
  ///   its index, as ``NeuronImportanceEstimator`` returns.
  /// - Throws: ``TensorError`` when the names or shapes differ from the accumulated α.
  public mutating func accumulate(_ taskImportance: NamedTensors) throws {
    if let importance {
      try importance.requireSameNames(taskImportance, operation: "\(name): unit importance")
      switch accumulation {
      case .sum: self.importance = try importance + taskImportance
      case .mean:
        let n = Float(importanceTaskCount)
        self.importance = try (importance * n + taskImportance) * (1 / (n + 1))
      }
    } else {
      importance = taskImportance
    }
    importanceTaskCount += 1
    for k in weightMatrices.keys.sorted() {
      weightMatrices[k] = try makeWeights(forLayer: k, width: weightMatrices[k]!.shape[0])
    }
  }

  /// The `[N, N]` weight matrix of layer `k`: the prepared one, or a fresh one when the width
  /// differs from what was prepared.
  func weights(forLayer k: Int, width: Int) throws -> Tensor {
    if let w = weightMatrices[k], w.shape == [width, width] { return w }
    return try makeWeights(forLayer: k, width: width)
  }

  private func makeWeights(forLayer k: Int, width: Int) throws -> Tensor {
    let alpha = variant.discountsImportance ? importance?[String(k)] : nil
    return try Self.inhibitionWeights(
      width: width, scale: variant.isLocal ? scale : 0, importance: alpha, form: discountForm)
  }

  // MARK: - The regulariser's core

  /// The weights `w_ij` of a layer of `width` units: a Gaussian `exp(−(i−j)²/(2σ²))` with
  /// `σ = width / scale` (1 when `scale` is 0), times the importance discount when `importance` is
  /// given, with a zero diagonal.
  ///
  /// ```swift
  /// let w = try RepresentationSparsity.inhibitionWeights(width: 3, scale: 3, importance: nil, form: .min)   // σ = 1
  /// ```
  ///
  /// - Parameters:
  ///   - width: N, the number of units.
  ///   - scale: `σ = N / scale`; 0 for no locality.
  ///   - importance: α, `[N]`, or `nil` for no discount.
  ///   - form: The discount's form.
  /// - Returns: A symmetric `[N, N]` tensor with zeros on the diagonal.
  /// - Throws: ``TensorError`` when `importance` is not `[N]` or `scale` is negative or not finite.
  /// - Complexity: O(N²), once per task and layer.
  public static func inhibitionWeights(width: Int, scale: Float, importance: Tensor?, form: DiscountForm) throws
    -> Tensor
  {
    let operation = "RepresentationSparsity.inhibitionWeights"
    guard scale >= 0, scale.isFinite else {
      throw TensorError.invalidArgument(operation: operation, reason: "scale must be ≥ 0, got \(scale)")
    }
    if let importance, importance.shape != [width] {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [importance.shape, [width]], reason: "importance must have one value per unit")
    }
    let sigma = scale > 0 ? Double(width) / Double(scale) : 0
    let discount = importance.map { $0.scalars.map { Foundation.exp(-Double($0)) } }
    return Tensor(shape: [width, width]) { w in
      for i in 0..<width {
        for j in 0..<width where j != i {
          var value = 1.0
          if sigma > 0 {
            let d = Double(i - j)
            value = Foundation.exp(-d * d / (2 * sigma * sigma))
          }
          if let discount {
            value *= form == .min ? Swift.min(discount[i], discount[j]) : discount[i] * discount[j]
          }
          w[i * width + j] = Float(value)
        }
        w[i * width + i] = 0
      }
    }
  }

  /// `R = Σ_{i≠j} |w_ij cov_ij|` with `cov = AᵀA / M`, recorded on the activations' tape.
  ///
  /// ```swift
  /// let tape = Tape()
  /// let a = tape.variable(try Tensor(rows: [[1, 0.5, 2], [3, 1, 0.5]]))
  /// let weights = RepresentationSparsity.inhibitionWeights(width: 3, scale: 0, importance: nil, form: .min)
  /// let sni = try RepresentationSparsity.inhibition(a, weights: weights)
  /// sni.value.scalar   // 8.5
  /// ```
  ///
  /// - Parameters:
  ///   - activations: `A`, `[M, N]`.
  ///   - weights: `[N, N]`, zero on the diagonal (see ``inhibitionWeights(width:scale:importance:form:)``).
  /// - Returns: A scalar variable.
  /// - Throws: ``TensorError`` when `activations` is not rank 2 or `weights` is not `[N, N]`.
  /// - Complexity: one `M×N · N×N` product (for non-negative activations and weights, as after a
  ///   ReLU: `Σ A ⊙ (A·W)`, which equals the Gram form and has one product fewer in the backward
  ///   pass) or one `N×M · M×N` product (the Gram form `Σ |W ⊙ AᵀA|`, otherwise), plus O(MN + N²)
  ///   element-wise work.
  public static func inhibition(_ activations: Variable, weights: Tensor) throws -> Variable {
    let operation = "RepresentationSparsity.inhibition"
    guard activations.shape.count == 2 else {
      throw TensorError.rankMismatch(
        operation: operation, expected: "activations of shape [batch, units]", shape: activations.shape)
    }
    let (m, n) = (activations.shape[0], activations.shape[1])
    guard weights.shape == [n, n] else {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [activations.shape, weights.shape], reason: "weights must be [units, units]")
    }
    let scale = 1 / Float(max(m, 1))
    let w = activations.tape.constant(weights)
    let nonNegative = { (t: Tensor) in t.withUnsafeBufferPointer { $0.allSatisfy { $0 >= 0 } } }
    if nonNegative(activations.value), nonNegative(weights) {
      // Post-ReLU activations and non-negative weights: every `W_ij (AᵀA)_ij ≥ 0`, the |·| is inert and
      // `Σ W ⊙ AᵀA = Σ A ⊙ (A·W)`, one product fewer in the backward pass. The gradients agree
      // wherever they can reach a parameter (they differ only on entries where the unit is off).
      return try (activations * activations.matmul(w)).sum() * scale
    }
    // AᵀA (unscaled); the 1/M is applied to the scalar at the end.
    let gram = try activations.matmul(activations, transposingSelf: true)
    return try (gram * w).abs().sum() * scale
  }
}
