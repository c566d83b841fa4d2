/// A continual-learning benchmark: tasks learnt one after another.
///
/// Build one from a dataset with ``permuted(_:tasks:permuteFirstTask:padTo32:seed:)``,
/// ``rotated(_:tasks:angles:seed:)`` or ``split(_:groups:)``, then shrink it for a quick run with
/// ``subsample(trainPerTask:testPerTask:seed:)``:
///
/// ```swift
/// let data = try IDXDataset.load(.mnist, from: directory)
/// let splitMNIST = try TaskSequence.split(data, groups: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
/// splitMNIST.classesPerTask            // [2, 2, 2, 2, 2]
/// splitMNIST.classOffset(ofTask: 3)    // 6: task 3's classes are outputs 6 and 7 of a shared head
/// ```
///
/// No builder copies pixels: every task is a view of the dataset's one store of bytes (47 MB for
/// MNIST's training images), and its permutation, rotation or padding is applied as each batch is
/// built, so a sequence of 100 permuted MNIST tasks takes little more memory than one.
public struct TaskSequence: Sendable, Equatable {
  /// A readable name, for example `"permuted"` or `"split"`.
  public var name: String
  /// The tasks, in training order; `tasks[i].index == i`.
  public var tasks: [ContinualTask]
  /// The shape of one sample, the same in every task (for example `[1, 28, 28]`).
  public var sampleShape: [Int]

  /// The number of tasks.
  public var count: Int { tasks.count }

  /// The number of classes of each task.
  public var classesPerTask: [Int] { tasks.map(\.classCount) }

  /// The number of classes over all tasks, counting each task's classes separately (the width of a
  /// class-incremental output layer).
  public var totalClasses: Int { classesPerTask.reduce(0, +) }

  /// Creates a sequence, checking that its tasks fit together.
  ///
  /// - Parameters:
  ///   - name: A readable name.
  ///   - tasks: At least one task, all with the same sample shape and `tasks[i].index == i`.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when `tasks` is empty, sample
  ///   shapes differ, indices are out of order, or a task has a class without training or test
  ///   images (a task with no images at all included): accuracy on such a task would be a
  ///   meaningless 0, and a class never seen cannot be learnt.
  public init(name: String, tasks: [ContinualTask]) throws {
    let operation = "TaskSequence(\(name))"
    guard let first = tasks.first else {
      throw DatasetError.invalidArgument(operation: operation, reason: "a sequence needs at least one task")
    }
    if let task = tasks.first(where: { $0.train.sampleShape != first.train.sampleShape }) {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason:
          "task \(task.index) ('\(task.name)') has samples of shape \(task.train.sampleShape), task "
          + "0 \(first.train.sampleShape)"
      )
    }
    if let position = tasks.indices.first(where: { tasks[$0].index != $0 }) {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "the task at position \(position) has index \(tasks[position].index); indices must be 0, 1, 2, …")
    }
    self.name = name
    self.tasks = tasks
    self.sampleShape = first.train.sampleShape
    try checkEveryClassHasImages(operation: operation)
  }

  /// Checks that every class of every task has at least one training and one test image.
  func checkEveryClassHasImages(operation: String) throws {
    for task in tasks {
      for (split, images) in [("training", task.train), ("test", task.test)] {
        let histogram = images.classHistogram
        guard let empty = histogram.firstIndex(of: 0) else { continue }
        let what =
          images.count == 0
          ? "task \(task.index + 1) ('\(task.name)') has no \(split) images"
          : "class '\(task.classNames[empty])' of task \(task.index + 1) ('\(task.name)') has no \(split) images"
        throw DatasetError.invalidArgument(
          operation: operation,
          reason:
            "\(what); the dataset's \(split) files lack it, or a subsample "
            + "(--\(split == "training" ? "train" : "test")-per-task) is smaller than the number of classes"
        )
      }
    }
  }

  /// Where a task's classes start in a shared output layer: the total class count of the tasks before it.
  ///
  /// - Parameter task: A task index in `0...count` (`count` gives ``totalClasses``).
  /// - Returns: The sum of the class counts of tasks `0..<task`.
  public func classOffset(ofTask task: Int) -> Int {
    precondition((0...count).contains(task), "classOffset(ofTask:): task \(task) is outside 0...\(count)")
    return tasks[..<task].reduce(0) { $0 + $1.classCount }
  }
}
