import ContinualCore
import ContinualData
import ContinualReport
import Foundation

/// Everything the command line can set, typed. Each property is declared as an option once, in
/// ``Options/declarations``; nothing else parses, bounds or records it.
struct Options: Sendable {
  // Sweep
  var benchmarks = [Benchmark.permutedBuiltin]
  var scenarios: [Scenario] = [.domain]
  /// The stacks as parsed, each once; ``grid`` expands them into variants (``Sweep``).
  var algorithms: [StackSpecification] = ["finetune", "ewc", "online-ewc", "si", "mas", "joint"].map {
    StackSpecification(named: $0)
  }
  /// `--grid` axes, in the order given.
  var grid: [GridAxis] = []
  /// `--set component.key=value`, the values in force in every scenario.
  var settings: [String: String] = [:]
  /// Settings that apply in one scenario only (`--set class:ewc.lambda=1e8`), over ``settings``.
  var scenarioSettings: [Scenario: [String: String]] = [:]
  var seeds = 3
  var firstSeed = 1
  /// Run only grid cells `index, index + count, …` (0-based), for spreading a sweep over machines.
  var shard: Shard?
  /// Worker processes that train the sweep's runs at once (`--jobs`).
  var jobs = 1
  /// Threads each run's kernels use (`--threads`); by default the cores shared among the jobs.
  var threads: Int?
  // Data
  var tasks: Int?
  var trainPerTask: Int? = 3000
  var testPerTask: Int? = 1000
  /// The share of each task's training images held out to choose settings on (`--validation`).
  var validation: Double?
  var permuteFirstTask = false
  var pad = false
  var shuffleClasses = false
  /// Training-image augmentation; `nil` means the benchmark's default (crop and flip for CIFAR).
  var augment: Augmentation?
  /// How images are normalised; `auto` is the benchmark's default (per channel for CIFAR).
  var normalise = ImageNormalisation.auto
  var dataDirectory: URL?
  // Network
  /// The network; the MLP's widths are ``hidden`` (see ``network``).
  var networkName = NetworkName(.mlp(hidden: []))
  var hidden = [256, 256]
  var batchNorm = BatchNormMode.shared
  /// Whether the network's output layer starts at zero (SI's CIFAR code).
  var zeroOutputLayer = false
  // Training
  var iterations: Int? = 300
  var epochs: Int?
  var batchSize = 128
  var resetOptimiser = false
  /// What the class scenario's training loss covers (`--class-loss`).
  var classLoss = ClassLoss.seen
  var evaluationSplit = EvaluationSplit.test
  var evaluationLimit: Int?
  // Optimiser
  var optimiser = OptimiserKind.adam
  var learningRate: Float = 1e-3
  var momentum: Float = 0
  var weightDecay: Float = 0
  var adamBetas = AdamBetas()
  /// The step schedule inside each task (`--lr-steps`).
  var learningRateSchedule = LearningRateSchedule.constant
  // Output
  var output = URL(fileURLWithPath: "results")
  var formats: [TableFormat] = [.markdown, .csv, .latex, .json]
  /// The row the tables compare every other row with, seed by seed (`--baseline`).
  var baseline: String?
  var force = false
  /// Reuse records made by another build of the command instead of retraining them
  /// (`--reuse-other-builds`).
  var reuseOtherBuilds = false
  /// Save a checkpoint at every task boundary and resume unfinished runs from it.
  var checkpoints = true
  /// Keep each finished run's final weights in `<output>/models/<run id>` (`--save-models`).
  var saveModels = false
  var quiet = false
  /// The model `continual evaluate` measures (`--model`).
  var model: URL?

