import ContinualCore
import ContinualData
import Foundation
import Testing

@testable import ContinualCommand

/// `--augment`, the CIFAR benchmark names and what the run record says about them.
@Suite struct ImageBenchmarkOptionTests {
  @Test func augmentationDefaultsToCropAndFlipForCIFAROnly() throws {
    let options = try Parsing.options([])
    #expect(options.augmentation(for: "split-cifar10") == .standard)
    #expect(options.augmentation(for: "split-cifar10-100") == .standard)
    #expect(options.augmentation(for: "permuted-mnist") == .none)
    #expect(options.trainingConfiguration(for: "split-cifar100").augmentation == .standard)
    let off = try Parsing.options(["--augment", "none"])
    #expect(off.augmentation(for: "split-cifar10") == .none)
    let on = try Parsing.options(["--augment=crop-flip:2"])
    #expect(on.augmentation(for: "split-mnist") == .cropAndFlip(padding: 2))
  }

  @Test func theRecordNamesTheAugmentationWithoutChangingEarlierRunIDs() throws {
    let options = try Parsing.options([])
    // MNIST runs without --augment keep the configuration (and so the run ids) they always had.
    #expect(options.protocolConfig(benchmark: try Benchmark(named: "split-mnist"), scenario: .task)["augment"] == nil)
    #expect(
      options.protocolConfig(benchmark: try Benchmark(named: "split-cifar10"), scenario: .task)["augment"]
        == "crop-flip")
    let off = try Parsing.options(["--augment", "none"])
    #expect(off.protocolConfig(benchmark: try Benchmark(named: "split-cifar10"), scenario: .task)["augment"] == "none")
    #expect(off.protocolConfig(benchmark: try Benchmark(named: "split-mnist"), scenario: .task)["augment"] == "none")
  }

  /// `--normalise`: only a departure from the benchmark's default enters the configuration, so
  /// earlier run ids stay; SI's preset keeps the pixels / 255 its code uses.
  @Test func theRecordNamesANormalisationOtherThanTheBenchmarks() throws {
    let cifar = try Benchmark(named: "split-cifar10"), mnist = try Benchmark(named: "split-mnist")
    let config = { (arguments: [String], benchmark: Benchmark) in
      try Parsing.options(arguments).protocolConfig(benchmark: benchmark, scenario: .task)["normalise"]
    }
    #expect(try config([], cifar) == nil && config([], mnist) == nil)
    #expect(try config(["--normalise", "channel"], cifar) == nil && config(["--normalise", "none"], mnist) == nil)
    #expect(try config(["--normalise", "none"], cifar) == "none")
    #expect(try config(["--normalise", "channel"], mnist) == "channel")
    #expect(try Parsing.options(["--preset", "si2017-split-cifar"]).normalise == ImageNormalisation.none)
    let message = Parsing.error(["--normalise", "chanel"]) ?? ""
    #expect(
      message.contains("--normalise takes auto or channel or none") && message.contains("'channel'"), "\(message)")
  }

  /// The factory gives bytes / 255 or the per-channel normalised images, and the run's notes say
  /// which statistics were used.
  @Test func theFactoryNormalisesAsTheOptionSays() throws {
    let factory = BenchmarkFactory(dataDirectory: nil)
    let plain = try factory.base(.builtin, .none), normalised = try factory.base(.builtin, .channel)
    #expect(try factory.base(.builtin, .auto).train.normalisationStatistics == nil)
    let bytes: [Float] = try plain.train.inputs(at: Array(0..<200)).scalars
    #expect(bytes.allSatisfy { (0...1).contains($0) } && bytes.contains { $0 > 0.5 })
    let statistics = try #require(normalised.train.normalisationStatistics)
    #expect(statistics == plain.train.channelStatistics())
    let scalars: [Double] = normalised.train.inputs.scalars.map { Double($0) }
    let mean: Double = scalars.reduce(0, +) / Double(scalars.count)
    let squares: Double = scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    let deviation = (squares / Double(scalars.count)).squareRoot()
    #expect(abs(mean) < 1e-3 && abs(deviation - 1) < 1e-3, "mean \(mean), deviation \(deviation)")
    let builtin = try Benchmark(named: "split-builtin")
    #expect(try factory.notes(builtin, normalise: .auto).isEmpty)
    #expect(try factory.notes(builtin, normalise: .channel)["normalisation.builtin"] == statistics.description)
  }

  @Test(arguments: ["crop", "flip", "crop-flip:99", ""])
  func badAugmentationsAreErrorsNamingTheChoices(name: String) {
    let message = Parsing.error(["--augment", name]) ?? ""
    #expect(message.contains("--augment takes none, crop-flip or crop-flip:P"), "\(message)")
  }

  @Test func cifarBenchmarksAreSplitOnly() throws {
    for name in ["split-cifar10", "split-cifar100", "split-cifar10-100"] {
      #expect(Benchmark.all.map(\.name).contains(name))
      #expect(try Benchmark(named: name).kind == .split)
    }
    let message = Parsing.error(["--benchmark", "permuted-cifar10"]) ?? ""
    #expect(message.contains("unknown benchmark 'permuted-cifar10'") && message.contains("split-cifar10"), "\(message)")
  }

  @Test func anExperimentFileTakesAugment() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("augment-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("experiment.json")
    try Data(#"{"benchmark": "split-cifar10", "augment": "none"}"#.utf8).write(to: file)
    let options = try Parsing.options(["--config", file.path])
    #expect(options.augmentation(for: "split-cifar10") == .none)
    try Data(#"{"augment": true}"#.utf8).write(to: file)
    let message = Parsing.error(["--config", file.path]) ?? ""
    #expect(message.contains("\"augment\" takes a string"), "\(message)")
  }
}
