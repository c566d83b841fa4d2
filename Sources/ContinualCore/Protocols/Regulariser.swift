import ContinualEngine

/// A differentiable term added to the task loss, with hooks at task boundaries and after each step.
///
/// Parameter-space regularisers (EWC, SI, MAS) pull weights towards a previous optimum; activation-
/// space ones (SLNID) penalise hidden representations read from ``StepContext/pass``; output-space
/// ones (distillation) compare outputs with a frozen copy. A regulariser decides what to snapshot at
/// task boundaries.
///
/// ```swift
/// /// Pulls every weight towards its value at the end of the previous task: λ Σ (θ − θ*)².
/// struct L2ToAnchor: Regulariser {
///   var strength: Float = 0.1
///   var anchor: NamedTensors?
///   var name: String { "l2" }
///   func penalty(_ step: StepContext) throws -> Variable? {
///     guard let anchor else { return nil }
///     let terms = try zip(step.pass.weights, anchor.tensors).map { w, a in
///       try w.weightedSquaredDistance(to: a, weights: Tensor(shape: a.shape, repeating: 1))
///     }
///     return try terms.dropFirst().reduce(terms[0], +) * strength
///   }
///   mutating func taskDidFinish(_ context: TaskContext) throws { anchor = context.model.parameters }
/// }
/// ```
public protocol Regulariser: Sendable {
  /// A short name for logs and loss breakdowns, such as `ewc`.
  var name: String { get }

  /// Whether ``stepDidFinish(_:)`` or ``penalty(_:)`` needs the gradient of the task loss alone (SI's
  /// path integral, HNet's lookahead); the trainer then computes it before the penalties and hands
  /// it over in ``StepContext/taskGradients``. It costs one extra backward pass over the
  /// regularisers.
  var needsTaskGradients: Bool { get }

  /// Whether ``stepDidFinish(_:)`` needs the parameter change the optimiser applied.
  var observesSteps: Bool { get }

  /// Whether the regulariser draws replayed samples itself from ``StepContext/replay`` (DER's
  /// logits, A-GEM's reference gradient). The trainer then hands it the run's memory and does not
  /// join replayed samples to the batch, so the task loss sees the current task's samples only.
  var drawsReplay: Bool { get }

  /// Called before training a task.
  ///
  /// - Throws: Any error that should stop the run, with a message naming the problem.
  mutating func taskWillStart(_ context: TaskContext) throws

  /// The penalty for the current step, recorded on the step's tape, or `nil` when inactive (for
  /// example during the first task).
  ///
  /// - Parameter step: The step's tape, forward pass and batch.
  /// - Returns: A scalar variable, or `nil`.
  /// - Throws: `TensorError` when shapes do not fit.
  func penalty(_ step: StepContext) throws -> Variable?

  /// Called after the backward pass, before the optimiser step, with the gradient of the whole
  /// objective; a regulariser may change it (project it, clip it, add to it). A GEM-like method
  /// projects it against a reference gradient on replayed data,
  /// ``StepContext/gradients(ofHeadLossOn:)`` of a ``StepContext/replay`` draw. Regularisers are
  /// called in stack order, each seeing the previous one's result.
  ///
  /// - Parameters:
  ///   - gradients: The total gradient, named like the parameters.
  ///   - step: The step's tape, forward pass and batch.
  /// - Throws: Any error that should stop the run.
  mutating func gradientsDidCompute(_ gradients: inout NamedTensors, step: StepContext) throws

  /// Called after every optimiser step when ``observesSteps`` is `true`.
  ///
  /// - Throws: Any error that should stop the run.
  mutating func stepDidFinish(_ step: StepObservation) throws

  /// Called after training a task, before it is evaluated: snapshot parameters, estimate importances.
  ///
  /// - Throws: Any error that should stop the run.
  mutating func taskDidFinish(_ context: TaskContext) throws
}

// MARK: - Default implementations

extension Regulariser {
  /// No extra backward pass by default.
  public var needsTaskGradients: Bool { false }
  /// Steps are not observed by default.
  public var observesSteps: Bool { false }
  /// Replayed samples are not drawn by default.
  public var drawsReplay: Bool { false }
  /// Does nothing by default.
  public mutating func taskWillStart(_ context: TaskContext) throws {}
  /// Leaves the gradient as it is by default.
  public mutating func gradientsDidCompute(_ gradients: inout NamedTensors, step: StepContext) throws {}
  /// Does nothing by default.
  public mutating func stepDidFinish(_ step: StepObservation) throws {}
  /// Does nothing by default.
  public mutating func taskDidFinish(_ context: TaskContext) throws {}
}
