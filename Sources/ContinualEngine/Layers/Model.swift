/// A ``Sequential`` network together with its parameter values.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// var model = Model(Sequential([Linear(784, 400), ReLU(), Linear(400, 10)]), rng: &rng)
/// let tape = Tape()
/// let pass = try model.forward(tape.constant(images), on: tape, training: true)
/// let loss = try crossEntropy(logits: pass.output, labels: labels)
/// let gradients = try pass.gradients(of: loss)
/// var adam = Adam(learningRate: 1e-3)
/// try adam.update(&model.parameters, along: gradients)
/// ```
public struct Model: Sendable {
  /// The architecture.
  public var architecture: Sequential
  /// The parameter values, named as ``Sequential/parameterNames``.
  public var parameters: NamedTensors
  /// The model's state besides its parameters (BatchNorm's running statistics), named as
  /// ``Sequential/stateSpecs``; empty for most networks. Optimisers, regularisers and importance
  /// estimators see only ``parameters``; a training pass reports updated state in
  /// ``Pass/state``, which the trainer keeps.
  public var state: NamedTensors
  /// The task every forward pass asks task-conditioned layers to serve (see
  /// ``ForwardContext/task``); `nil` when unknown. A continual-learning trainer sets it to the task
  /// being trained, and at evaluation to the task only where the scenario gives the task id.
  public var task: Int?
  /// How many tasks have been learned so far (see ``ForwardContext/learnedTasks``); `nil`: all.
  public var learnedTasks: Int?

  /// The model as it trains task `t` (counted from 0): task-conditioned layers serve `t`, and
  /// `t + 1` tasks are learned.
  ///
  /// ```swift
  /// let pass = try model.training(task: 2).forward(tape.constant(batch.inputs), on: tape)
  /// ```
  public func training(task t: Int) -> Model {
    var model = self
    model.task = t
    model.learnedTasks = t + 1
    return model
  }

  /// Creates a model with freshly initialised parameters.
  public init(_ architecture: Sequential, rng: inout SeededGenerator) {
    self.architecture = architecture
    let specs = architecture.parameterSpecs
    parameters = try! NamedTensors(
      names: specs.map(\.name), tensors: specs.map { $0.initialiser.tensor($0.shape, using: &rng) })
    state = Self.initialState(architecture)
  }

  /// Every state tensor of `architecture` at its initial value.
  public static func initialState(_ architecture: Sequential) -> NamedTensors {
    let specs = architecture.stateSpecs
    return try! NamedTensors(
      names: specs.map(\.name), tensors: specs.map { Tensor(shape: $0.shape, repeating: $0.initialValue) })
  }

  /// Creates a model with given parameters and, when given, state (initial state otherwise).
  ///
  /// - Throws: ``TensorError`` when the names or shapes do not match the architecture.
  public init(_ architecture: Sequential, parameters: NamedTensors, state: NamedTensors? = nil) throws {
    let specs = architecture.parameterSpecs
    for spec in specs {
      guard let tensor = parameters[spec.name] else {
        throw TensorError.invalidArgument(
          operation: "Model", reason: "missing parameter '\(spec.name)' (shape \(spec.shape))")
      }
      guard tensor.shape == spec.shape else {
        throw TensorError.shapeMismatch(
          operation: "Model", shapes: [spec.shape, tensor.shape], reason: "parameter '\(spec.name)' has the wrong shape"
        )
      }
    }
    self.architecture = architecture
    self.parameters = try NamedTensors(names: specs.map(\.name), tensors: specs.map { parameters[$0.name]! })
    self.state = Self.initialState(architecture)
    if let state {
      let expected = self.state
      guard state.names == expected.names, state.tensors.map(\.shape) == expected.tensors.map(\.shape) else {
        throw TensorError.invalidArgument(
          operation: "Model",
          reason:
            "the state \(state.names) does not match the architecture's \(expected.names) (names or shapes differ)")
      }
      self.state = state
    }
  }

  /// A forward pass: the recorded weights, each layer's output and the final output.
  public struct Pass {
    /// The parameters as recorded on the tape, in ``Model/parameters`` order.
    public var weights: [Variable]
    /// Every layer's output.
    public var trace: ForwardTrace
    /// The parameter names, to label gradients.
    public var names: [String]
    /// The model's state after the pass: updated running statistics after a training pass,
    /// unchanged otherwise.
    public var state: NamedTensors
    /// The final output.
    public var output: Variable { trace.output }

    /// Creates a pass from weights recorded on a tape, the trace computed from them and the
    /// state after it.
    public init(weights: [Variable], trace: ForwardTrace, names: [String], state: NamedTensors = NamedTensors()) {
      self.weights = weights
      self.trace = trace
      self.names = names
      self.state = state
    }

    /// The gradients of a scalar with respect to every parameter, named like the parameters.
    ///
    /// - Throws: See `Tape.gradients(of:withRespectTo:)`.
    public func gradients(of loss: Variable) throws -> NamedTensors {
      try NamedTensors(names: names, tensors: loss.tape.gradients(of: loss, withRespectTo: weights))
    }
  }

  /// Runs the network on a batch, recording on `tape`; task-conditioned layers serve ``task``.
  ///
  /// - Parameters:
  ///   - input: A batch recorded on `tape`.
  ///   - tape: The tape to record on; its ``Tape/isRecording`` decides whether gradients are possible.
  ///   - training: Whether dropout is active.
  ///   - rng: The generator for dropout masks.
  ///   - taps: When given, records every ``PerSampleGradientLayer``'s input and output.
  /// - Returns: The recorded weights, every layer's output and the final output.
  /// - Throws: ``TensorError`` when the input does not fit the architecture.
  public func forward(
    _ input: Variable, on tape: Tape, training: Bool = false, rng: SeededGenerator = SeededGenerator(seed: 0),
    taps: LayerTaps? = nil
  ) throws -> Pass {
    try forward(input, on: tape, training: training, rng: rng, taps: taps, keepingActivations: true)
  }

  /// ``forward(_:on:training:rng:taps:)``, with the trace keeping every layer's output or, when
  /// only the final output is wanted, none (see ``ForwardContext/keepsActivations``).
  func forward(
    _ input: Variable, on tape: Tape, training: Bool = false, rng: SeededGenerator = SeededGenerator(seed: 0),
    taps: LayerTaps? = nil, keepingActivations: Bool
  ) throws -> Pass {
    let weights = tape.variables(parameters.tensors)
    var context = ForwardContext(training: training, rng: rng, task: task, learnedTasks: learnedTasks)
    context.taps = taps
    context.state = state.tensors
    context.keepsActivations = keepingActivations
    let trace = try architecture.trace(input, weights: weights[...], context: &context)
    var after = state
    after.tensors = context.state
    return Pass(weights: weights, trace: trace, names: parameters.names, state: after)
  }

  /// The output for a batch, without recording gradients.
  ///
  /// - Throws: ``TensorError`` when the input does not fit the architecture.
  public func predict(_ input: Tensor) throws -> Tensor {
    // Neither the tape nor the trace keeps activations: the memory is that of the layers in use.
    let tape = Tape(recording: false)
    return try forward(tape.constant(input), on: tape, keepingActivations: false).output.value
  }
}
