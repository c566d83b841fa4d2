/// A step schedule of the learning rate inside each task: from epoch `e` of a task on (epochs
/// counted from 0, one epoch being a pass's worth of steps over the task's training samples), the
/// rate is the task's rate times that step's factor. It starts again at every task.
///
/// The task's rate is the configured one times the algorithm's factor for the task (SS-IL's
/// `1/(t+1)`), so the two compose. hypercl's ResNet-32 schedule (the Keras CIFAR-10 ResNet one,
/// `LambdaLR`: factor 0.1 after epoch 80, …) is
///
/// ```swift
/// LearningRateSchedule([.init(epoch: 81, factor: 0.1), .init(epoch: 121, factor: 0.01),
///                       .init(epoch: 161, factor: 0.001), .init(epoch: 181, factor: 0.0005)])
/// ```
public struct LearningRateSchedule: Sendable, Equatable {
  /// One change of the rate.
  public struct Step: Sendable, Equatable {
    /// The first epoch of the task (from 0) at the new rate.
    public var epoch: Int
    /// The task's rate is multiplied by this from that epoch on (not by the earlier steps' factors).
    public var factor: Float

    /// Creates a step.
    public init(epoch: Int, factor: Float) {
      self.epoch = epoch
      self.factor = factor
    }
  }

  /// The steps, by increasing epoch.
  public let steps: [Step]

  /// A schedule of `steps`, sorted by epoch.
  public init(_ steps: [Step]) {
    self.steps = steps.sorted { $0.epoch < $1.epoch }
  }

  /// No change of the rate within a task.
  public static let constant = LearningRateSchedule([])

  /// The factor during epoch `epoch` (from 0) of a task: that of the last step at or before it, 1
  /// before the first.
  public func factor(atEpoch epoch: Int) -> Float {
    steps.last { $0.epoch <= epoch }?.factor ?? 1
  }
}
