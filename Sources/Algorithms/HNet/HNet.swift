import ContinualCore
import ContinualEngine
import Foundation

/// HNet: continual learning with task-conditioned hypernetworks (von Oswald, Henning, Sacramento &
/// Grewe, ICLR 2020).
///
/// The scenario's network becomes the *target* of a ``Hypernetwork``: its weights are generated from
/// a learned embedding of the task, and the ``HypernetworkOutputRegulariser`` keeps the weights
/// generated for earlier tasks where they were. The objective while training task `T`:
///
/// ```
/// L = L_task(h(e_T, Θ_h), data_T) + β/|S| Σ_{s∈S} ‖h(e_s, Θ_h*) − h(e_s, Θ_h + ΔΘ_h)‖²
/// ```
///
/// Scenarios: task-incremental (the task id picks the embedding and the head), domain-incremental
/// (one shared head) and class-incremental (each task trains on its own head, a
/// ``TaskInferenceHead``); without the task id at prediction the embedding is inferred per sample by
/// the lowest predictive entropy (HNET+ENT).
///
/// Defaults are the paper's split-MNIST configuration [hypercl mnist/train_args_default.py]:
/// generator 10,10 (ReLU), chunks of 42 000 weights, embeddings 96/96, β = 0.01, lookahead. Every
/// task starts with a fresh optimiser state (both official codes create their optimisers per task),
/// and other tasks' embeddings are frozen while a task trains.
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario task,class --algorithms hnet --hidden 400,400 \
///   --iterations 2000 --set hnet.beta=0.01
/// ```
public enum HNet: Algorithm {
  /// β, the output regulariser's weight.
  public static let beta = Setting<Float>("beta", default: 0.01, "output-regulariser weight β", in: 0...1e12)
  /// Whether the regulariser is evaluated at the optimiser's would-be step.
  public static let lookahead = Setting<Bool>(
    "lookahead", default: true, "evaluate the regulariser at Θ + ΔΘ, ΔΘ the optimiser's would-be step")
  /// Where the regulariser's targets come from.
  public static let targets = Setting<HypernetworkOutputRegulariser.Targets>(
    "targets", default: .snapshot, "snapshot targets at each task start, or recompute them each step from stored Θ*")
  /// Previous tasks regularised per step.
  public static let regularisedTasks = Setting<Int>(
    "reg-tasks", default: 0, "regularise this many random previous tasks per step (0 = all)", in: 0...100_000)
  /// Whether earlier task embeddings take the regulariser's gradient.
  public static let previousEmbeddings = Setting<HypernetworkOutputRegulariser.PreviousEmbeddings>(
    "previous-embeddings", default: .fixed,
    "fixed (hypercl) or regularised: earlier embeddings get the regulariser's gradient (PR-CL)")
  /// Which generated weights the regulariser compares.
  public static let regularisedOutputs = Setting<HypernetworkOutputRegulariser.RegularisedOutputs>(
    "reg-outputs", default: .all, "all generated weights, or own: skip other tasks' output units (PR-CL)")
  /// How the task loss is scaled.
  public static let lossScale = Setting<HypernetworkOutputRegulariser.LossScale>(
    "loss-scale", default: .mean, "mean cross-entropy, or samples: times the task's training-set size (PR-CL)")
  /// The gradient-norm clip.
  public static let clipNorm = Setting<Float>(
    "clip-norm", default: 0, "clip the whole gradient to this L2 norm (0 = off)", in: 0...1e12)
  /// The generator's hidden widths.
  public static let hidden = Setting<[Int]>(
    "hidden", default: [10, 10], "generator hidden widths (none = one linear map)", eachIn: 1...100_000)
  /// The generator's hidden nonlinearity.
  public static let activation = Setting<Hypernetwork.Activation>(
    "activation", default: .relu, "generator hidden nonlinearity")
  /// How the generator's linear layers start; added after HNet runs were recorded, so it stays
  /// out of the records at its default.
  public static let initialisation = Setting<Hypernetwork.GeneratorInitialisation>(
    "init", default: .xavier,
    "generator initialisation: xavier weights, zero biases (hypercl) or pytorch's default (hypnettorch)"
  ).omittedFromRecordsAtDefault()
  /// Weights generated per chunk.
  public static let chunk = Setting<Int>(
    "chunk", default: 42000, "weights generated per chunk (0 = all at once, no chunk embeddings)", in: 0...100_000_000)
  /// The chunk-embedding size.
  public static let chunkEmbedding = Setting<Int>(
    "chunk-embedding", default: 96, "chunk-embedding size", in: 1...100_000)
  /// The task-embedding size.
  public static let embedding = Setting<Int>("embedding", default: 96, "task-embedding size", in: 1...100_000)
  /// Whether each task has its own chunk embeddings.
  public static let conditionalChunks = Setting<Bool>(
    "conditional-chunks", default: false, "one set of chunk embeddings per task (hypnettorch cond_chunk_embs)")
  /// The initial task-embedding standard deviation.
  public static let embeddingStandardDeviation = Setting<Float>(
    "embedding-std", default: 1, "initial task-embedding standard deviation", in: 0...100)
  /// The initial chunk-embedding standard deviation.
  public static let chunkEmbeddingStandardDeviation = Setting<Float>(
    "chunk-embedding-std", default: 1, "initial chunk-embedding standard deviation", in: 0...100)
  /// Whether the optimiser starts afresh at every task.
  public static let resetOptimiser = Setting<Bool>(
    "reset-optimiser", default: true, "a fresh optimiser state at every task (official)")

