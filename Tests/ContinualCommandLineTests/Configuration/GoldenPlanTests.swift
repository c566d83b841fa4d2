import ContinualCore
import Foundation
import Testing

@testable import ContinualCommand

/// Run ids and record configurations over a representative set of sweeps, compared with the values
/// in `golden-plans.txt`: a change to how options, stacks, grids, presets or experiment files are
/// parsed must not change which runs a sweep plans or what their records say, or old records and
/// checkpoints would no longer be found. Run with `CONTINUAL_UPDATE_GOLDEN=1` to rewrite the file
/// after a deliberate change, and say why in the commit.
@Suite struct GoldenPlanTests {
  /// The sweeps: a name and the command line after `continual`.
  static func cases(cifar: URL, file: URL) -> [(name: String, arguments: [String])] {
    let small = ["--seeds", "2", "--iterations", "3", "--train-per-task", "60", "--test-per-task", "30"]
    let cifarData = ["--data-dir", cifar.path, "--train-per-task", "0", "--test-per-task", "0", "--seeds", "1"]
    return [
      ("the default compare", ["compare"]),
      ("the default run", ["run"]),
      (
        "variants, a grid, scenario-scoped settings and validation",
        [
          "compare", "--benchmark", "split-builtin", "--scenario", "task,class", "--algorithms",
          "ewc[lambda=1e4]+si,si,mas",
          "--grid", "si.c=0.1,1", "--set", "class:ewc.lambda=1e8", "--set", "mas.lambda=2", "--validation", "0.1",
          "--hidden", "100,100",
        ] + small
      ),
      (
        "replay",
        [
          "compare", "--benchmark", "split-builtin", "--scenario", "class", "--algorithms", "er,er+gkd,ssil", "--set",
          "memory.size=200",
          "--set", "memory.batch=16", "--shuffle-classes",
        ] + small
      ),
      (
        "other algorithms, optimisers and protocol knobs",
        [
          "compare", "--benchmark", "permuted-builtin,rotated-builtin", "--scenario", "domain", "--algorithms",
          "hnet,slnid+mas,joint,online-ewc,finetune", "--optimiser", "sgd", "--momentum", "0.9", "--lr", "0.01",
          "--weight-decay", "0.0005",
          "--epochs", "2", "--batch-size", "64", "--tasks", "3", "--reset-optimiser", "--eval-split", "train",
          "--eval-limit", "20",
          "--permute-first-task", "--seed", "7", "--seeds", "1",
        ]
      ),
      (
        "padded permutations",
        ["compare", "--benchmark", "permuted-builtin", "--pad", "--algorithms", "ewc", "--seeds", "1"]
      ),
      (
        "a CNN on CIFAR with the default augmentation",
        [
          "compare", "--benchmark", "split-cifar10", "--scenario", "task", "--network", "zenke", "--algorithms",
          "finetune,ewc",
        ]
          + cifarData
      ),
      (
        "a ResNet with per-task BatchNorm, no augmentation",
        [
          "compare", "--benchmark", "split-cifar10-100", "--scenario", "task", "--network", "resnet32", "--batchnorm",
          "per-task",
          "--augment", "none", "--algorithms", "si", "--tasks", "3",
        ] + cifarData
      ),
      (
        "CIFAR-100 with a padded crop, MLP",
        [
          "compare", "--benchmark", "split-cifar100", "--scenario", "class", "--augment", "crop-flip:2", "--algorithms",
          "er",
        ] + cifarData
      ),
      (
        "a preset with an override",
        ["compare", "--preset", "vdv2019-split-mnist", "--benchmark", "split-builtin", "--seeds", "1"]
      ),
      ("another preset", ["compare", "--preset", "slnid2019-mas", "--benchmark", "permuted-builtin", "--seeds", "1"]),
      ("an experiment file", ["compare", "--config", file.path]),
      ("a shard", ["compare", "--shard", "2/3", "--algorithms", "ewc,si", "--seeds", "2"]),
    ]
  }

  /// The plan of one command line: each run's id, label and sorted configuration.
  static func plan(_ arguments: [String]) throws -> String {
    let command = arguments[0]
    let rest = Array(arguments.dropFirst())
    let options = command == "run" ? try Options.forRun(rest, known: BuiltInAlgorithms.all) : try Options(rest)
    let factory = BenchmarkFactory(dataDirectory: options.dataDirectory)
    return try Sweep(options).plannedRuns(factory: factory).map { run in
      (["run \(run.runID) \(run.label)"] + run.config.keys.sorted().map { "  \($0)=\(run.config[$0]!)" }).joined(
        separator: "\n")
    }.joined(separator: "\n")
  }

  /// Every sweep plans exactly the runs and records it planned when the file was written.
  @Test func plansMatchTheGoldenFile() throws {
    let cifar = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: cifar) }
    let file = cifar.appendingPathComponent("experiment.json")
    try Data(
      #"""
      {"benchmark": "split-builtin", "scenario": ["task", "domain"], "algorithms": ["finetune", "ewc+si"],
       "seeds": 1, "iterations": 10, "hidden": [50], "lr": 0.002,
       "set": {"ewc.lambda": 1e4, "domain:si.c": 2}, "shuffle-classes": true}
      """#.utf8
    ).write(to: file)
    var text = ""
    for (name, arguments) in Self.cases(cifar: cifar, file: file) {
      // Temporary folders differ from run to run; the plan must not depend on them.
      let shown = arguments.map { $0.replacingOccurrences(of: cifar.path, with: "$DATA") }
      text += "## \(name): continual \(shown.joined(separator: " "))\n"
      text += try Self.plan(arguments).replacingOccurrences(of: cifar.path, with: "$DATA") + "\n"
    }
    // The plans are data: a text file beside this suite, read from the checkout the tests run in.
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden-plans.txt")
    if ProcessInfo.processInfo.environment["CONTINUAL_UPDATE_GOLDEN"] == "1" { try Data(text.utf8).write(to: url) }
    let golden = try String(contentsOf: url, encoding: .utf8)
    let expected = golden.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    let actual = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    for (index, (a, b)) in zip(actual, expected).enumerated() where a != b {
      Issue.record("line \(index + 1): planned \(a), golden \(b)")
      break
    }
    #expect(actual.count == expected.count, "planned \(actual.count) lines, golden \(expected.count)")
  }
}
