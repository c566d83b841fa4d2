import ContinualCore
import ContinualData
import ContinualReport
import Foundation

extension Options {
  /// Every option, in the order help shows them within each group. Adding an option is one entry
  /// here (and its typed property in ``Options``): parsing, help, experiment files, the record and
  /// the documentation's key table follow.
  static let declarations: [OptionDeclaration] =
    sweepOptions + dataOptions + networkOptions + trainingOptions
    + optimiserOptions + outputOptions

  /// Which runs a sweep holds.
  static let sweepOptions: [OptionDeclaration] = [
    .custom(
      "--preset", "NAME",
      "a published protocol: \(Preset.all.keys.sorted().joined(separator: ", ")) (see Docs/Reproductions.md); flags "
        + "after it override",
      kind: .text, group: .sweep, example: "vdv2019-split-mnist", spelling: { _ in "" },
      assign: { options, name in
        guard let preset = Preset.named(name) else {
          let suggestion = nearest(name, in: Preset.names).map { "; did you mean '\($0)'?" } ?? ""
          throw CLIError("unknown preset '\(name)'\(suggestion) (valid: \(Preset.names.joined(separator: ", ")))")
        }
        // A preset's options come first; flags given after it override them.
        try options.apply(preset.arguments)
      }),
    .custom(
      "--config", "FILE",
      "a JSON experiment file whose keys are these options without -- (see Docs/CommandLine.md); flags after it "
        + "override",
      kind: .text, group: .sweep, example: "experiment.json", spelling: { _ in "" },
      assign: { options, path in
        // The file's options come first, like a preset's; flags given after it override them.
        try options.applyExperimentFile(at: URL(fileURLWithPath: path))
      }),
    .option(
      "--benchmark", \.benchmarks, "NAME[,NAME…]", "benchmark name(s) (see `continual list`)", .list(.benchmark),
      group: .sweep,
      example: "split-builtin,rotated-builtin"),
    .option(
      "--scenario", \.scenarios, "task|domain|class[,…]", "the scenario(s): task-, domain- or class-incremental",
      .list(.word),
      group: .sweep, example: "task,class"),
    .custom(
      "--algorithms", "STACK[,STACK…]",
      "algorithm stacks; `+` stacks components (ewc+si); settings in brackets make a variant (ewc[lambda=1e4])",
      kind: .names,
      group: .sweep, example: "ewc[lambda=1e4]+si,mas", defaults: [.run: "ewc"],
      spelling: { $0.algorithms.map(\.text).joined(separator: ",") },
      assign: { options, text in options.algorithms = try StackSpecification.list(text) }),
    .custom(
      "--grid", "KEY=V1,V2,…",
      "one variant per value of an algorithm setting (ewc.lambda), the replay memory's (memory.size) or an option (lr, "
        + "batch-size, network, hidden, epochs, …); repeatable, several grids multiply; `;` separates list values "
        + "(hnet.hidden=10,10;20,20)",
      kind: .grid, group: .sweep, example: "ewc.lambda=1,100",
      spelling: { $0.grid.map { "\($0.key)=\($0.values.joined(separator: $0.separator))" }.joined(separator: " ") },
      assign: { options, text in
        let axis = try GridAxis(text)
        if options.grid.contains(where: { $0.key == axis.key }) {
          throw CLIError("--grid \(axis.key) is given twice; list every value in one --grid \(axis.key)=…")
        }
        options.grid.append(axis)
      }),
    .custom(
      "--set", "[SCENARIO:]NAME.KEY=VALUE",
      "an algorithm setting (repeatable; class:ewc.lambda=1e8 applies to one scenario); memory.* for replay",
      kind: .settings, group: .sweep, example: "ewc.lambda=5",
      spelling: { options in
        options.settings.keys.sorted().map { "\($0)=\(options.settings[$0]!)" }.joined(separator: " ")
      },
      assign: { options, text in try options.set(text) }),
    .option(
      "--seeds", \.seeds, "N", "number of seeds (consecutive from --seed)", .count(in: 1...10_000), group: .sweep,
      example: "2",
      defaults: [.run: "1"]),
    .option(
      "--seed", \.firstSeed, "N", "the first seed", .count(in: 0...Int(Int32.max)), group: .sweep, example: "7"),
    .option(
      "--jobs", \.jobs, "N",
      "train N runs at once, each in a worker process of its own (default 1); threads per run default to cores ÷ N",
      .count(in: 1...256), group: .sweep, example: "2", commands: [.compare]),
    .option(
      "--threads", \.threads, "N", "threads each run's kernels use (default: the cores, shared among --jobs)",
      .optionalCount(in: 1...1_024), group: .sweep, example: "1"),
    .option(
      "--shard", \.shard, "I/N",
      "run the i-th of n deterministic slices of the grid (i from 1); merge with `continual report`",
      .shard, group: .sweep, example: "2/3", commands: OptionDeclaration.trainingOnly),
  ]

