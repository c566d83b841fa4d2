import ContinualData
import ContinualEngine

/// How replay is configured: the memory's total budget, how exemplars are chosen, and how many are
/// replayed per mini-batch.
public struct ReplayConfiguration: Sendable, Equatable {
  /// How exemplars of a class are chosen.
  public enum Selection: String, Sendable, CaseIterable {
    /// The first samples of each class in the task's data order (the SS-IL official code).
    case first
    /// A seeded random subset of each class.
    case random
    /// iCaRL's herding: greedily pick samples whose running mean of penultimate-layer features best
    /// approximates the class mean.
    case herding
    /// Reservoir sampling over the stream of training samples (DER; Mammoth's buffer): the memory
    /// is filled after every step by ``ReplayMemory/offer(_:outputs:using:)``, not at task ends,
    /// keeps a uniform random subset of every sample offered so far, with no class balance, and
    /// keeps each stored sample's network outputs at the step it was offered.
    case reservoir
  }

  /// The total number of exemplars kept over all classes.
  public var capacity: Int
  /// How exemplars are chosen.
  public var selection: Selection
  /// Replayed samples per mini-batch (joined to the current task's batch).
  public var batchSize: Int

  /// Creates a configuration.
  public init(capacity: Int = 2000, selection: Selection = .first, batchSize: Int = 32) {
    self.capacity = capacity
    self.selection = selection
    self.batchSize = batchSize
  }

  /// `memory.size`: the total exemplar budget.
  public static let size = Setting<Int>(
    "size", default: 2000, "total exemplar budget over all classes", in: 1...10_000_000)
  /// `memory.selection`: how exemplars are chosen.
  public static let selection = Setting<Selection>(
    "selection", default: .first, "exemplar choice: first (official SS-IL), random, herding, reservoir (DER)")
  /// `memory.batch`: replayed samples per mini-batch.
  public static let batch = Setting<Int>("batch", default: 32, "replayed samples per mini-batch", in: 1...100_000)

  /// The `memory.*` settings the command line accepts.
  public static let hyperparameters: [Hyperparameter] = [size.declaration, selection.declaration, batch.declaration]

  /// A configuration from validated `memory.*` settings.
  public init(_ settings: Settings) {
    self.init(capacity: settings[Self.size], selection: settings[Self.selection], batchSize: settings[Self.batch])
  }
}

/// A fixed-budget exemplar memory: class-balanced and rebalanced after each task (selections
/// `first`, `random`, `herding`), or a reservoir filled after every step (`reservoir`).
///
/// **Class-balanced** (the default).
/// After task `t`: the quota is `q = ⌈capacity / classes seen⌉`; each new class adds `q` exemplars
/// (by the configured selection), each old class is truncated to its first `q`; if the total still
/// exceeds the budget, one exemplar is removed from each of the largest classes until it fits (ties
/// broken by class order), as the SS-IL official code does. Exemplars are stored as `(task, index)`
/// references into the training data, so the memory is small and exactly restorable.
///
/// **Reservoir** (``ReplayConfiguration/Selection/reservoir``): ``update(after:)`` does nothing;
/// the trainer offers each step's current samples with ``offer(_:outputs:using:)``. The `n`-th
/// sample offered is stored while fewer than `capacity` are; afterwards it replaces a uniformly
/// chosen slot `j` when `j = U{0, …, n−1} < capacity` (Vitter's algorithm R, as Mammoth's
/// `reservoir`). Each stored exemplar keeps the network's outputs for it at that step
/// (``Exemplar/outputs``), which DER replays; algorithms that do not need them ignore them.
///
/// ```swift
/// var memory = ReplayMemory(configuration: ReplayConfiguration(capacity: 200))
/// try memory.update(after: context)          // at the end of each task
/// let replayed = memory.sample(32, from: sequence, using: &rng)
/// ```
public struct ReplayMemory: Sendable, Equatable {
  /// One stored exemplar: a sample of a task's training data.
  public struct Exemplar: Sendable, Equatable, Hashable {
    /// The task the sample belongs to.
    public var task: Int
    /// The sample's index in that task's training data.
    public var index: Int
    /// The network's outputs for the sample when it was stored (reservoir memories only; DER's
    /// "dark knowledge"), `nil` otherwise.
    public var outputs: [Float]? = nil
  }

