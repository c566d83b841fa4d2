import ContinualEngine

/// A task-conditioned hypernetwork (von Oswald, Henning, Sacramento & Grewe, ICLR 2020): a layer
/// whose own parameters are a small generator network, its chunk embeddings and one task embedding
/// per task, and which runs a *target* network with weights it generates from the selected task's
/// embedding.
///
/// The target network has no weights of its own. For task `t` the generator maps the task embedding
/// `e_t` to the target's flattened weight vector `Θ_t = h(e_t, Θ_h)` (all weights and biases, in
/// ``Sequential/parameterSpecs`` order, length `n_W`). With chunking, the vector is produced in
/// `⌈n_W / chunkSize⌉` chunks, chunk `i` being `h([e_t ; c_i])` for a learned chunk embedding `c_i`;
/// the chunks are concatenated and cut to `n_W`. The generated vector is cut into the target's
/// parameter shapes and the target runs functionally on them, so gradients flow from the task loss
/// through the target network into the generator and the embedding.
///
/// Which task the layer serves comes from ``ForwardContext/task``. When it is `nil` (the scenario
/// does not give the task id at prediction), the layer infers the task per sample (HNET+ENT, see
/// ``predictiveEntropies(logits:columns:)``): it runs every learned task's weights and keeps, for
/// each sample, the prediction with the lowest predictive entropy.
///
/// ```swift
/// let target = Sequential([Flatten(), Linear(784, 100), ReLU(), Linear(100, 100), ReLU(), Linear(100, 10)])
/// let hnet = Hypernetwork(target: target, taskCount: 5, hidden: [10, 10, 10, 10], chunkSize: 8000)
/// var rng = SeededGenerator(seed: 1)
/// var model = Model(Sequential([hnet]), rng: &rng)
/// model.task = 2                              // generate the weights of task 2
/// let logits = try model.predict(images)
/// ```
///
/// Parameters, in order (each name prefixed by the layer's position in its `Sequential`):
/// `generator.<i>.weight/bias` (the generator MLP, Xavier-uniform weights and zero biases), `chunks`
/// (`[chunkCount, chunkEmbeddingSize]`, shared chunk embeddings, `N(0, σ_c²)`), then per task `t`
/// `embedding.<t>` (`[embeddingSize]`, `N(0, σ_e²)`) and, with conditional chunk embeddings,
/// `chunks.<t>` instead of the shared `chunks`.
///
/// - Complexity: Generating one task's weights costs one pass of the generator over `chunkCount`
///   rows; the inferred-task forward costs one target pass per learned task.
public struct Hypernetwork: Layer {
  /// How the generator's linear layers start.
  public enum GeneratorInitialisation: String, Sendable, CaseIterable {
    /// Xavier-uniform weights, zero biases: the authors' `hypercl` code.
    case xavier
    /// PyTorch's default `U(±1/√fan-in)` weights and biases: the authors' later `hypnettorch`,
    /// whose `ChunkedHMLP` leaves its layers at PyTorch's default.
    case pytorch
  }

  /// The generator's hidden-layer nonlinearity.
  public enum Activation: String, Sendable, CaseIterable {
    /// `max(0, x)`.
    case relu
    /// `x` for `x > 0`, `eˣ − 1` otherwise.
    case elu
    /// `1 / (1 + e⁻ˣ)`.
    case sigmoid
    /// `tanh x`.
    case tanh

    /// The layer that applies it.
    var layer: any Layer {
      switch self {
      case .relu: ReLU()
      case .elu: ELU()
      case .sigmoid: Sigmoid()
      case .tanh: Tanh()
      }
    }
  }

  /// The network whose weights are generated; it holds none of its own.
  public var target: Sequential
  /// The number of tasks (one embedding each).
  public var taskCount: Int
  /// The size of a task embedding.
  public var embeddingSize: Int
  /// The generator's hidden-layer widths (empty: one linear map).
  public var hidden: [Int]
  /// The generator's hidden nonlinearity.
  public var activation: Activation
  /// How the generator's linear layers start (Xavier unless set).
  public var initialisation = GeneratorInitialisation.xavier
  /// Weights generated per chunk; `nil` generates all `n_W` weights at once (no chunk embeddings).
  public var chunkSize: Int?
  /// The size of a chunk embedding.
  public var chunkEmbeddingSize: Int
  /// Whether every task has its own chunk embeddings (hypnettorch's `cond_chunk_embs`) instead of
  /// one shared set.
  public var conditionalChunkEmbeddings: Bool
  /// The standard deviation of the initial task embeddings.
  public var embeddingStandardDeviation: Float
  /// The standard deviation of the initial chunk embeddings.
  public var chunkEmbeddingStandardDeviation: Float
  /// The output columns each task's predictions are read from (a multi-head target), or `nil` when
  /// all tasks share every output. Task inference scores each task's predictive entropy over its
  /// own columns and, with groups, masks the other tasks' columns of the output.
  public var outputGroups: [Range<Int>]?