  /// The data each task holds.
  static let dataOptions: [OptionDeclaration] = [
    .option(
      "--tasks", \.tasks, "N", "number of tasks", .optionalCount(in: 1...1_000), group: .data, example: "3",
      record: { options, _ in ["tasks": options.tasks.map(String.init) ?? "default"] }),
    .option(
      "--train-per-task", \.trainPerTask, "N", "training samples per task (0 = all)", .limit(upTo: 1_000_000_000),
      group: .data,
      example: "0", record: { options, _ in ["train_per_task": options.trainPerTask.map(String.init) ?? "all"] }),
    .option(
      "--test-per-task", \.testPerTask, "N", "test samples per task (0 = all)", .limit(upTo: 1_000_000_000),
      group: .data,
      example: "20", record: { options, _ in ["test_per_task": options.testPerTask.map(String.init) ?? "all"] }),
    .option(
      "--validation", \.validation, "F",
      "hold out this share of each task's training images; tables then report, per algorithm, the grid point with "
        + "the best "
        + "validation accuracy (see Docs/CommandLine.md)",
      .share("the share of each task's training images to hold out"), group: .data, example: "0.1",
      // Runs that hold out data train on less of it: another configuration.
      record: { options, _ in options.validation.map { ["validation": Hyperparameter.canonical($0)] } ?? [:] }),
    .option(
      "--permute-first-task", \.permuteFirstTask, nil, "permute task 1 too (permuted benchmarks)", .on, group: .data,
      example: "true",
      record: recorded("permute_first_task", \.permuteFirstTask) { String($0) }),
    .option(
      "--pad", \.pad, nil, "zero-pad 28×28 images to 32×32 (permuted benchmarks)", .on, group: .data, example: "true",
      record: recorded("pad", \.pad) { String($0) }),
    .option(
      "--shuffle-classes", \.shuffleClasses, nil,
      "split benchmarks: assign classes to tasks by a random permutation per seed", .on,
      group: .data, example: "true", record: recorded("shuffle_classes", \.shuffleClasses) { String($0) }),
    .option(
      "--augment", \.augment, "none|crop-flip[:P]",
      "training-image augmentation (4-pixel padded random crop and horizontal flip; the default for CIFAR)",
      .augmentation,
      group: .data, example: "crop-flip:2",
      record: { options, benchmark in
        options.augment != nil || benchmark.isCIFAR
          ? ["augment": options.augmentation(for: benchmark).description] : [:]
      }),
    .option(
      "--normalise", \.normalise, "auto|channel|none",
      "image scaling: bytes / 255, then per channel by the training set's mean and deviation (channel), or "
        + "not (none); auto: channel for CIFAR, none for the others",
      .word, group: .data, example: "none",
      // Only a departure from the benchmark's default is another configuration (ids stay as they were).
      record: { options, benchmark in
        let normalise = options.normalise.resolved(for: benchmark)
        return normalise == ImageNormalisation.auto.resolved(for: benchmark) ? [:] : ["normalise": normalise.rawValue]
      }),
    .option(
      "--data-dir", \.dataDirectory, "DIR",
      "folder holding mnist/, fashion-mnist/, cifar-10/, cifar-100/ (else $CONTINUAL_DATA, else the user cache)",
      .optionalPath("a directory"), group: .data, example: "/data"),
  ]

