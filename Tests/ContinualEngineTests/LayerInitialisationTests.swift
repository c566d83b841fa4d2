import ContinualEngine
import Testing

/// Layers take an initialiser: a convolution's weights and biases follow it, with the fan-in and
/// fan-out of a `[out, in, k, k]` kernel, and without one they keep PyTorch's default.
@Suite struct LayerInitialisationTests {
  /// The largest magnitude and the mean square of a tensor's elements.
  static func spread(_ t: Tensor) -> (maximum: Double, meanSquare: Double) {
    let values = t.scalars.map { Double($0) }
    return (values.map(Swift.abs).max() ?? 0, values.map { $0 * $0 }.reduce(0, +) / Double(values.count))
  }

  @Test func convolutionWeightsFollowTheirInitialiser() throws {
    // Conv2d(16, 32, 3×3): fanIn = 16·9 = 144, fanOut = 32·9 = 288.
    // Glorot uniform: a = √(6 / 432) = 0.117 85, variance a²/3 = 1/216 = 0.004 630.
    let conv = Conv2d(16, 32, kernelSize: 3, weightInitialiser: .xavierUniform, biasInitialiser: .zeros)
    var rng = SeededGenerator(seed: 11)
    let model = Model(Sequential([conv]), rng: &rng)
    let weight = try #require(model.parameters["0.weight"])
    #expect(weight.shape == [32, 16, 3, 3])
    let (maximum, meanSquare) = Self.spread(weight)
    #expect(maximum <= 0.117_86 && maximum > 0.117)
    #expect(Swift.abs(meanSquare / (1.0 / 216) - 1) < 0.05, "\(meanSquare)")
    #expect(try #require(model.parameters["0.bias"]).scalars == [Float](repeating: 0, count: 32))
  }

  @Test func convolutionsKeepPyTorchsDefaultWithoutAnInitialiser() throws {
    // U(±1/√144) = U(±1/12): variance 1/432; the bias has the same bound.
    var rng = SeededGenerator(seed: 12)
    let model = Model(Sequential([Conv2d(16, 32, kernelSize: 3)]), rng: &rng)
    let (maximum, meanSquare) = Self.spread(try #require(model.parameters["0.weight"]))
    #expect(maximum <= 1.0 / 12 + 1e-6 && maximum > 0.083)
    #expect(Swift.abs(meanSquare / (1.0 / 432) - 1) < 0.05, "\(meanSquare)")
    let bias = Self.spread(try #require(model.parameters["0.bias"]))
    #expect(bias.maximum <= 1.0 / 12 + 1e-6 && bias.maximum > 0)
  }

  @Test func heNormalConvolutionHasVarianceTwoOverFanIn() throws {
    // Conv2d(64, 64, 3×3, no bias): N(0, 2/576), variance 0.003 472.
    let conv = Conv2d(64, 64, kernelSize: 3, bias: false, weightInitialiser: .kaimingNormal)
    #expect(conv.parameterSpecs.map(\.name) == ["weight"])
    var rng = SeededGenerator(seed: 13)
    let (_, meanSquare) = Self.spread(try #require(Model(Sequential([conv]), rng: &rng).parameters["0.weight"]))
    #expect(Swift.abs(meanSquare / (2.0 / 576) - 1) < 0.03, "\(meanSquare)")
  }
}