  /// Creates a hypernetwork for a target network.
  ///
  /// - Parameters:
  ///   - target: The network whose weights are generated.
  ///   - taskCount: The number of tasks.
  ///   - embeddingSize: The size of each task embedding.
  ///   - hidden: The generator's hidden-layer widths.
  ///   - activation: The generator's hidden nonlinearity.
  ///   - chunkSize: Weights per chunk (`nil`: no chunking).
  ///   - chunkEmbeddingSize: The size of each chunk embedding.
  ///   - conditionalChunkEmbeddings: One set of chunk embeddings per task instead of a shared one.
  ///   - embeddingStandardDeviation: The initial task embeddings' standard deviation.
  ///   - chunkEmbeddingStandardDeviation: The initial chunk embeddings' standard deviation.
  ///   - outputGroups: Each task's output columns (multi-head), or `nil` for shared outputs.
  public init(
    target: Sequential, taskCount: Int, embeddingSize: Int = 32, hidden: [Int] = [10, 10],
    activation: Activation = .relu,
    chunkSize: Int? = nil, chunkEmbeddingSize: Int = 32, conditionalChunkEmbeddings: Bool = false,
    embeddingStandardDeviation: Float = 1,
    chunkEmbeddingStandardDeviation: Float = 1, outputGroups: [Range<Int>]? = nil
  ) {
    self.target = target
    self.taskCount = taskCount
    self.embeddingSize = embeddingSize
    self.hidden = hidden
    self.activation = activation
    self.chunkSize = chunkSize
    self.chunkEmbeddingSize = chunkEmbeddingSize
    self.conditionalChunkEmbeddings = conditionalChunkEmbeddings
    self.embeddingStandardDeviation = embeddingStandardDeviation
    self.chunkEmbeddingStandardDeviation = chunkEmbeddingStandardDeviation
    self.outputGroups = outputGroups
  }

  // MARK: - Sizes

