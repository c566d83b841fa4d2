import ContinualEngine

extension LabelledImages {
  /// A random subset of `count` images whose classes are as balanced as the data allows.
  ///
  /// Images are drawn class by class in turn (round robin over the classes present, each class's
  /// images in a random order), so a small sample still contains every class; the result keeps the
  /// images' original order. When `count` is at least ``count``, the whole set is returned.
  ///
  /// ```swift
  /// var rng = SeededGenerator(seed: 7)
  /// let small = try train.stratifiedSample(1_000, using: &rng)   // 100 per digit
  /// ```
  /// - Parameters:
  ///   - count: How many images to keep; must not be negative.
  ///   - rng: The source of randomness.
  /// - Returns: The sampled images with their labels.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for a negative `count`.
  public func stratifiedSample(_ count: Int, using rng: inout SeededGenerator) throws -> LabelledImages {
    guard count >= 0 else {
      throw DatasetError.invalidArgument(
        operation: "LabelledImages.stratifiedSample", reason: "count \(count) is negative")
    }
    if count >= self.count { return self }
    var byClass = [[Int]](repeating: [], count: classCount)
    for (index, label) in labels.enumerated() { byClass[label].append(index) }
    for label in byClass.indices { rng.shuffle(&byClass[label]) }
    var chosen: [Int] = []
    chosen.reserveCapacity(count)
    var depth = 0
    while chosen.count < count {
      for members in byClass where depth < members.count && chosen.count < count {
        chosen.append(members[depth])
      }
      depth += 1
    }
    return uncheckedSubset(chosen.sorted())
  }
}
