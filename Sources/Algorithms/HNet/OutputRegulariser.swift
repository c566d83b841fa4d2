import ContinualCore
import ContinualEngine

/// HNet's continual-learning mechanism: keep the weights the hypernetwork generates for earlier
/// tasks where they were (von Oswald et al., ICLR 2020, eq. 2).
///
/// While training task `T ≥ 1`:
///
/// ```
/// penalty = β / |S| · Σ_{s ∈ S} ‖ h(e_s, Θ*) − h(e_s, Θ + ΔΘ) ‖²
/// ```
///
/// over the previous tasks `S ⊆ {0, …, T−1}` (all of them, or a random subset of `tasksPerStep`
/// each step), where `h(e_s, Θ*)` are the targets: the weights generated for task `s` before task
/// `T` started. By default they are computed once at the task boundary and kept
/// (``Targets/snapshot``, the official default); ``Targets/recomputed`` stores `Θ*` and the
/// embeddings instead and recomputes them each step (constant memory, more compute; the official
/// `--online_target_computation`).
///
/// **Lookahead** (on in every paper configuration): `ΔΘ` is the step the optimiser would take on
/// the shared hypernetwork parameters from the task-loss gradient alone
/// (``StepContext/proposedChange``), held constant, so the penalty's gradient is evaluated where the
/// parameters are about to go [hypercl utils/optim_step.py:98-140]. Without lookahead `ΔΘ = 0`.
///
/// Previous tasks' embeddings enter as they are stored; with ``PreviousEmbeddings/fixed`` (the
/// original code, which gives only the current embedding an optimiser) no gradient reaches them,
/// with ``PreviousEmbeddings/regularised`` (hypnettorch-based code such as posterior_replay_cl,
/// whose single optimiser holds every embedding) the penalty's gradient trains them too.
///
/// The same regulariser carries two optimisation details of the reproductions it serves:
/// ``LossScale/samples`` (posterior_replay_cl multiplies the mean cross-entropy by the task's
/// number of training samples `N`: the penalty is then divided by `N` and the whole gradient
/// multiplied by `N`, which is that objective's gradient exactly) and gradient-norm clipping of
/// the whole gradient (``clipNorm``).
///
/// ```swift
/// var regulariser = HypernetworkOutputRegulariser(strength: 0.01)
/// try regulariser.taskWillStart(context)     // snapshots h(e_s, Θ*) for every s < T
/// let penalty = try regulariser.penalty(step) // on every batch of task T
/// ```
///
/// - Complexity: One generator pass over `|S| × chunkCount` rows per step (and one more with
///   ``Targets/recomputed``); the snapshot holds `T × n_W` floats.
public struct HypernetworkOutputRegulariser: Regulariser {
  /// Where the targets `h(e_s, Θ*)` come from.
  public enum Targets: String, Sendable, CaseIterable {
    /// Computed once when a task starts and kept (`T × n_W` floats).
    case snapshot
    /// Recomputed every step from a stored copy of the hypernetwork's parameters (constant memory).
    case recomputed
  }

  /// Whether earlier tasks' embeddings receive the penalty's gradient.
  public enum PreviousEmbeddings: String, Sendable, CaseIterable {
    /// No gradient reaches them: they stay as learned (hypercl, the paper's code).
    case fixed
    /// The penalty trains them too (hypnettorch / posterior_replay_cl, one optimiser for all).
    case regularised
  }

  /// Which generated weights each previous task's term compares.
  public enum RegularisedOutputs: String, Sendable, CaseIterable {
    /// Every target weight (hypercl: `inds_of_out_heads=None`).
    case all
    /// Every weight except the output units of other tasks' heads (posterior_replay_cl's
    /// `calc_regged_out_inds`); the same as `all` for a shared head.
    case own
  }

  /// The scale of the task loss the penalty is added to.
  public enum LossScale: String, Sendable, CaseIterable {
    /// The mean cross-entropy over the batch.
    case mean
    /// The mean cross-entropy times the task's number of training samples (posterior_replay_cl).
    case samples
  }

  /// `β`, the penalty's weight.
  public var strength: Float
  /// Whether the penalty is evaluated at `Θ + ΔΘ` (the optimiser's would-be step).
  public var lookahead: Bool
  /// Where the targets come from.
  public var targets: Targets
  /// Regularise a random subset of this many previous tasks each step (0: all of them).
  public var tasksPerStep: Int
  /// Whether earlier tasks' embeddings receive the penalty's gradient.
  public var previousEmbeddings: PreviousEmbeddings
  /// Which generated weights are compared.
  public var outputs: RegularisedOutputs
  /// The scale of the task loss.
  public var lossScale: LossScale
  /// Clip the whole gradient to this L2 norm after scaling (0: no clipping).
  public var clipNorm: Float

