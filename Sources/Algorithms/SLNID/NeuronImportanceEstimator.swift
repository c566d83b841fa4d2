import ContinualCore
import ContinualEngine

/// The importance of each hidden *unit* to a finished task, SLNID's α (Aljundi, Rohrbach, Tuytelaars,
/// "Selfless sequential learning", ICLR 2019): `α_i = (1/N) Σ_m |∂L/∂z_i^m|`, the mean absolute
/// gradient of a loss with respect to the unit's pre-activation `z` (the input of the regularised
/// ReLU, i.e. the output of the `Linear` before it).
///
/// This is what the official code's backward hooks on the ReLUs accumulate (`grad_input[0]`, which is
/// zero for inactive units; the tape's gradient with respect to the `Linear` output has the same mask).
/// The paper defines α with the gradient with respect to the unit's *output*; the two differ only for
/// inactive units. The loss is the one the stacked parameter-importance method back-propagates while
/// the hooks are active:
/// - ``Loss/mas``: the squared L2 norm of the task's outputs summed over the batch (MAS+SLNID);
/// - ``Loss/ewc``: the negative log-likelihood of the true labels summed over the batch (EWC+SLNID).
///
/// Both losses are sums of per-sample terms, so the absolute value of each row of one batched
/// backward pass is exactly the per-sample `|∂ℓ_m/∂z^m|` (samples do not interact); the batch size
/// only affects speed. The model runs in evaluation mode on the task's training data, in order.
///
/// Unlike parameter-importance estimators, its result is per unit: one `[units]` tensor per
/// regularised layer, named by the layer's index (`"2"`, `"4"` for an MLP
/// `Flatten, Linear, ReLU, Linear, ReLU, Linear`).
///
/// On a convolutional feature map each channel is one unit and each spatial position of each
/// sample one observation (see ``ActivationLayers``): `α_c` is the mean of `|∂L/∂z|` over the
/// `N·H·W` positions of channel `c`.
///
/// ```swift
/// var estimator = NeuronImportanceEstimator(loss: .mas)
/// let alpha = try estimator.importance(after: context)   // alpha["2"]: [64]
/// ```
public struct NeuronImportanceEstimator: ImportanceEstimator {
  /// The loss whose gradient measures a unit's importance.
  public enum Loss: String, Sendable, CaseIterable {
    /// `Σ_m ‖F(x_m)‖²` over the columns the head trains the task on (no labels; MAS's loss).
    case mas
    /// `−Σ_m log p(y_m | x_m)` with the true labels, softmax over the task's columns (EWC's loss
    /// in the official EWC+SLNID code).
    case ewc
  }

  /// The loss whose gradient measures a unit's importance.
  public var loss: Loss
  /// The layers whose units are measured (the regulariser's layers).
  public var layers: ActivationLayers
  /// Samples per batched backward pass (affects speed only).
  public var batchSize: Int
  /// Use only the first this many samples of the task (all when `nil`).
  public var sampleCount: Int?

  /// Creates the estimator.
  ///
  /// - Parameters:
  ///   - loss: The loss whose gradient is taken.
  ///   - layers: The layers whose units are measured.
  ///   - batchSize: Samples per batched backward pass.
  ///   - sampleCount: Use only the first this many samples (all when `nil`).
  public init(loss: Loss = .mas, layers: ActivationLayers = .hiddenReLUs, batchSize: Int = 200, sampleCount: Int? = nil)
  {
    self.loss = loss
    self.layers = layers
    self.batchSize = batchSize
    self.sampleCount = sampleCount
  }

  /// `neuron-importance`.
  public var name: String { "neuron-importance" }

  /// The mean absolute gradient of the loss with respect to each unit's pre-activation, over the
  /// finished task's training samples.
  ///
  /// - Parameter context: The finished task, its data, the trained model and the head.
  /// - Returns: One `[units]` tensor per chosen layer, named by the layer's index.
  /// - Throws: ``TensorError`` when a chosen layer is the first layer (its input is the data, not a
  ///   unit), does not keep its input's width, or the model does not fit the data.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    let operation = "NeuronImportanceEstimator"
    let architecture = context.model.architecture
    let chosen = try layers.resolve(in: architecture)
    for k in chosen where k == 0 {
      throw TensorError.invalidArgument(
        operation: operation, reason: "layer 0 has no pre-activation inside the network; choose layers ≥ 1")
    }
    let widths = try unitCounts(
      of: chosen, in: architecture, sampleShape: context.data.sampleShape, operation: operation)
    var sums = chosen.map { Tensor(shape: [widths[$0]!], repeating: 0) }
    let n = min(context.data.count, sampleCount ?? context.data.count)
    let columns = context.head.columns(forTask: context.task, currentTask: context.task)
    var positions = 1
    for batch in context.batches(ofSize: max(batchSize, 1), limit: n) {
      let tape = Tape()
      let pass = try context.model.forward(tape.constant(batch.inputs), on: tape, training: false)
      let objective: Variable
      switch loss {
      case .mas:
        objective = try pass.output.slice(alongAxis: 1, range: columns).squaredNorm()
      case .ewc:
        let labels = batch.labels.map { context.head.column(ofLabel: $0, task: context.task) }
        objective = try crossEntropy(logits: pass.output, labels: labels, classes: columns, reduction: .sum)
      }
      let inputs = try chosen.map { k in try layerOutput(pass.trace, layer: k - 1, operation: operation) }
      let deltas = try tape.gradients(of: objective, withRespectTo: inputs)
      for (i, (k, delta)) in zip(chosen, deltas).enumerated() {
        guard delta.shape == pass.trace.activations[k].shape else {
          throw TensorError.shapeMismatch(
            operation: "\(operation), layer \(k)", shapes: [delta.shape, pass.trace.activations[k].shape],
            reason: "the layer changes the shape of its input, so its units have no single pre-activation")
        }
        // A feature map's positions count as observations of its channel.
        let columns = try unitColumns(delta)
        positions = columns.shape[0] / max(batch.count, 1)
        try sums[i].add(try columns.abs().sum(alongAxes: [0]))
      }
    }
    let scale = 1 / Float(max(n * positions, 1))
    return try NamedTensors(names: chosen.map(String.init), tensors: sums.map { $0 * scale })
  }
}

/// Unit importance is measured afresh on each finished task (the regulariser accumulates it).
extension NeuronImportanceEstimator: StatelessBetweenTasks {}
