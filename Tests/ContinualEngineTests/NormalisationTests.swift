import ContinualTesting
import Testing

@testable import ContinualEngine

/// Batch normalisation, global average pooling and residual connections: finite-difference
/// gradients, hand-computed values and the running statistics as model state.
@Suite struct NormalisationTests {
  @Test(arguments: [[5, 3], [3, 2, 3, 4]])
  func batchStatisticsGradients(shape: [Int]) throws {
    let x = TestData.uniform(shape, seed: 31)
    let gamma = TestData.uniform([shape[1]], in: 0.5...1.5, seed: 32), beta = TestData.uniform([shape[1]], seed: 33)
    // The projection makes the loss depend on every output with different weights, so the mean and
    // variance paths of the gradient are exercised (a plain sum would have zero gradient in x).
    try GradientTests.check([x, gamma, beta]) { _, v in try v[0].batchNormalised(scale: v[1], shift: v[2]).output }
    try GradientTests.check([x]) { _, v in try v[0].batchNormalised(scale: nil, shift: nil).output }
  }

  @Test(arguments: [[4, 3], [2, 3, 2, 5]])
  func fixedStatisticsGradients(shape: [Int]) throws {
    let x = TestData.uniform(shape, seed: 34), c = shape[1]
    let gamma = TestData.uniform([c], in: 0.5...1.5, seed: 35), beta = TestData.uniform([c], seed: 36)
    let mean = TestData.uniform([c], seed: 37), variance = TestData.uniform([c], in: 0.5...2, seed: 38)
    try GradientTests.check([x, gamma, beta]) { _, v in
      try v[0].normalised(mean: mean, variance: variance, scale: v[1], shift: v[2])
    }
  }

  @Test func batchStatisticsByHand() throws {
    // One channel, values 1, 2, 3, 6: mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5.
    let tape = Tape()
    let x = tape.constant(try Tensor(shape: [4, 1], scalars: [1, 2, 3, 6]))
    let gamma = tape.constant(Tensor([2])), beta = tape.constant(Tensor([1]))
    let (y, mean, variance) = try x.batchNormalised(scale: gamma, shift: beta, epsilon: 0)
    #expect(mean.scalars == [3])
    #expect(variance.scalars == [3.5])
    let s = Float(3.5).squareRoot()
    let expected: [Float] = [1, 2, 3, 6].map { 2 * ($0 - 3) / s + 1 }
    #expect(y.value.isApproximatelyEqual(to: try Tensor(shape: [4, 1], scalars: expected)))
  }

  @Test func eightLaneInputGradientHasTheBitsOfOneAtATime() {
    // 19 elements: two blocks of eight lanes and a tail of three, against the formula written out
    // element by element (the arithmetic the backward pass used before it took eight lanes).
    let g = TestData.uniform([19], seed: 40).scalars, x = TestData.uniform([19], seed: 41).scalars
    let (mean, inverse, factor, meanG, meanGH): (Float, Float, Float, Float, Float) = (0.3, 1.7, 0.9, -0.2, 0.45)
    var dx = [Float](repeating: 0, count: 19)
    g.withUnsafeBufferPointer { gp in
      x.withUnsafeBufferPointer { xp in
        dx.withUnsafeMutableBufferPointer { dp in
          Tensor.inputGradient(
            gp.baseAddress!, normalising: xp.baseAddress!, into: dp.baseAddress!, 19, mean: mean, inverseStd: inverse,
            factor: factor, meanGradient: meanG, meanProduct: meanGH)
        }
      }
    }
    let expected = (0..<19).map { i -> Float in
      let h = (x[i] - mean) * inverse
      return factor * (g[i] - meanG - h * meanGH)
    }
    #expect(dx.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  @Test func globalAveragePoolingByHandAndGradient() throws {
    let tape = Tape()
    let x = tape.constant(try Tensor(shape: [1, 2, 2, 2], scalars: [1, 2, 3, 4, 10, 20, 30, 40]))
    #expect(try x.globalAveragePooled().value == Tensor(shape: [1, 2], scalars: [2.5, 25]))
    try GradientTests.check([TestData.uniform([2, 3, 3, 2], seed: 39)]) { _, v in try v[0].globalAveragePooled() }
  }