  /// The hypernetwork of the model, found at the first task's start.
  public private(set) var hypernetwork: Hypernetwork?
  /// The positions of the hypernetwork's parameters among the model's.
  public private(set) var parameterRange: Range<Int> = 0..<0
  /// The targets of the previous tasks, `[T, n_W]` (``Targets/snapshot``).
  public private(set) var snapshotTargets: Tensor?
  /// The hypernetwork's parameters when the current task started (``Targets/recomputed``).
  public private(set) var anchor: [Tensor]?
  /// The task being trained.
  public private(set) var task = 0
  /// The number of training samples of the task being trained (for ``LossScale/samples``).
  public private(set) var sampleCount = 1
  var masks: Tensor?
  var seed: UInt64 = 0

  /// Creates the regulariser.
  ///
  /// - Parameters:
  ///   - strength: `β` (0.01 in the paper's split-MNIST configuration).
  ///   - lookahead: Evaluate at `Θ + ΔΘ` (on in the paper).
  ///   - targets: Snapshot the targets at each task start, or recompute them every step.
  ///   - tasksPerStep: Regularise this many random previous tasks per step (0: all).
  ///   - previousEmbeddings: Whether earlier embeddings receive the penalty's gradient.
  ///   - outputs: Which generated weights are compared.
  ///   - lossScale: The scale of the task loss the penalty is added to.
  ///   - clipNorm: Clip the whole gradient to this norm (0: off).
  public init(
    strength: Float = 0.01, lookahead: Bool = true, targets: Targets = .snapshot, tasksPerStep: Int = 0,
    previousEmbeddings: PreviousEmbeddings = .fixed, outputs: RegularisedOutputs = .all, lossScale: LossScale = .mean,
    clipNorm: Float = 0
  ) {
    self.strength = strength
    self.lookahead = lookahead
    self.targets = targets
    self.tasksPerStep = tasksPerStep
    self.previousEmbeddings = previousEmbeddings
    self.outputs = outputs
    self.lossScale = lossScale
    self.clipNorm = clipNorm
  }

  /// `hnet`.
  public var name: String { "hnet" }

  /// The lookahead needs the task-loss gradient before the penalty.
  public var needsTaskGradients: Bool { lookahead }

  /// Finds the hypernetwork and, from the second task on, takes the targets (or the parameters to
  /// recompute them from) from the model as it is before the task trains.
  ///
  /// - Throws: ``HNetError/noHypernetwork`` when the model has no ``Hypernetwork`` layer.
  public mutating func taskWillStart(_ context: TaskContext) throws {
    try prepare(task: context.task, context: context)
  }

  /// Takes the next task's targets from the finished model (the same ones ``taskWillStart(_:)``
  /// takes, since nothing trains in between), so the penalty is ready as soon as a task ends.
  ///
  /// - Throws: ``HNetError/noHypernetwork`` when the model has no ``Hypernetwork`` layer.
  public mutating func taskDidFinish(_ context: TaskContext) throws {
    let taskCount = context.model.architecture.layers.lazy.compactMap { $0 as? Hypernetwork }.first?.taskCount ?? 0
    guard context.task + 1 < taskCount else { return }
    try prepare(task: context.task + 1, context: context)
  }

  /// Records the hypernetwork, the task and its targets (or anchor) for training `task`.
  mutating func prepare(task: Int, context: TaskContext) throws {
    let layers = context.model.architecture.layers
    guard let index = layers.firstIndex(where: { $0 is Hypernetwork }), let hnet = layers[index] as? Hypernetwork else {
      throw HNetError.noHypernetwork(context.model.architecture.description)
    }
    hypernetwork = hnet
    parameterRange = context.model.architecture.weightRanges[index]
    self.task = task
    sampleCount = max(context.data.count, 1)
    var rng = context.rng
    seed = rng.next()
    snapshotTargets = nil
    anchor = nil
    masks = nil
    guard task > 0 else { return }
    let parameters = Array(context.model.parameters.tensors[parameterRange])
    switch targets {
    case .snapshot: snapshotTargets = try Self.generated(hnet, parameters: parameters, tasks: Array(0..<task))
    case .recomputed: anchor = parameters
    }
    if outputs == .own, let groups = hnet.outputGroups {
      masks = try Self.ownHeadMasks(hnet, groups: groups, tasks: task)
    }
  }

  /// The previous tasks regularised at `iteration`: all of them, or a seeded random subset.
  ///
  /// - Parameter iteration: The iteration within the task.
  /// - Returns: Task indices in increasing order.
  public func regularisedTasks(iteration: Int) -> [Int] {
    guard tasksPerStep > 0, tasksPerStep < task else { return Array(0..<task) }
    var rng = SeededGenerator(seed: seed &+ UInt64(iteration) &* 0x9E37_79B9_7F4A_7C15)
    return Array(rng.permutation(task).prefix(tasksPerStep)).sorted()
  }

