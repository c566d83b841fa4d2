import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// Variants of one algorithm in one sweep, written in brackets or expanded from
/// `--grid`, each its own run ids and table row.
@Suite struct VariantTests {
  /// Brackets hold a component's settings; commas inside them belong to the stack.
  @Test func stacksParseWithTheirSettings() throws {
    let stack = try StackSpecification("ewc[lambda=1e4,labels=empirical]+si[c=1]")
    #expect(stack.stackName == "ewc+si" && stack.text == "ewc[lambda=1e4,labels=empirical]+si[c=1]")
    #expect(
      stack.components[0].settings.map(\.key) == ["lambda", "labels"]
        && stack.components[1].settings.map(\.value) == ["1"])
    #expect(
      try StackSpecification.list("ewc[lambda=1,labels=sampled], si ,ewc+mas").map(\.text) == [
        "ewc[lambda=1,labels=sampled]", "si", "ewc+mas",
      ])
    for bad in [
      "ewc[lambda=1", "ewc]", "ewc[lambda]", "[c=1]", "ewc[lambda=1][c=2]", "ewc[lambda=1,lambda=2]", "ewc+",
      "ewc[a=[1]]",
    ] {
      #expect(throws: CLIError.self, "\(bad)") { try StackSpecification(bad) }
    }
  }

  /// A bracketed value overrides `--set` for that stack only; the record's algorithm is the stack
  /// without settings, and each variant has its own configuration.
  @Test func bracketsOverrideSetForOneStack() throws {
    let options = try Parsing.options(["--algorithms", "ewc,ewc[lambda=1e4]", "--set", "ewc.lambda=50"])
    let plain = try ResolvedStack(options.algorithms[0], settings: options.settings(for: .domain), known: options.known)
    let variant = try ResolvedStack(
      options.algorithms[1], settings: options.settings(for: .domain), known: options.known)
    #expect(plain.name == "ewc" && variant.name == "ewc" && variant.specification.text == "ewc[lambda=1e4]")
    #expect(try plain.config()["ewc.lambda"] == "50" && variant.config()["ewc.lambda"] == "10000")
  }

  /// `--grid` expands every stack holding the component, axes multiplying in the order given.
  @Test func gridsExpandIntoVariants() throws {
    let options = try Parsing.options([
      "--algorithms", "ewc,si,ewc+mas", "--grid", "ewc.lambda=1e2,1e4", "--grid", "ewc.labels=expected,empirical",
    ])
    #expect(
      try Sweep(options).points.map(\.stack.text) == [
        "ewc[lambda=1e2,labels=expected]", "ewc[lambda=1e2,labels=empirical]", "ewc[lambda=1e4,labels=expected]",
        "ewc[lambda=1e4,labels=empirical]", "si", "ewc[lambda=1e2,labels=expected]+mas",
        "ewc[lambda=1e2,labels=empirical]+mas",
        "ewc[lambda=1e4,labels=expected]+mas", "ewc[lambda=1e4,labels=empirical]+mas",
      ])
    let noStack = try #require(Parsing.error(["--algorithms", "ewc", "--grid", "si.c=1,2"]))
    #expect(noStack.contains("si is in no stack"), "\(noStack)")
    let twice = try #require(Parsing.error(["--algorithms", "ewc[lambda=5]", "--grid", "ewc.lambda=1,2"]))
    #expect(twice.contains("give it in one place"), "\(twice)")
    #expect(Parsing.error(["--grid", "ewc.lambda=1,1", "--algorithms", "ewc"])?.contains("more than once") == true)
    #expect(Parsing.error(["--grid", "lambda=1,2"])?.contains("component.key=v1,v2") == true)
    let invalid = try #require(Parsing.error(["--algorithms", "ewc", "--grid", "ewc.lambda=1,-3"]))
    #expect(invalid.contains("invalid value '-3' for ewc.lambda"), "\(invalid)")
  }

  /// Variants that resolve to the same settings are one configuration: refused, not trained twice.
  @Test func equalVariantsAreRefused() throws {
    let message = try #require(Parsing.error(["--algorithms", "ewc,ewc[lambda=500]"]))
    #expect(message.contains("ewc and ewc[lambda=500] are the same configuration"), "\(message)")
    #expect(Parsing.error(["--algorithms", "ewc[lambda=1e3],ewc[lambda=1000]"]) != nil, "one value, two spellings")
  }

  /// An experiment file takes bracketed stacks and a `grid` object.
  @Test func experimentFilesTakeVariantsAndGrids() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ck-variants-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("grid.json")
    try Data(#"{"algorithms": ["ewc[lambda=1,labels=sampled]", "si"], "grid": {"si.c": [0.1, 1]}}"#.utf8).write(to: url)
    let options = try Parsing.options(["--config", url.path])
    #expect(try Sweep(options).points.map(\.stack.text) == ["ewc[lambda=1,labels=sampled]", "si[c=0.1]", "si[c=1]"])
  }

  /// Two variants in one sweep are two runs with their own ids and two rows, labelled by the
  /// setting that tells them apart.
  @Test func variantsAreTheirOwnRowsInOneSweep() throws {
    let root = try temporaryFolder("ck-variants")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try builtinSweepOptions(
      [
        "--algorithms", "ewc", "--grid", "ewc.lambda=1,1e6", "--seeds", "1", "--iterations", "5",
        "--train-per-task", "100", "--test-per-task", "50",
      ], output: root)
    let records = try runGrid(options)
    #expect(records.count == 2 && Set(records.map(\.runID)).count == 2 && records.allSatisfy { $0.algorithm == "ewc" })
    let labels = ComparisonTable(records: records).rows.map(\.label)
    #expect(labels == ["ewc (lambda=1)", "ewc (lambda=1000000)"], "\(labels)")
  }
}