  /// The number of target weights `n_W` (all weights and biases of ``target``).
  public var targetWeightCount: Int { target.parameterSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) } }

  /// Whether the output is produced in chunks.
  public var isChunked: Bool { chunkSize != nil }

  /// The number of generator rows per task: `⌈n_W / chunkSize⌉`, or 1 without chunking.
  public var chunkCount: Int {
    guard let chunkSize else { return 1 }
    return (targetWeightCount + chunkSize - 1) / max(chunkSize, 1)
  }

  /// The generator's output width: the chunk size, or `n_W` without chunking.
  public var generatorOutputSize: Int { chunkSize ?? targetWeightCount }

  /// The generator's input width: task embedding plus chunk embedding.
  public var generatorInputSize: Int { embeddingSize + (isChunked ? chunkEmbeddingSize : 0) }

  /// The generator MLP: `Linear → activation → … → Linear`, initialised as ``initialisation`` says.
  public var generator: Sequential {
    let xavier = initialisation == .xavier
    func linear(_ from: Int, _ to: Int) -> Linear {
      // `nil` initialisers are Linear's own: PyTorch's default.
      Linear(from, to, weightInitialiser: xavier ? .xavierUniform : nil, biasInitialiser: xavier ? .zeros : nil)
    }
    var layers: [any Layer] = []
    var width = generatorInputSize
    for h in hidden {
      layers += [linear(width, h), activation.layer]
      width = h
    }
    layers.append(linear(width, generatorOutputSize))
    return Sequential(layers)
  }

  /// The number of parameter tensors shared by all tasks (the generator and shared chunk embeddings):
  /// `Θ_h`, the parameters the output regulariser protects. They come first in ``parameterSpecs``.
  public var sharedParameterCount: Int {
    generator.parameterSpecs.count + (isChunked && !conditionalChunkEmbeddings ? 1 : 0)
  }

  /// The number of parameter tensors each task owns (its embedding, and its chunk embeddings when
  /// they are conditional).
  public var parametersPerTask: Int { isChunked && conditionalChunkEmbeddings ? 2 : 1 }

  /// The positions in ``parameterSpecs`` of the parameters task `t` owns.
  ///
  /// - Parameter task: A task in `0..<taskCount`.
  /// - Returns: The task embedding's position, then its chunk embeddings' when conditional.
  public func conditionalParameterIndices(task: Int) -> Range<Int> {
    let start = sharedParameterCount + task * parametersPerTask
    return start..<start + parametersPerTask
  }

  /// The total number of this layer's parameters (generator, chunk and task embeddings), the
  /// numerator of the compression ratio.
  public var parameterCount: Int { parameterSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) } }

  /// Hypernetwork parameters per target weight (`parameterCount / n_W`), as the official code reports
  /// it; below 1 the hypernetwork compresses the target.
  public var compressionRatio: Double { Double(parameterCount) / Double(max(targetWeightCount, 1)) }

  /// The task a parameter belongs to, from its name (`…embedding.3` or `…chunks.3` → 3); `nil` for
  /// shared parameters.
  ///
  /// - Parameter name: A parameter name, possibly prefixed by the layer's position (`0.embedding.3`).
  /// - Returns: The owning task, or `nil`.
  public static func task(ofParameter name: String) -> Int? {
    let parts = name.split(separator: ".")
    guard parts.count >= 2, let task = Int(parts[parts.count - 1]),
      ["embedding", "chunks"].contains(parts[parts.count - 2])
    else {
      return nil
    }
    return task
  }

  // MARK: - Layer

  /// The generator's parameters, the shared chunk embeddings, then each task's embedding (and
  /// conditional chunk embeddings).
  public var parameterSpecs: [ParameterSpec] {
    var specs = generator.parameterSpecs.map {
      ParameterSpec(name: "generator.\($0.name)", shape: $0.shape, initialiser: $0.initialiser)
    }
    let chunks = ParameterSpec(
      name: "chunks", shape: [chunkCount, chunkEmbeddingSize],
      initialiser: .normal(mean: 0, standardDeviation: chunkEmbeddingStandardDeviation))
    if isChunked && !conditionalChunkEmbeddings { specs.append(chunks) }
    for t in 0..<taskCount {
      specs.append(
        ParameterSpec(
          name: "embedding.\(t)", shape: [embeddingSize],
          initialiser: .normal(mean: 0, standardDeviation: embeddingStandardDeviation)))
      if isChunked && conditionalChunkEmbeddings {
        specs.append(ParameterSpec(name: "chunks.\(t)", shape: chunks.shape, initialiser: chunks.initialiser))
      }
    }
    return specs
  }

  /// The target's state (BatchNorm's running statistics) once per task, as `task.<t>.<name>`:
  /// the generated weights include BatchNorm's gains and offsets, but each task keeps its own
  /// statistics, as the HNet authors' code checkpoints them per task. A forward pass for task `t`
  /// (given or inferred) normalises with, and in training updates, task `t`'s statistics only.
  public var stateSpecs: [StateSpec] {
    StateSpec.perTask(target.stateSpecs, tasks: taskCount)
  }

  /// The target's output shape.
  public func outputShape(forInput shape: [Int]) throws -> [Int] { try target.outputShape(forInput: shape) }

  /// Runs the target with the weights of ``ForwardContext/task``, or, when the task is unknown,
  /// with the weights of the learned task whose prediction has the lowest entropy, per sample.
  ///
  /// - Throws: ``TensorError`` when shapes do not fit or the task is out of range.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    guard weights.count == parameterSpecs.count else {
      throw TensorError.invalidArgument(
        operation: "Hypernetwork", reason: "expected \(parameterSpecs.count) weights, got \(weights.count)")
    }
    if let task = context.task { return try runTarget(input, task: task, weights: weights, context: &context) }
    return try inferringTask(input, weights: weights, context: &context)
  }

  /// `Hypernetwork(12 chunks × 8000, hidden [10, 10], embedding 32, 5 tasks)`.
  public var description: String {
    let chunking = chunkSize.map { "\(chunkCount) chunks × \($0)" } ?? "unchunked"
    return
      "Hypernetwork(\(chunking), hidden \(hidden), embedding \(embeddingSize), \(taskCount) tasks, "
      + "n_W \(targetWeightCount))"
  }
}