  /// `hnet`: the hypernetwork's shape, the regulariser and the optimisation details (see ``HNet``).
  public static let configuration = AlgorithmConfiguration(
    name: "hnet",
    summary:
      "HNet (von Oswald et al. 2020): a hypernetwork generates the network's weights from a task embedding; "
      + "output regulariser; HNET+ENT task inference.",
    settings: [
      beta, lookahead, targets, regularisedTasks, previousEmbeddings, regularisedOutputs, lossScale, clipNorm, hidden,
      activation, initialisation, chunk,
      chunkEmbedding, embedding, conditionalChunks, embeddingStandardDeviation, chunkEmbeddingStandardDeviation,
      resetOptimiser,
    ])

  /// The hypernetwork around the scenario's network, the output regulariser, the heads, the frozen
  /// embeddings and the optimiser reset.
  ///
  /// - Parameter settings: Validated `hnet.*` values.
  /// - Returns: The components.
  /// - Throws: Nothing today; the signature is the ``Algorithm`` requirement's.
  public static func components(_ settings: Settings) throws -> AlgorithmComponents {
    let regulariser = HypernetworkOutputRegulariser(
      strength: settings[beta], lookahead: settings[lookahead], targets: settings[targets],
      tasksPerStep: settings[regularisedTasks],
      previousEmbeddings: settings[previousEmbeddings], outputs: settings[regularisedOutputs],
      lossScale: settings[lossScale],
      clipNorm: settings[clipNorm])
    let shape = HypernetworkShape(settings)
    let trainsPrevious = regulariser.previousEmbeddings == .regularised
    var components = AlgorithmComponents(
      regularisers: [regulariser], head: head(layout:scenario:),
      architecture: { target, layout, scenario in
        Sequential([shape.hypernetwork(target: target, layout: layout, scenario: scenario)])
      },
      frozenParameters: { task, names in frozenParameters(task: task, names: names, trainsPrevious: trainsPrevious) },
      resetsOptimiser: settings[resetOptimiser], notes: notes(for:))
    components.warnings = warnings(for:)
    return components
  }

  /// HNet's head in a scenario: a ``MultiHead`` (task-incremental), a ``SharedHead``
  /// (domain-incremental) or a ``TaskInferenceHead`` (class-incremental).
  ///
  /// - Throws: ``HNetError/unsupportedScenario(_:)`` for a domain-incremental sequence whose tasks
  ///   have different numbers of classes.
  @Sendable public static func head(layout: TaskLayout, scenario: Scenario) throws -> any Head {
    switch scenario {
    case .task: return MultiHead(layout: layout)
    case .class: return TaskInferenceHead(layout: layout)
    case .domain:
      guard let first = layout.classCounts.first, layout.classCounts.allSatisfy({ $0 == first }) else {
        throw HNetError.unsupportedScenario(
          "the domain scenario needs the same number of classes in every task, got \(layout.classCounts)")
      }
      return SharedHead(classCount: first)
    }
  }

  /// The parameters that stay fixed while `task` trains: every other task's embeddings (with
  /// `trainsPrevious`, only later tasks', so the regulariser can train earlier ones).
  ///
  /// - Parameters:
  ///   - task: The task being trained.
  ///   - names: Every parameter name of the model.
  ///   - trainsPrevious: Whether earlier tasks' embeddings are trained by the regulariser.
  /// - Returns: The names to freeze.
  public static func frozenParameters(task: Int, names: [String], trainsPrevious: Bool) -> Set<String> {
    Set(
      names.filter { name in
        guard let owner = Hypernetwork.task(ofParameter: name) else { return false }
        return trainsPrevious ? owner > task : owner != task
      })
  }

