import ContinualCore
import ContinualEngine

/// SS-IL's separated softmax (Ahn et al., ICCV 2021): the class-incremental head that scores the
/// current task's samples over the new classes only and replayed samples over the old classes only.
///
/// While training task `t`, with old classes `[0, mid)` (tasks `0..<t`) and new classes `[mid, end)`
/// (task `t`), a mini-batch of `B` current samples joined by `R` replayed exemplars costs
///
/// ```
/// L_CE = ( Σ_current CE(z[mid..<end], y) + Σ_replayed CE(z[0..<mid], y) ) / (B + R)
/// ```
///
/// (reduction "sum", then divided by the whole batch size), as the official code does
/// [SS-IL-Official@8c32381 trainer/ssil.py:72-78]. The new classes' logits therefore never push the
/// old classes' scores down through the softmax, and vice versa, which is what removes the bias
/// towards new classes. On the first task there are no old classes and the loss is plain
/// cross-entropy over its classes divided by `B`. Prediction is the arg-max over **every** class seen
/// so far, as ``ActiveClassHead`` predicts (no bias correction).
///
/// A sample counts as current when its task is the batch's ``Batch/currentTask``; any sample of an
/// earlier task is scored as replayed (so a cumulative data regime is scored like replay).
///
/// ```swift
/// let head = SeparatedSoftmaxHead(layout: TaskLayout(classCounts: [2, 2]))
/// // Current sample (task 1, local label 0 → column 2) and a replayed one (task 0, label 1):
/// let batch = Batch(inputs: x, labels: [0, 1], tasks: [1, 0], currentTask: 1)
/// let loss = try head.loss(logits: logits, for: batch)   // (CE over z[2..<4] + CE over z[0..<2]) / 2
/// ```
public struct SeparatedSoftmaxHead: Head {
  /// How evaluation picks a class among every class seen.
  public enum Prediction: String, Sendable, CaseIterable {
    /// The arg-max of the raw logits over every class seen (the official code).
    case raw
    /// The arg-max of each logit minus the mean logit of its own task, `z_c − mean_{c' ∈ task(c)} z_c'`.
    ///
    /// No loss term of SS-IL moves a task's mean logit relative to another's (every softmax and
    /// every task-wise KL is invariant to a shift of a whole task's logits), so the raw levels of
    /// different tasks are never compared in training; centring removes them. Not in the paper.
    case taskCentred = "centred"
  }

  /// Where each task's classes are in the outputs.
  public var layout: TaskLayout
  /// How evaluation picks a class (``Prediction/raw`` as in the official code).
  public var prediction: Prediction

  /// Creates a separated-softmax head.
  ///
  /// - Parameters:
  ///   - layout: The number of classes of each task; task `t` owns columns ``TaskLayout/columns(_:)``.
  ///   - prediction: How evaluation picks a class; the raw arg-max by default.
  public init(layout: TaskLayout, prediction: Prediction = .raw) {
    self.layout = layout
    self.prediction = prediction
  }

  /// The total number of classes over all tasks.
  public var outputCount: Int { layout.totalClasses }

  /// The separated cross-entropy of a batch, summed over samples and divided by the batch size.
  ///
  /// - Parameters:
  ///   - logits: The network's `[batch, outputCount]` outputs.
  ///   - batch: Current samples (task ``Batch/currentTask``) and replayed samples (earlier tasks),
  ///     in any order, with local labels.
  /// - Returns: A scalar variable, `(Σ CE_current + Σ CE_replayed) / (B + R)`.
  /// - Throws: ``TensorError`` when a sample's task lies after the current task, the shapes do not
  ///   fit or a label lies outside its task.
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    let current = batch.currentTask
    guard layout.classCounts.indices.contains(current) else {
      throw TensorError.invalidArgument(
        operation: "SeparatedSoftmaxHead.loss",
        reason: "current task \(current) is outside the layout's \(layout.taskCount) tasks")
    }
    if let future = batch.tasks.firstIndex(where: { $0 > current }) {
      throw TensorError.invalidArgument(
        operation: "SeparatedSoftmaxHead.loss",
        reason: "sample \(future) belongs to task \(batch.tasks[future]), after the current task \(current)")
    }
    let rows = batch.tasks.map { columns(forTask: $0, currentTask: current) }
    let labels = zip(batch.labels, batch.tasks).map { column(ofLabel: $0, task: $1) }
    let sum = try crossEntropy(logits: logits, labels: labels, rowClasses: rows, reduction: .sum)
    return sum * (1 / Float(max(batch.count, 1)))
  }

  /// The arg-max over every class seen so far, mapped to the task's local labels.
  ///
  /// A sample whose winning class belongs to another task gets a label outside
  /// `0..<classCounts[task]` (negative for an earlier task), so it counts as wrong.
  ///
  /// - Parameters:
  ///   - logits: The network's `[batch, outputCount]` outputs.
  ///   - task: The task the samples come from (only to map columns to local labels).
  ///   - trainedThrough: The last task trained; classes of tasks `0...max(trainedThrough, task)` compete.
  /// - Returns: One local label per sample.
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    let offset = layout.offset(task)
    let lastTask = max(trainedThrough, task)
    let seen = 0..<layout.columns(lastTask).upperBound
    guard prediction == .taskCentred, logits.rank == 2 else {
      return logits.argmaxAlongLastAxis(columns: seen).map { $0 - offset }
    }
    var centred = logits
    let width = logits.shape[1]
    centred.withUnsafeMutableBufferPointer { z in
      for row in 0..<logits.shape[0] {
        for s in 0...lastTask {
          let columns = layout.columns(s)
          guard !columns.isEmpty else { continue }
          let mean = columns.reduce(Float(0)) { $0 + z[row * width + $1] } / Float(columns.count)
          for c in columns { z[row * width + c] -= mean }
        }
      }
    }
    return centred.argmaxAlongLastAxis(columns: seen).map { $0 - offset }
  }

  /// The softmax support of a sample of `task` while training `currentTask`.
  ///
  /// A sample of the current task (or, for completeness, of a later one) is scored over its own
  /// task's classes; a replayed sample of an earlier task over every old class, `0..<offset(currentTask)`.
  /// Importance estimators that ask for the current task's predictive distribution (EWC's Fisher,
  /// MAS's output norm) thus see the new-class softmax SS-IL trains with.
  ///
  /// - Parameters:
  ///   - task: The sample's task.
  ///   - currentTask: The task being trained.
  /// - Returns: The columns the sample's softmax covers.
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> {
    task < currentTask ? 0..<layout.offset(currentTask) : layout.columns(task)
  }

  /// The output column of a task's local label: the task's offset plus the label.
  ///
  /// - Parameters:
  ///   - label: A local label of the task.
  ///   - task: The task.
  /// - Returns: `layout.offset(task) + label`.
  public func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }
}
