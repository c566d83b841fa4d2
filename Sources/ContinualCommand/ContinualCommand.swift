import ContinualCore
import ContinualReport
import Foundation

/// The `continual` command: run continual-learning algorithms on benchmarks and write comparison
/// tables.
///
/// The command lives in this library so that a package of your own gets all of it (grids, stacks,
/// presets, run ids, records, resume, shards and tables) with its own algorithms in every list. A
/// three-line `main.swift` is enough:
///
/// ```swift
/// import ContinualCommand
///
/// ContinualCommand.main(algorithms: BuiltInAlgorithms.all + [MyPenalty.self])
/// ```
///
/// ```
/// continual compare                      # the default comparison on the built-in dataset
/// continual list                         # algorithms, hyperparameters, benchmarks, scenarios
/// continual run --algorithms ewc --benchmark split-mnist --scenario task
/// continual report results/records.jsonl
/// ```
public enum ContinualCommand {
  /// Runs the command named by the process's arguments and exits: status 0 on success, 2 after
  /// printing an error that names the problem.
  ///
  /// - Parameters:
  ///   - algorithms: The algorithms stacks may name, in the order `continual list` shows them;
  ///     usually `BuiltInAlgorithms.all` plus your own.
  ///   - benchmarks: Your package's benchmarks, beside the built-in ones.
  ///   - networks: Your package's networks, beside the built-in ones.
  ///   - presets: Your package's presets, beside the built-in ones.
  public static func main(
    algorithms: [any Algorithm.Type] = BuiltInAlgorithms.all, benchmarks: [BenchmarkDefinition] = [],
    networks: [NetworkDefinition] = [], presets: [PresetDefinition] = []
  ) -> Never {
    do {
      try run(
        Array(CommandLine.arguments.dropFirst()), algorithms: algorithms, benchmarks: benchmarks, networks: networks,
        presets: presets)
      exit(0)
    } catch {
      Console.standard.diagnostics("continual: error: \(error)")
      exit(2)
    }
  }

  /// Runs one command without exiting, for tests and for programs that embed the command.
  ///
  /// - Parameters:
  ///   - arguments: The command name and its options, as typed after `continual`.
  ///   - algorithms: The algorithms stacks may name.
  ///   - benchmarks: Your package's benchmarks, beside the built-in ones.
  ///   - networks: Your package's networks, beside the built-in ones.
  ///   - presets: Your package's presets, beside the built-in ones.
  ///   - console: Where tables, progress, warnings and errors go; standard output and error by default.
  /// - Throws: An error whose description names the problem (an unknown option, an invalid value,
  ///   unreadable data, a package's benchmark, network or preset with an invalid or taken name);
  ///   runs already finished keep their records.
  public static func run(
    _ arguments: [String], algorithms: [any Algorithm.Type] = BuiltInAlgorithms.all,
    benchmarks: [BenchmarkDefinition] = [], networks: [NetworkDefinition] = [], presets: [PresetDefinition] = [],
    console: Console = .standard
  ) throws {
    let catalog = try Catalog(benchmarks: benchmarks, networks: networks, presets: presets)
    try Catalog.$current.withValue(catalog) { try runCommand(arguments, algorithms: algorithms, console: console) }
  }

