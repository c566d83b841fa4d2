import ContinualTesting
import Testing

@testable import ContinualEngine

@Suite struct AutogradTests {
  @Test func gradientWithRespectToAnIntermediateActivation() throws {
    // loss = Σ relu(x·w)² ; ∂loss/∂h = 2h where h = relu(x·w).
    let tape = Tape()
    let x = tape.constant(try Tensor(rows: [[1, 2]]))
    let w = tape.variable(try Tensor(rows: [[1, -1], [0.5, 1]]))
    let h = try x.matmul(w).relu()
    let loss = h.squaredNorm()
    let (dh, dw) = try {
      let g = try tape.gradients(of: loss, withRespectTo: h, w)
      return (g[0], g[1])
    }()
    #expect(h.value.scalars == [2, 1])
    #expect(dh.scalars == [4, 2])
    // ∂loss/∂w = xᵀ · dh = [[4, 2], [8, 4]]
    #expect(dw.scalars == [4, 2, 8, 4])
  }

  @Test func gradientsAccumulateWhenAValueIsUsedTwice() throws {
    let tape = Tape()
    let x = tape.variable(Tensor([3]))
    let y = try x * x + x  // dy/dx = 2x + 1 = 7
    #expect(try tape.gradients(of: y.sum(), withRespectTo: x)[0].scalars == [7])
  }

  @Test func unrelatedTargetGetsZeros() throws {
    let tape = Tape()
    let a = tape.variable(Tensor([1, 2])), b = tape.variable(Tensor([3]))
    let g = try tape.gradients(of: a.sum(), withRespectTo: a, b)
    #expect(g[1].scalars == [0])
  }

  /// `forEachGradient` hands over exactly what `gradients(of:withRespectTo:)` returns — bit for bit,
  /// through a convolution, BatchNorm with batch statistics (x̂ recomputed in the backward pass) and
  /// a value used twice — for every target, a repeated one and a repeated one recorded after the loss
  /// included, each delivered once, latest-recorded target first.
  @Test func forEachGradientGivesTheGradientsOneAtATime() throws {
    var rng = SeededGenerator(seed: 11)
    let tape = Tape()
    let x = tape.constant(Tensor.randomUniform([3, 2, 5, 5], using: &rng))
    let w = tape.variable(Tensor.randomUniform([4, 2, 3, 3], in: -0.5...0.5, using: &rng))
    let gain = tape.variable(Tensor.randomUniform([4], in: 0.5...1.5, using: &rng))
    let offset = tape.variable(Tensor.randomUniform([4], using: &rng))
    let convolved = try x.convolved2D(with: w, padding: 1)
    let normalised = try convolved.batchNormalised(scale: gain, shift: offset).output
    let activated = normalised.relu()
    let loss = try (activated * activated + activated).sum()
    let later = tape.variable(Tensor([1, 2]))
    let targets = [activated, convolved, w, gain, offset, activated, later, later]
    let expected = try tape.gradients(of: loss, withRespectTo: targets)
    var delivered = [Tensor?](repeating: nil, count: targets.count)
    var order: [Int] = []
    try tape.forEachGradient(of: loss, withRespectTo: targets) { position, gradient in
      #expect(delivered[position] == nil, "target \(position) delivered twice")
      delivered[position] = gradient
      order.append(targets[position].index)
    }
    for (position, gradient) in delivered.enumerated() {
      let g = try #require(gradient, "target \(position) never delivered")
      #expect(g.shape == expected[position].shape)
      #expect(g.scalars == expected[position].scalars, "target \(position)")
    }
    #expect(order == order.sorted(by: >))
    #expect(delivered[6]?.scalars == [0, 0] && delivered[7]?.scalars == [0, 0])
  }

  @Test func vectorOutputNeedsASeed() throws {
    let tape = Tape()
    let a = tape.variable(Tensor([1, 2]))
    let doubled = a * 2
    #expect(throws: TensorError.self) { try tape.gradients(of: doubled, withRespectTo: a) }
    let g = try tape.gradients(of: doubled, seed: Tensor([1, 10]), withRespectTo: [a])
    #expect(g[0].scalars == [2, 20])
  }

  @Test func constantsAndNonRecordingTapesRefuseGradientsWithAClearMessage() throws {
    let tape = Tape()
    let c = tape.constant(Tensor([1]))
    let error = #expect(throws: TensorError.self) { try tape.gradients(of: c.sum(), withRespectTo: c) }
    #expect(error?.description.contains("constant") == true)
    let evaluation = Tape(recording: false)
    let v = evaluation.variable(Tensor([1]))
    #expect(!v.requiresGradient)
    #expect(throws: TensorError.self) { try evaluation.gradients(of: v.sum(), withRespectTo: v) }
  }

  @Test func tapesAreReleasedAfterUse() throws {
    weak var released: Tape?
    do {
      let tape = Tape()
      released = tape
      let w = tape.variable(TestData.uniform([3, 3]))
      let loss = try w.matmul(w).relu().sum()
      _ = try tape.gradients(of: loss, withRespectTo: w)
    }
    #expect(released == nil, "a backward closure keeps its tape alive (retain cycle)")
  }

  @Test func shapeErrorsAreThrownNotTrapped() throws {
    let tape = Tape()
    let a = tape.variable(Tensor.zeros([2, 3])), b = tape.variable(Tensor.zeros([4, 5]))
    let error = #expect(throws: TensorError.self) { try a.matmul(b) }
    #expect(error?.description == "matmul: inner dimensions differ for A·B (3 ≠ 4): [2, 3] × [4, 5]")
    #expect(throws: TensorError.self) { try a + b }
    #expect(throws: TensorError.self) { try crossEntropy(logits: a, labels: [0, 7]) }
    #expect(throws: TensorError.self) { try crossEntropy(logits: a, labels: [0]) }
    #expect(throws: TensorError.self) { try a.reshaped([5]) }
    #expect(throws: TensorError.self) { try a.slice(alongAxis: 1, range: 2..<4) }
    #expect(throws: TensorError.self) { try a.sum(alongAxes: [2]) }
    #expect(throws: TensorError.self) { try a.convolved2D(with: b) }
  }
}
