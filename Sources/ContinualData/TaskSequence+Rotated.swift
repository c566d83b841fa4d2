import ContinualEngine

extension TaskSequence {
  /// Rotated tasks: every task is the whole dataset rotated by a fixed angle about the image centre
  /// (the "rotated MNIST" of Lopez-Paz & Ranzato, 2017).
  ///
  /// Images are rotated counter-clockwise as displayed, with bilinear sampling and zeros where a
  /// rotated pixel comes from outside the image; a 0° task keeps the original images exactly. The
  /// angles are, in order of precedence:
  ///
  /// - `angles`, when given (one per task, in degrees);
  /// - with a `seed`, angles drawn uniformly from `[0°, 180°)` for every task;
  /// - otherwise evenly spaced over `[0°, 180°)`: task `t` is rotated by `t · 180° / tasks`, so
  ///   task 0 is the original dataset.
  ///
  /// ```swift
  /// let sequence = try TaskSequence.rotated(data, tasks: 4)   // 0°, 45°, 90°, 135°
  /// ```
  /// - Parameters:
  ///   - base: The dataset's training and test sets, inputs `[count, channels, height, width]`.
  ///   - tasks: The number of tasks, at least 1.
  ///   - angles: The angle of each task in degrees, or `nil` to choose them as described above.
  ///   - seed: The seed random angles are drawn from, or `nil` for evenly spaced angles.
  /// - Returns: The sequence, named `"rotated"`, with tasks named like `"rotation 45°"`.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for fewer than one task, an
  ///   `angles` list of the wrong length or with a non-finite angle, or training and test sets that
  ///   disagree.
  /// - Complexity: O(`tasks` × the image size); the tasks share the dataset's pixels, each rotating
  ///   them as its batches are built.
  public static func rotated(
    _ base: (train: LabelledImages, test: LabelledImages), tasks: Int, angles: [Double]? = nil, seed: UInt64? = nil
  ) throws -> TaskSequence {
    let operation = "TaskSequence.rotated"
    try validate(base, tasks: tasks, operation: operation)
    let degrees: [Double]
    if let angles {
      guard angles.count == tasks else {
        throw DatasetError.invalidArgument(
          operation: operation, reason: "\(angles.count) angles given for \(tasks) tasks")
      }
      if let bad = angles.first(where: { !$0.isFinite }) {
        throw DatasetError.invalidArgument(
          operation: operation, reason: "angle \(bad) is not a finite number of degrees")
      }
      degrees = angles
    } else if let seed {
      var rng = SeededGenerator(seed: seed)
      degrees = (0..<tasks).map { _ in 180 * rng.nextUniformDouble() }
    } else {
      degrees = (0..<tasks).map { 180 * Double($0) / Double(tasks) }
    }
    let classes = Array(0..<base.train.classCount)
    let sequence = try degrees.enumerated().map { index, angle -> ContinualTask in
      let name = "rotation \(formatted(angle))°"
      guard angle != 0 else {
        return ContinualTask(unchecked: index, name: name, train: base.train, test: base.test, sourceClasses: classes)
      }
      return ContinualTask(
        unchecked: index, name: name,
        train: try base.train.rotated(degrees: angle), test: try base.test.rotated(degrees: angle),
        sourceClasses: classes)
    }
    return try TaskSequence(name: "rotated", tasks: sequence)
  }

  /// An angle with at most one decimal, without a trailing `.0`.
  private static func formatted(_ angle: Double) -> String {
    guard abs(angle) < 1e9 else { return String(angle) }
    let tenths = (angle * 10).rounded()
    return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
  }
}