  /// The budget and selection.
  public var configuration: ReplayConfiguration
  /// Exemplars per class, keyed by `(task, local label)` in the order classes were added
  /// (class-balanced selections; empty for a reservoir).
  public internal(set) var classes: [(key: ClassKey, exemplars: [Exemplar])] = []
  /// The reservoir's slots, in slot order (``ReplayConfiguration/Selection/reservoir`` only).
  public internal(set) var reservoir: [Exemplar] = []
  /// How many samples have been offered to the reservoir so far.
  public internal(set) var offered = 0

  /// A class: its task and local label.
  public struct ClassKey: Sendable, Equatable, Hashable {
    /// The task.
    public var task: Int
    /// The local label within the task.
    public var label: Int
  }

  /// Creates an empty memory.
  public init(configuration: ReplayConfiguration) { self.configuration = configuration }

  /// Every exemplar, class after class (or slot after slot for a reservoir).
  public var exemplars: [Exemplar] { classes.flatMap(\.exemplars) + reservoir }

  /// The number of exemplars stored.
  public var count: Int { classes.reduce(reservoir.count) { $0 + $1.exemplars.count } }

  /// Whether nothing is stored.
  public var isEmpty: Bool { count == 0 }

  /// Adds the finished task's classes and rebalances to the budget.
  ///
  /// - Parameter context: The finished task (its data, and the model for herding).
  /// - Throws: `TensorError` when herding cannot run the model on the data.
  public mutating func update(after context: TaskContext) throws {
    guard configuration.selection != .reservoir else { return }  // filled by `offer` after each step
    let newLabels = Array(Set(context.data.labels)).sorted()
    let seen = classes.count + newLabels.count
    guard seen > 0 else { return }
    let quota = (configuration.capacity + seen - 1) / seen
    for i in classes.indices { classes[i].exemplars = Array(classes[i].exemplars.prefix(quota)) }
    var rng = context.rng
    for label in newLabels {
      let members = context.data.labels.indices.filter { context.data.labels[$0] == label }
      let chosen: [Int]
      switch configuration.selection {
      case .first: chosen = Array(members.prefix(quota))
      case .random:
        var shuffled = members
        rng.shuffle(&shuffled)
        chosen = Array(shuffled.prefix(quota))
      case .herding: chosen = try ReplayMemory.herding(members, count: quota, context: context)
      case .reservoir: chosen = []
      }
      classes.append(
        (ClassKey(task: context.task, label: label), chosen.map { Exemplar(task: context.task, index: $0) }))
    }
    // Over budget (the quota rounds up): remove one exemplar from each of the largest classes.
    var excess = count - configuration.capacity
    while excess > 0 {
      let largest = classes.indices.max { classes[$0].exemplars.count < classes[$1].exemplars.count }!
      classes[largest].exemplars.removeLast()
      excess -= 1
    }
  }

  /// `count` exemplars drawn uniformly with replacement, as a batch whose samples keep their own
  /// tasks and local labels (or `nil` when the memory is empty). The arguments are those of
  /// ``draw(_:from:currentTask:augmentation:using:)``, which draws without replacement.
  public func sample(
    _ count: Int, from sequence: TaskSequence, currentTask: Int, augmentation: Augmentation = .none,
    using rng: inout SeededGenerator
  ) -> Batch? {
    guard let all = exemplars(toDraw: count) else { return nil }
    let picked = (0..<count).map { _ in all[rng.nextInt(below: all.count)] }
    return Self.batch(of: picked, from: sequence, currentTask: currentTask, augmentation: augmentation, using: &rng)
  }

  /// Every stored exemplar, or `nil` when there is none or no sample is wanted.
  func exemplars(toDraw count: Int) -> [Exemplar]? {
    let all = exemplars
    return count > 0 && !all.isEmpty ? all : nil
  }

  /// The picked exemplars as a batch, each image augmented by a draw from `rng` made after the picks.
  static func batch(
    of picked: [Exemplar], from sequence: TaskSequence, currentTask: Int, augmentation: Augmentation,
    using rng: inout SeededGenerator
  ) -> Batch {
    let draws = augmentation.draws(count: picked.count, using: &rng)
    return Batch.gathering(
      picked.map { ($0.task, $0.index) }, from: sequence, currentTask: currentTask, augmentedBy: draws)
  }

