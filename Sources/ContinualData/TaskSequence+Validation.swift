import ContinualEngine

extension TaskSequence {
  /// The same sequence with a fraction of each task's training images held out as its
  /// ``ContinualTask/validation`` set, for choosing hyperparameters without looking at the test set.
  ///
  /// The split is class-stratified: of each class's `n` training images, `round(fraction · n)`
  /// (at least 1, at most `n − 1`) chosen at random go to validation and the rest stay for
  /// training. The draw depends only on `seed`, so every algorithm and grid point of a seed trains
  /// and validates on the same images.
  ///
  /// ```swift
  /// let tuned = try sequence.holdingOut(0.1, seed: 1)
  /// tuned.tasks[0].validation?.count   // about a tenth of the original training set
  /// ```
  ///
  /// - Parameters:
  ///   - fraction: The share of each class to hold out, in `(0, 1)`.
  ///   - seed: The seed of the draw.
  /// - Returns: The sequence with smaller training sets and a validation set per task.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for a fraction outside `(0, 1)`
  ///   or a class with fewer than two training images (one to train on, one to validate on).
  public func holdingOut(_ fraction: Double, seed: UInt64) throws -> TaskSequence {
    let operation = "TaskSequence.holdingOut"
    guard fraction > 0, fraction < 1 else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "the fraction is \(fraction); it must be between 0 and 1")
    }
    var rng = SeededGenerator(seed: seed ^ 0x7661_6c69_6461_7465)  // "validate": its own stream
    var result = self
    for t in result.tasks.indices {
      let train = result.tasks[t].train
      var kept: [Int] = [], held: [Int] = []
      for c in 0..<train.classCount {
        var members = train.labels.indices.filter { train.labels[$0] == c }
        guard members.count >= 2 else {
          throw DatasetError.invalidArgument(
            operation: operation,
            reason:
              "task \(t + 1) (\(result.tasks[t].name)) has \(members.count) training image(s) of "
              + "class \(train.classNames[c]); holding out needs 2"
          )
        }
        rng.shuffle(&members)
        let count = min(max(1, Int((fraction * Double(members.count)).rounded())), members.count - 1)
        held += members[..<count]
        kept += members[count...]
      }
      result.tasks[t].validation = try train.subset(held.sorted())
      result.tasks[t].train = try train.subset(kept.sorted())
    }
    return result
  }
}
