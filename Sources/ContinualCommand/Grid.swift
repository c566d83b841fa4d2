import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// Runs the grid of `options` (benchmarks × scenarios × stacks × seeds), appending a record per run
/// to `<output>/records.jsonl`, skipping runs that already have a record and runs other processes
/// train (``SweepFolder``). Returns the records of the grid.
func runGrid(_ options: Options) throws -> [RunRecord] {
  try StackValidation.check(options)
  if let warning = options.ignoredHiddenWarning { printError("warning: \(warning)") }
  for warning in StackValidation.warnings(options) { printError("warning: \(warning)") }
  try ensureWritableOutput(options.output)
  let factory = BenchmarkFactory(dataDirectory: options.dataDirectory, quiet: options.quiet)
  let sweep = try SweepFolder(options: options)
  let seeds = (0..<options.seeds).map { options.firstSeed + UInt64($0) }
  let total = options.benchmarks.count * options.scenarios.count * options.algorithms.count * seeds.count
  var cells: [GridCell] = []
  var index = 0
  let clock = SweepClock(runs: 0)
  for benchmark in options.benchmarks {
    for scenario in options.scenarios {
      for stackName in options.algorithms {
        let stack = try AlgorithmStack(stackName, settings: options.settings(for: scenario), known: options.known)
        for seed in seeds {
          index += 1
          // A shard runs every n-th cell of the grid, in the grid's fixed order.
          if let shard = options.shard, (index - 1) % shard.count != shard.index { continue }
          var config = options.protocolConfig(benchmark: benchmark, scenario: scenario).merging(stack.config) { a, _ in a }
          config["algorithm"] = stack.name
          let components = try stack.components()
          // An algorithm that needs a fresh optimiser per task (HNet) gets one, and the record says so.
          if components.resetsOptimiser { config["reset_optimiser"] = "true" }
          if components.usesReplay {
            for (k, v) in try AlgorithmStack.memorySettings(options.settings(for: scenario)).values { config["memory.\(k)"] = v }
          }
          config["seed"] = String(seed)
          // The data's identity (files' contents, shape, classes): other data is another run.
          config["data"] = try factory.dataIdentity(benchmark)
          let runID = stableHash(config)
          let label = "[\(index)/\(total)] \(benchmark) \(scenario) \(stackName) seed \(seed)"
          cells.append(
            GridCell(runID: runID, label: label) {
              clock.runWillStart()
              defer { clock.runDidFinish() }
              return try runOne(
                benchmark: benchmark, scenario: scenario, stack: stack, seed: seed, config: config, runID: runID, factory: factory,
                options: options, label: label, clock: clock)
            })
        }
      }
    }
  }
  // Each run is claimed before it trains, so processes sharing the folder train it once.
  clock.reset(runs: cells.filter { sweep.reusable($0.runID) == nil }.count)
  return try sweep.run(cells)
}
