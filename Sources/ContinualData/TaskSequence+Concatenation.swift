extension TaskSequence {
  /// Sequences learnt one after the other as one sequence: the tasks of the first, then those of
  /// the second, and so on, renumbered from 0.
  ///
  /// This is how benchmarks over two datasets are made, such as the split CIFAR-10/100 of Zenke et
  /// al. (2017): all of CIFAR-10 as the first task, then five tasks of ten CIFAR-100 classes. Each
  /// task keeps its own images and class names; no pixels are copied.
  ///
  /// ```swift
  /// let first = try TaskSequence.split(cifar10, groups: [Array(0..<10)])
  /// let rest = try TaskSequence.split(cifar100, groups: (0..<5).map { Array((10 * $0)..<(10 * $0 + 10)) })
  /// let sequence = try TaskSequence.concatenating([first, rest], name: "split-cifar10-100")   // 6 tasks
  /// ```
  /// - Parameters:
  ///   - sequences: At least one sequence, all with the same sample shape.
  ///   - name: The new sequence's name.
  /// - Returns: The sequence of every task, in order.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when `sequences` is empty or the
  ///   sample shapes differ.
  public static func concatenating(_ sequences: [TaskSequence], name: String) throws -> TaskSequence {
    var tasks = sequences.flatMap(\.tasks)
    for index in tasks.indices { tasks[index].index = index }
    return try TaskSequence(name: name, tasks: tasks)
  }
}
