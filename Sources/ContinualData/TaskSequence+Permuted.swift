import ContinualEngine

extension TaskSequence {
  /// Permuted tasks: every task is the whole dataset with its pixels shuffled by a fixed random
  /// permutation (Goodfellow et al., 2013; the "permuted MNIST" of Kirkpatrick et al., 2017).
  ///
  /// Task `t` applies permutation `t` to the training and the test images alike, and to every
  /// channel. All tasks have the dataset's classes, so labels are unchanged and
  /// `sourceClasses == [0, 1, …]`. The permutations are drawn in order from the seed whatever
  /// `permuteFirstTask` says, so task 2 is the same whether or not task 0 is permuted.
  ///
  /// ```swift
  /// let data = SyntheticGlyphs.generate(trainCount: 12_000, testCount: 2_000, seed: 1)
  /// let sequence = try TaskSequence.permuted(data, tasks: 10, padTo32: true, seed: 1)
  /// sequence.sampleShape   // [1, 32, 32]
  /// ```
  /// - Parameters:
  ///   - base: The dataset's training and test sets, inputs `[count, channels, height, width]`.
  ///   - tasks: The number of tasks, at least 1.
  ///   - permuteFirstTask: Whether task 0 is permuted too; by default it keeps the original images,
  ///     as in van de Ven & Tolias (2019).
  ///   - padTo32: Whether to centre the images on a 32×32 zero canvas (2 px each side for 28×28)
  ///     before permuting, as van de Ven & Tolias do.
  ///   - seed: The seed the permutations are drawn from.
  /// - Returns: The sequence, named `"permuted"`, with tasks named `"original"` and `"permutation t"`.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for fewer than one task, training
  ///   and test sets that disagree, or images larger than 32×32 when padding.
  /// - Complexity: O(`tasks` × the image size); the tasks share the dataset's pixels, each permuting
  ///   them as its batches are built.
  public static func permuted(
    _ base: (train: LabelledImages, test: LabelledImages), tasks: Int, permuteFirstTask: Bool = false,
    padTo32: Bool = false, seed: UInt64
  ) throws -> TaskSequence {
    let operation = "TaskSequence.permuted"
    try validate(base, tasks: tasks, operation: operation)
    var (train, test) = base
    if padTo32 {
      let (height, width) = (train.sampleShape[1], train.sampleShape[2])
      guard height <= 32, width <= 32 else {
        throw DatasetError.invalidArgument(
          operation: operation, reason: "cannot pad \(height)×\(width) images to 32×32")
      }
      (train, test) = (try train.padded(toSide: 32), try test.padded(toSide: 32))
    }
    let planeSize = train.sampleShape[1] * train.sampleShape[2]
    var rng = SeededGenerator(seed: seed)
    let permutations = (0..<tasks).map { _ in rng.permutation(planeSize) }
    let classes = Array(0..<train.classCount)
    let sequence = try (0..<tasks).map { index -> ContinualTask in
      guard index > 0 || permuteFirstTask else {
        return ContinualTask(unchecked: index, name: "original", train: train, test: test, sourceClasses: classes)
      }
      let permutation = permutations[index]
      return ContinualTask(
        unchecked: index, name: "permutation \(index)",
        train: try train.permutingPixels(by: permutation), test: try test.permutingPixels(by: permutation),
        sourceClasses: classes)
    }
    return try TaskSequence(name: "permuted", tasks: sequence)
  }

  /// Checks that a dataset's two sets are image sets that agree, and that `tasks` is positive.
  static func validate(_ base: (train: LabelledImages, test: LabelledImages), tasks: Int, operation: String) throws {
    guard tasks >= 1 else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "the number of tasks must be at least 1, got \(tasks)")
    }
    guard base.train.sampleShape.count == 3 else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "samples must be images [channels, height, width], got sample shape \(base.train.sampleShape)")
    }
    guard base.train.sampleShape == base.test.sampleShape else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "training samples have shape \(base.train.sampleShape) but test samples \(base.test.sampleShape)")
    }
    guard base.train.classNames == base.test.classNames else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "the training set's classes \(base.train.classNames) differ from the test set's \(base.test.classNames)"
      )
    }
  }
}
