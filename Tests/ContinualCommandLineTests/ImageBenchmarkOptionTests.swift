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
