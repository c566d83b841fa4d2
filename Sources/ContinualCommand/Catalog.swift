import ContinualCore
import Foundation

/// What a package of yours adds to the command besides algorithms: benchmarks, networks and
/// presets, checked once when the command starts
/// (``ContinualCommand/run(_:algorithms:benchmarks:networks:presets:console:)``) and in force while
/// it runs.
///
/// It is a task-local value rather than a global, so tests and programs that embed the command can
/// run it with different catalogues at once; option parsing (`--benchmark`, `--network`,
/// `--preset`), `list` and `evaluate` read it, and a `--jobs` worker, being the same executable,
/// has the same one.
struct Catalog: Sendable {
  /// The package's benchmarks.
  var benchmarks: [BenchmarkDefinition] = []
  /// The package's networks.
  var networks: [NetworkDefinition] = []
  /// The package's presets.
  var presets: [PresetDefinition] = []

  /// The catalogue in force: the package's, while a command runs; empty otherwise.
  @TaskLocal static var current = Catalog()

  /// The built-in benchmarks, networks and presets only.
  init() {}

  /// A package's catalogue, its names checked.
  ///
  /// - Throws: ``CLIError`` for a name that is not lower-case letters, digits and hyphens, that a
  ///   built-in benchmark, network or preset has, or that two definitions share; for a benchmark
  ///   whose default task count is below 1.
  init(benchmarks: [BenchmarkDefinition], networks: [NetworkDefinition], presets: [PresetDefinition]) throws {
    try Self.check(benchmarks.map(\.name), kind: "benchmark", builtIn: Benchmark.all.map(\.name))
    try Self.check(networks.map(\.name), kind: "network", builtIn: Network.names)
    try Self.check(presets.map(\.name), kind: "preset", builtIn: Array(Preset.all.keys))
    for benchmark in benchmarks where benchmark.defaultTasks < 1 {
      throw CLIError(
        "the benchmark '\(benchmark.name)' has \(benchmark.defaultTasks) default tasks; it needs at least 1")
    }
    self.benchmarks = benchmarks
    self.networks = networks
    self.presets = presets
  }

  /// Checks a package's names of one kind.
  private static func check(_ names: [String], kind: String, builtIn: [String]) throws {
    var seen: Set<String> = []
    for name in names {
      let valid = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
      guard valid, let first = name.first, first != "-", name.count <= 40 else {
        throw CLIError(
          "invalid \(kind) name '\(name)': use lower-case letters, digits and hyphens, at most 40, not starting with a "
            + "hyphen")
      }
      guard !builtIn.contains(name) else {
        throw CLIError("the \(kind) '\(name)' of your package has the name of a built-in \(kind); choose another")
      }
      guard seen.insert(name).inserted else { throw CLIError("two \(kind)s of your package are named '\(name)'") }
    }
  }
}
