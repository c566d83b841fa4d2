import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing

@Suite struct PerSampleGradientsTests {
  /// The per-sample definition, computed the slow way: one backward pass per sample and loss.
  static func reference(_ power: Int, model: Model, inputs: Tensor, labels: [Int], weights: [Float]) throws -> NamedTensors {
    var sum = NamedTensors.zeros(like: model.parameters)
    for m in 0..<labels.count {
      let tape = Tape()
      let pass = try model.forward(tape.constant(try inputs.slice(alongAxis: 0, range: m..<m + 1)), on: tape)
      let loss = try crossEntropy(logits: pass.output, labels: [labels[m]], reduction: .sum)
      try PerSampleGradients.accumulate(try pass.gradients(of: loss), power: power, weight: weights[m], into: &sum)
    }
    return sum
  }

  @Test(arguments: [1, 2])
  func batchedLinearPathEqualsOneSampleAtATime(power: Int) throws {
    var rng = SeededGenerator(seed: 4)
    let model = Model(Sequential([Flatten(), Linear(6, 5), ReLU(), Linear(5, 4), Tanh(), Linear(4, 3)]), rng: &rng)
    let inputs = TestData.uniform([7, 2, 3], seed: 5)
    let labels = [0, 2, 1, 1, 0, 2, 2]
    let weights: [Float] = [1, 0.5, 2, 0.25, 1, 3, 0.1]
    // Batches of 3 exercise a partial last batch.
    let fast = try PerSampleGradients.sumOfPowers(power, model: model, inputs: inputs, batchSize: 3) { logits, range in
      [(try crossEntropy(logits: logits, labels: range.map { labels[$0] }, reduction: .sum), range.map { weights[$0] })]
    }
    let slow = try Self.reference(power, model: model, inputs: inputs, labels: labels, weights: weights)
    for (name, (a, b)) in zip(fast.names, zip(fast.tensors, slow.tensors)) {
      #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-5, relativeTolerance: 1e-4), "\(name): \(a) vs \(b)")
    }
  }

  @Test func convolutionalModelsFallBackToOneSampleAtATime() throws {
    var rng = SeededGenerator(seed: 6)
    let model = Model(Sequential([Conv2d(1, 2, kernelSize: 3, padding: 1), ReLU(), Flatten(), Linear(2 * 4 * 4, 3)]), rng: &rng)
    let inputs = TestData.uniform([4, 1, 4, 4], seed: 7)
    let labels = [0, 1, 2, 1]
    let ones = [Float](repeating: 1, count: 4)
    let sum = try PerSampleGradients.sumOfPowers(2, model: model, inputs: inputs) { logits, range in
      [(try crossEntropy(logits: logits, labels: range.map { labels[$0] }, reduction: .sum), [Float](repeating: 1, count: range.count))]
    }
    let slow = try Self.reference(2, model: model, inputs: inputs, labels: labels, weights: ones)
    for (a, b) in zip(sum.tensors, slow.tensors) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6, relativeTolerance: 1e-5)) }
  }
}
