/// A step schedule of the learning rate inside each task: from epoch `e` of a task on (epochs
/// counted from 0, one epoch being a pass's worth of steps over the task's training samples), the
/// rate is the task's rate times that step's factor. It starts again at every task.
///
/// The task's rate is the configured one times the algorithm's factor for the task (SS-IL's
/// `1/(t+1)`), so the two compose. hypercl's ResNet-32 schedule (the Keras CIFAR-10 ResNet one,
/// `LambdaLR`: factor 0.1 after epoch 80, …) is
///
/// ```swift
/// LearningRateSchedule([(epoch: 81, factor: 0.1), (121, 0.01), (161, 0.001), (181, 0.0005)])
/// ```
public struct LearningRateSchedule: Sendable, Equatable {
  /// The first epoch of each step (from 0), increasing.
  public let epochs: [Int]
  /// Each step's factor: the task's rate is multiplied by it from its epoch on (not by the earlier
  /// steps' factors).
  public let factors: [Float]

  /// A schedule of `steps`, sorted by epoch.
  public init(_ steps: [(epoch: Int, factor: Float)]) {
    let sorted = steps.sorted { $0.epoch < $1.epoch }
    epochs = sorted.map(\.epoch)
    factors = sorted.map(\.factor)
  }

  /// No change of the rate within a task.
  public static let constant = LearningRateSchedule([])

  /// Whether the rate never changes within a task.
  public var isConstant: Bool { epochs.isEmpty }

  /// The factor during epoch `epoch` (from 0) of a task: that of the last step at or before it, 1
  /// before the first.
  public func factor(atEpoch epoch: Int) -> Float {
    epochs.lastIndex { $0 <= epoch }.map { factors[$0] } ?? 1
  }
}