  // Not options: what the parse saw, and what the command runs with.
  /// The flags given, by the command line, a preset or a file.
  var given: Set<String> = []
  /// The flags typed on the command line itself (not from a preset or an experiment file), in order.
  var typed: [String] = []
  /// The `--set` keys typed on the command line itself (`si.c`, `memory.size`), without a scenario prefix.
  var typedSettings: [String] = []
  /// The algorithms stacks may name: the built-in ones and any a user's package adds.
  var known: [any Algorithm.Type] = BuiltInAlgorithms.all
  /// The command the options are for; an option typed for another command is an error.
  var command = Command.compare
  /// Where progress, warnings and errors go.
  var console = Console.standard
  /// The build of the command that trains the runs (``BuildFingerprint/current``); tests set another
  /// to stand for edited code.
  var build = BuildFingerprint.current

  /// The defaults, before any command's own.
  static let initial = Options()

  /// Parses arguments over the command's defaults and validates the result.
  ///
  /// - Parameters:
  ///   - arguments: The command's arguments, after the command name.
  ///   - command: The command they are for.
  ///   - known: The algorithms stacks may name.
  ///   - console: Where the sweep reports.
  /// - Throws: ``CLIError`` or ``SettingsError`` naming the option or value at fault.
  init(
    _ arguments: [String], for command: Command = .compare, known: [any Algorithm.Type] = BuiltInAlgorithms.all,
    console: Console = .standard
  ) throws {
    self.known = known
    self.command = command
    self.console = console
    for declaration in Options.declarations {
      if let text = declaration.defaults[command] { try declaration.assign(&self, text) }
    }
    try apply(arguments, typed: true)
    try validate()
  }

  /// A copy of the defaults (`Options()` is ``initial``).
  private init() {}

  /// The declaration of a flag (`--seeds`).
  static func declaration(_ flag: String) -> OptionDeclaration? { declarations.first { $0.flag == flag } }

  /// Parses arguments, overriding what is already set.
  ///
  /// - Parameters:
  ///   - arguments: Flags and values; `--flag=value` is accepted as well as `--flag value`.
  ///   - typed: Whether the user typed them on the command line (rather than a preset or an
  ///     experiment file giving them): only typed options must fit the command, and only typed
  ///     options can conflict with each other.
  /// - Throws: ``CLIError`` naming the flag or value at fault.
  mutating func apply(_ arguments: [String], typed: Bool = false) throws {
    var i = 0
    while i < arguments.count {
      var flag = arguments[i]
      var inline: String?
      if flag.hasPrefix("--"), let eq = flag.firstIndex(of: "="), Options.declaration(String(flag[..<eq])) != nil {
        inline = String(flag[flag.index(after: eq)...])
        flag = String(flag[..<eq])
      }
      guard let declaration = Options.declaration(flag) else {
        let suggestion = nearest(flag, in: Options.declarations.map(\.flag)).map { "; did you mean \($0)?" } ?? ""
        throw CLIError("unknown option '\(flag)'\(suggestion) (see `continual help`)")
      }
      if typed {
        guard declaration.commands.contains(command) else {
          let others = Command.allCases.filter(declaration.commands.contains).map(\.rawValue).joined(separator: " and ")
          throw CLIError(
            "\(flag) does not apply to `continual \(command.rawValue)`; it is an option of \(others) (see "
              + "`continual \(command.rawValue) --help`)"
          )
        }
        self.typed.append(flag)
      }
      given.insert(flag)
      let text: String
      if declaration.isSwitch {
        text = ""
      } else if let inline {
        text = inline
      } else {
        i += 1
        guard i < arguments.count else { throw CLIError("\(flag) needs a value: \(declaration.summary)") }
        text = arguments[i]
      }
      try declaration.assign(&self, text)
      if typed, flag == "--set", let key = lastSetKey { typedSettings.append(key) }
      i += 1
    }
  }

  /// The key of the last `--set` applied, without its scenario prefix.
  var lastSetKey: String?

  /// The settings in force for one scenario.
  func settings(for scenario: Scenario) -> [String: String] {
    settings.merging(scenarioSettings[scenario] ?? [:]) { _, scoped in scoped }
  }

  /// The augmentation a benchmark trains with: `--augment`, else the benchmark's default.
  func augmentation(for benchmark: Benchmark) -> Augmentation { augment ?? benchmark.defaultAugmentation }

  /// The network these options name, the MLP with ``hidden``'s widths.
  var network: Network { networkName.network(hidden: hidden) }

