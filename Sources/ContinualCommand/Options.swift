import ContinualCore
import ContinualData
import ContinualReport
import Foundation

/// Everything the command line can set. Unknown flags are errors with a suggestion.
struct Options {
  var benchmarks = ["permuted-builtin"]
  var scenarios: [Scenario] = [.domain]
  var algorithms = ["finetune", "ewc", "online-ewc", "si", "mas", "joint"]
  var seeds = 3
  var firstSeed: UInt64 = 1
  var dataDirectory: URL?
  var settings: [String: String] = [:]
  /// Settings that apply in one scenario only (`--set class:ewc.lambda=1e8`), over ``settings``.
  var scenarioSettings: [String: [String: String]] = [:]
  var output = URL(fileURLWithPath: "results")
  var formats: [TableFormat] = [.markdown, .csv, .latex, .json]
  var tasks: Int?
  var iterations: Int? = 300
  var epochs: Int?
  var batchSize = 128
  var optimiser = "adam"
  var learningRate: Float = 1e-3
  var momentum: Float = 0
  var weightDecay: Float = 0
  var hidden = [256, 256]
  /// The network by name (see ``Network/named(_:hidden:)``); `mlp` uses ``hidden``.
  var network = "mlp"
  /// BatchNorm running statistics: `shared` by all tasks, or `per-task` (task-incremental only).
  var batchNorm = "shared"
  var permuteFirstTask = false
  var pad = false
  var shuffleClasses = false
  /// Training-image augmentation; `nil` means the benchmark's default (crop and flip for CIFAR, none otherwise).
  var augment: Augmentation?
  var resetOptimiser = false
  var evaluationSplit = EvaluationSplit.test
  /// The share of each task's training images held out to choose hyperparameters on (`--validation`).
  var validation: Double?
  var evaluationLimit: Int?
  var trainPerTask: Int? = 3000
  var testPerTask: Int? = 1000
  var quiet = false
  /// Run only grid cells `index, index + count, …` (0-based), for spreading a sweep over machines.
  var shard: (index: Int, count: Int)?
  var force = false
  /// Save a checkpoint at every task boundary and resume unfinished runs from it.
  var checkpoints = true
  /// Keep each finished run's final weights in `<output>/models/<run id>` (`--save-models`).
  var saveModels = false
  var recordFiles: [URL] = []
  /// `--grid` axes, in the order given: each stack holding an axis's component becomes one variant
  /// per value (applied by ``init(_:for:known:)`` to ``algorithms``).
  var grid: [GridAxis] = []
  /// The row the tables compare every other row with, seed by seed (`--baseline`).
  var baseline: String?
  var given: Set<String> = []
  /// The algorithms stacks may name: the built-in ones and any a user's package adds.
  var known: [any Algorithm.Type] = BuiltInAlgorithms.all
  /// The command the options are for; an option typed for another command is an error.
  var command = Command.compare
  /// The flags typed on the command line itself (not from a preset or an experiment file), in order.
  var typed: [String] = []
  /// The `--set` keys typed on the command line itself (`si.c`, `memory.size`), without a scenario prefix.
  var typedSettings: [String] = []

  /// Parses arguments over the defaults and validates the result.
  ///
  /// - Parameters:
  ///   - arguments: The command's arguments, after the command name.
  ///   - command: The command they are for.
  ///   - known: The algorithms stacks may name.
  /// - Throws: ``CLIError`` or ``SettingsError`` naming the option or value at fault.
  init(_ arguments: [String], for command: Command = .compare, known: [any Algorithm.Type] = BuiltInAlgorithms.all) throws {
    self.known = known
    self.command = command
    try apply(arguments, typed: true)
    algorithms = try GridAxis.expand(algorithms, over: grid)
    try validate()
  }