  /// The network.
  static let networkOptions: [OptionDeclaration] = [
    .option(
      "--network", \.networkName, "NAME",
      "mlp, zenke, resnet32 or resnet18[:width] (see `continual list`); heads sit on top as on the MLP",
      .network, group: .network, example: "zenke",
      // The MLP's records predate the option and keep their identity; other networks are named.
      record: { options, _ in options.networkName.isMLP ? [:] : ["network": options.networkName.named.description] }),
    .option(
      "--hidden", \.hidden, "N[,N…]", "hidden layer widths of the MLP",
      .list(.count(in: 1...65_536), kind: .integers),
      group: .network, example: "100,50",
      // Other networks are not shaped by the widths.
      record: { options, _ in
        options.networkName.isMLP ? ["hidden": options.hidden.map(String.init).joined(separator: ",")] : [:]
      }),
    .option(
      "--batchnorm", \.batchNorm, "shared|per-task",
      "BatchNorm running statistics: one set for all tasks (default) or per task (task scenario only; see "
        + "Docs/Networks.md)",
      .word,
      group: .network, example: "per-task",
      record: { options, _ in options.batchNorm == .shared ? [:] : ["batchnorm": options.batchNorm.rawValue] }),
    .option(
      "--zero-output-layer", \.zeroOutputLayer, nil,
      "start the output layer's weights and biases at zero, as SI's CIFAR code does (Docs/Networks.md)", .on,
      group: .network, example: "true",
      // Recorded only when on, so the runs before the option keep their ids.
      record: { options, _ in options.zeroOutputLayer ? ["zero_output_layer": "true"] : [:] }),
  ]

  /// How each task trains and is evaluated.
  static let trainingOptions: [OptionDeclaration] = [
    .custom(
      "--iterations", "N", "optimiser steps per task (default 300)", kind: .integer, group: .training, example: "20",
      spelling: { $0.iterations.map(String.init) ?? "" },
      // One key for the task length, however it is given.
      record: { options, _ in
        ["length": options.epochs.map { "\($0) epochs" } ?? "\(options.iterations ?? 300) iterations"]
      },
      assign: { options, text in
        options.iterations = try ValueReader<Int>.count(in: 1...1_000_000_000).read(text, "--iterations")
        options.epochs = nil
      }),
    .custom(
      "--epochs", "N", "passes over each task's data (instead of --iterations)", kind: .integer, group: .training,
      example: "2",
      spelling: { $0.epochs.map(String.init) ?? "" },
      assign: { options, text in
        options.epochs = try ValueReader<Int>.count(in: 1...1_000_000).read(text, "--epochs")
        options.iterations = nil
      }),
    .option(
      "--batch-size", \.batchSize, "N", "samples per mini-batch", .count(in: 1...65_536), group: .training,
      example: "32",
      record: recorded("batch_size", \.batchSize) { String($0) }),
    .option(
      "--reset-optimiser", \.resetOptimiser, nil, "reset the optimiser's state at each task", .on, group: .training,
      example: "true",
      record: recorded("reset_optimiser", \.resetOptimiser) { String($0) }),
    .option(
      "--class-loss", \.classLoss, "seen|all",
      "class scenario: the training cross-entropy over the classes seen so far (default) or over every output, "
        + "unseen classes included, as Mammoth trains (Docs/Reproductions.md)",
      .word, group: .training, example: "all",
      record: { options, _ in options.classLoss == .seen ? [:] : ["class_loss": options.classLoss.rawValue] }),
    .option(
      "--eval-split", \.evaluationSplit, "test|train", "the split accuracies are measured on", .evaluationSplit,
      group: .training,
      example: "train", record: recorded("eval_split", \.evaluationSplit) { $0.rawValue }),
    .option(
      "--eval-limit", \.evaluationLimit, "N", "evaluate on at most this many samples per task",
      .optionalCount(in: 1...1_000_000_000),
      group: .training, example: "50",
      record: { options, _ in ["eval_limit": options.evaluationLimit.map(String.init) ?? "all"] }),
  ]

