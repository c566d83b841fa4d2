/// One task of a continual-learning benchmark: a training and a test set over a few classes.
///
/// Labels inside a task are *local*: `0..<classCount`. ``sourceClasses`` maps them back to the
/// dataset's original classes, so local label `i` is original class `sourceClasses[i]`. In a split
/// benchmark over `[[0, 1], [2, 3], …]`, the second task has labels `0` and `1` and source classes
/// `[2, 3]`; in a permuted or rotated benchmark each task has all ten classes and
/// `sourceClasses == [0, 1, …, 9]`.
///
/// ```swift
/// for task in sequence.tasks {
///   print(task.name, task.train.count, task.sourceClasses)
/// }
/// ```
public struct ContinualTask: Sendable, Equatable {
  /// The task's position in its sequence, from 0.
  public var index: Int
  /// A readable name, for example `"permutation 2"` or `"classes 2, 3"`.
  public var name: String
  /// The training set, with local labels.
  public var train: LabelledImages
  /// The test set, with local labels.
  public var test: LabelledImages
  /// The original class of each local label, in local order.
  public var sourceClasses: [Int]
  /// Training images held out for model selection (``TaskSequence/holdingOut(_:seed:)``), with
  /// local labels; `nil` when none are.
  public var validation: LabelledImages?

  /// The number of classes in the task.
  public var classCount: Int { sourceClasses.count }

  /// The name of each local class.
  public var classNames: [String] { train.classNames }

  /// Creates a task, checking that its sets agree with each other and with its classes.
  ///
  /// - Parameters:
  ///   - index: The task's position in its sequence.
  ///   - name: A readable name.
  ///   - train: The training set, labels in `0..<sourceClasses.count`.
  ///   - test: The test set, with the same classes and sample shape as `train`.
  ///   - sourceClasses: The original class of each local label.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the sets' sample shapes or
  ///   class counts disagree with each other or with `sourceClasses`.
  public init(index: Int, name: String, train: LabelledImages, test: LabelledImages, sourceClasses: [Int]) throws {
    let operation = "ContinualTask(\(name))"
    guard train.sampleShape == test.sampleShape else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "training samples have shape \(train.sampleShape) but test samples \(test.sampleShape)")
    }
    guard train.classCount == sourceClasses.count, test.classCount == sourceClasses.count else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason:
          "\(sourceClasses.count) source classes, but the training set has \(train.classCount) classes and the "
          + "test set \(test.classCount)"
      )
    }
    self.init(unchecked: index, name: name, train: train, test: test, sourceClasses: sourceClasses)
  }

  /// Creates a task whose consistency the caller has already established.
  init(unchecked index: Int, name: String, train: LabelledImages, test: LabelledImages, sourceClasses: [Int]) {
    self.index = index
    self.name = name
    self.train = train
    self.test = test
    self.sourceClasses = sourceClasses
  }
}
