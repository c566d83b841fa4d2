import ContinualCore
import ContinualEngine

/// DER's logit replay: draws `memory.batch` exemplars of a reservoir memory with the outputs
/// stored for them and pulls the network's outputs towards those,
/// `α · mean_{m, c} (f_θ(x_m)_c − z_m,c)²` (Buzzega et al. 2020, Eq. 6; `F.mse_loss`'s mean over
/// every sample and output in Mammoth's `der.py`).
///
/// ```swift
/// let der = LogitReplay(strength: 0.2)    // needs a reservoir memory: memory.selection=reservoir
/// ```
///
/// - Complexity: One extra forward pass over the replayed samples per step.
public struct LogitReplay: Regulariser, StatelessBetweenTasks {
  /// The weight `α`.
  public var strength: Float

  /// Creates the term.
  ///
  /// - Parameter strength: The weight `α` (0 switches it off).
  public init(strength: Float) { self.strength = strength }

  /// `der`.
  public var name: String { "der" }
  /// The term draws its own samples from the memory.
  public var drawsReplay: Bool { true }

  /// `α` times the mean squared difference between the outputs for `memory.batch` replayed samples
  /// and the outputs stored with them, or `nil` while the memory is empty or when `α = 0`.
  ///
  /// - Parameter step: The step; its ``StepContext/replay`` must be a reservoir memory.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: ``TrainingError/invalidConfiguration(_:)`` when the run keeps no reservoir memory;
  ///   `TensorError` when the stored outputs do not fit the network's.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard strength != 0 else { return nil }
    guard let replay = step.replay, replay.memory.configuration.selection == .reservoir else {
      throw TrainingError.invalidConfiguration(
        "der replays the logits a reservoir memory stores with each sample: "
          + "run it with --set memory.selection=reservoir"
      )
    }
    guard let drawn = replay.draw(replay.memory.configuration.batchSize), let stored = drawn.outputs else { return nil }
    let outputs = try step.outputs(for: drawn.batch.inputs)
    let difference = try outputs - step.tape.constant(stored)
    return difference.squaredNorm() * (strength / Float(max(stored.count, 1)))
  }
}

/// DER++'s label replay: draws `memory.batch` exemplars, independently of ``LogitReplay``'s
/// draw, and adds the head's loss on them, `β · L_head(f_θ(x'), y')` (Buzzega et al. 2020, Eq. 7;
/// Mammoth's `derpp.py`).
///
/// ```swift
/// let labels = LabelReplay(strength: 0.5)
/// ```
public struct LabelReplay: Regulariser, StatelessBetweenTasks {
  /// The weight `β`.
  public var strength: Float

  /// Creates the term.
  ///
  /// - Parameter strength: The weight `β` (0 switches it off).
  public init(strength: Float) { self.strength = strength }

  /// `der-labels`.
  public var name: String { "der-labels" }
  /// The term draws its own samples from the memory.
  public var drawsReplay: Bool { true }

  /// `β` times the head's loss on `memory.batch` replayed samples, or `nil` while the memory is
  /// empty, when `β = 0` or when the context has no head.
  ///
  /// - Parameter step: The step, with the run's memory in ``StepContext/replay``.
  /// - Returns: A scalar on the step's tape.
  /// - Throws: `TensorError` when the replayed samples do not fit the head.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard strength != 0, let replay = step.replay, let head = step.head,
      let drawn = replay.draw(replay.memory.configuration.batchSize)
    else { return nil }
    return try head.loss(logits: step.outputs(for: drawn.batch.inputs), for: drawn.batch) * strength
  }
}
