// continual: run continual-learning algorithms on benchmarks and write comparison tables.
//
//   continual compare                      # the default comparison on the built-in dataset
//   continual list                         # algorithms, hyperparameters, benchmarks, scenarios
//   continual run --algorithms ewc --benchmark split-mnist --scenario task
//   continual report results/records.jsonl
import ContinualCore
import ContinualReport
import Foundation

let usage = """
  usage: continual <command> [options]

  commands:
    compare   run a grid (benchmarks × scenarios × algorithm stacks × seeds) and write comparison tables
    run       one run (the first of each option) with its accuracy matrix
    list      algorithms with their hyperparameters, benchmarks and scenarios
    report    tables from existing record files: continual report FILE|FOLDER… [--output DIR] [--format …] [--baseline NAME]
    help      this text

  With no options, `continual compare` runs finetune, ewc, online-ewc, si, mas and joint on
  permuted-builtin (5 tasks, domain-incremental, 3 seeds) and writes results/comparison.{md,csv,tex,json}.

  options:
  """

func help() {
  print(usage)
  for (flag, text) in Options.flags.sorted(by: { $0.key < $1.key }) {
    let shown = Options.switches.contains(flag) ? flag : "\(flag) VALUE"
    print("    \(shown.padding(toLength: 26, withPad: " ", startingAt: 0)) \(text)")
  }
  print("\n  Data: --data-dir, else $CONTINUAL_DATA, else the user cache; see `continual list`.")
}

func main() throws {
  var arguments = Array(CommandLine.arguments.dropFirst())
  let command = arguments.isEmpty ? "help" : arguments.removeFirst()
  switch command {
  case "help", "-h", "--help":
    help()
  case "list":
    listCommand()
  case "compare":
    let options = try Options(arguments)
    let records = try runGrid(options)
    try writeTables(records, options: options)
  case "run":
    var options = try Options(arguments)
    if options.given.contains("--baseline") { throw CLIError("--baseline applies to compare and report, which write tables") }
    if !options.given.contains("--seeds") { options.seeds = 1 }
    if !options.given.contains("--algorithms") { options.algorithms = ["ewc"] }
    options.benchmarks = Array(options.benchmarks.prefix(1))
    options.scenarios = Array(options.scenarios.prefix(1))
    options.algorithms = Array(options.algorithms.prefix(1))
    for record in try runGrid(options) {
      print("\(record.algorithm) on \(record.benchmark) (\(record.scenario)), seed \(record.seed): \(record.status)")
      if let failure = record.failure { print("  \(failure)") }
      for (i, row) in record.accuracyMatrix.enumerated() {
        print("  after task \(i + 1): " + row.map { String(format: "%6.2f", $0 * 100) }.joined(separator: " "))
      }
      if let acc = record.averageAccuracy {
        print(
          String(format: "  average accuracy %.2f %%, BWT %.2f, forgetting %.2f", acc * 100, (record.bwt ?? 0) * 100, (record.forgetting ?? 0) * 100))
      }
    }
  case "report":
    let files = arguments.prefix { !$0.hasPrefix("--") }
    let options = try Options(Array(arguments.dropFirst(files.count)))
    guard !files.isEmpty else { throw CLIError("report needs one or more record files (records.jsonl) or result folders") }
    let contents = try RecordFile.readAll(files.map { try recordFileURL(forArgument: String($0)) })
    for warning in contents.warnings { printError("warning: \(warning)") }
    try writeTables(contents.records, options: options)
  default:
    let suggestion = nearest(command, in: ["compare", "run", "list", "report", "help"]).map { "; did you mean '\($0)'?" } ?? ""
    throw CLIError("unknown command '\(command)'\(suggestion) (see `continual help`)")
  }
}

do {
  try main()
} catch {
  printError("continual: error: \(error)")
  exit(2)
}