  /// Runs one command with ``Catalog/current`` in force.
  private static func runCommand(_ arguments: [String], algorithms: [any Algorithm.Type], console: Console) throws {
    var arguments = arguments
    let name = arguments.isEmpty ? "help" : arguments.removeFirst()
    let command: Command
    switch name {
    case "-h", "--help": command = .help
    default:
      guard let known = Command(rawValue: name) else {
        let suggestion = nearest(name, in: Command.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError("unknown command '\(name)'\(suggestion) (see `continual help`)")
      }
      command = known
    }
    // `continual compare --help`, `continual compare -h` and `continual help compare` are one text.
    if command != .help, arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
      return console.output(command.help)
    }
    switch command {
    case .help:
      guard let topic = arguments.first, !["--help", "-h", "help"].contains(topic) else {
        return console.output(generalHelp)
      }
      guard let named = Command(rawValue: topic), arguments.count == 1 else {
        throw CLIError(
          "`continual help` takes one command name (\(Command.allCases.map(\.rawValue).joined(separator: ", "))), "
            + "not '\(arguments.joined(separator: " "))'"
        )
      }
      console.output(named.help)
    case .list:
      guard arguments.isEmpty else {
        throw CLIError("`continual list` takes no options, not '\(arguments.joined(separator: " "))'")
      }
      console.output(listText(known: algorithms))
    case .compare:
      var options = try Options(
        arguments, for: .compare, known: algorithms, console: Jobs.worker.map(console.worker) ?? console)
      Jobs.applyThreads(options)
      if options.jobs > 1 {
        _ = try Sweep(options)  // a bad grid fails here, once, not in every worker
        try Jobs.runWorkers([command.rawValue] + arguments, options: options)
        // Every run has its record now: the sweep reads them and writes the tables.
        options.quiet = true
      }
      let records = try runGrid(options)
      // Workers leave the tables to the process that started them.
      if Jobs.worker == nil { try writeTables(records, options: options) }
    case .run:
      let options = try Options.forRun(arguments, known: algorithms, console: console)
      Jobs.applyThreads(options)
      for record in try runGrid(options) { console.output(summary(of: record)) }
    case .evaluate:
      let options = try Options(arguments, for: .evaluate, known: algorithms, console: console)
      Jobs.applyThreads(options)
      let result = try EvaluateCommand.evaluate(options)
      console.output(EvaluateCommand.text(result, folder: options.model!))
    case .report:
      let files = arguments.prefix { !$0.hasPrefix("--") }
      let options = try Options(
        Array(arguments.dropFirst(files.count)), for: .report, known: algorithms, console: console)
      guard !files.isEmpty else {
        throw CLIError("report needs one or more record files (records.jsonl) or result folders")
      }
      let contents = try RecordFile.readAll(files.map { try recordFileURL(forArgument: String($0)) })
      for warning in contents.warnings { console.warn(warning) }
      try writeReport(contents.records, options: options)
    }
  }
}

/// `continual help`: the commands, and where each one's options are.
let generalHelp =
  "usage: continual <command> [options]\n\ncommands:\n"
  + Command.allCases.map { "  \($0.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(
    separator: "\n")
    + """


    `continual compare` with no options runs finetune, ewc, online-ewc, si, mas and joint on
    permuted-builtin (5 tasks, domain-incremental, 3 seeds) and writes results/comparison.{md,csv,tex,json}.

    Each command's options: continual help COMMAND, or continual COMMAND --help.
    Data: --data-dir, else $CONTINUAL_DATA, else the user cache; see `continual list`.
    """

/// One run's accuracy matrix and summary, as `continual run` prints it.
func summary(of record: RunRecord) -> String {
  var lines = ["\(record.algorithm) on \(record.benchmark) (\(record.scenario)), seed \(record.seed): \(record.status)"]
  if let failure = record.failure { lines.append("  \(failure)") }
  for (i, row) in record.accuracyMatrix.enumerated() {
    lines.append("  after task \(i + 1): " + row.map { String(format: "%6.2f", $0 * 100) }.joined(separator: " "))
  }
  if let acc = record.averageAccuracy {
    var line = String(
      format: "  average accuracy %.2f %%, BWT %.2f, forgetting %.2f", acc * 100, (record.bwt ?? 0) * 100,
      (record.forgetting ?? 0) * 100)
    if let learning = record.learningAccuracy { line += String(format: ", learning accuracy %.2f %%", learning * 100) }
    line += record.forwardTransfer.map { String(format: ", FWT %.2f", $0 * 100) } ?? ", FWT undefined in this scenario"
    lines.append(line)
  }
  if let validation = record.validationAverageAccuracy {
    lines.append(String(format: "  validation accuracy %.2f %%", validation * 100))
  }
  return lines.joined(separator: "\n")
}

extension Options {
  /// The options of `continual run`: its defaults (one seed of `ewc`, from the declarations), and
  /// the first benchmark, scenario and stack only.
  static func forRun(
    _ arguments: [String], known: [any Algorithm.Type], console: Console = .standard
  ) throws -> Options {
    var options = try Options(arguments, for: .run, known: known, console: console)
    options.benchmarks = Array(options.benchmarks.prefix(1))
    options.scenarios = Array(options.scenarios.prefix(1))
    options.algorithms = Array(options.algorithms.prefix(1))
    return options
  }
}
