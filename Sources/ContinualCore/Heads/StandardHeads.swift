import ContinualEngine

/// One set of outputs shared by every task (domain-incremental learning).
///
/// Every task must have the same number of classes; local label `y` of any task is output `y`.
public struct SharedHead: Head {
  /// The number of classes per task (and of outputs).
  public var classCount: Int

  /// Creates a shared head.
  public init(classCount: Int) { self.classCount = classCount }

  /// `classCount`.
  public var outputCount: Int { classCount }

  /// Cross-entropy over all outputs.
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    try crossEntropy(logits: logits, labels: batch.labels)
  }

  /// The arg-max output.
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] { logits.argmaxAlongLastAxis() }

  /// Every output.
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> { 0..<classCount }

  /// The label itself.
  public func column(ofLabel label: Int, task: Int) -> Int { label }
}

/// One slice of outputs per task, chosen by the task id (task-incremental learning).
public struct MultiHead: Head {
  /// Where each task's outputs are.
  public var layout: TaskLayout

  /// Creates a multi-head layout.
  public init(layout: TaskLayout) { self.layout = layout }

  /// The total number of classes.
  public var outputCount: Int { layout.totalClasses }

  /// Cross-entropy of each sample over its own task's slice.
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    try crossEntropy(
      logits: logits, labels: zip(batch.labels, batch.tasks).map { $0 + layout.offset($1) },
      rowClasses: batch.tasks.map { layout.columns($0) })
  }

  /// The arg-max within the task's slice.
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    let offset = layout.offset(task)
    return logits.argmaxAlongLastAxis(columns: layout.columns(task)).map { $0 - offset }
  }

  /// The task's own slice.
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> { layout.columns(task) }

  /// The task's offset plus the label.
  public func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }

  /// The task id picks the slice, so it is given at prediction.
  public var usesTaskIdentity: Bool { true }
}

/// All classes seen so far active (class-incremental learning).
///
/// Training on task `t` scores samples over the outputs of tasks `0...t`; evaluation after training
/// task `i` predicts among the classes of tasks `0...i`, without the task id. A task `j > i` not
/// trained yet is scored among the classes of tasks `0...j`: its own classes are active but have
/// never been favoured by any loss, so `R[i][j]` is about 0 and forward transfer is undefined in
/// this scenario (see ``ContinualMetrics/forwardTransferIsDefined(in:)``).
///
/// With `scoresEveryOutput` the training loss covers every output, the classes of tasks not trained
/// yet included, as Mammoth's Seq-MNIST trains (Buzzega et al. 2020): those classes' logits are
/// pushed down from the first task on. Predictions are the same either way.
///
/// ```swift
/// let mammoth = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2, 2, 2, 2]), scoresEveryOutput: true)
/// ```
public struct ActiveClassHead: Head {
  /// Where each task's classes are.
  public var layout: TaskLayout
  /// Whether the training loss is taken over every output rather than the classes seen so far.
  public var scoresEveryOutput: Bool

  /// Creates a class-incremental head.
  ///
  /// - Parameters:
  ///   - layout: Where each task's classes are.
  ///   - scoresEveryOutput: Take the training loss over every output, unseen classes included
  ///     (default `false`: the classes seen so far).
  public init(layout: TaskLayout, scoresEveryOutput: Bool = false) {
    self.layout = layout
    self.scoresEveryOutput = scoresEveryOutput
  }

  /// The total number of classes.
  public var outputCount: Int { layout.totalClasses }

  /// Cross-entropy over every class seen up to the batch's current task (every output with
  /// ``scoresEveryOutput``).
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    let active = 0..<(scoresEveryOutput ? outputCount : layout.columns(batch.currentTask).upperBound)
    return try crossEntropy(
      logits: logits, labels: zip(batch.labels, batch.tasks).map { $0 + layout.offset($1) },
      rowClasses: [Range<Int>](repeating: active, count: batch.labels.count))
  }

  /// The arg-max over all classes seen so far (and the task's own, for a task not trained yet),
  /// mapped to the task's local labels (outside the task's range when another task's class wins).
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    let offset = layout.offset(task)
    return logits.argmaxAlongLastAxis(columns: 0..<layout.columns(max(trainedThrough, task)).upperBound).map {
      $0 - offset
    }
  }

  /// Every class seen up to `currentTask` (at least up to `task`).
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> {
    0..<layout.columns(max(task, currentTask)).upperBound
  }

  /// The task's offset plus the label.
  public func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }
}
