import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// A package's own benchmark, network and preset (`ContinualCommand.main(algorithms:benchmarks:
/// networks:presets:)`) are listed, run, recorded, skipped when finished and sharded like the
/// built-in ones, and bad definitions are refused with a message naming them.
@Suite struct PackageCatalogTests {
  /// 4 classes of 8×8 images, class `k` bright in row `2k`, so the data is learnable.
  static let bars = BenchmarkDefinition(name: "split-bars", summary: "test bars", defaultTasks: 2) { _ in
    func images(_ perClass: Int, _ offset: Int) throws -> LabelledImages {
      var pixels: [UInt8] = []
      var labels: [Int] = []
      for label in 0..<4 {
        for i in 0..<perClass {
          for k in 0..<64 { pixels.append(k / 8 == 2 * label ? 200 : UInt8((k * 7 + i + offset) % 50)) }
          labels.append(label)
        }
      }
      return try LabelledImages(pixels: pixels, sampleShape: [1, 8, 8], labels: labels)
    }
    return (try images(30, 0), try images(10, 3))
  }

  /// One hidden layer of 6 units.
  static let small = NetworkDefinition(name: "small-net", summary: "test network") { input, outputs in
    Sequential([Flatten(), Linear(input.reduce(1, *), 6), ReLU(), Linear(6, outputs)])
  }

  /// `split-bars` with `small-net` and EWC.
  static let quick = PresetDefinition(
    name: "bars-quick", summary: "test preset",
    arguments: ["--benchmark", "split-bars", "--network", "small-net", "--algorithms", "ewc", "--iterations", "3"])

  /// Runs the command with the test catalogue, returning its output and diagnostics.
  static func run(_ arguments: [String]) throws -> (output: String, diagnostics: [String]) {
    let output = Lines(), diagnostics = Lines()
    try ContinualCommand.run(
      arguments, benchmarks: [bars], networks: [small], presets: [quick],
      console: Console(output: { output.append($0) }, diagnostics: { diagnostics.append($0) }))
    return (output.all.joined(separator: "\n"), diagnostics.all)
  }

  @Test func listShowsThePackagesBenchmarkNetworkAndPreset() throws {
    let list = try Self.run(["list"]).output
    #expect(list.contains("  split-bars         test bars"), "\(list)")
    #expect(list.contains("  small-net    test network"), "\(list)")
    #expect(list.contains("bars-quick") && list.contains("test preset"), "\(list)")
  }

  /// `--normalise channel` cannot reach a package's data: refused by name, never silently ignored.
  @Test func perChannelNormalisationOfAPackagesBenchmarkIsRefused() throws {
    try withTemporaryFolder("ck-catalog-normalise") { folder in
      let arguments = [
        "run", "--preset", "bars-quick", "--scenario", "task", "--seeds", "1", "--quiet", "--normalise", "channel",
        "--output", folder.path,
      ]
      var said = ""
      do { said = try Self.run(arguments).diagnostics.joined(separator: "\n") } catch { said = "\(error)" }
      #expect(said.contains("--normalise channel: the package's benchmark 'split-bars' brings its own data"), "\(said)")
    }
  }

  @Test func theBenchmarkRunsIsRecordedSkippedAndShardedLikeABuiltInOne() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ck-catalog-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let common = [
      "compare", "--preset", "bars-quick", "--scenario", "task", "--seeds", "2", "--quiet", "--format", "json",
    ]
    _ = try Self.run(common + ["--output", folder.appendingPathComponent("whole").path])
    let whole = try RecordFile.read(from: folder.appendingPathComponent("whole/records.jsonl")).records
    #expect(whole.count == 2 && whole.allSatisfy { $0.benchmark == "split-bars" && $0.status == .finished })
    #expect(whole[0].config["data"]?.hasPrefix("split-bars 1x8x8 120+40 4 classes crc ") == true, "\(whole[0].config)")
    #expect(whole[0].config["network"] == "small-net" && whole[0].accuracyMatrix.count == 2)

    // Finished runs are skipped, as for a built-in benchmark.
    _ = try Self.run(common + ["--output", folder.appendingPathComponent("whole").path])
    #expect(try RecordFile.read(from: folder.appendingPathComponent("whole/records.jsonl")).records.count == 2)

    // Two shards make the same runs.
    for shard in ["1/2", "2/2"] {
      _ = try Self.run(common + ["--shard", shard, "--output", folder.appendingPathComponent("shards").path])
    }
    let shards = try RecordFile.read(from: folder.appendingPathComponent("shards/records.jsonl")).records
    #expect(Set(shards.map(\.runID)) == Set(whole.map(\.runID)))
    #expect(Set(shards.map(\.accuracyMatrix)) == Set(whole.map(\.accuracyMatrix)))
  }

  @Test func badDefinitionsAndUnknownNamesAreNamed() throws {
    func error(_ body: () throws -> Void) -> String {
      do { try body() } catch { return "\(error)" }
      return "no error"
    }
    let console = Console(output: { _ in }, diagnostics: { _ in })
    let taken = BenchmarkDefinition(name: "split-mnist", summary: "") { _ in throw CLIError("unused") }
    #expect(
      error { try ContinualCommand.run(["list"], benchmarks: [taken], console: console) }.contains(
        "the benchmark 'split-mnist' of your package has the name of a built-in benchmark"))
    let invalid = NetworkDefinition(name: "My Net", summary: "") { _, _ in Sequential([]) }
    #expect(
      error { try ContinualCommand.run(["list"], networks: [invalid], console: console) }.contains(
        "invalid network name 'My Net'"))
    #expect(
      error { try ContinualCommand.run(["list"], presets: [Self.quick, Self.quick], console: console) }.contains(
        "two presets of your package are named 'bars-quick'"))
    // A typo gets the nearest name, the package's included.
    #expect(error { _ = try Self.run(["compare", "--benchmark", "split-bar"]) }.contains("did you mean 'split-bars'?"))
    // Without the package, its names are unknown.
    #expect(
      error { try ContinualCommand.run(["compare", "--benchmark", "split-bars"], console: console) }.contains(
        "unknown benchmark 'split-bars'"))
    // A loader's failure names the benchmark.
    let broken = BenchmarkDefinition(name: "split-broken", summary: "") { _ in throw CLIError("no such folder") }
    #expect(
      error {
        try ContinualCommand.run(
          ["compare", "--benchmark", "split-broken", "--output", "/tmp/ck-unused-\(UUID().uuidString)"],
          benchmarks: [broken], console: console)
      }.contains("the benchmark 'split-broken' could not load its data: no such folder"))
  }
}
