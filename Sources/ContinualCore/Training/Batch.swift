import ContinualEngine

/// A mini-batch: inputs, local labels and the task each sample comes from.
///
/// Samples usually all come from the task being trained, but replay and joint training mix tasks,
/// so every sample carries its own task index.
public struct Batch: Sendable {
  /// The inputs, `[batch, …sample shape]`.
  public var inputs: Tensor
  /// Local labels (`0..<classCounts[task]`).
  public var labels: [Int]
  /// The task of each sample.
  public var tasks: [Int]
  /// The task being trained.
  public var currentTask: Int
  /// Each sample's index in its task's training data, when the batch was gathered from a task
  /// sequence (``Batch/gathering(_:from:currentTask:augmentedBy:)``); a reservoir
  /// ``ReplayMemory`` stores samples by these references. `nil` for batches made by hand.
  public var indices: [Int]?

  /// Creates a batch.
  ///
  /// - Parameters:
  ///   - inputs: The inputs, `[batch, …sample shape]`.
  ///   - labels: Local labels.
  ///   - tasks: The task of each sample.
  ///   - currentTask: The task being trained.
  ///   - indices: Each sample's index in its task's training data, when known.
  public init(inputs: Tensor, labels: [Int], tasks: [Int], currentTask: Int, indices: [Int]? = nil) {
    self.inputs = inputs
    self.labels = labels
    self.tasks = tasks
    self.currentTask = currentTask
    self.indices = indices
  }

  /// The number of samples.
  public var count: Int { labels.count }
}
