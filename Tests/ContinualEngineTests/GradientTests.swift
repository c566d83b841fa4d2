import ContinualTesting
import Testing

@testable import ContinualEngine

/// Finite-difference checks of every differentiable operation.
@Suite struct GradientTests {
  /// A fixed random projection, so vector outputs reduce to a scalar that depends on every element.
  static func project(_ v: Variable, seed: UInt64 = 99) throws -> Variable {
    let weights = v.tape.constant(TestData.uniform(v.shape, in: 0.5...1.5, seed: seed))
    return try (v * weights).sum()
  }

  /// Checks `f` (projected to a scalar) and records a failure at the calling test's line.
  static func check(
    _ inputs: [Tensor], step: Float = 1e-2, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: @escaping (Tape, [Variable]) throws -> Variable
  ) throws {
    try GradientCheck.expectMatch(inputs: inputs, step: step, sourceLocation: sourceLocation) { tape, v in
      try project(f(tape, v))
    }
  }

  @Test(arguments: [
    ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 3], [2, 1]), ([4, 1, 3], [2, 1]), ([3], [2, 3]), ([], [2, 2]),
  ])
  func broadcastingArithmetic(lhs: [Int], rhs: [Int]) throws {
    let a = TestData.uniform(lhs, seed: 1), b = TestData.uniform(rhs, in: 0.5...2, seed: 2)
    try Self.check([a, b]) { _, v in try v[0] + v[1] }
    try Self.check([a, b]) { _, v in try v[0] - v[1] }
    try Self.check([a, b]) { _, v in try v[0] * v[1] }
    try Self.check([a, b]) { _, v in try v[0] / v[1] }
  }

  @Test func scalarArithmetic() throws {
    let a = TestData.uniform([3, 2])
    try Self.check([a]) { _, v in -(v[0] * 3 + 1.5) - 2 }
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matmul(transposeA: Bool, transposeB: Bool) throws {
    let a = TestData.uniform(transposeA ? [4, 3] : [3, 4], seed: 3)
    let b = TestData.uniform(transposeB ? [5, 4] : [4, 5], seed: 4)
    try Self.check([a, b]) { _, v in try v[0].matmul(v[1], transposingSelf: transposeA, transposingOther: transposeB) }
  }

  @Test func matmulOfTransposedNonContiguousOperand() throws {
    // A transposed copy fed into matmul, and a permuted 3-D tensor reshaped into a matrix.
    let a = TestData.uniform([4, 3], seed: 5), b = TestData.uniform([2, 3, 2], seed: 6)
    try Self.check([a, b]) { _, v in
      try v[0].transposed().matmul(try v[1].permuted([1, 0, 2]).reshaped([4, 3]))
    }
  }

  @Test func activations() throws {
    let x = TestData.awayFromZero([3, 4], seed: 7)
    try Self.check([x]) { _, v in v[0].relu() }
    try Self.check([x]) { _, v in v[0].elu(alpha: 0.7) }
    try Self.check([x]) { _, v in v[0].sigmoid() }
    try Self.check([x]) { _, v in v[0].tanh() }
    try Self.check([x]) { _, v in v[0].exp() }
    try Self.check([x]) { _, v in v[0].abs() }
    try Self.check([x]) { _, v in v[0].squared() }
    let positive = TestData.uniform([3, 4], in: 0.5...2, seed: 8)
    try Self.check([positive]) { _, v in v[0].log() }
    try Self.check([positive]) { _, v in v[0].squareRoot() }
  }

  @Test(arguments: [0, 1, -1])
  func softmaxFamily(axis: Int) throws {
    let x = TestData.uniform([3, 5], in: -2...2, seed: 9)
    try Self.check([x]) { _, v in try v[0].softmax(alongAxis: axis) }
    try Self.check([x]) { _, v in try v[0].logSoftmax(alongAxis: axis) }
  }

  @Test func softmaxOverAMiddleAxisAndColumnSlices() throws {
    let x = TestData.uniform([2, 3, 4], in: -2...2, seed: 10)
    try Self.check([x]) { _, v in try v[0].logSoftmax(alongAxis: 1) }
    let y = TestData.uniform([3, 6], in: -2...2, seed: 11)
    try Self.check([y]) { _, v in try v[0].softmax(columns: 2..<5) }
    try Self.check([y]) { _, v in try v[0].logSoftmax(columns: 1..<3) }
  }

  @Test(arguments: Reduction.allCases)
  func crossEntropyAllClassesAndRange(reduction: Reduction) throws {
    let x = TestData.uniform([4, 6], in: -2...2, seed: 12)
    try Self.check([x]) { _, v in try crossEntropy(logits: v[0], labels: [0, 5, 2, 3], reduction: reduction) }
    try Self.check([x]) { _, v in
      try crossEntropy(logits: v[0], labels: [2, 3, 3, 2], classes: 2..<4, reduction: reduction)
    }
  }

  @Test func crossEntropyWithOneClassRangePerRow() throws {
    let x = TestData.uniform([3, 6], in: -2...2, seed: 31)
    try Self.check([x]) { _, v in try crossEntropy(logits: v[0], labels: [1, 3, 5], rowClasses: [0..<2, 2..<4, 0..<6]) }
    // Hand-computed: logits (2, 0) with label 0 → log(1 + e⁻²) = 0.126928.
    let tape = Tape()
    let z = tape.variable(try Tensor(rows: [[1, 0, 2, 0]]))
    let loss = try crossEntropy(logits: z, labels: [2], rowClasses: [2..<4])
    #expect(Swift.abs(loss.value.scalar - 0.126928) < 1e-6)
  }

  @Test func weightedSquaredDistance() throws {
    let x = TestData.uniform([4, 3], seed: 32), a = TestData.uniform([4, 3], seed: 33),
      w = TestData.uniform([4, 3], in: 0...2, seed: 34)
    try Self.check([x]) { _, v in try v[0].weightedSquaredDistance(to: a, weights: w) }
    // Hand-computed: w = (1, 2), x − a = (0.5, −1) → 0.25 + 2 = 2.25.
    let tape = Tape()
    let y = try tape.variable(Tensor([1.5, 0])).weightedSquaredDistance(to: Tensor([1, 1]), weights: Tensor([1, 2]))
    #expect(y.value.scalar == 2.25)
  }

  @Test(arguments: [Float(1), 2, 0.5])
  func klDivergenceBothArguments(temperature: Float) throws {
    let t = TestData.uniform([3, 4], in: -2...2, seed: 13), s = TestData.uniform([3, 4], in: -2...2, seed: 14)
    try Self.check([t, s]) { _, v in try klDivergence(target: v[0], input: v[1], temperature: temperature) }
  }

  @Test func reductions() throws {
    let x = TestData.uniform([2, 3, 4], seed: 15)
    try Self.check([x]) { _, v in v[0].sum() }
    try Self.check([x]) { _, v in v[0].mean() }
    try Self.check([x]) { _, v in v[0].squaredNorm() }
    try Self.check([x]) { _, v in try v[0].sum(alongAxes: [1]) }
    try Self.check([x]) { _, v in try v[0].sum(alongAxes: [0, 2], keepingDimensions: true) }
    try Self.check([x]) { _, v in try v[0].mean(alongAxes: [-1]) }
  }

  @Test func shapeOperations() throws {
    let x = TestData.uniform([2, 3, 4], seed: 16), y = TestData.uniform([2, 2, 4], seed: 17)
    try Self.check([x]) { _, v in try v[0].reshaped([6, -1]) }
    try Self.check([x]) { _, v in try v[0].reshaped([6, 4]).transposed() }
    try Self.check([x]) { _, v in try v[0].permuted([2, 0, 1]) }
    try Self.check([x]) { _, v in try v[0].slice(alongAxis: 1, range: 1..<3) }
    // Several (overlapping) slices of one variable, and the variable used whole as well: the slices'
    // gradients accumulate in place into one buffer.
    try Self.check([x]) { _, v in
      let a = try v[0].slice(alongAxis: 1, range: 0..<2), b = try v[0].slice(alongAxis: 1, range: 1..<3)
      return try (a * b).tanh().sum() + v[0].slice(alongAxis: 2, range: 3..<4).squared().sum() + v[0].sum()
    }
    try Self.check([x, y]) { _, v in try Variable.concatenate([v[0], v[1]], alongAxis: 1) }
    try Self.check([x]) { _, v in try v[0].gather(indices: [2, 0, 2, 1], alongAxis: 1) }
  }

  @Test(arguments: [(1, 0), (1, 1), (2, 1), (2, 0)])
  func convolution(stride: Int, padding: Int) throws {
    let x = TestData.uniform([2, 3, 5, 6], seed: 18), w = TestData.uniform([4, 3, 3, 3], seed: 19)
    let b = TestData.uniform([4], seed: 20)
    try Self.check([x, w, b]) { _, v in try v[0].convolved2D(with: v[1], bias: v[2], stride: stride, padding: padding) }
  }

  @Test func maxPooling() throws {
    // Distinct values so the maximum of each window is unique and stable under ±step.
    var rng = SeededGenerator(seed: 21)
    let x = try Tensor(shape: [2, 2, 4, 6], scalars: rng.permutation(96).map { Float($0) * 0.1 })
    try Self.check([x]) { _, v in try v[0].maxPooled2D(size: 2) }
    try Self.check([x]) { _, v in try v[0].maxPooled2D(size: 3, stride: 1, padding: 1) }
  }

  @Test func dropoutUsesTheSameMaskEveryEvaluation() throws {
    let x = TestData.uniform([4, 5], seed: 22)
    try Self.check([x]) { _, v in
      var rng = SeededGenerator(seed: 5)
      return try v[0].dropout(rate: 0.4, training: true, using: &rng)
    }
  }

  @Test func composedNetworkWithEveryInputDifferentiated() throws {
    let x = TestData.uniform([3, 4], seed: 23), w = TestData.uniform([5, 4], seed: 24),
      b = TestData.uniform([5], seed: 25)
    try Self.check([x, w, b]) { _, v in
      let h = try (try v[0].matmul(v[1], transposingOther: true) + v[2]).tanh()
      return try crossEntropy(logits: h, labels: [1, 4, 0])
    }
  }
}
