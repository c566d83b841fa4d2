import ContinualCore
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// Parsing and validation as `continual compare` does it before anything runs.
enum Parsing {
  /// Options from arguments, validated as a grid (benchmarks, stacks and every `--set` key).
  static func options(_ arguments: [String]) throws -> Options {
    let options = try Options(arguments)
    try _ = try Sweep(options)
    return options
  }

  /// The description of the typed error parsing throws, or `nil` (and a recorded issue) for an
  /// untyped error or none.
  static func error(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
      _ = try options(arguments)
      Issue.record("\(arguments) was accepted", sourceLocation: sourceLocation)
    } catch let error as CLIError {
      return error.description
    } catch let error as SettingsError {
      return error.description
    } catch {
      Issue.record("\(arguments): an untyped error \(error)", sourceLocation: sourceLocation)
    }
    return nil
  }

  /// Problems with options that validation accepted: every value the run relies on is in range.
  static func violations(_ o: Options) -> [String] {
    var problems: [String] = []
    if !(1...10_000).contains(o.seeds) { problems.append("seeds \(o.seeds)") }
    if !(1...65_536).contains(o.batchSize) { problems.append("batch size \(o.batchSize)") }
    if !(o.learningRate.isFinite && o.learningRate > 0) { problems.append("lr \(o.learningRate)") }
    if !(o.momentum >= 0 && o.momentum < 1) { problems.append("momentum \(o.momentum)") }
    if let tasks = o.tasks, !(1...1_000).contains(tasks) { problems.append("tasks \(tasks)") }
    if let n = o.iterations, !(1...1_000_000_000).contains(n) { problems.append("iterations \(n)") }
    if let n = o.epochs, !(1...1_000_000).contains(n) { problems.append("epochs \(n)") }
    if (o.iterations == nil) == (o.epochs == nil) {
      problems.append("iterations \(String(describing: o.iterations)) and epochs \(String(describing: o.epochs))")
    }
    if o.hidden.contains(where: { !(1...65_536).contains($0) }) { problems.append("hidden \(o.hidden)") }
    if let shard = o.shard, !(shard.count >= 1 && (0..<shard.count).contains(shard.index)) {
      problems.append("shard \(shard)")
    }
    if o.benchmarks.isEmpty || o.scenarios.isEmpty || o.algorithms.isEmpty || o.formats.isEmpty {
      problems.append("an empty list")
    }
    if o.benchmarks.contains(where: { !Benchmark.all.contains($0) }) { problems.append("benchmarks \(o.benchmarks)") }
    if Set(o.scenarios).count != o.scenarios.count { problems.append("scenarios \(o.scenarios)") }
    if Set(o.formats).count != o.formats.count { problems.append("formats \(o.formats)") }
    return problems
  }
}

/// Benchmarks written by name in tests (`"split-mnist"`); an unknown name stops the test.
extension Benchmark: ExpressibleByStringLiteral {
  /// The benchmark of that name.
  public init(stringLiteral name: String) {
    do {
      try self.init(named: name)
    } catch {
      preconditionFailure("\(error)")
    }
  }
}
