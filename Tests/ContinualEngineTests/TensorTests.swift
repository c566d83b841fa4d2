import ContinualTesting
import Testing

@testable import ContinualEngine

@Suite struct TensorTests {
  @Test func copyOnWriteKeepsValueSemantics() throws {
    var a = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    let b = a
    a[0, 1] = 20
    #expect(a.scalars == [1, 20, 3, 4])
    #expect(b.scalars == [1, 2, 3, 4])
  }

  @Test func constructionErrorsNameTheProblem() throws {
    let error = #expect(throws: TensorError.self) { try Tensor(shape: [2, 3], scalars: [1, 2]) }
    #expect(error?.description.contains("holds 6 elements but 2 were given") == true)
    #expect(throws: TensorError.self) { try Tensor(rows: [[1, 2], [3]]) }
    #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).reshaped([4, -1]) }
  }

  @Test func broadcastingFollowsNumPyRules() throws {
    let a = try Tensor(rows: [[1, 2, 3], [4, 5, 6]])
    #expect(try (a + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
    #expect(try (a * Tensor(shape: [2, 1], scalars: [1, -1])).scalars == [1, 2, 3, -4, -5, -6])
    #expect(try (Tensor(2) - a).scalars == [1, 0, -1, -2, -3, -4])
    #expect(try Tensor.broadcastShape([4, 1, 3], [2, 1]) == [4, 2, 3])
    let error = #expect(throws: TensorError.self) { try a + Tensor([1, 2]) }
    #expect(error?.description.contains("do not broadcast") == true)
  }

  @Test func reductionsAlongAxes() throws {
    let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(try x.sum(alongAxes: [0]).scalars == [5, 7, 9])
    #expect(try x.sum(alongAxes: [1], keepingDimensions: true).shape == [2, 1])
    #expect(try x.mean(alongAxes: [1]).scalars == [2, 5])
    #expect(x.sum().scalar == 21)
    #expect(x.argmaxAlongLastAxis() == [2, 2])
    #expect(x.argmaxAlongLastAxis(columns: 0..<2) == [1, 1])
    // A long sum exercises the vectorised path and its tail.
    #expect(Tensor(shape: [1003], repeating: 0.5).sum().scalar == 501.5)
  }

  @Test func shapeOperations() throws {
    let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(try x.transposed().scalars == [1, 4, 2, 5, 3, 6])
    #expect(try x.slice(alongAxis: 1, range: 1..<3).scalars == [2, 3, 5, 6])
    #expect(try x.gather(indices: [1, 1, 0], alongAxis: 0).scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
    #expect(try Tensor.concatenate([x, x], alongAxis: 1).shape == [2, 6])
    let cube = try Tensor(shape: [2, 2, 2], scalars: (0..<8).map(Float.init))
    #expect(try cube.permuted([2, 0, 1]).scalars == [0, 2, 4, 6, 1, 3, 5, 7])
  }

  @Test func softmaxIsStableForLargeLogits() throws {
    let x = try Tensor(rows: [[1000, 1000], [0, -1000]])
    let p = try x.softmax(alongAxis: 1)
    #expect(p.isApproximatelyEqual(to: try Tensor(rows: [[0.5, 0.5], [1, 0]])))
    #expect(try x.logSoftmax(alongAxis: 1).isFinite)
  }

  /// 2×2 pooling at stride 2 (zenke's, which has its own loop): ties keep the first maximum in row
  /// order, a NaN in a window's first place stays, and each plane's indices point into its own plane.
  @Test func maxPoolingOfTwoByTwoWindowsByHand() throws {
    let plane: [Float] = [1, 3, 5, 5, 3, 2, 5, 0, .nan, 9, -1, -2, 9, 9, -3, -1]
    let input = try Tensor(shape: [1, 2, 4, 4], scalars: plane + plane.map { $0 + 100 })
    let geometry = ConvolutionGeometry(
      batch: 1, channels: 2, height: 4, width: 4, kernelHeight: 2, kernelWidth: 2, stride: 2, padding: 0)
    let (output, argmax) = Tensor.maxPool2D(input: input, geometry: geometry)
    let values = output.scalars
    #expect(values[0] == 3 && values[1] == 5 && values[2].isNaN && values[3] == -1)
    #expect(values[4] == 103 && values[5] == 105 && values[6].isNaN && values[7] == 99)
    #expect(argmax == [1, 2, 8, 10, 17, 18, 24, 26])
  }

  @Test func seededGeneratorIsDeterministicAndPortable() {
    var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
    let first = (0..<5).map { _ in a.next() }
    #expect(first == (0..<5).map { _ in b.next() })
    // Pinned values: the generator must produce the same stream on every platform and release.
    var c = SeededGenerator(seed: 0)
    #expect(c.next() == 0x99EC_5F36_CB75_F2B4)
    var u = SeededGenerator(seed: 7)
    let samples = (0..<20_000).map { _ in u.nextNormal() }
    let mean = samples.reduce(0, +) / 20_000
    let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
    #expect(Swift.abs(mean) < 0.03 && Swift.abs(variance - 1) < 0.05)
  }

  @Test(arguments: [Initialiser.xavierUniform, .kaimingNormal, .fanInUniform(fanIn: 100)])
  func initialisersHaveTheirDocumentedSpread(initialiser: Initialiser) {
    var rng = SeededGenerator(seed: 3)
    let w = initialiser.tensor([200, 100], using: &rng)
    let variance = Double(w.squaredNorm()) / Double(w.count)
    let expected: Double =
      switch initialiser {
      case .xavierUniform: 2.0 / 300
      case .kaimingNormal: 2.0 / 100
      default: 1.0 / 300  // U(−b, b) with b = 1/√100 has variance b²/3
      }
    #expect(Swift.abs(variance / expected - 1) < 0.05, "variance \(variance), expected \(expected)")
  }
}
