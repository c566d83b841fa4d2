import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// The scenario's head for a sequence.
func makeHead(_ scenario: Scenario, sequence: TaskSequence) throws -> any Head {
  let layout = TaskLayout(classCounts: sequence.classesPerTask)
  switch scenario {
  case .task: return MultiHead(layout: layout)
  case .class: return ActiveClassHead(layout: layout)
  case .domain:
    guard Set(sequence.classesPerTask).count == 1 else {
      throw CLIError("the domain scenario needs the same number of classes in every task; \(sequence.name) has \(sequence.classesPerTask)")
    }
    return SharedHead(classCount: sequence.classesPerTask[0])
  }
}

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
  /// The network as `--save-models` describes it: `mlp 784-256-256-10`, `resnet32`, or the
  /// algorithm's own (`hnet`).
  var networkName: String
  /// The stack's name, such as `ewc+si`.
  var stackName: String
  /// The run's seed.
  var seed: UInt64
  /// The benchmark's name, such as `split-mnist`.
  var benchmark: String

  /// Builds the cell from the options and the stack's components.
  init(benchmark: String, scenario: Scenario, stack: AlgorithmStack, seed: UInt64, factory: BenchmarkFactory, options: Options) throws {
    stackName = stack.name
    self.seed = seed
    self.benchmark = benchmark
    sequence = try factory.sequence(benchmark, options: options, seed: seed)
    let components = try stack.components()
    let layout = TaskLayout(classCounts: sequence.classesPerTask)
    let head = try components.head.map { try $0(layout, scenario) } ?? makeHead(scenario, sequence: sequence)
    let network: Sequential
    let perTask = options.batchNorm == "per-task" ? sequence.count : nil
    do {
      network = try options.chosenNetwork.architecture(input: sequence.sampleShape, outputs: head.outputCount, statisticsPerTask: perTask)
    } catch let error as NetworkError {
      throw CLIError("\(benchmark): \(error)")
    }
    architecture = try components.architecture?(network, layout, scenario) ?? network
    let widths = ([sequence.sampleShape.reduce(1, *)] + options.hidden + [head.outputCount]).map(String.init).joined(separator: "-")
    networkName =
      components.architecture != nil
      ? "\(stack.name): the algorithm's own network around \(options.chosenNetwork.description)"
      : options.network == "mlp" ? "mlp \(widths)" : options.chosenNetwork.description
    notes = components.notes?(architecture)
    let replay = components.usesReplay ? ReplayConfiguration(try AlgorithmStack.memorySettings(options.settings(for: scenario))) : nil
    plan = TrainingPlan(
      head: head, regularisers: components.regularisers, dataRegime: components.dataRegime ?? .sequential, replay: replay,
      learningRateScale: components.learningRateScale, frozenParameters: components.frozenParameters)
    var configuration = options.trainingConfiguration(for: benchmark)
    if components.resetsOptimiser { configuration.resetOptimiserBetweenTasks = true }
    trainer = ContinualTrainer(configuration: configuration)
  }
}
