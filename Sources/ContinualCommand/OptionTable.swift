/// A command of `continual`.
enum Command: String, CaseIterable, Sendable {
  /// Runs a grid and writes comparison tables.
  case compare
  /// One run with its accuracy matrix.
  case run
  /// Algorithms, networks, benchmarks, presets and scenarios.
  case list
  /// Tables from existing records.
  case report
  /// The general help, or one command's.
  case help

  /// How the command is called.
  var usage: String {
    switch self {
    case .compare: "continual compare [options]"
    case .run: "continual run [options]"
    case .list: "continual list"
    case .report: "continual report FILE|FOLDER… [--output DIR] [--format …] [--baseline NAME]"
    case .help: "continual help [COMMAND]"
    }
  }

  /// One line on what it does.
  var summary: String {
    switch self {
    case .compare: "run a grid (benchmarks × scenarios × algorithm stacks × seeds) and write comparison tables"
    case .run: "one run (the first of each option) with its accuracy matrix"
    case .list: "algorithms with their hyperparameters, networks, benchmarks, presets and scenarios"
    case .report: "tables from existing record files or result folders, merged"
    case .help: "this text, or a command's options: continual help compare (or continual compare --help)"
    }
  }

  /// More on what it does, after the summary in its help.
  var details: String {
    switch self {
    case .compare:
      """
      With no options it runs finetune, ewc, online-ewc, si, mas and joint on permuted-builtin (5 tasks,
      domain-incremental, 3 seeds) and writes results/comparison.{md,csv,tex,json}. Finished runs are
      skipped and interrupted ones resume from their last task boundary when the command is repeated.
      """
    case .run: "It takes the options of compare; only the first benchmark, scenario and stack are run, with 1 seed and ewc by default."
    case .list: "It takes no options."
    case .report: "Records of several folders or shards are merged; runs that differ in any setting stay separate rows."
    case .help: ""
    }
  }
}

/// One command-line option: the one place that says what it is called, what value it takes, what
/// it does and which commands accept it. Parsing, every command's help and the experiment-file
/// keys are read from ``Options/table``.
struct OptionSpec: Sendable {
  /// The flag, `--seeds`.
  var flag: String
  /// What the value looks like (`N`, `NAME[,NAME…]`), or `nil` for a switch that takes none.
  var value: String?
  /// What it does.
  var summary: String
  /// The commands that accept it on the command line.
  var commands: Set<Command>

  /// The commands that train: compare and run.
  static let training: Set<Command> = [.compare, .run]
}

