import ContinualCore
import ContinualData
import ContinualEngine

/// iCaRL's head (Rebuffi, Kolesnikov, Sperl and Lampert, CVPR 2017): trained with a sigmoid per
/// class, and classifying by the nearest mean of exemplars — not by a linear layer's arg-max.
///
/// **Training** (class-incremental): every class seen so far has a sigmoid output, and a sample of
/// class `y` is scored by the binary cross-entropy of each active output against the one-hot target,
/// averaged over the `B` samples and the `C` active outputs (Mammoth's
/// `binary_cross_entropy_with_logits` over `outputs[:, :ac]`):
///
/// ```
/// L = (1 / (B·C)) Σ_i Σ_{c < C} BCE(z_ic, δ_{c = y_i})
/// ```
///
/// ``SigmoidDistillation`` replaces the targets of the earlier tasks' outputs by the previous
/// model's sigmoid outputs, which makes the sum iCaRL's loss.
///
/// **Prediction** after a task (``prepared(for:)``): the exemplars of every class in the run's
/// replay memory go through the trained network; the class mean `μ_c` is the mean of their
/// penultimate-layer features `φ`, each scaled to unit length, scaled to unit length again (the
/// official code's normalisation). A sample `x` is predicted as
/// `argmin_c ‖φ(x)/‖φ(x)‖ − μ_c‖` over the classes with exemplars among those seen so far.
/// Before any exemplar exists (the untrained model's evaluation) and for a head that was never
/// prepared (a saved model evaluated later), predictions are the arg-max of the outputs over the
/// classes seen, as ``ActiveClassHead``'s.
///
/// ```swift
/// let head = NearestMeanHead(layout: TaskLayout(classCounts: [2, 2]))
/// let context = EvaluationContext(model: model, sequence: sequence, memory: memory, trainedThrough: 1)
/// let prepared = try head.prepared(for: context)
/// let labels = try prepared.predictions(inputs: images, model: model, task: 0, trainedThrough: 1)
/// ```
public struct NearestMeanHead: Head {
  /// Where each task's classes are.
  public var layout: TaskLayout
  /// The output columns (classes) that have a mean, in increasing order.
  public internal(set) var meanColumns: [Int] = []
  /// The unit-length mean feature of each class in ``meanColumns``.
  public internal(set) var means: [[Float]] = []

  /// Creates a head with no class means yet.
  ///
  /// - Parameter layout: The classes of each task.
  public init(layout: TaskLayout) { self.layout = layout }

  /// The total number of classes.
  public var outputCount: Int { layout.totalClasses }