  /// `β / |S| · Σ_s ‖target_s − h(e_s, Θ + ΔΘ)‖²` on the step's tape, or `nil` during the first task
  /// or when `β = 0`.
  ///
  /// - Throws: ``HNetError/lookaheadUnavailable`` when the lookahead is on and the step carries no
  ///   task gradient or optimiser hook; ``TensorError`` when shapes do not fit.
  public func penalty(_ step: StepContext) throws -> Variable? {
    guard let hnet = hypernetwork, task > 0, strength != 0 else { return nil }
    let ids = regularisedTasks(iteration: step.iteration)
    var weights = Array(step.pass.weights[parameterRange])
    if lookahead {
      guard let taskGradients = step.taskGradients, let proposedChange = step.proposedChange else {
        throw HNetError.lookaheadUnavailable
      }
      let change = try proposedChange(lossScale == .samples ? taskGradients * Float(sampleCount) : taskGradients)
      for k in 0..<hnet.sharedParameterCount {
        weights[k] = try weights[k] + step.tape.constant(change.tensors[parameterRange.lowerBound + k])
      }
    }
    if previousEmbeddings == .fixed {
      for s in ids {
        for k in hnet.conditionalParameterIndices(task: s) { weights[k] = step.tape.constant(weights[k].value) }
      }
    }
    let predicted = try hnet.generate(tasks: ids, weights: weights[...])
    let target: Tensor
    if let snapshotTargets {
      target = try snapshotTargets.gather(indices: ids, alongAxis: 0)
    } else if let anchor {
      target = try Self.generated(hnet, parameters: anchor, tasks: ids)
    } else {
      return nil
    }
    var difference = try predicted - step.tape.constant(target)
    if let masks { difference = try difference * step.tape.constant(masks.gather(indices: ids, alongAxis: 0)) }
    let scale = strength / Float(ids.count) / (lossScale == .samples ? Float(sampleCount) : 1)
    return difference.squaredNorm() * scale
  }

  /// Rescales the gradient to the task's sample count (``LossScale/samples``) and clips its norm
  /// (``clipNorm``).
  public mutating func gradientsDidCompute(_ gradients: inout NamedTensors, step: StepContext) throws {
    if lossScale == .samples { gradients = gradients * Float(sampleCount) }
    guard clipNorm > 0 else { return }
    let norm = gradients.tensors.reduce(0.0) { $0 + Double($1.squaredNorm()) }.squareRoot()
    if norm > Double(clipNorm) { gradients = gradients * Float(Double(clipNorm) / (norm + 1e-6)) }
  }

  /// The generated weights of `tasks` for the hypernetwork's parameter values, without gradients.
  ///
  /// - Returns: A `[tasks.count, n_W]` tensor.
  static func generated(_ hnet: Hypernetwork, parameters: [Tensor], tasks: [Int]) throws -> Tensor {
    let tape = Tape(recording: false)
    return try hnet.generate(tasks: tasks, weights: tape.variables(parameters)[...]).value
  }

  /// Per previous task, 1 for every generated weight except those of other tasks' output units
  /// (the rows of the target's last `Linear` and the entries of its bias outside the task's columns).
  static func ownHeadMasks(_ hnet: Hypernetwork, groups: [Range<Int>], tasks: Int) throws -> Tensor {
    let specs = hnet.target.parameterSpecs
    guard let last = hnet.target.layers.lastIndex(where: { !$0.parameterSpecs.isEmpty }),
      let linear = hnet.target.layers[last] as? Linear
    else {
      throw HNetError.unsupportedTarget("reg-outputs=own needs a target whose last parametrised layer is Linear")
    }
    let range = hnet.target.weightRanges[last]
    let offsets = specs.indices.map { i in specs[..<i].reduce(0) { $0 + $1.shape.reduce(1, *) } }
    let n = hnet.targetWeightCount
    var mask = Tensor(shape: [tasks, n], repeating: 1)
    mask.withUnsafeMutableBufferPointer { m in
      for t in 0..<tasks {
        let row = m.baseAddress! + t * n
        for unit in 0..<linear.outputCount where !groups[t].contains(unit) {
          let w = offsets[range.lowerBound] + unit * linear.inputCount
          for k in 0..<linear.inputCount { row[w + k] = 0 }
          if linear.hasBias { row[offsets[range.lowerBound + 1] + unit] = 0 }
        }
      }
    }
    return mask
  }
}

/// Everything the regulariser holds — the hypernetwork, the targets of earlier tasks (or the
/// parameters to recompute them from), the task and the sampling seed — is rebuilt by
/// `taskWillStart` from the model as the previous task left it, which a checkpoint restores.
extension HypernetworkOutputRegulariser: StatelessBetweenTasks {}