  /// The optimiser.
  static let optimiserOptions: [OptionDeclaration] = [
    .option(
      "--optimiser", \.optimiser, "adam|sgd", "the optimiser", .word, group: .optimiser, example: "sgd",
      record: recorded("optimiser", \.optimiser) { $0.rawValue }),
    .option(
      "--lr", \.learningRate, "X", "learning rate", .real(positive: true), group: .optimiser, example: "0.01",
      record: recorded("lr", \.learningRate) { String($0) }),
    .option(
      "--momentum", \.momentum, "X", "SGD momentum", .real(below: 1, why: " (SGD diverges otherwise)"),
      group: .optimiser,
      example: "0.9", record: recorded("momentum", \.momentum) { String($0) }),
    .option(
      "--weight-decay", \.weightDecay, "X", "L2 weight decay added to the gradient (SGD and Adam; 0 = off)", .real(),
      group: .optimiser,
      example: "0.0005",
      record: { options, _ in options.weightDecay == 0 ? [:] : ["weight_decay": String(options.weightDecay)] }),
    .option(
      "--adam-betas", \.adamBetas, "B1,B2", "Adam's decay rates of the first and second moments (default 0.9,0.999)",
      .adamBetas,
      group: .optimiser, example: "0.5,0.999",
      // Runs before the option keep their identity: only other rates are recorded.
      record: { options, _ in
        options.adamBetas == AdamBetas() || options.optimiser != .adam
          ? [:] : ["adam_betas": ValueReader.adamBetas.spell(options.adamBetas)]
      }),
    .option(
      "--lr-steps", \.learningRateSchedule, "E:F,…",
      "within each task, from epoch E on (counted from 0) the rate is the task's rate times F (default: constant)",
      .learningRateSchedule, group: .optimiser, example: "81:0.1,121:0.01",
      // Runs before the option keep their identity: only a schedule is recorded.
      record: { options, _ in
        options.learningRateSchedule.isConstant
          ? [:] : ["lr_steps": ValueReader.learningRateSchedule.spell(options.learningRateSchedule)]
      }),
  ]

  /// Where results go and how a sweep treats earlier ones.
  static let outputOptions: [OptionDeclaration] = [
    .option(
      "--output", \.output, "DIR", "folder for records.jsonl and the tables (default results)", .path("a directory"),
      group: .output,
      example: "results/other", commands: [.compare, .run, .report]),
    .option(
      "--format", \.formats, "FORMAT[,FORMAT…]", "markdown, csv, latex, json, html (html is a report with figures)",
      .list(.word),
      group: .output, example: "csv,html", commands: [.compare, .report]),
    .option(
      "--baseline", \.baseline, "NAME",
      "a row label or algorithm: add each row's seed-paired difference from it (ACC, BWT; 95 % interval)",
      .optionalText("a row label or an algorithm, such as finetune"), group: .output, example: "finetune",
      commands: [.compare, .report]),
    .option(
      "--force", \.force, nil, "rerun runs that already have a finished record", .on, group: .output, example: "true",
      commands: OptionDeclaration.trainingOnly),
    .option(
      "--reuse-other-builds", \.reuseOtherBuilds, nil,
      "reuse records made by another build of the tool (other code) instead of retraining them",
      .on, group: .output, example: "true", commands: OptionDeclaration.trainingOnly),
    .option(
      "--no-checkpoints", \.checkpoints, nil,
      "do not save task-boundary checkpoints (an interrupted run then restarts from its first task)",
      .off, group: .output, example: "true", commands: OptionDeclaration.trainingOnly),
    .option(
      "--save-models", \.saveModels, nil,
      "keep each finished run's final weights: <output>/models/<run id>/model.safetensors and model.json (see "
        + "Docs/SavedModels.md)",
      .on, group: .output, example: "true", commands: OptionDeclaration.trainingOnly),
    .option("--quiet", \.quiet, nil, "no progress output", .on, group: .output, example: "true"),
    .option(
      "--model", \.model, "DIR", "a model folder --save-models wrote (<output>/models/<run id>)",
      .optionalPath("a model folder"),
      group: .output, example: "results/models/0123456789abcdef", commands: [.evaluate]),
  ]

