import ContinualCore
import ContinualEngine
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// `--network`: every network builds at its published size, and every algorithm trains on a
/// convolutional network with BatchNorm, its regulariser engaged, from the command line.
@Suite struct NetworkCommandTests {
  static func parameterCount(_ network: Sequential) -> Int {
    network.parameterSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) }
  }

  @Test func networksHaveTheirPublishedSizes() throws {
    // ResNet-32 with zero-padding shortcuts: 464 154 parameters for 10 classes (≈ 0.46 M).
    #expect(
      Self.parameterCount(try Network.named("resnet32").architecture(input: [3, 32, 32], outputs: 10)) == 464_154)
    // GEM's reduced ResNet-18 (nf = 20) has about 1.1 M parameters for 100 classes.
    let resnet18 = Self.parameterCount(try Network.named("resnet18").architecture(input: [3, 32, 32], outputs: 100))
    #expect((1_050_000...1_150_000).contains(resnet18), "\(resnet18)")
    // The zenke CNN: 64·6·6 = 2304 features into fc 512 for 32×32 inputs.
    let zenke = try Network.named("zenke").architecture(input: [3, 32, 32], outputs: 10)
    #expect(zenke.layers.compactMap { $0 as? Linear }.first?.inputCount == 2304)
    #expect(try Network.named("resnet18:40") == .resnet18(width: 40))
    #expect(try Network.named("mlp", hidden: [8]).architecture(input: [1, 4, 4], outputs: 3).parameterNames.count == 4)
  }

  /// Each named network starts as its source's code starts it (stated in `Docs/Networks.md`).
  @Test func eachNetworkFollowsItsSourcesInitialisation() throws {
    func specs(_ name: String) throws -> [ParameterSpec] {
      try Network.named(name, hidden: [8]).architecture(input: [3, 32, 32], outputs: 10).parameterSpecs
    }
    // The MLP and GEM's ResNet-18 keep PyTorch's default U(±1/√fanIn) on every weight and bias.
    #expect(try specs("mlp").allSatisfy { if case .fanInUniform = $0.initialiser { true } else { false } })
    #expect(try Network.named("mlp").initialisation == .pytorch && Network.named("resnet18").initialisation == .pytorch)
    for spec in try specs("resnet18") where spec.shape.count == 4 {
      guard case .fanInUniform = spec.initialiser else {
        Issue.record("\(spec.name): \(spec.initialiser)")
        continue
      }
    }
    // zenke (SI's Keras code): Glorot-uniform weights and zero biases in all six layers.
    let zenke = try specs("zenke")
    #expect(try Network.named("zenke").initialisation == .glorot)
    #expect(zenke.count == 12)
    #expect(zenke.allSatisfy { $0.initialiser == ($0.name.hasSuffix("bias") ? .zeros : .xavierUniform) })
    // resnet32 (iCaRL's Lasagne code): He-normal convolutions, N(0, 1/64) output layer with zero bias.
    let resnet = try specs("resnet32")
    #expect(try Network.named("resnet32").initialisation == .he)
    #expect(resnet.filter { $0.shape.count == 4 }.count == 31)
    #expect(resnet.filter { $0.shape.count == 4 }.allSatisfy { $0.initialiser == .kaimingNormal })
    #expect(resnet.suffix(2).map(\.initialiser) == [.normal(mean: 0, standardDeviation: 0.125), .zeros])
    let batchNorm = resnet.filter { $0.shape.count == 1 }.dropLast()
    #expect(batchNorm.count == 62 && batchNorm.allSatisfy { [.constant(1), .zeros].contains($0.initialiser) })
  }

  /// The drawn weights have the hand-computed spread: zenke's first convolution (3→32, 3×3:
  /// fanIn 27, fanOut 288) is U(±√(6/315)) = U(±0.138 01); its fc 2304→512 has variance
  /// 2/2816 = 7.102e-4; ResNet-32's last convolutions (64→64, 3×3) have variance 2/576 = 3.472e-3.
  @Test func namedNetworksDrawTheirStatedSpread() throws {
    func spread(_ t: Tensor) -> (maximum: Double, meanSquare: Double) {
      let v = t.scalars.map { Double($0) }
      return (v.map(Swift.abs).max() ?? 0, v.map { $0 * $0 }.reduce(0, +) / Double(v.count))
    }
    var rng = SeededGenerator(seed: 5)
    let zenke = Model(try Network.named("zenke").architecture(input: [3, 32, 32], outputs: 10), rng: &rng)
    let first = spread(try #require(zenke.parameters["0.weight"]))
    #expect(first.maximum <= 0.138_02 && first.maximum > 0.13)
    #expect(Swift.abs(first.meanSquare / (6.0 / 315 / 3) - 1) < 0.1, "\(first)")
    let fc = spread(try #require(zenke.parameters["13.weight"]))
    #expect(Swift.abs(fc.meanSquare / (2.0 / 2816) - 1) < 0.01, "\(fc)")
    #expect(try #require(zenke.parameters["0.bias"]).squaredNorm() == 0)
    let resnetArchitecture = try Network.named("resnet32").architecture(input: [3, 32, 32], outputs: 10)
    let resnet = Model(resnetArchitecture, rng: &rng)
    let last = try #require(resnetArchitecture.parameterSpecs.last { $0.shape == [64, 64, 3, 3] })
    let conv = spread(try #require(resnet.parameters[last.name]))
    #expect(Swift.abs(conv.meanSquare / (2.0 / 576) - 1) < 0.03, "\(conv)")
  }

  @Test func badNetworksAreClearErrors() throws {
    #expect(throws: NetworkError.self) { try Network.named("resnet50") }
    #expect(throws: NetworkError.self) { try Network.named("resnet18:0") }
    #expect(throws: NetworkError.self) { try Network.named("zenke").architecture(input: [784], outputs: 10) }
    #expect(throws: NetworkError.self) { try Network.named("zenke").architecture(input: [3, 6, 6], outputs: 10) }
    #expect(throws: CLIError.self) { try Parsing.options(["--network", "vgg"]) }
    #expect(try Parsing.options(["--network", "zenke", "--hidden", "100"]).ignoredHiddenWarning != nil)
    #expect(try Parsing.options(["--hidden", "100"]).ignoredHiddenWarning == nil)
  }

  @Test func theNetworkIsRecordedAndChangesTheRunIDOnlyWhenNotTheMLP() throws {
    let mlp = try Parsing.options([]).protocolConfig(benchmark: try Benchmark(named: "split-cifar10"), scenario: .task)
    let cnn = try Parsing.options(["--network", "resnet18"]).protocolConfig(
      benchmark: try Benchmark(named: "split-cifar10"), scenario: .task)
    #expect(mlp["network"] == nil && mlp["hidden"] == "256,256")
    #expect(cnn["network"] == "resnet18" && cnn["hidden"] == nil)
  }

  @Test(arguments: [
    "finetune", "joint", "ewc", "online-ewc", "si", "mas", "slnid+mas", "er", "er+gkd", "ssil", "hnet", "ewc+si",
  ])
  func everyAlgorithmTrainsOnAResNetWithBatchNorm(algorithm: String) throws {
    let data = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let scenario = algorithm == "ssil" ? "class" : "task"
    var arguments = [
      "--network", "resnet18:2", "--benchmark", "split-cifar10", "--tasks", "2", "--algorithms", algorithm,
      "--scenario", scenario,
    ]
    if algorithm.contains("er") || algorithm == "ssil" {
      arguments += ["--set", "memory.size=4", "--set", "memory.batch=2"]
    }
    let options = try CIFARBenchmarkTests.options(
      "split-cifar10", data: data, output: data.appendingPathComponent("out"), extra: arguments)
    let record = try #require(runGrid(options).first)
    #expect(record.status == .finished, "\(record.failure ?? "")")
    #expect(record.config["network"] == "resnet18:2")
    #expect(record.accuracyMatrix.count == 2 && record.accuracyMatrix.joined().allSatisfy { (0...1).contains($0) })
    // On the second task every regulariser of the stack adds a term that is not zero.
    let second = try #require(record.lossTerms?.last)
    for (name, value) in second where name != "task" { #expect(value.isFinite && value != 0, "\(name) = \(value)") }
  }

  @Test func theSIPresetRunsOnGeneratedCIFAR() throws {
    // CIFAR-100 is not on our machines: the preset's protocol on generated files, one epoch.
    let data = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let options = try Parsing.options([
      "--preset", "si2017-split-cifar", "--epochs", "1", "--data-dir", data.path, "--output",
      data.appendingPathComponent("out").path,
      "--quiet", "--format", "json",
    ])
    let records = try runGrid(options)
    #expect(records.map(\.algorithm) == ["finetune", "si"])
    for record in records {
      #expect(record.status == .finished && record.accuracyMatrix.count == 6)
      #expect(
        record.config["network"] == "zenke" && record.config["augment"] == "none"
          && record.config["reset_optimiser"] == "true")
    }
    #expect(records[1].config["si.c"] == "0.1" && records[1].config["si.xi"] == "0.001")
  }

  /// The HNet paper's CIFAR configuration for the zenke target: parsed into the optimiser (Adam
  /// 1e-4 with β₁ 0.5) and the record, and run on generated CIFAR-10 (one epoch, one seed).
  @Test func theHNetCIFARPresetRunsOnGeneratedCIFAR() throws {
    let data = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let lines = Lines()
    let options = try Options(
      [
        "--preset", "hnet2020-split-cifar10", "--epochs", "1", "--seeds", "1", "--data-dir", data.path, "--output",
        data.appendingPathComponent("out").path, "--format", "json",
      ], for: .compare, console: Console(output: { _ in }, diagnostics: { lines.append($0) }))
    guard
      case .adam(let lr, let beta1, let beta2, _) = options.trainingConfiguration(
        for: try Benchmark(named: "split-cifar10")
      ).optimiser
    else {
      Issue.record("not Adam")
      return
    }
    #expect(lr == 1e-4 && beta1 == 0.5 && beta2 == 0.999)
    let records = try runGrid(options)
    let record = try #require(records.first)
    #expect(records.count == 1 && record.algorithm == "hnet" && record.scenario == "task")
    #expect(record.status == .finished && record.accuracyMatrix.count == 5, "\(record.failure ?? "")")
    let expected = [
      "network": "zenke", "adam_betas": "0.5,0.999", "augment": "none", "hnet.beta": "0.01",
      "hnet.hidden": "100,150,200", "hnet.chunk": "5500", "hnet.embedding": "48", "hnet.chunk-embedding": "80",
      "hnet.reg-outputs": "own",
    ]
    for (key, value) in expected { #expect(record.config[key] == value, "\(key): \(record.config[key] ?? "nil")") }
    // The paper's generator starts zenke near its own scale: no warning, and the scale is recorded.
    #expect(!lines.all.contains { $0.contains("warning:") && $0.contains("hnet") }, "\(lines.all)")
    #expect(record.notes?["hnet.initial_scale"] != nil)
  }

  /// The paper's whole CIFAR-10/100 protocol, zenke and ResNet-32 targets: six tasks (CIFAR-10,
  /// then five CIFAR-100 splits) on generated data, each preset's generator in the record. One
  /// epoch over ten images per task keeps it a test of wiring, not of learning.
  @Test(arguments: [
    (
      "hnet2020-split-cifar",
      [
        "network": "zenke", "hnet.hidden": "100,150,200", "hnet.chunk": "5500",
        "hnet.beta": "0.01", "adam_betas": "0.5,0.999",
      ]
    ),
    (
      "hnet2020-split-cifar-resnet32",
      [
        "network": "resnet32", "hnet.hidden": "", "hnet.chunk": "7000",
        "hnet.beta": "0.05", "hnet.embedding": "32", "hnet.chunk-embedding": "32", "augment": "crop-flip",
        "lr_steps": "81:0.1,121:0.01,161:0.001,181:0.0005",
      ]
    ),
  ])
  func theHNetCIFAR100PresetsRunOnGeneratedData(preset: String, expected: [String: String]) throws {
    let data = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let options = try Parsing.options([
      "--preset", preset, "--epochs", "1", "--seeds", "1", "--train-per-task", "10", "--test-per-task", "0",
      "--data-dir", data.path, "--output", data.appendingPathComponent("out").path, "--quiet", "--format", "json",
    ])
    let record = try #require(try runGrid(options).first)
    #expect(record.status == .finished && record.accuracyMatrix.count == 6, "\(record.failure ?? "")")
    #expect(record.config["benchmark"] == "split-cifar10-100" && record.algorithm == "hnet")
    for (key, value) in expected { #expect(record.config[key] == value, "\(key): \(record.config[key] ?? "nil")") }
  }

  /// The split-MNIST generator (the `hnet.*` defaults) on zenke: the console warns before training.
  @Test func hnetDefaultsOnACNNAreWarnedAbout() throws {
    let data = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let lines = Lines()
    let options = try Options(
      [
        "--benchmark", "split-cifar10", "--tasks", "2", "--network", "zenke", "--algorithms", "hnet", "--seeds", "1",
        "--iterations", "1", "--batch-size", "4", "--train-per-task", "0", "--test-per-task", "0", "--data-dir",
        data.path, "--output", data.appendingPathComponent("out").path, "--quiet", "--format", "json",
      ], for: .compare, console: Console(output: { _ in }, diagnostics: { lines.append($0) }))
    let record = try #require(try runGrid(options).first)
    #expect(record.status == .finished)
    let warning = lines.all.filter { $0.hasPrefix("warning:") && $0.contains("hnet.initial_scale") }
    #expect(warning.count == 1 && warning[0].contains("hnet2020-split-cifar10"), "\(lines.all)")
  }

  @Test func perTaskBatchNormIsAChoiceForTheTaskScenario() throws {
    #expect(throws: CLIError.self) {
      try Parsing.options(["--network", "resnet32", "--batchnorm", "per-task", "--scenario", "class"])
    }
    #expect(throws: CLIError.self) {
      try Parsing.options(["--network", "zenke", "--batchnorm", "per-task", "--scenario", "task"])
    }
    #expect(throws: CLIError.self) {
      try Parsing.options([
        "--network", "resnet32", "--batchnorm", "per-task", "--scenario", "task", "--algorithms", "ewc,hnet",
      ])
    }
    #expect(throws: CLIError.self) { try Parsing.options(["--network", "resnet32", "--batchnorm", "each"]) }
    let data = try CIFARBenchmarkTests.writeData()
    defer { try? FileManager.default.removeItem(at: data) }
    let options = try CIFARBenchmarkTests.options(
      "split-cifar10", data: data, output: data.appendingPathComponent("out"),
      extra: ["--network", "resnet18:2", "--tasks", "2", "--algorithms", "ewc,er", "--batchnorm", "per-task"])
    for record in try runGrid(options) {
      #expect(record.status == .finished && record.config["batchnorm"] == "per-task", "\(record.algorithm)")
    }
  }
}