  @Test func runningStatisticsAreStateThatTrainingUpdates() throws {
    let net = Sequential([Linear(2, 3), BatchNorm(3)])
    #expect(net.parameterNames == ["0.weight", "0.bias", "1.weight", "1.bias"])
    #expect(net.stateSpecs.map(\.name) == ["1.running_mean", "1.running_var"])
    var rng = SeededGenerator(seed: 4)
    var model = Model(net, rng: &rng)
    #expect(model.state["1.running_mean"] == Tensor(shape: [3], repeating: 0))
    #expect(model.state["1.running_var"] == Tensor(shape: [3], repeating: 1))
    let x = TestData.uniform([4, 2], seed: 40)
    // Evaluation leaves the state alone.
    let tape = Tape()
    let evaluation = try model.forward(tape.constant(x), on: tape)
    #expect(evaluation.state == model.state)
    // A training pass moves it by momentum 0.1 towards the batch mean and unbiased variance.
    var plain = ForwardContext(training: false)
    let firstWeights = tape.variables(Array(model.parameters.tensors[0..<2]))
    let hidden = try model.architecture.layers[0](tape.constant(x), weights: firstWeights[...], context: &plain).value
    let (n, c) = (4, 3)
    let training = try model.forward(tape.constant(x), on: tape, training: true)
    for ch in 0..<c {
      let column = (0..<n).map { hidden[$0, ch] }
      let mean = column.reduce(0, +) / Float(n)
      let unbiased = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n - 1)
      #expect(abs(training.state["1.running_mean"]![ch] - 0.1 * mean) < 1e-5)
      #expect(abs(training.state["1.running_var"]![ch] - (0.9 + 0.1 * unbiased)) < 1e-5)
    }
    model.state = training.state
    // Evaluation uses the running statistics: output = γ(h − μ)/√(σ² + ε) + β with γ = 1, β = 0.
    let out = try model.predict(x)
    let mu = model.state["1.running_mean"]!, sigma2 = model.state["1.running_var"]!
    #expect(abs(out[0, 1] - (hidden[0, 1] - mu[1]) / (sigma2[1] + 1e-5).squareRoot()) < 1e-5)
  }

  @Test func stateOutsideAModelIsAClearError() throws {
    let tape = Tape()
    var context = ForwardContext(training: false)
    #expect(throws: TensorError.self) {
      _ = try BatchNorm(2, affine: false)(
        tape.constant(Tensor(shape: [1, 2], repeating: 1)), weights: [], context: &context)
    }
  }

  @Test func residualAddsBodyAndShortcutAndNamesTheirParts() throws {
    let block = Residual(
      body: Sequential([Conv2d(2, 4, kernelSize: 3, stride: 2, padding: 1, bias: false), BatchNorm(4), ReLU()]),
      shortcut: Sequential([Conv2d(2, 4, kernelSize: 1, stride: 2, bias: false), BatchNorm(4)]))
    let net = Sequential([block, ReLU(), GlobalAveragePool(), Linear(4, 3)])
    #expect(
      net.parameterNames == [
        "0.body.0.weight", "0.body.1.weight", "0.body.1.bias", "0.shortcut.0.weight", "0.shortcut.1.weight",
        "0.shortcut.1.bias",
        "3.weight", "3.bias",
      ])
    #expect(
      net.stateSpecs.map(\.name) == [
        "0.body.1.running_mean", "0.body.1.running_var", "0.shortcut.1.running_mean", "0.shortcut.1.running_var",
      ])
    #expect(try net.outputShape(forInput: [2, 6, 6]) == [3])
    #expect(throws: TensorError.self) {
      try Residual(body: Sequential([Conv2d(2, 4, kernelSize: 1)])).outputShape(forInput: [2, 3, 3])
    }
    // Identity shortcut: output = body(x) + x.
    let tape = Tape()
    let x = TestData.uniform([1, 2, 3, 3], seed: 41)
    let identity = Residual(body: Sequential([ReLU()]))
    var context = ForwardContext(training: false)
    let y = try identity(tape.constant(x), weights: [], context: &context).value
    #expect(y == (try x.map { max($0, 0) } + x))
  }

  @Test func residualNetworkGradientsInTrainingMode() throws {
    // The whole block, BatchNorm in batch-statistics mode, against finite differences (tanh, not
    // ReLU: normalised values sit near 0, where a ReLU kink would spoil the differences).
    let body = Sequential([
      Conv2d(2, 3, kernelSize: 3, padding: 1), BatchNorm(3), Tanh(), Conv2d(3, 2, kernelSize: 3, padding: 1),
    ])
    let block = Residual(body: body)
    let x = TestData.uniform([2, 2, 4, 4], seed: 42)
    var rng = SeededGenerator(seed: 43)
    let model = Model(Sequential([block]), rng: &rng)
    try GradientTests.check([x] + model.parameters.tensors) { _, v in
      var context = ForwardContext(training: true)
      context.state = model.state.tensors
      return try block(v[0], weights: v[1...], context: &context)
    }
  }

  @Test func statisticsPerTaskMoveOnlyTheServedTasksStatistics() throws {
    let net = Sequential([BatchNorm(2, affine: false, statisticsPerTask: 3)])
    #expect(
      net.stateSpecs.map(\.name) == (0..<3).flatMap { ["0.task.\($0).running_mean", "0.task.\($0).running_var"] })
    var rng = SeededGenerator(seed: 5)
    var model = Model(net, rng: &rng)
    model.task = 1
    let tape = Tape()
    let x = TestData.uniform([4, 2], in: 1...3, seed: 44)
    let after = try model.forward(tape.constant(x), on: tape, training: true).state
    for t in [0, 2] { #expect(after["0.task.\(t).running_mean"] == Tensor(shape: [2], repeating: 0)) }
    #expect(after["0.task.1.running_mean"]!.scalars.allSatisfy { $0 > 0.1 })
    // Evaluating task 1 uses task 1's statistics; without a task it is a clear error.
    model.state = after
    let mu = after["0.task.1.running_mean"]!, sigma2 = after["0.task.1.running_var"]!
    #expect(abs(try model.predict(x)[0, 0] - (x[0, 0] - mu[0]) / (sigma2[0] + 1e-5).squareRoot()) < 1e-5)
    model.task = nil
    #expect(throws: TensorError.self) { try model.predict(x) }
  }
}