  /// Offers a step's training samples to a reservoir memory (does nothing for the other
  /// selections): each is stored while the reservoir has room, afterwards it replaces slot
  /// `j = U{0, …, offered}` when `j < capacity`.
  ///
  /// ```swift
  /// memory.offer(batch, outputs: pass.output.value, using: &rng)   // after each optimiser step
  /// ```
  ///
  /// - Parameters:
  ///   - batch: The samples, with their ``Batch/indices`` (rows without indices are skipped).
  ///   - outputs: The network's `[batch, outputs]` outputs for the samples, kept with each stored
  ///     exemplar; `nil` to keep none.
  ///   - rng: The generator of the replacement draws.
  public mutating func offer(_ batch: Batch, outputs: Tensor?, using rng: inout SeededGenerator) {
    guard configuration.selection == .reservoir, let indices = batch.indices else { return }
    let width = outputs.map { $0.count / max(batch.count, 1) } ?? 0
    let values = outputs?.scalars
    for row in 0..<batch.count {
      let exemplar = Exemplar(
        task: batch.tasks[row], index: indices[row], outputs: values.map { Array($0[row * width..<(row + 1) * width]) })
      if reservoir.count < configuration.capacity {
        reservoir.append(exemplar)
      } else {
        let slot = rng.nextInt(below: offered + 1)
        if slot < configuration.capacity { reservoir[slot] = exemplar }
      }
      offered += 1
    }
  }

  /// Replayed samples and, when every one was stored with outputs, those outputs.
  public struct Replayed: Sendable {
    /// The replayed samples, each with its own task and local label.
    public var batch: Batch
    /// The outputs stored with each sample, `[count, outputs]`; `nil` when some sample has none.
    public var outputs: Tensor?
  }

  /// `count` distinct exemplars (all of them when fewer are stored) drawn uniformly without
  /// replacement, as Mammoth's buffer draws, with their stored outputs.
  ///
  /// - Parameters:
  ///   - count: The number of samples wanted.
  ///   - sequence: The task sequence the exemplars refer to.
  ///   - currentTask: The task being trained.
  ///   - augmentation: Random changes to the replayed images (drawn from `rng` after the picks).
  ///   - rng: The generator the draw uses.
  /// - Returns: The samples and their outputs, or `nil` when the memory is empty.
  public func draw(
    _ count: Int, from sequence: TaskSequence, currentTask: Int, augmentation: Augmentation = .none,
    using rng: inout SeededGenerator
  ) -> Replayed? {
    guard var all = exemplars(toDraw: count) else { return nil }
    let n = min(count, all.count)
    for k in 0..<n { all.swapAt(k, k + rng.nextInt(below: all.count - k)) }  // a partial Fisher–Yates shuffle
    let picked = Array(all.prefix(n))
    let batch = Self.batch(
      of: picked, from: sequence, currentTask: currentTask, augmentation: augmentation, using: &rng)
    var outputs: Tensor?
    if let width = picked[0].outputs?.count, picked.allSatisfy({ $0.outputs?.count == width }) {
      outputs = try? Tensor(shape: [n, width], scalars: picked.flatMap { $0.outputs! })
    }
    return Replayed(batch: batch, outputs: outputs)
  }

  /// iCaRL herding over the penultimate layer's outputs.
  static func herding(_ members: [Int], count: Int, context: TaskContext) throws -> [Int] {
    guard !members.isEmpty, count > 0 else { return [] }
    let features = try context.model.penultimateFeatures(context.data.inputs(at: members), normalised: true)
    let width = features.shape[1]
    let rows = features.scalars
    var mean = [Float](repeating: 0, count: width)
    for m in 0..<members.count { for j in 0..<width { mean[j] += rows[m * width + j] / Float(members.count) } }
    var chosen: [Int] = []
    var running = [Float](repeating: 0, count: width)
    var available = Set(0..<members.count)
    for k in 1...min(count, members.count) {
      var best = -1
      var bestDistance = Float.infinity
      for m in available.sorted() {
        var distance: Float = 0
        for j in 0..<width {
          let d = mean[j] - (running[j] + rows[m * width + j]) / Float(k)
          distance += d * d
        }
        if distance < bestDistance {
          bestDistance = distance
          best = m
        }
      }
      chosen.append(members[best])
      available.remove(best)
      for j in 0..<width { running[j] += rows[best * width + j] }
    }
    return chosen
  }