  /// The training configuration these options describe for a benchmark.
  func trainingConfiguration(for benchmark: Benchmark) -> TrainingConfiguration {
    TrainingConfiguration(
      length: epochs.map { .epochs($0) } ?? .iterations(iterations ?? 300), batchSize: batchSize,
      optimiser: optimiserConfiguration, resetOptimiserBetweenTasks: resetOptimiser, evaluationSplit: evaluationSplit,
      evaluationLimit: evaluationLimit, augmentation: augmentation(for: benchmark),
      learningRateSchedule: learningRateSchedule)
  }

  /// The optimiser these options describe.
  var optimiserConfiguration: OptimiserConfiguration {
    switch optimiser {
    case .sgd: .sgd(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
    case .adam:
      .adam(learningRate: learningRate, beta1: adamBetas.beta1, beta2: adamBetas.beta2, weightDecay: weightDecay)
    }
  }

  /// The protocol recorded with every run of a benchmark and scenario: what every declared option
  /// adds (everything but the algorithms' own settings).
  func protocolConfig(benchmark: Benchmark, scenario: Scenario) -> [String: String] {
    var config = ["benchmark": benchmark.name, "scenario": scenario.rawValue]
    for declaration in Options.declarations { config.merge(declaration.record(self, benchmark)) { a, _ in a } }
    return config
  }
}

/// `--shard i/n`: the i-th of n slices of a grid (stored 0-based).
struct Shard: Sendable, Equatable {
  /// The slice, from 0.
  var index: Int
  /// How many slices.
  var count: Int
}

/// The optimisers the command line offers.
enum OptimiserKind: String, Word {
  /// Adam (Kingma & Ba 2015).
  case adam
  /// Stochastic gradient descent, with optional momentum.
  case sgd
}

/// Adam's two decay rates, `--adam-betas β1,β2`.
struct AdamBetas: Sendable, Equatable {
  /// The first moment's decay rate.
  var beta1: Float = 0.9
  /// The second moment's decay rate.
  var beta2: Float = 0.999
}

/// How a benchmark's images are scaled before the network sees them (`--normalise`).
enum ImageNormalisation: String, Word {
  /// The benchmark's default: ``channel`` for CIFAR, ``none`` for the others.
  case auto
  /// Bytes / 255, then minus each channel's mean and divided by its standard deviation over the
  /// whole training set.
  case channel
  /// Bytes / 255 only (SI's CIFAR code; our MNIST default).
  case none

  /// What `auto` means for a built-in dataset; the other cases as they are.
  func resolved(for dataset: Benchmark.Dataset) -> ImageNormalisation {
    self != .auto ? self : dataset.isCIFAR ? .channel : .none
  }

  /// What `auto` means for `benchmark`: a package's benchmark keeps its loader's data (`none`).
  func resolved(for benchmark: Benchmark) -> ImageNormalisation {
    benchmark.definition == nil ? resolved(for: benchmark.dataset) : self == .auto ? .none : self
  }
}

/// The outputs the class scenario's training cross-entropy covers.
enum ClassLoss: String, Word {
  /// The classes seen so far (the default).
  case seen
  /// Every output, unseen classes included (Mammoth's Seq-MNIST).
  case all
}

/// Where BatchNorm keeps its running statistics.
enum BatchNormMode: String, Word {
  /// One set for all tasks.
  case shared
  /// One set per task (the task scenario only).
  case perTask = "per-task"
}

/// A network as `--network` names it; the MLP's widths come from `--hidden`.
struct NetworkName: Sendable, Equatable {
  /// The network, with the MLP's widths left empty.
  var named: Network

  /// Wraps a network.
  init(_ network: Network) { named = network }

  /// The network with the MLP's widths filled in.
  func network(hidden: [Int]) -> Network {
    if case .mlp = named { return .mlp(hidden: hidden) }
    return named
  }

  /// Whether it is the MLP.
  var isMLP: Bool {
    if case .mlp = named { return true }
    return false
  }
}