  /// Applies `--set [scenario:]component.key=value`.
  mutating func set(_ text: String) throws {
    var pair = text
    var scenario: Scenario?
    if let colon = pair.firstIndex(of: ":"), colon < (pair.firstIndex(of: "=") ?? pair.endIndex) {
      let prefix = String(pair[..<colon])
      guard let named = Scenario(rawValue: prefix) else {
        throw CLIError("--set \(prefix):…: a scenario prefix must be task, domain or class")
      }
      scenario = named
      pair = String(pair[pair.index(after: colon)...])
    }
    guard let eq = pair.firstIndex(of: "="), pair[..<eq].contains(".") else {
      throw CLIError(
        "--set takes [scenario:]component.name=value (for example ewc.lambda=500 or class:ewc.lambda=1e8), not "
          + "'\(text)'"
      )
    }
    let (key, value) = (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
    if let scenario { scenarioSettings[scenario, default: [:]][key] = value } else { settings[key] = value }
    lastSetKey = key
  }
}

extension Scenario: Word {
  /// "unknown scenario 'tasks'".
  static var noun: String? { "scenario" }
}

extension TableFormat: Word {
  /// "unknown format 'pdf'".
  static var noun: String? { "format" }
}

extension ValueReader where Value == Benchmark {
  /// A benchmark by name.
  static var benchmark: Self {
    ValueReader(kind: .names, read: { text, _ in try Benchmark(named: text) }, spell: { $0.name })
  }
}

extension ValueReader where Value == NetworkName {
  /// A network by name (`resnet18:4`).
  static var network: Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        if let definition = Catalog.current.networks.first(where: { $0.name == text }) {
          return NetworkName(.defined(definition))
        }
        do {
          return NetworkName(try Network.named(text, hidden: []))
        } catch let error as NetworkError {
          throw CLIError("\(flag): \(error)")
        }
      }, spell: { $0.named.description })
  }
}

extension ValueReader where Value == Augmentation? {
  /// An augmentation by name (`crop-flip:2`).
  static var augmentation: Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        guard let parsed = Augmentation(name: text) else {
          throw CLIError("\(flag) takes none, crop-flip or crop-flip:P (padding P from 0 to 64), not '\(text)'")
        }
        return parsed
      }, spell: { $0?.description ?? "" })
  }
}

extension ValueReader where Value == EvaluationSplit {
  /// `test` or `train`: the validation split belongs to `--validation`, which holds its images out.
  static var evaluationSplit: Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        guard let split = EvaluationSplit(rawValue: text), split != .validation else {
          throw CLIError("\(flag) takes test or train, not '\(text)'")
        }
        return split
      }, spell: { $0.rawValue })
  }
}

extension ValueReader where Value == Shard? {
  /// `i/n` with 1 ≤ i ≤ n.
  static var shard: Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        let parts = pieces.compactMap { Int($0) }
        guard pieces.count == 2, parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
          throw CLIError("\(flag) takes i/n with 1 ≤ i ≤ n (for example 2/8), not '\(text)'")
        }
        return Shard(index: parts[0] - 1, count: parts[1])
      }, spell: { $0.map { "\($0.index + 1)/\($0.count)" } ?? "" })
  }
}

extension ValueReader where Value == AdamBetas {
  /// Two rates in [0, 1): `0.5,0.999`.
  static var adamBetas: Self {
    ValueReader(
      kind: .numbers,
      read: { text, flag in
        let parts = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let beta1 = parts[0], let beta2 = parts[1], (0..<1).contains(beta1),
          (0..<1).contains(beta2)
        else {
          throw CLIError(
            "\(flag) takes two rates from 0 up to (not including) 1, β1,β2 (for example 0.5,0.999), not '\(text)'")
        }
        return AdamBetas(beta1: beta1, beta2: beta2)
      }, spell: { "\($0.beta1),\($0.beta2)" })
  }
}

extension ValueReader where Value == LearningRateSchedule {
  /// Steps `E:F` separated by commas, each epoch E a whole number ≥ 1 used once and each factor F a
  /// positive number: `81:0.1,121:0.01`.
  static var learningRateSchedule: Self {
    ValueReader(
      kind: .text,
      read: { text, flag in
        let why =
          "\(flag) takes epoch:factor steps separated by commas, each epoch a whole number from 1 used once "
          + "and each factor positive (for example 81:0.1,121:0.01), not '\(text)'"
        var steps: [(epoch: Int, factor: Float)] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
          let parts = piece.split(separator: ":", omittingEmptySubsequences: false)
          guard parts.count == 2, let epoch = Int(parts[0].trimmingCharacters(in: .whitespaces)), epoch >= 1,
            let factor = Float(parts[1].trimmingCharacters(in: .whitespaces)), factor.isFinite, factor > 0,
            !steps.contains(where: { $0.epoch == epoch })
          else { throw CLIError(why) }
          steps.append((epoch, factor))
        }
        return LearningRateSchedule(steps)
      }, spell: { zip($0.epochs, $0.factors).map { "\($0):\($1)" }.joined(separator: ",") })
  }
}
