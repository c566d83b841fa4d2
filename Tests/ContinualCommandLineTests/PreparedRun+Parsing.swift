import Foundation

@testable import ContinualCommand

extension PreparedRun {
  /// The first cell of the grid that `arguments` (with `--quiet`) describe: its first benchmark,
  /// scenario and algorithm stack, seed 1, data from the built-in sets or `$CONTINUAL_DATA`.
  static func parsing(_ arguments: [String]) throws -> PreparedRun {
    let options = try Parsing.options(["--quiet"] + arguments)
    return try PreparedRun(
      benchmark: options.benchmarks[0], scenario: options.scenarios[0],
      stack: ResolvedStack(
        options.algorithms[0], settings: options.settings(for: options.scenarios[0]), known: options.known), seed: 1,
      factory: BenchmarkFactory(dataDirectory: nil), options: options)
  }
}
