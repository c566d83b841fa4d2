import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// One grid cell made ready to train: its tasks, network, plan and trainer.
struct PreparedRun {
  /// The task sequence for the cell's benchmark and seed.
  var sequence: TaskSequence
  /// The network (an MLP, or what the algorithm builds around it).
  var architecture: Sequential
  /// Head, regularisers, data regime, replay and frozen parameters.
  var plan: TrainingPlan
  /// The trainer with the cell's protocol.
  var trainer: ContinualTrainer
  /// Facts the algorithm reports for the record (HNet's compression ratio).
  var notes: [String: String]?
  /// What the algorithm warns about this set-up (HNet's generated-weight scale).
  var warnings: [String]
  /// The network as `--save-models` describes it: `mlp 784-256-256-10`, `resnet32`, or the
  /// algorithm's own (`hnet`).
  var networkName: String
  /// The stack's name, such as `ewc+si`.
  var stackName: String
  /// The run's seed.
  var seed: UInt64
  /// The benchmark.
  var benchmark: Benchmark

  /// Builds a planned run.
  init(_ run: PlannedRun, factory: BenchmarkFactory) throws {
    try self.init(
      benchmark: run.benchmark, scenario: run.scenario, stack: run.stack, seed: run.seed, factory: factory,
      options: run.options)
  }

  /// Builds the cell from the options and the stack's components.
  init(
    benchmark: Benchmark, scenario: Scenario, stack: ResolvedStack, seed: UInt64, factory: BenchmarkFactory,
    options: Options
  ) throws {
    stackName = stack.name
    self.seed = seed
    self.benchmark = benchmark
    sequence = try factory.sequence(benchmark, options: options, seed: seed)
    let components = try stack.components()
    let layout = TaskLayout(classCounts: sequence.classesPerTask)
    var head: any Head
    do {
      head = try stack.stack.head(for: scenario, classesPerTask: sequence.classesPerTask)
    } catch let error as HeadError {
      throw CLIError("\(sequence.name): \(error)")
    }
    if options.classLoss == .all, scenario == .class {
      guard var active = head as? ActiveClassHead else {
        throw CLIError("--class-loss all: \(stack.name) brings its own class-incremental head; leave it out")
      }
      active.scoresEveryOutput = true
      head = active
    }
    var network: Sequential
    let perTask = options.batchNorm == .perTask ? sequence.count : nil
    do {
      network = try options.network.architecture(
        input: sequence.sampleShape, outputs: head.outputCount, statisticsPerTask: perTask)
    } catch let error as NetworkError {
      throw CLIError("\(benchmark): \(error)")
    }
    if options.zeroOutputLayer {
      guard components.architecture == nil else {
        throw CLIError("--zero-output-layer: \(stack.name) builds its own network; leave the option out")
      }
      network = try Self.zeroingOutputLayer(of: network)
    }
    architecture = try components.architecture?(network, layout, scenario) ?? network
    let widths = ([sequence.sampleShape.reduce(1, *)] + options.hidden + [head.outputCount]).map(String.init).joined(
      separator: "-")
    networkName =
      components.architecture != nil
      ? "\(stack.name): the algorithm's own network around \(options.network.description)"
      : options.networkName.isMLP ? "mlp \(widths)" : options.network.description
    notes = components.notes?(architecture)
    warnings = components.warnings?(architecture) ?? []
    let replay = stack.memory.map(ReplayConfiguration.init)
    plan = TrainingPlan(
      head: head, regularisers: components.regularisers, dataRegime: components.dataRegime ?? .sequential,
      replay: replay,
      learningRateScale: components.learningRateScale, frozenParameters: components.frozenParameters)
    var configuration = options.trainingConfiguration(for: benchmark)
    if components.resetsOptimiser { configuration.resetOptimiserBetweenTasks = true }
    trainer = ContinualTrainer(configuration: configuration)
  }

  /// `network` with its output layer's weights and biases initialised to zero (`--zero-output-layer`).
  ///
  /// - Throws: ``CLIError`` when the last layer is not fully connected.
  static func zeroingOutputLayer(of network: Sequential) throws -> Sequential {
    guard var output = network.layers.last as? Linear else {
      let last = network.layers.last.map { "\($0)" } ?? "none"
      throw CLIError("--zero-output-layer needs a fully connected output layer, not \(last)")
    }
    output.weightInitialiser = .zeros
    output.biasInitialiser = .zeros
    var zeroed = network
    zeroed.layers[zeroed.layers.count - 1] = output
    return zeroed
  }
}
