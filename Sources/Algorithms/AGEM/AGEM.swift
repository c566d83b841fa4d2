import ContinualCore
import ContinualEngine

/// A-GEM's projection (Chaudhry, Ranzato, Rohrbach and Elhoseiny, ICLR 2019): before every
/// optimiser step, draw `memory.batch` exemplars, take the gradient `g_ref` of the head's loss on
/// them, and when the step's gradient `g` would increase that loss (`g·g_ref < 0`) replace it by
/// its projection onto the half-space where it does not,
///
/// ```
/// g̃ = g − (g·g_ref / g_ref·g_ref) · g_ref      if g·g_ref < 0,   g otherwise.
/// ```
///
/// It adds no penalty; it implements ``Regulariser/gradientsDidCompute(_:step:)`` with the
/// reference gradient from ``StepContext/gradients(ofHeadLossOn:)``. `g` is the gradient of the
/// whole objective (the task loss plus any stacked penalty).
///
/// ```swift
/// var agem = GradientProjection()
/// try agem.gradientsDidCompute(&gradients, step: step)   // the trainer calls it every step
/// ```
///
/// - Complexity: One extra forward and backward pass over the replayed samples per step.
public struct GradientProjection: Regulariser, StatelessBetweenTasks {
  /// Creates the projection.
  public init() {}

  /// `agem`.
  public var name: String { "agem" }
  /// The reference batch is drawn from the memory by the projection itself.
  public var drawsReplay: Bool { true }

  /// No penalty: A-GEM changes the gradient instead.
  public func penalty(_ step: StepContext) throws -> Variable? { nil }

  /// Projects `gradients` against the reference gradient on `memory.batch` replayed samples.
  ///
  /// - Parameters:
  ///   - gradients: The total gradient, changed in place when it conflicts with the reference.
  ///   - step: The step, with the run's memory in ``StepContext/replay`` and its head.
  /// - Throws: `TensorError` when the replayed samples do not fit the network or the head.
  public mutating func gradientsDidCompute(_ gradients: inout NamedTensors, step: StepContext) throws {
    guard let replay = step.replay, let drawn = replay.draw(replay.memory.configuration.batchSize) else { return }
    if let projected = try Self.project(gradients, onto: step.gradients(ofHeadLossOn: drawn.batch)) {
      gradients = projected
    }
  }

  /// A-GEM's projection of `gradient` against `reference`: `nil` when they do not conflict
  /// (`g·g_ref ≥ 0`) or the reference is zero, else `g − (g·g_ref / ‖g_ref‖²) g_ref`, which is
  /// orthogonal to the reference.
  ///
  /// - Parameters:
  ///   - gradient: `g`, named like the parameters.
  ///   - reference: `g_ref`, with the same names and shapes.
  /// - Returns: The projected gradient, or `nil`.
  /// - Throws: `TensorError` when names or shapes differ.
  public static func project(_ gradient: NamedTensors, onto reference: NamedTensors) throws -> NamedTensors? {
    try gradient.requireSameNames(reference, operation: "GradientProjection.project")
    var dot = 0.0, norm = 0.0
    for (g, r) in zip(gradient.tensors, reference.tensors) {
      let gs = g.scalars, rs = r.scalars
      guard gs.count == rs.count else {
        throw TensorError.shapeMismatch(
          operation: "GradientProjection.project", shapes: [g.shape, r.shape], reason: "shapes differ")
      }
      for i in gs.indices {
        dot += Double(gs[i]) * Double(rs[i])
        norm += Double(rs[i]) * Double(rs[i])
      }
    }
    guard dot < 0, norm > 0 else { return nil }
    return try gradient - reference * Float(dot / norm)
  }
}

/// A-GEM, averaged gradient episodic memory (Chaudhry et al., ICLR 2019): the step's gradient is
/// projected so that it does not increase the loss on a replayed batch (``GradientProjection``).
///
/// The memory is the core's ``ReplayMemory`` (class-balanced by default, filled at the end of each
/// task, so the reference batch holds earlier tasks' samples only); `memory.batch` is the size of
/// the reference batch (A-GEM's `S`; 256 in the paper, Mammoth's `minibatch_size`).
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario class --algorithms agem \
///   --set memory.size=200 --set memory.batch=128
/// ```
public enum AGEM: Algorithm {
  /// `agem`: no settings of its own (the memory is configured by `memory.*`).
  public static let configuration = AlgorithmConfiguration(
    name: "agem",
    summary:
      "A-GEM (Chaudhry et al. 2019): project the gradient so the loss on a replayed batch (memory.*) does not rise.")

  /// The projection, drawing from the run's memory.
  ///
  /// - Parameter settings: Validated (empty) `agem.*` values.
  /// - Returns: One ``GradientProjection`` and the replay memory.
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [GradientProjection()], usesReplay: true, projectsGradients: true)
  }
}
