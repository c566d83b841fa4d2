import ContinualData
import ContinualEngine

/// The replay memory as a regulariser sees it during one step: draws of replayed samples (with
/// the outputs a reservoir stored for them), for regularisers that replay on their own terms
/// (``Regulariser/drawsReplay``) instead of having the samples joined to the batch.
///
/// DER draws samples and their stored logits and pulls the network's outputs towards them; A-GEM
/// draws a batch and takes the gradient of the task loss on it as its reference. Each call of
/// ``draw(_:)`` continues the source's generator, so two draws in one step are independent (DER++).
///
/// ```swift
/// guard let replayed = step.replay?.draw(32) else { return nil }
/// let outputs = try step.outputs(for: replayed.batch.inputs)
/// ```
public final class ReplaySource {
  /// The memory as it was before the step.
  public let memory: ReplayMemory
  /// The task sequence the exemplars refer to.
  public let sequence: TaskSequence
  /// The task being trained.
  public let currentTask: Int
  /// The augmentation applied to replayed images (the run's).
  public let augmentation: Augmentation
  private var rng: SeededGenerator

  /// Creates a source (the trainer makes one per step; tests and custom loops may too).
  ///
  /// - Parameters:
  ///   - memory: The memory to draw from.
  ///   - sequence: The task sequence the exemplars refer to.
  ///   - currentTask: The task being trained.
  ///   - augmentation: Random changes to replayed images.
  ///   - rng: The generator of the draws.
  public init(
    memory: ReplayMemory, sequence: TaskSequence, currentTask: Int, augmentation: Augmentation = .none,
    rng: SeededGenerator
  ) {
    self.memory = memory
    self.sequence = sequence
    self.currentTask = currentTask
    self.augmentation = augmentation
    self.rng = rng
  }

  /// `count` distinct exemplars (all when fewer are stored) with their stored outputs; see
  /// ``ReplayMemory/draw(_:from:currentTask:augmentation:using:)``.
  ///
  /// - Parameter count: The number of samples wanted.
  /// - Returns: The samples and their outputs, or `nil` while the memory is empty.
  public func draw(_ count: Int) -> ReplayMemory.Replayed? {
    memory.draw(count, from: sequence, currentTask: currentTask, augmentation: augmentation, using: &rng)
  }
}
