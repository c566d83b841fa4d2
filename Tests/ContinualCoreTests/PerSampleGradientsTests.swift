import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing

@Suite struct PerSampleGradientsTests {
  /// The per-sample definition, computed the slow way: one backward pass per sample and loss.
  static func reference(_ power: Int, model: Model, inputs: Tensor, labels: [Int], weights: [Float]) throws
    -> NamedTensors
  {
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

  /// Networks for the batched path: a CNN with bias, strides, pooling and dropout (inert in
  /// evaluation); a residual network with BatchNorm whose running statistics are not the initial
  /// ones; and a network with a layer of its own, which takes the one-sample path.
  static func network(_ kind: String) -> Sequential {
    switch kind {
    case "cnn":
      return Sequential([
        Conv2d(2, 3, kernelSize: 3, padding: 1), ReLU(), Conv2d(3, 4, kernelSize: 3, stride: 2, padding: 1), ReLU(),
        MaxPool2d(2),
        Dropout(rate: 0.5), Flatten(), Linear(4, 3),
      ])
    case "resnet":
      let block = Residual(
        body: Sequential([
          Conv2d(2, 4, kernelSize: 3, stride: 2, padding: 1, bias: false), BatchNorm(4), ReLU(),
          Conv2d(4, 4, kernelSize: 3, padding: 1, bias: false),
          BatchNorm(4),
        ]),
        shortcut: Sequential([Conv2d(2, 4, kernelSize: 1, stride: 2, bias: false), BatchNorm(4)]))
      return Sequential([
        block, ReLU(), Residual(body: Sequential([BatchNorm(4), ReLU()])), GlobalAveragePool(), Linear(4, 3),
      ])
    default:
      return Sequential([Flatten(), Linear(32, 5), Gain(), Tanh(), Linear(5, 3)])
    }
  }

  @Test(arguments: ["cnn", "resnet", "own-layer"], [1, 2])
  func everyNetworkGivesThePerSampleDefinition(kind: String, power: Int) throws {
    var rng = SeededGenerator(seed: 6)
    var model = Model(Self.network(kind), rng: &rng)
    #expect(model.architecture.supportsPerSampleGradientSums == (kind != "own-layer"))
    // Running statistics away from 0 and 1, so the evaluation-mode BatchNorm path is exercised.
    model.state = model.state.mapTensors { t in t.map { _ in Float.random(in: 0.5...1.5, using: &rng) } }
    let inputs = TestData.uniform([5, 2, 4, 4], seed: 7)
    let labels = [0, 1, 2, 1, 2]
    let weights: [Float] = [1, 0.5, 2, 0.25, 3]
    let sum = try PerSampleGradients.sumOfPowers(power, model: model, inputs: inputs, batchSize: 2) { logits, range in
      [(try crossEntropy(logits: logits, labels: range.map { labels[$0] }, reduction: .sum), range.map { weights[$0] })]
    }
    let slow = try Self.reference(power, model: model, inputs: inputs, labels: labels, weights: weights)
    for (name, (a, b)) in zip(sum.names, zip(sum.tensors, slow.tensors)) {
      #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-5, relativeTolerance: 1e-4), "\(name): \(a) vs \(b)")
    }
  }

  /// Several losses in one pass (the expected Fisher's one per label): linear layers sum the losses'
  /// factors `w ⊙ |δ|^p` before their one product, convolutions and BatchNorm take each loss in
  /// turn; both must give the sum over losses of the per-sample definition.
  @Test(arguments: ["mlp", "cnn", "resnet"], [1, 2])
  func severalLossesPerPassGiveTheSumOfTheirDefinitions(kind: String, power: Int) throws {
    var rng = SeededGenerator(seed: 8)
    let mlp = Sequential([Flatten(), Linear(32, 5), ReLU(), Linear(5, 4), Tanh(), Linear(4, 3)])
    var model = Model(kind == "mlp" ? mlp : Self.network(kind), rng: &rng)
    model.state = model.state.mapTensors { t in t.map { _ in Float.random(in: 0.5...1.5, using: &rng) } }
    let inputs = TestData.uniform([5, 2, 4, 4], seed: 9)
    // Loss k takes every sample at label k, with weights that differ by sample and by label.
    let weights: [[Float]] = (0..<3).map { k in (0..<5).map { m in Float(1 + (m + 2 * k) % 4) * 0.5 } }
    let sum = try PerSampleGradients.sumOfPowers(power, model: model, inputs: inputs, batchSize: 2) { logits, range in
      try (0..<3).map { k in
        (try crossEntropy(logits: logits, labels: range.map { _ in k }, reduction: .sum), range.map { weights[k][$0] })
      }
    }
    var slow = NamedTensors.zeros(like: model.parameters)
    for k in 0..<3 {
      let one = try Self.reference(
        power, model: model, inputs: inputs, labels: Array(repeating: k, count: 5),
        weights: weights[k])
      for i in 0..<slow.count { try slow.tensors[i].add(one.tensors[i]) }
    }
    for (name, (a, b)) in zip(sum.names, zip(sum.tensors, slow.tensors)) {
      #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-5, relativeTolerance: 1e-4), "\(name): \(a) vs \(b)")
    }
  }
}

/// A layer with a parameter that is not a `PerSampleGradientLayer`: `x · g`.
struct Gain: Layer {
  var parameterSpecs: [ParameterSpec] { [ParameterSpec(name: "gain", shape: [1], initialiser: .constant(1.5))] }
  func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
  func callAsFunction(_ x: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws -> Variable {
    try x * weights[weights.startIndex]
  }
  var description: String { "Gain()" }
}
