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
  /// A saved model's accuracy on its tasks.
  case evaluate
  /// The general help, or one command's.
  case help

  /// How the command is called.
  var usage: String {
    switch self {
    case .compare: "continual compare [options]"
    case .run: "continual run [options]"
    case .list: "continual list"
    case .report: "continual report FILE|FOLDER… [--output DIR] [--format …] [--baseline NAME]"
    case .evaluate: "continual evaluate --model DIR [the options of the compare that saved it]"
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
    case .evaluate: "a model kept by --save-models, measured on its tasks: the accuracy on each after its last task"
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
    case .run:
      "It takes the options of compare; only the first benchmark, scenario and stack are run, with 1 seed and ewc "
        + "by default."
    case .list: "It takes no options."
    case .report: "Records of several folders or shards are merged; runs that differ in any setting stay separate rows."
    case .evaluate:
      """
      The benchmark, scenario, algorithm and seed come from the model's model.json unless given; give the
      other options of the compare that saved it (or its --config/--preset) so the run is rebuilt exactly:
      a model whose run the options do not plan is measured anyway, with a warning.
      """
    case .help: ""
    }
  }
}

extension Command {
  /// The command's help: its usage, what it does and its options, grouped by what they configure.
  var help: String {
    var lines = ["usage: \(usage)", "", summary]
    if !details.isEmpty { lines += ["", details] }
    let options = Options.declarations.filter { $0.commands.contains(self) }
    guard !options.isEmpty else { return lines.joined(separator: "\n") }
    for group in OptionGroup.allCases {
      let members = options.filter { $0.group == group }
      guard !members.isEmpty else { continue }
      lines += ["", "\(group.title) options:"]
      for option in members {
        let shown = option.flag + (option.placeholder.map { " " + $0 } ?? "")
        lines.append(
          "  " + shown.padding(toLength: max(34, shown.count + 2), withPad: " ", startingAt: 0) + option.summary)
      }
    }
    lines.append("  " + "-h, --help".padding(toLength: 34, withPad: " ", startingAt: 0) + "this text")
    return lines.joined(separator: "\n")
  }
}
