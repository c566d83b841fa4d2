import Testing

@testable import ContinualEngine

@Suite struct OptimiserTests {
  static func single(_ value: Float) -> NamedTensors { try! NamedTensors(names: ["w"], tensors: [Tensor([value])]) }

  /// Runs an optimiser on one scalar parameter over a gradient sequence; returns θ after each step.
  static func trajectory<O: Optimiser>(_ optimiser: O, from start: Float, gradients: [Float]) throws -> [Float] {
    var optimiser = optimiser
    var theta = single(start)
    return try gradients.map { g in
      try optimiser.update(&theta, along: single(g))
      return theta.tensors[0].scalar
    }
  }

  @Test func plainSGD() throws {
    #expect(try Self.trajectory(SGD(learningRate: 0.1), from: 1, gradients: [0.5, -1]) == [0.95, 1.05])
  }

  @Test func heavyBallMomentum() throws {
    // b₁ = 0.5 → θ = 0.95; b₂ = 0.9·0.5 − 1 = −0.55 → θ = 1.005
    let t = try Self.trajectory(SGD(learningRate: 0.1, momentum: 0.9), from: 1, gradients: [0.5, -1])
    #expect(Swift.abs(t[0] - 0.95) < 1e-6 && Swift.abs(t[1] - 1.005) < 1e-6, "\(t)")
  }

  @Test func nesterovMomentum() throws {
    // step 1: b = 0.5, d = 0.5 + 0.45 = 0.95 → 0.905; step 2: b = −0.55, d = −1 − 0.495 → 1.0545
    let t = try Self.trajectory(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), from: 1, gradients: [0.5, -1])
    #expect(Swift.abs(t[0] - 0.905) < 1e-6 && Swift.abs(t[1] - 1.0545) < 1e-6, "\(t)")
  }

  @Test func l2AndL1WeightDecay() throws {
    // L2: d = 0.5 + 0.1·2 = 0.7 → 2 − 0.07; L1: d = 0.5 + 0.1·sign(−2) = 0.4 → −2 − 0.04
    let l2 = try Self.trajectory(SGD(learningRate: 0.1, weightDecay: 0.1), from: 2, gradients: [0.5])
    let l1 = try Self.trajectory(SGD(learningRate: 0.1, l1Decay: 0.1), from: -2, gradients: [0.5])
    #expect(Swift.abs(l2[0] - 1.93) < 1e-6 && Swift.abs(l1[0] + 2.04) < 1e-6, "\(l2) \(l1)")
  }

  @Test func adamFirstStepsWithBiasCorrection() throws {
    // Hand-computed (PyTorch's formula): 0.9, then 0.93661035.
    let t = try Self.trajectory(Adam(learningRate: 0.1), from: 1, gradients: [0.5, -1])
    #expect(Swift.abs(t[0] - 0.9) < 1e-6 && Swift.abs(t[1] - 0.93661035) < 1e-6, "\(t)")
  }

  @Test func proposedChangeLeavesTheOptimiserUntouched() throws {
    var adam = Adam(learningRate: 0.1)
    var theta = Self.single(1)
    try adam.update(&theta, along: Self.single(0.5))
    let before = adam
    let proposal = try adam.proposedChange(for: theta, along: Self.single(-1))
    #expect(adam.step == before.step)
    let applied = try adam.updateReportingChange(&theta, along: Self.single(-1))
    #expect(proposal == applied)
    #expect(Swift.abs(applied.tensors[0].scalar - (0.93661035 - 0.9)) < 1e-6)
  }

  @Test func mismatchedGradientsAreRejected() throws {
    var sgd = SGD(learningRate: 0.1)
    var theta = Self.single(1)
    let wrongName = try NamedTensors(names: ["v"], tensors: [Tensor([1])])
    #expect(throws: TensorError.self) { try sgd.update(&theta, along: wrongName) }
    var adam = Adam()
    try adam.update(&theta, along: Self.single(1))
    var other = try NamedTensors(names: ["w"], tensors: [Tensor([1, 2])])
    let error = #expect(throws: TensorError.self) { try adam.update(&other, along: other) }
    #expect(error?.description.contains("reset()") == true)
  }
}
