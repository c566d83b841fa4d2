import ContinualEngine

extension TaskSequence {
  /// The same sequence with each task's training and test sets shrunk to random, class-balanced
  /// subsets, for quick runs.
  ///
  /// Each set is sampled with ``LabelledImages/stratifiedSample(_:using:)``, from a generator split
  /// off the seed's generator for that task and set, so the result depends only on the seed.
  ///
  /// ```swift
  /// let quick = try sequence.subsample(trainPerTask: 1_000, testPerTask: 500, seed: 1)
  /// ```
  /// - Parameters:
  ///   - trainPerTask: The training images to keep per task, or `nil` to keep them all.
  ///   - testPerTask: The test images to keep per task, or `nil` to keep them all.
  ///   - seed: The seed the subsets are drawn from.
  /// - Returns: A sequence with the same tasks, names and classes and at most the requested sizes.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for a negative size, or a size
  ///   that leaves a class of a task without images.
  public func subsample(trainPerTask: Int?, testPerTask: Int?, seed: UInt64) throws -> TaskSequence {
    for (name, value) in [("trainPerTask", trainPerTask), ("testPerTask", testPerTask)] {
      if let value, value < 0 {
        throw DatasetError.invalidArgument(
          operation: "TaskSequence.subsample", reason: "\(name) is \(value), which is negative")
      }
    }
    var rng = SeededGenerator(seed: seed)
    var result = self
    for index in result.tasks.indices {
      var trainGenerator = rng.split()
      var testGenerator = rng.split()
      if let trainPerTask {
        result.tasks[index].train = try result.tasks[index].train.stratifiedSample(trainPerTask, using: &trainGenerator)
      }
      if let testPerTask {
        result.tasks[index].test = try result.tasks[index].test.stratifiedSample(testPerTask, using: &testGenerator)
      }
    }
    try result.checkEveryClassHasImages(operation: "TaskSequence.subsample")
    return result
  }
}
