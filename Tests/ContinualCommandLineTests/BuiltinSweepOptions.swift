import Foundation

@testable import ContinualCommand

/// The options of a quiet, task-incremental sweep on the built-in data that writes to `output`, with
/// `arguments` (the algorithms, seeds, lengths, …) parsed after those.
func builtinSweepOptions(_ arguments: [String], output: URL) throws -> Options {
  try Parsing.options(
    ["--benchmark", "split-builtin", "--scenario", "task", "--quiet", "--output", output.path] + arguments)
}