  /// Equal when configurations and stored exemplars are equal.
  public static func == (lhs: ReplayMemory, rhs: ReplayMemory) -> Bool {
    lhs.configuration == rhs.configuration && lhs.classes.map(\.key) == rhs.classes.map(\.key)
      && lhs.classes.map(\.exemplars) == rhs.classes.map(\.exemplars) && lhs.reservoir == rhs.reservoir
      && lhs.offered == rhs.offered
  }
}

extension Model {
  /// The outputs of the layer before the last for a batch, one flattened row per sample: the
  /// features iCaRL's herding and nearest-mean-of-exemplars classifier compare.
  ///
  /// ```swift
  /// let features = try model.penultimateFeatures(images, normalised: true)   // [count, width]
  /// ```
  ///
  /// - Parameters:
  ///   - inputs: A batch of inputs.
  ///   - normalised: Whether each row is scaled to unit Euclidean length (a zero row stays zero), as
  ///     iCaRL does.
  /// - Returns: A `[batch, width]` tensor; a network of one layer gives its outputs.
  /// - Throws: `TensorError` when the model does not fit the inputs.
  public func penultimateFeatures(_ inputs: Tensor, normalised: Bool = false) throws -> Tensor {
    let tape = Tape(recording: false)
    let trace = try forward(tape.constant(inputs), on: tape).trace
    let featureLayer = max(trace.activations.count - 2, 0)
    let count = inputs.shape.first ?? 0
    let features = try trace.activations[featureLayer].value.reshaped([count, -1])
    guard normalised else { return features }
    let width = features.shape[1]
    var rows = features.scalars
    for m in 0..<count {
      let norm = max(
        (0..<width).reduce(Float(0)) { $0 + rows[m * width + $1] * rows[m * width + $1] }.squareRoot(), 1e-12)
      for j in 0..<width { rows[m * width + j] /= norm }
    }
    return try Tensor(shape: [count, width], scalars: rows)
  }
}

extension Batch {
  /// A batch of training samples picked from any tasks of a sequence by `(task, index)`.
  ///
  /// - Parameters:
  ///   - items: The samples.
  ///   - sequence: The tasks they come from.
  ///   - currentTask: The task being trained.
  ///   - draws: One augmentation per sample (`Augmentation.draws(count:using:)`), or `nil`.
  /// - Returns: The batch, samples in the given order.
  public static func gathering(
    _ items: [(task: Int, index: Int)], from sequence: TaskSequence, currentTask: Int,
    augmentedBy draws: [Augmentation.Draw]? = nil
  ) -> Batch {
    let shape = sequence.sampleShape
    let row = shape.reduce(1, *)
    // Built task by task (each task is its own view of the data), then placed in the given order.
    var positions: [Int: [Int]] = [:]
    for (k, item) in items.enumerated() { positions[item.task, default: []].append(k) }
    let inputs = Tensor(shape: [items.count] + shape) { buffer in
      for (task, ks) in positions.sorted(by: { $0.key < $1.key }) {
        let part = try! sequence.tasks[task].train.inputs(
          at: ks.map { items[$0].index }, augmentedBy: draws.map { d in ks.map { d[$0] } })
        part.withUnsafeBufferPointer { part in
          for (j, k) in ks.enumerated() {
            (buffer.baseAddress! + k * row).update(from: part.baseAddress! + j * row, count: row)
          }
        }
      }
    }
    return Batch(
      inputs: inputs, labels: items.map { sequence.tasks[$0.task].train.labels[$0.index] }, tasks: items.map(\.task),
      currentTask: currentTask, indices: items.map(\.index))
  }

  /// This batch followed by `other`'s samples.
  ///
  /// - Throws: `TensorError` when the samples' shapes differ.
  public func joined(with other: Batch) throws -> Batch {
    Batch(
      inputs: try Tensor.concatenate([inputs, other.inputs], alongAxis: 0), labels: labels + other.labels,
      tasks: tasks + other.tasks,
      currentTask: currentTask, indices: indices.flatMap { mine in other.indices.map { mine + $0 } })
  }
}