  /// The mean over samples and active outputs of the sigmoid binary cross-entropy against one-hot
  /// targets.
  ///
  /// - Throws: `TensorError` when the logits do not have ``outputCount`` columns or a label is out
  ///   of range.
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    let active = layout.columns(batch.currentTask).upperBound
    guard logits.shape.count == 2, logits.shape[1] == outputCount else {
      throw TensorError.shapeMismatch(
        operation: "NearestMeanHead.loss", shapes: [logits.shape],
        reason: "the logits need \(outputCount) columns, one per class of every task")
    }
    var targets = [Float](repeating: 0, count: batch.count * active)
    for (row, (label, task)) in zip(batch.labels, batch.tasks).enumerated() {
      let column = column(ofLabel: label, task: task)
      guard (0..<active).contains(column), (0..<layout.classCounts[task]).contains(label) else {
        throw TensorError.invalidArgument(
          operation: "NearestMeanHead.loss",
          reason: "label \(label) of task \(task) is not among the \(active) classes seen while training task "
            + "\(batch.currentTask)")
      }
      targets[row * active + column] = 1
    }
    let z = try logits.slice(alongAxis: 1, range: 0..<active)
    let t = logits.tape.constant(try Tensor(shape: [batch.count, active], scalars: targets))
    return try summedBinaryCrossEntropy(logits: z, targets: t) * (1 / Float(max(batch.count * active, 1)))
  }

  /// The arg-max of the outputs over the classes seen, as ``ActiveClassHead``'s (used before any
  /// class mean exists).
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    ActiveClassHead(layout: layout).predictions(logits: logits, task: task, trainedThrough: trainedThrough)
  }

  /// The nearest class mean of each input's normalised penultimate features, among the classes
  /// with a mean seen up to `max(task, trainedThrough)`; the outputs' arg-max while there are no
  /// means.
  ///
  /// - Throws: `TensorError` when the model does not fit the inputs or its features do not have
  ///   the means' width.
  public func predictions(inputs: Tensor, model: Model, task: Int, trainedThrough: Int) throws -> [Int] {
    let seen = layout.columns(max(trainedThrough, task)).upperBound
    let candidates = meanColumns.indices.filter { meanColumns[$0] < seen }
    guard !candidates.isEmpty else {
      return predictions(logits: try model.predict(inputs), task: task, trainedThrough: trainedThrough)
    }
    let features = try model.penultimateFeatures(inputs, normalised: true)
    let width = features.shape[1]
    guard means.allSatisfy({ $0.count == width }) else {
      throw TensorError.invalidArgument(
        operation: "NearestMeanHead.predictions",
        reason: "the network's features have \(width) values but the class means \(means.first?.count ?? 0)")
    }
    let rows = features.scalars
    let offset = layout.offset(task)
    return (0..<features.shape[0]).map { n in
      var best = candidates[0]
      var bestDistance = Float.infinity
      for k in candidates {
        var distance: Float = 0
        for j in 0..<width {
          let d = rows[n * width + j] - means[k][j]
          distance += d * d
        }
        if distance < bestDistance { (best, bestDistance) = (k, distance) }
      }
      return meanColumns[best] - offset
    }
  }

  /// This head with the class means of the memory's exemplars under the trained model.
  ///
  /// - Parameter evaluation: The model after the task, the tasks and the memory.
  /// - Returns: A copy with ``means``; with none when the run keeps no memory or it is empty.
  /// - Throws: `TensorError` when the model does not fit the exemplars.
  public func prepared(for evaluation: EvaluationContext) throws -> any Head {
    var head = self
    (head.meanColumns, head.means) = ([], [])
    guard let memory = evaluation.memory else { return head }
    var byColumn: [Int: (task: Int, indices: [Int])] = [:]
    for exemplar in memory.exemplars {
      let label = evaluation.sequence.tasks[exemplar.task].train.labels[exemplar.index]
      byColumn[column(ofLabel: label, task: exemplar.task), default: (exemplar.task, [])].indices.append(exemplar.index)
    }
    for (column, members) in byColumn.sorted(by: { $0.key < $1.key }) {
      let inputs = try evaluation.sequence.tasks[members.task].train.inputs(at: members.indices)
      head.meanColumns.append(column)
      head.means.append(try Self.classMean(of: inputs, model: evaluation.model))
    }
    return head
  }

  /// The unit-length mean of the unit-length penultimate features of `inputs`.
  ///
  /// - Parameters:
  ///   - inputs: One class's exemplars.
  ///   - model: The trained model.
  /// - Returns: The mean, of the features' width.
  /// - Throws: `TensorError` when the model does not fit the inputs.
  public static func classMean(of inputs: Tensor, model: Model) throws -> [Float] {
    let features = try model.penultimateFeatures(inputs, normalised: true)
    let (count, width) = (features.shape[0], features.shape[1])
    let rows = features.scalars
    var mean = [Float](repeating: 0, count: width)
    for n in 0..<count { for j in 0..<width { mean[j] += rows[n * width + j] } }
    let norm = max(mean.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot(), 1e-12)
    return mean.map { $0 / norm }
  }

  /// Every class seen up to `currentTask` (at least up to `task`), as ``ActiveClassHead``.
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> {
    0..<layout.columns(max(task, currentTask)).upperBound
  }

  /// The task's offset plus the label.
  public func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }
}