extension Options {
  /// Every option, in the order help shows them.
  static let table: [OptionSpec] = [
    OptionSpec(
      flag: "--preset", value: "NAME",
      summary: "a published protocol: \(Preset.all.keys.sorted().joined(separator: ", ")) (see Docs/Reproductions.md); flags after it override",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--config", value: "FILE",
      summary: "a JSON experiment file whose keys are these options without -- (see Docs/CommandLine.md); flags after it override",
      commands: OptionSpec.training),
    OptionSpec(flag: "--benchmark", value: "NAME[,NAME…]", summary: "benchmark name(s) (see `continual list`)", commands: OptionSpec.training),
    OptionSpec(
      flag: "--scenario", value: "task|domain|class[,…]", summary: "the scenario(s): task-, domain- or class-incremental",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--algorithms", value: "STACK[,STACK…]",
      summary: "algorithm stacks; `+` stacks components (ewc+si); settings in brackets make a variant (ewc[lambda=1e4])",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--grid", value: "NAME.KEY=V1,V2,…",
      summary: "one variant of every stack holding NAME per value (repeatable; several grids multiply); each variant is its own row",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--set", value: "[SCENARIO:]NAME.KEY=VALUE",
      summary: "a hyperparameter (repeatable; class:ewc.lambda=1e8 applies to one scenario); memory.* for replay", commands: OptionSpec.training),
    OptionSpec(flag: "--seeds", value: "N", summary: "number of seeds (consecutive from --seed)", commands: OptionSpec.training),
    OptionSpec(flag: "--seed", value: "N", summary: "the first seed", commands: OptionSpec.training),
    OptionSpec(flag: "--tasks", value: "N", summary: "number of tasks", commands: OptionSpec.training),
    OptionSpec(flag: "--iterations", value: "N", summary: "optimiser steps per task (default 300)", commands: OptionSpec.training),
    OptionSpec(flag: "--epochs", value: "N", summary: "passes over each task's data (instead of --iterations)", commands: OptionSpec.training),
    OptionSpec(flag: "--batch-size", value: "N", summary: "samples per mini-batch", commands: OptionSpec.training),
    OptionSpec(flag: "--optimiser", value: "adam|sgd", summary: "the optimiser", commands: OptionSpec.training),
    OptionSpec(flag: "--lr", value: "X", summary: "learning rate", commands: OptionSpec.training),
    OptionSpec(flag: "--momentum", value: "X", summary: "SGD momentum", commands: OptionSpec.training),
    OptionSpec(
      flag: "--weight-decay", value: "X", summary: "L2 weight decay added to the gradient (SGD and Adam; 0 = off)", commands: OptionSpec.training),
    OptionSpec(
      flag: "--network", value: "NAME", summary: "mlp, zenke, resnet32 or resnet18[:width] (see `continual list`); heads sit on top as on the MLP",
      commands: OptionSpec.training),
    OptionSpec(flag: "--hidden", value: "N[,N…]", summary: "hidden layer widths of the MLP", commands: OptionSpec.training),
    OptionSpec(
      flag: "--batchnorm", value: "shared|per-task",
      summary: "BatchNorm running statistics: one set for all tasks (default) or per task (task scenario only; see Docs/Networks.md)",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--augment", value: "none|crop-flip[:P]",
      summary: "training-image augmentation (4-pixel padded random crop and horizontal flip; the default for CIFAR)", commands: OptionSpec.training),
    OptionSpec(flag: "--permute-first-task", value: nil, summary: "permute task 1 too (permuted benchmarks)", commands: OptionSpec.training),
    OptionSpec(flag: "--pad", value: nil, summary: "zero-pad 28×28 images to 32×32 (permuted benchmarks)", commands: OptionSpec.training),
    OptionSpec(
      flag: "--shuffle-classes", value: nil, summary: "split benchmarks: assign classes to tasks by a random permutation per seed",
      commands: OptionSpec.training),
    OptionSpec(flag: "--reset-optimiser", value: nil, summary: "reset the optimiser's state at each task", commands: OptionSpec.training),
    OptionSpec(flag: "--train-per-task", value: "N", summary: "training samples per task (0 = all)", commands: OptionSpec.training),
    OptionSpec(flag: "--test-per-task", value: "N", summary: "test samples per task (0 = all)", commands: OptionSpec.training),
    OptionSpec(
      flag: "--validation", value: "F",
      summary:
        "hold out this share of each task's training images; tables then report, per algorithm, the grid point with the best validation accuracy (see Docs/CommandLine.md)",
      commands: OptionSpec.training),
    OptionSpec(flag: "--eval-split", value: "test|train", summary: "the split accuracies are measured on", commands: OptionSpec.training),
    OptionSpec(flag: "--eval-limit", value: "N", summary: "evaluate on at most this many samples per task", commands: OptionSpec.training),
    OptionSpec(
      flag: "--data-dir", value: "DIR",
      summary: "folder holding mnist/, fashion-mnist/, cifar-10/, cifar-100/ (else $CONTINUAL_DATA, else the user cache)",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--output", value: "DIR", summary: "folder for records.jsonl and the tables (default results)", commands: [.compare, .run, .report]),
    OptionSpec(
      flag: "--format", value: "FORMAT[,FORMAT…]", summary: "markdown, csv, latex, json, html (html is a report with figures)",
      commands: [.compare, .report]),
    OptionSpec(
      flag: "--baseline", value: "NAME", summary: "a row label or algorithm: add each row's seed-paired difference from it (ACC, BWT; 95 % interval)",
      commands: [.compare, .report]),
    OptionSpec(
      flag: "--shard", value: "I/N", summary: "run the i-th of n deterministic slices of the grid (i from 1); merge with `continual report`",
      commands: OptionSpec.training),
    OptionSpec(flag: "--force", value: nil, summary: "rerun runs that already have a finished record", commands: OptionSpec.training),
    OptionSpec(
      flag: "--no-checkpoints", value: nil, summary: "do not save task-boundary checkpoints (an interrupted run then restarts from its first task)",
      commands: OptionSpec.training),
    OptionSpec(
      flag: "--save-models", value: nil,
      summary: "keep each finished run's final weights: <output>/models/<run id>/model.safetensors and model.json (see Docs/SavedModels.md)",
      commands: OptionSpec.training),
    OptionSpec(flag: "--quiet", value: nil, summary: "no progress output", commands: OptionSpec.training),
  ]

  /// Each flag's summary.
  static let flags: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.flag, $0.summary) })

  /// The flags that take no value.
  static let switches: Set<String> = Set(table.filter { $0.value == nil }.map(\.flag))

  /// The option a flag names.
  static func spec(_ flag: String) -> OptionSpec? { table.first { $0.flag == flag } }

  /// A command's help: its usage, what it does and its options.
  static func help(for command: Command) -> String {
    var lines = ["usage: \(command.usage)", "", command.summary]
    if !command.details.isEmpty { lines += ["", command.details] }
    let options = table.filter { $0.commands.contains(command) }
    if !options.isEmpty {
      lines += ["", "options:"]
      for option in options {
        let shown = option.flag + (option.value.map { " " + $0 } ?? "")
        lines.append("  " + shown.padding(toLength: max(34, shown.count + 2), withPad: " ", startingAt: 0) + option.summary)
      }
      lines.append("  " + "-h, --help".padding(toLength: 34, withPad: " ", startingAt: 0) + "this text")
    }
    return lines.joined(separator: "\n")
  }
}
