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

  /// Creates a batch.
  public init(inputs: Tensor, labels: [Int], tasks: [Int], currentTask: Int) {
    self.inputs = inputs
    self.labels = labels
    self.tasks = tasks
    self.currentTask = currentTask
  }

  /// The number of samples.
  public var count: Int { labels.count }
}