  /// Parses arguments, overriding what is already set.
  ///
  /// - Parameters:
  ///   - arguments: Flags and values.
  ///   - typed: Whether the user typed them on the command line (rather than a preset or an
  ///     experiment file giving them): only typed options must fit the command, and only typed
  ///     options can conflict with each other.
  /// - Throws: ``CLIError`` naming the flag or value at fault.
  mutating func apply(_ arguments: [String], typed: Bool = false) throws {
    var i = 0
    func value(_ flag: String) throws -> String {
      i += 1
      guard i < arguments.count else { throw CLIError("\(flag) needs a value: \(Options.flags[flag] ?? "")") }
      return arguments[i]
    }
    func integer(_ flag: String, _ text: String, minimum: Int = 1) throws -> Int {
      let maximum = Options.maximum[flag] ?? Int.max
      guard let v = Int(text), v >= minimum, v <= maximum else {
        let range = maximum == Int.max ? "≥ \(minimum)" : "from \(minimum) to \(maximum)"
        throw CLIError("\(flag) takes a whole number \(range), not '\(text)'")
      }
      return v
    }
    func real(_ flag: String, _ text: String) throws -> Float {
      guard let v = Float(text), v.isFinite, v >= 0 else { throw CLIError("\(flag) takes a non-negative number, not '\(text)'") }
      return v
    }
    func list(_ text: String) -> [String] { text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    while i < arguments.count {
      var flag = arguments[i]
      var inline: String?
      // `--flag=value` is accepted as well as `--flag value`.
      if flag.hasPrefix("--"), let eq = flag.firstIndex(of: "="), Options.flags[String(flag[..<eq])] != nil {
        inline = String(flag[flag.index(after: eq)...])
        flag = String(flag[..<eq])
      }
      guard Options.flags[flag] != nil else {
        let suggestion = nearest(flag, in: Options.flags.keys.sorted()).map { "; did you mean \($0)?" } ?? ""
        throw CLIError("unknown option '\(flag)'\(suggestion) (see `continual help`)")
      }
      given.insert(flag)
      if typed {
        let accepted = Options.spec(flag)!.commands
        guard accepted.contains(command) else {
          let others = Command.allCases.filter(accepted.contains).map(\.rawValue).joined(separator: " and ")
          throw CLIError(
            "\(flag) does not apply to `continual \(command.rawValue)`; it is an option of \(others) (see `continual \(command.rawValue) --help`)")
        }
        self.typed.append(flag)
      }
      let v: () throws -> String = { if let inline { return inline } else { return try value(flag) } }
      switch flag {
      case "--preset":
        let name = try v()
        guard let preset = Preset.all[name] else {
          let suggestion = nearest(name, in: Preset.all.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
          throw CLIError("unknown preset '\(name)'\(suggestion) (valid: \(Preset.all.keys.sorted().joined(separator: ", ")))")
        }
        // A preset's options come first; flags given after it override them.
        try apply(preset.arguments)
      case "--config":
        // The file's options come first, like a preset's; flags given after it override them.
        try applyExperimentFile(at: URL(fileURLWithPath: try v()))
      case "--benchmark": benchmarks = list(try v())
      case "--scenario":
        scenarios = try list(try v()).map { name in
          guard let scenario = Scenario(rawValue: name) else { throw CLIError("unknown scenario '\(name)': choose task, domain or class") }
          return scenario
        }
      case "--algorithms": algorithms = try StackSpecification.list(try v())
      case "--grid":
        let axis = try GridAxis(try v())
        grid.removeAll { $0.key == axis.key }
        grid.append(axis)
      case "--seeds": seeds = try integer(flag, try v())
      case "--seed": firstSeed = UInt64(try integer(flag, try v(), minimum: 0))
      case "--data-dir": dataDirectory = URL(fileURLWithPath: try v())
      case "--set":
        var pair = try v()
        var scenario: String?
        if let colon = pair.firstIndex(of: ":"), colon < (pair.firstIndex(of: "=") ?? pair.endIndex) {
          scenario = String(pair[..<colon])
          pair = String(pair[pair.index(after: colon)...])
          guard ["task", "domain", "class"].contains(scenario!) else {
            throw CLIError("--set \(scenario!):…: a scenario prefix must be task, domain or class")
          }
        }
        guard let eq = pair.firstIndex(of: "="), pair[..<eq].contains(".") else {
          throw CLIError("--set takes [scenario:]component.name=value (for example ewc.lambda=500 or class:ewc.lambda=1e8), not '\(pair)'")
        }
        let (key, value) = (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        if let scenario { scenarioSettings[scenario, default: [:]][key] = value } else { settings[key] = value }
        if typed { typedSettings.append(key) }
      case "--output":
        let path = try v()
        guard !path.isEmpty else { throw CLIError("--output needs a directory; an empty path would write into the current directory") }
        output = URL(fileURLWithPath: path)
      case "--format":
        formats = try list(try v()).map { name in
          guard let format = TableFormat(rawValue: name) else {
            throw CLIError("unknown format '\(name)': choose \(TableFormat.allCases.map(\.rawValue).joined(separator: ", "))")
          }
          return format
        }
      case "--tasks": tasks = try integer(flag, try v())
      case "--iterations":
        iterations = try integer(flag, try v())
        epochs = nil
      case "--epochs":
        epochs = try integer(flag, try v())
        iterations = nil
      case "--batch-size": batchSize = try integer(flag, try v())
      case "--optimiser": optimiser = try v()
      case "--lr": learningRate = try real(flag, try v())
      case "--momentum": momentum = try real(flag, try v())
      case "--weight-decay": weightDecay = try real(flag, try v())
      case "--hidden": hidden = try list(try v()).map { try integer(flag, $0) }
      case "--network": network = try v()
      case "--batchnorm": batchNorm = try v()
      case "--permute-first-task": permuteFirstTask = true
      case "--pad": pad = true
      case "--shuffle-classes": shuffleClasses = true
      case "--augment":
        let name = try v()
        guard let parsed = Augmentation(name: name) else {
          throw CLIError("--augment takes none, crop-flip or crop-flip:P (padding P from 0 to 64), not '\(name)'")
        }
        augment = parsed
      case "--reset-optimiser": resetOptimiser = true
      case "--eval-split":
        // The validation split belongs to --validation, which holds its images out.
        let name = try v()
        guard let split = EvaluationSplit(rawValue: name), split != .validation else {
          throw CLIError("--eval-split takes test or train, not '\(name)'")
        }
        evaluationSplit = split
      case "--validation":
        let text = try v()
        guard let fraction = Double(text), fraction > 0, fraction < 1 else {
          throw CLIError("--validation takes the share of each task's training images to hold out, between 0 and 1 (for example 0.1), not '\(text)'")
        }
        validation = fraction
      case "--eval-limit": evaluationLimit = try integer(flag, try v())
      case "--train-per-task":
        let n = try integer(flag, try v(), minimum: 0)
        trainPerTask = n == 0 ? nil : n
      case "--test-per-task":
        let n = try integer(flag, try v(), minimum: 0)
        testPerTask = n == 0 ? nil : n
      case "--quiet": quiet = true
      case "--shard":
        let text = try v()
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        let parts = pieces.compactMap { Int($0) }
        guard pieces.count == 2, parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
          throw CLIError("--shard takes i/n with 1 ≤ i ≤ n (for example 2/8), not '\(text)'")
        }
        shard = (parts[0] - 1, parts[1])
      case "--force": force = true
      case "--baseline":
        let name = try v().trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CLIError("--baseline needs a row label or an algorithm, such as finetune") }
        baseline = name
      case "--no-checkpoints": checkpoints = false
      case "--save-models": saveModels = true
      default: break
      }
      i += 1
    }
  }

  /// The largest value each whole-number option accepts, so that a typo cannot ask for an absurd
  /// allocation or overflow a count (`--seeds 1e12`, `--iterations 9223372036854775807`).
  static let maximum: [String: Int] = [
    "--seeds": 10_000, "--tasks": 1_000, "--iterations": 1_000_000_000, "--epochs": 1_000_000, "--batch-size": 65_536,
    "--hidden": 65_536, "--eval-limit": 1_000_000_000, "--train-per-task": 1_000_000_000, "--test-per-task": 1_000_000_000,
  ]

  /// The most weights the MLP may have (4 GiB of `Float`).
  static let maximumWeights = 1 << 30

  /// Checks values that flags cannot check one at a time.
  func validate() throws {
    // A preset or a file's choice is overridden by a later flag; two typed ones contradict each other.
    if typed.contains("--iterations") && typed.contains("--epochs") {
      throw CLIError("--iterations and --epochs both set the length of each task; give one of them")
    }
    let lists = [
      ("--benchmark", benchmarks), ("--scenario", scenarios.map(\.rawValue)), ("--algorithms", algorithms), ("--format", formats.map(\.rawValue)),
    ]
    for (flag, list) in lists where list.isEmpty {
      throw CLIError("\(flag) needs at least one name: \(Options.flags[flag] ?? "")")
    }
    // A repeated entry would train the same runs again and count them twice in the table.
    for (flag, list) in lists {
      var seen = Set<String>()
      if let repeated = list.first(where: { !seen.insert($0).inserted }) {
        throw CLIError("\(flag) lists '\(repeated)' more than once; each grid entry must be different")
      }
    }
    for b in benchmarks { try BenchmarkCatalogue.validate(b) }
    guard momentum < 1 else { throw CLIError("--momentum must be below 1 (SGD diverges otherwise), not \(momentum)") }
    do { _ = try Network.named(network, hidden: hidden) } catch let error as NetworkError { throw CLIError("--network: \(error)") }
    guard ["shared", "per-task"].contains(batchNorm) else { throw CLIError("--batchnorm takes shared or per-task, not '\(batchNorm)'") }
    if batchNorm == "per-task" {
      guard chosenNetwork.hasBatchNorm else { throw CLIError("--batchnorm per-task: the \(network) network has no BatchNorm layers") }
      if let other = scenarios.first(where: { $0 != .task })?.rawValue {
        throw CLIError("--batchnorm per-task needs the task identity at every forward pass, so only the task scenario; not \(other)")
      }
      if let hnet = algorithms.first(where: { $0.split(separator: "+").contains("hnet") }) {
        throw CLIError("--batchnorm per-task: \(hnet) keeps BatchNorm statistics per task already (see Docs/Networks.md)")
      }
    }
    guard hidden.count <= 64 else { throw CLIError("--hidden lists \(hidden.count) layers; at most 64") }
    // The largest input is a 32×32 colour image, the largest output 100 classes per task.
    let widths = [3 * 32 * 32] + hidden + [100 * (tasks ?? 10)]
    let weights = zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
    guard weights <= Options.maximumWeights else {
      throw CLIError(
        "--hidden \(hidden.map(String.init).joined(separator: ",")) would need about \(weights) weights; at most \(Options.maximumWeights)")
    }
    guard ["adam", "sgd"].contains(optimiser) else { throw CLIError("--optimiser takes adam or sgd, not '\(optimiser)'") }
    guard learningRate > 0 else { throw CLIError("--lr must be positive") }
  }

  /// The settings in force for one scenario.
  func settings(for scenario: Scenario) -> [String: String] {
    settings.merging(scenarioSettings[scenario.rawValue] ?? [:]) { _, scoped in scoped }
  }

  /// The augmentation a benchmark trains with: `--augment`, else crop and flip for CIFAR and none otherwise.
  func augmentation(for benchmark: String) -> Augmentation {
    augment ?? (BenchmarkCatalogue.isCIFAR(benchmark) ? .standard : .none)
  }

  /// A warning when `--hidden` was given (perhaps by a preset) with a network it does not shape.
  var ignoredHiddenWarning: String? {
    guard network != "mlp", given.contains("--hidden") else { return nil }
    return "--hidden sets the MLP's widths; --network \(network) does not use it (and the records do not list it)"
  }

  /// The network these options name (validated by ``validate()``).
  var chosenNetwork: Network { (try? Network.named(network, hidden: hidden)) ?? .mlp(hidden: hidden) }

  /// The training configuration these options describe for a benchmark.
  func trainingConfiguration(for benchmark: String) -> TrainingConfiguration {
    TrainingConfiguration(
      length: epochs.map { .epochs($0) } ?? .iterations(iterations ?? 300), batchSize: batchSize,
      optimiser: optimiser == "sgd"
        ? .sgd(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        : .adam(learningRate: learningRate, weightDecay: weightDecay),
      resetOptimiserBetweenTasks: resetOptimiser, evaluationSplit: evaluationSplit, evaluationLimit: evaluationLimit,
      augmentation: augmentation(for: benchmark))
  }

  /// The protocol knobs recorded with every run (everything but the algorithm's own settings).
  /// Knobs added after records existed appear only when set, so earlier runs keep their identity.
  func protocolConfig(benchmark: String, scenario: Scenario) -> [String: String] {
    var config: [String: String] = [
      "benchmark": benchmark, "scenario": scenario.rawValue, "tasks": tasks.map(String.init) ?? "default",
      "length": epochs.map { "\($0) epochs" } ?? "\(iterations ?? 300) iterations", "batch_size": String(batchSize),
      "optimiser": optimiser, "lr": String(learningRate), "momentum": String(momentum),
      "hidden": hidden.map(String.init).joined(separator: ","), "permute_first_task": String(permuteFirstTask), "pad": String(pad),
      "shuffle_classes": String(shuffleClasses),
      "reset_optimiser": String(resetOptimiser), "eval_split": evaluationSplit.rawValue, "eval_limit": evaluationLimit.map(String.init) ?? "all",
      "train_per_task": trainPerTask.map(String.init) ?? "all", "test_per_task": testPerTask.map(String.init) ?? "all",
    ]
    if weightDecay != 0 { config["weight_decay"] = String(weightDecay) }
    // The MLP's records predate the option and keep their identity; other networks are named,
    // and the MLP's widths do not describe them.
    if network != "mlp" {
      config["network"] = (try? Network.named(network).description) ?? network
      config["hidden"] = nil
    }
    if batchNorm != "shared" { config["batchnorm"] = batchNorm }
    // Runs that hold out data train on less of it: another configuration.
    if let validation { config["validation"] = Hyperparameter.canonical(validation) }
    if augment != nil || BenchmarkCatalogue.isCIFAR(benchmark) { config["augment"] = augmentation(for: benchmark).description }
    return config
  }
}
