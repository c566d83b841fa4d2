import ContinualCore
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import HNet

/// The generated weights' initial scale against the target's own initialisation, and the warning
/// when they are far apart (Docs/HNet.md, "HNet on CNNs").
@Suite struct HNetScaleTests {
  /// `√(Σx²/n)` of a tensor, computed here independently.
  static func rms(_ t: Tensor) -> Double {
    (t.scalars.map { Double($0) * Double($0) }.reduce(0, +) / Double(t.count)).squareRoot()
  }

  @Test func ratiosAreTheGeneratedOverTheOwnRootMeanSquarePerWeightMatrix() throws {
    // Target Linear(3, 4) – Tanh – Linear(4, 2): two weight matrices, two biases (left out).
    let target = Sequential([Linear(3, 4), Tanh(), Linear(4, 2)])
    let hnet = Hypernetwork(
      target: target, taskCount: 2, embeddingSize: 3, hidden: [5], activation: .tanh, chunkSize: 7,
      chunkEmbeddingSize: 2)
    let scales = try hnet.initialWeightScales(seed: 4)
    #expect(scales.count == 2)
    var targetRNG = SeededGenerator(seed: 4)
    let own = Model(target, rng: &targetRNG)
    var rng = SeededGenerator(seed: 4)
    let model = Model(Sequential([hnet]), rng: &rng)
    let flat = try hnet.generate(tasks: [0], weights: Tape(recording: false).variables(model.parameters.tensors)[...])
    let values = flat.value.scalars  // 12 + 4 + 8 + 2 values, in parameter order
    let first = try Tensor(shape: [12], scalars: Array(values[0..<12]))
    let second = try Tensor(shape: [8], scalars: Array(values[16..<24]))
    let expected = [
      Self.rms(first) / Self.rms(own.parameters["0.weight"]!), Self.rms(second) / Self.rms(own.parameters["2.weight"]!),
    ]
    for (got, want) in zip(scales, expected) { #expect(Swift.abs(got / want - 1) < 1e-5, "\(got) vs \(want)") }
    let product = try #require(try hnet.initialSignalScale(seed: 4))
    #expect(Swift.abs(product / (expected[0] * expected[1]) - 1) < 1e-5)
  }

  /// `hnet.init`: Xavier-uniform weights and zero biases (hypercl), or PyTorch's default
  /// `U(±1/√fan-in)` for weights and biases (hypnettorch). For the paper's CIFAR generator's last
  /// layer, 200 → 5500, Xavier's bound is √(6/5700) ≈ 0.0324 and PyTorch's 1/√200 ≈ 0.0707; the
  /// setting reaches the generator and stays out of the records at its default.
  @Test func theInitialisationSettingChangesTheGeneratorsStart() throws {
    let zenke = try Network.named("zenke").architecture(input: [3, 32, 32], outputs: 10)
    func lastLayer(_ initialisation: Hypernetwork.GeneratorInitialisation) throws -> (Tensor, Tensor) {
      var hnet = Hypernetwork(
        target: zenke, taskCount: 2, embeddingSize: 48, hidden: [100, 150, 200], chunkSize: 5500,
        chunkEmbeddingSize: 80)
      hnet.initialisation = initialisation
      var rng = SeededGenerator(seed: 1)
      let model = Model(Sequential([hnet]), rng: &rng)
      return (
        try #require(model.parameters["0.generator.6.weight"]), try #require(model.parameters["0.generator.6.bias"])
      )
    }
    let (xavierWeight, xavierBias) = try lastLayer(.xavier)
    let (pytorchWeight, pytorchBias) = try lastLayer(.pytorch)
    let (xavierBound, pytorchBound) = ((6.0 / 5700).squareRoot(), 1 / 200.0.squareRoot())
    #expect(xavierWeight.scalars.allSatisfy { Double(Swift.abs($0)) <= xavierBound })
    #expect(pytorchWeight.scalars.allSatisfy { Double(Swift.abs($0)) <= pytorchBound })
    // A uniform's root mean square is its bound over √3; 1.1 million draws pin it to well under 1 %.
    #expect(Swift.abs(Self.rms(xavierWeight) / (xavierBound / 3.0.squareRoot()) - 1) < 0.01)
    #expect(Swift.abs(Self.rms(pytorchWeight) / (pytorchBound / 3.0.squareRoot()) - 1) < 0.01)
    #expect(xavierBias.scalars.allSatisfy { $0 == 0 } && pytorchBias.scalars.contains { $0 != 0 })
    let given = try HNet.components(given: ["init": "pytorch"])
    #expect(try AlgorithmStack([HNet.self]).config["hnet.init"] == nil)
    let part = try AlgorithmStack.Part(HNet.self, settings: HNet.settings(["init": "pytorch"]))
    #expect(try AlgorithmStack([part]).config["hnet.init"] == "pytorch")
    let layout = TaskLayout(classCounts: [2, 2])
    let build = try #require(given.architecture)
    let built = try build(Sequential([Flatten(), Linear(4, 4)]), layout, .task)
    #expect((built.layers.first as? Hypernetwork)?.initialisation == .pytorch)
  }

  /// The paper's split-MNIST generator suits its MLP but starts the zenke CNN with vanishing
  /// logits; the paper's CIFAR configuration does not.
  @Test func theWarningFiresForTheMNISTGeneratorOnZenkeOnly() throws {
    let zenke = try Network.named("zenke").architecture(input: [3, 32, 32], outputs: 10)
    let mlp = try Network.named("mlp", hidden: [400, 400]).architecture(input: [1, 28, 28], outputs: 10)
    func hnet(_ target: Sequential, cifar: Bool) -> Sequential {
      Sequential([
        Hypernetwork(
          target: target, taskCount: 5, embeddingSize: cifar ? 48 : 96, hidden: cifar ? [100, 150, 200] : [10, 10],
          chunkSize: cifar ? 5500 : 42_000, chunkEmbeddingSize: cifar ? 80 : 96)
      ])
    }
    let mnistOnZenke = HNet.notes(for: hnet(zenke, cifar: false))["hnet.initial_scale"].flatMap(Double.init)
    let cifarOnZenke = HNet.notes(for: hnet(zenke, cifar: true))["hnet.initial_scale"].flatMap(Double.init)
    let mnistOnMLP = HNet.notes(for: hnet(mlp, cifar: false))["hnet.initial_scale"].flatMap(Double.init)
    #expect(try #require(mnistOnZenke) < 1e-3)
    #expect((1e-3...1e3).contains(try #require(cifarOnZenke)))
    #expect((1e-3...1e3).contains(try #require(mnistOnMLP)))
    let warnings = HNet.warnings(for: hnet(zenke, cifar: false))
    #expect(warnings.count == 1 && warnings[0].contains("smaller") && warnings[0].contains("hnet2020-split-cifar10"))
    #expect(HNet.warnings(for: hnet(zenke, cifar: true)).isEmpty)
    #expect(HNet.warnings(for: hnet(mlp, cifar: false)).isEmpty)
    #expect(HNet.warnings(for: zenke).isEmpty)  // no hypernetwork, nothing to say
  }
}
