import ContinualCore
import ContinualEngine

/// The class-incremental head of HNET+ENT: each task trains on its own outputs, as with a
/// ``MultiHead`` (posterior_replay_cl's `--split_head_cl3`), and prediction picks among every class
/// seen so far without the task id.
///
/// It is meant for networks that infer the task themselves: a ``Hypernetwork`` without a task id
/// keeps, per sample, the outputs of the task whose prediction has the lowest entropy and masks
/// the other tasks' columns, so the arg-max over all seen classes is the inferred task's arg-max
/// plus its offset [hypercl mnist/train_splitMNIST.py:658-690].
///
/// ```swift
/// let head = TaskInferenceHead(layout: TaskLayout(classCounts: [2, 2, 2, 2, 2]))
/// head.predictions(logits: maskedLogits, task: 3, trainedThrough: 4)   // local labels of task 3
/// ```
public struct TaskInferenceHead: Head {
  /// Where each task's classes are.
  public var layout: TaskLayout

  /// Creates the head.
  ///
  /// - Parameter layout: The classes of each task.
  public init(layout: TaskLayout) { self.layout = layout }

  /// The total number of classes.
  public var outputCount: Int { layout.totalClasses }

  /// Cross-entropy of each sample over its own task's columns.
  ///
  /// - Throws: ``TensorError`` when shapes or labels do not fit.
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    try MultiHead(layout: layout).loss(logits: logits, for: batch)
  }

  /// The arg-max over every class seen so far, mapped to the task's local labels (outside the
  /// task's range when another task's class wins).
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    let offset = layout.offset(task)
    return logits.argmaxAlongLastAxis(columns: 0..<layout.columns(max(trainedThrough, task)).upperBound).map {
      $0 - offset
    }
  }

  /// The task's own columns (the softmax each sample trains over).
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> { layout.columns(task) }

  /// The task's offset plus the label.
  public func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }
}
