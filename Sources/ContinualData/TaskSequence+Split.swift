import ContinualEngine

extension TaskSequence {
  /// Split tasks: each task holds the images of a few of the dataset's classes (the "split MNIST"
  /// of Zenke et al., 2017).
  ///
  /// Task `t` holds the images whose class is in `groups[t]`, in their original order, relabelled
  /// locally: class `groups[t][i]` becomes label `i`, and `sourceClasses == groups[t]`.
  ///
  /// ```swift
  /// let sequence = try TaskSequence.split(data, groups: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
  /// sequence.tasks[1].sourceClasses   // [2, 3]; digit 3 has local label 1
  /// ```
  /// - Parameters:
  ///   - base: The dataset's training and test sets.
  ///   - groups: The classes of each task; at least one non-empty group, each class at most once.
  /// - Returns: The sequence, named `"split"`, with tasks named after their classes.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for no groups, an empty group, a
  ///   class outside the dataset's classes or one listed twice, or training and test sets that disagree.
  public static func split(_ base: (train: LabelledImages, test: LabelledImages), groups: [[Int]]) throws
    -> TaskSequence
  {
    let operation = "TaskSequence.split"
    try validate(base, tasks: groups.count, operation: operation)
    let classCount = base.train.classCount
    var seen = Set<Int>()
    for (index, group) in groups.enumerated() {
      guard !group.isEmpty else {
        throw DatasetError.invalidArgument(operation: operation, reason: "group \(index) is empty")
      }
      for label in group {
        guard (0..<classCount).contains(label) else {
          throw DatasetError.invalidArgument(
            operation: operation,
            reason: "class \(label) in group \(index) is outside the dataset's classes 0..<\(classCount)")
        }
        guard seen.insert(label).inserted else {
          throw DatasetError.invalidArgument(
            operation: operation, reason: "class \(label) appears in more than one place (again in group \(index))")
        }
      }
    }
    let tasks = groups.enumerated().map { index, group in
      let names = group.map { base.train.classNames[$0] }
      return ContinualTask(
        unchecked: index, name: "classes " + names.joined(separator: ", "),
        train: relabelled(base.train, keeping: group), test: relabelled(base.test, keeping: group), sourceClasses: group
      )
    }
    return try TaskSequence(name: "split", tasks: tasks)
  }

  /// Split tasks over groups of consecutive or randomly assigned classes.
  ///
  /// The dataset's classes are put in order — `0, 1, 2, …`, or shuffled by a permutation drawn from
  /// `randomGroupingSeed` — and dealt out in that order: with 10 classes and 5 tasks, task `t` gets
  /// the classes at positions `2t` and `2t + 1`, as van de Ven & Tolias (2019) pair shuffled digits.
  /// When the classes do not divide evenly, the first tasks get one class more.
  ///
  /// ```swift
  /// let standard = try TaskSequence.split(data, tasks: 5)                         // [[0, 1], [2, 3], …]
  /// let shuffled = try TaskSequence.split(data, tasks: 5, randomGroupingSeed: 3)  // a random pairing
  /// ```
  /// - Parameters:
  ///   - base: The dataset's training and test sets.
  ///   - tasks: The number of tasks, from 1 to the number of classes.
  ///   - randomGroupingSeed: The seed the class order is shuffled with, or `nil` for classes in order.
  /// - Returns: The sequence, as ``split(_:groups:)`` builds it.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for a number of tasks outside
  ///   `1...classCount`, or training and test sets that disagree.
  public static func split(
    _ base: (train: LabelledImages, test: LabelledImages), tasks: Int, randomGroupingSeed: UInt64? = nil
  ) throws -> TaskSequence {
    let classCount = base.train.classCount
    guard (1...max(1, classCount)).contains(tasks), classCount > 0 else {
      throw DatasetError.invalidArgument(
        operation: "TaskSequence.split",
        reason: "cannot split \(classCount) classes into \(tasks) tasks; choose 1 to \(classCount) tasks")
    }
    var order = Array(0..<classCount)
    if let randomGroupingSeed {
      var rng = SeededGenerator(seed: randomGroupingSeed)
      order = rng.permutation(classCount)
    }
    return try split(base, groups: groups(of: order, into: tasks))
  }

  /// `order` dealt into `count` consecutive groups, the first `order.count % count` one longer.
  static func groups(of order: [Int], into count: Int) -> [[Int]] {
    let size = order.count / count, extra = order.count % count
    var start = 0
    return (0..<count).map { group in
      let length = size + (group < extra ? 1 : 0)
      defer { start += length }
      return Array(order[start..<(start + length)])
    }
  }

  /// The images of the given classes, relabelled so that `classes[i]` becomes label `i`.
  private static func relabelled(_ images: LabelledImages, keeping classes: [Int]) -> LabelledImages {
    var local = [Int](repeating: -1, count: images.classCount)
    for (position, label) in classes.enumerated() { local[label] = position }
    let kept = images.filter(classes: Set(classes))
    return kept.relabelled(kept.labels.map { local[$0] }, classNames: classes.map { images.classNames[$0] })
  }
}