  /// The compression ratio and sizes of the model's hypernetwork, for the run record.
  ///
  /// - Parameter architecture: The model's network.
  /// - Returns: `hnet.compression_ratio`, `hnet.hypernetwork_parameters`, `hnet.target_parameters`,
  ///   `hnet.chunks` and `hnet.initial_scale` (``Hypernetwork/initialSignalScale(seed:)``); empty
  ///   without a hypernetwork.
  @Sendable public static func notes(for architecture: Sequential) -> [String: String] {
    guard let hnet = architecture.layers.lazy.compactMap({ $0 as? Hypernetwork }).first else { return [:] }
    var notes = [
      "hnet.compression_ratio": String(format: "%.4f", hnet.compressionRatio),
      "hnet.hypernetwork_parameters": String(hnet.parameterCount),
      "hnet.target_parameters": String(hnet.targetWeightCount),
      "hnet.chunks": String(hnet.chunkCount),
    ]
    if let scale = try? hnet.initialSignalScale() { notes["hnet.initial_scale"] = String(format: "%.3g", scale) }
    return notes
  }

  /// How far (as a factor either way) the target's initial signal scale under the hypernetwork may
  /// be from its own initialisation's before ``warnings(for:)`` warns: three orders of magnitude.
  public static let signalScaleTolerance = 1000.0

  /// A warning when the generated weights start the target's signal more than
  /// ``signalScaleTolerance`` times smaller or larger than its own initialisation does
  /// (``Hypernetwork/initialSignalScale(seed:)``): with the paper's split-MNIST generator (the
  /// `hnet.*` defaults) the `zenke` CNN starts with vanishing logits and tasks can stay at chance.
  ///
  /// - Parameter architecture: The model's network.
  /// - Returns: One warning, or none (also without a hypernetwork).
  @Sendable public static func warnings(for architecture: Sequential) -> [String] {
    guard let hnet = architecture.layers.lazy.compactMap({ $0 as? Hypernetwork }).first,
      let scale = try? hnet.initialSignalScale(),
      scale < 1 / signalScaleTolerance || scale > signalScaleTolerance
    else { return [] }
    let direction = scale < 1 ? "smaller" : "larger"
    let factor = String(format: "%.2g", scale < 1 ? 1 / scale : scale)
    return [
      "hnet: the generated weights start the target network's signal about \(factor)× \(direction) than "
        + "its own initialisation does (hnet.initial_scale \(String(format: "%.3g", scale)), the product over "
        + "its layers of the generated weights' RMS over its own), so its logits start "
        + (scale < 1 ? "near zero and tasks can stay at chance" : "large")
        + "; change hnet.hidden, hnet.chunk, hnet.embedding or hnet.chunk-embedding (for the zenke CNN: "
        + "--preset hnet2020-split-cifar10, the paper's CIFAR configuration)"
    ]
  }
}

/// The hypernetwork settings of a run, turned into a ``Hypernetwork`` once the target is known.
struct HypernetworkShape: Sendable {
  var hidden: [Int]
  var activation: Hypernetwork.Activation
  var initialisation: Hypernetwork.GeneratorInitialisation
  var chunk: Int
  var chunkEmbedding: Int
  var embedding: Int
  var conditionalChunks: Bool
  var embeddingStandardDeviation: Float
  var chunkEmbeddingStandardDeviation: Float

  init(_ settings: Settings) {
    hidden = settings[HNet.hidden]
    activation = settings[HNet.activation]
    initialisation = settings[HNet.initialisation]
    chunk = settings[HNet.chunk]
    chunkEmbedding = settings[HNet.chunkEmbedding]
    embedding = settings[HNet.embedding]
    conditionalChunks = settings[HNet.conditionalChunks]
    embeddingStandardDeviation = settings[HNet.embeddingStandardDeviation]
    chunkEmbeddingStandardDeviation = settings[HNet.chunkEmbeddingStandardDeviation]
  }

  func hypernetwork(target: Sequential, layout: TaskLayout, scenario: Scenario) -> Hypernetwork {
    var hypernetwork = Hypernetwork(
      target: target, taskCount: layout.taskCount, embeddingSize: embedding, hidden: hidden, activation: activation,
      chunkSize: chunk > 0 ? chunk : nil, chunkEmbeddingSize: chunkEmbedding,
      conditionalChunkEmbeddings: conditionalChunks,
      embeddingStandardDeviation: embeddingStandardDeviation,
      chunkEmbeddingStandardDeviation: chunkEmbeddingStandardDeviation,
      outputGroups: scenario == .domain ? nil : (0..<layout.taskCount).map(layout.columns))
    hypernetwork.initialisation = initialisation
    return hypernetwork
  }
}
