import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// Runs the grid of a sweep (benchmarks × scenarios × points × seeds), appending a record per run
/// to `<output>/records.jsonl`, skipping runs that already have a record and runs other processes
/// train (``SweepFolder``). Returns the records of the grid.
func runGrid(_ options: Options) throws -> [RunRecord] {
  let sweep = try Sweep(options)
  if let warning = options.ignoredHiddenWarning { options.console.warn(warning) }
  for warning in sweep.warnings { options.console.warn(warning) }
  try ensureWritableOutput(options.output)
  let factory = BenchmarkFactory(dataDirectory: options.dataDirectory, console: options.quiet ? nil : options.console)
  let folder = try SweepFolder(options: options)
  let clock = SweepClock(runs: 0)
  let cells = try sweep.plannedRuns(factory: factory).map { run in
    GridCell(runID: run.runID, label: run.label) {
      clock.runWillStart()
      defer { clock.runDidFinish() }
      return try RunOne(run, factory: factory, clock: clock).train()
    }
  }
  // Each run is claimed before it trains, so processes sharing the folder train it once.
  clock.reset(runs: cells.filter { folder.reusable($0.runID) == nil }.count)
  return try folder.run(cells)
}

/// One run of a sweep, planned: what it trains and its identity.
struct PlannedRun: Sendable {
  /// The benchmark.
  var benchmark: Benchmark
  /// The scenario.
  var scenario: Scenario
  /// The stack, resolved for the scenario.
  var stack: ResolvedStack
  /// The seed.
  var seed: UInt64
  /// The options of the run's point (an option variant's, from `--grid lr=…`).
  var options: Options
  /// The run's record configuration (protocol, settings, seed and data identity).
  var config: [String: String]
  /// The hash of ``config``.
  var runID: String
  /// `[3/12] split-mnist task ewc seed 2`.
  var label: String
}

extension Sweep {
  /// The runs of the grid (this process's shard of it), in grid order.
  ///
  /// - Parameter factory: Loads the data, for each run's data identity.
  /// - Returns: The runs.
  /// - Throws: The data's errors; ``CLIError`` for a stack that cannot be built.
  func plannedRuns(factory: BenchmarkFactory) throws -> [PlannedRun] {
    let seeds = (0..<options.seeds).map { UInt64(options.firstSeed + $0) }
    let total = options.benchmarks.count * options.scenarios.count * points.count * seeds.count
    var runs: [PlannedRun] = []
    var index = 0
    for benchmark in options.benchmarks {
      for scenario in options.scenarios {
        for point in points {
          let stack = try resolved(point, in: scenario)
          for seed in seeds {
            index += 1
            // A shard runs every n-th cell of the grid, in the grid's fixed order.
            if let shard = options.shard, (index - 1) % shard.count != shard.index { continue }
            // The stack's settings, and its `reset_optimiser` over the option's when a part needs it.
            var config = point.options.protocolConfig(benchmark: benchmark, scenario: scenario).merging(
              try stack.config()
            ) { _, b in b }
            config["algorithm"] = stack.name
            config["seed"] = String(seed)
            // The data's identity (files' contents, shape, classes): other data is another run.
            config["data"] = try factory.dataIdentity(benchmark)
            runs.append(
              PlannedRun(
                benchmark: benchmark, scenario: scenario, stack: stack, seed: seed, options: point.options,
                config: config,
                runID: stableHash(config),
                label: "[\(index)/\(total)] \(benchmark) \(scenario) \(point.label) seed \(seed)"))
          }
        }
      }
    }
    return runs
  }
}
