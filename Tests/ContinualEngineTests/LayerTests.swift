import ContinualTesting
import Testing

@testable import ContinualEngine

@Suite struct LayerTests {
  static let mlp = Sequential([Linear(4, 5), ReLU(), Linear(5, 3)])

  @Test func parametersAreNamedLikePyTorch() {
    #expect(Self.mlp.parameterNames == ["0.weight", "0.bias", "2.weight", "2.bias"])
    #expect(Self.mlp.parameterSpecs.map(\.shape) == [[5, 4], [5], [3, 5], [3]])
  }

  @Test func sameSeedSameWeights() {
    var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
    #expect(Model(Self.mlp, rng: &a).parameters == Model(Self.mlp, rng: &b).parameters)
    #expect(Model(Self.mlp, rng: &a).parameters != Model(Self.mlp, rng: &c).parameters)
  }

  @Test func linearComputesXWTransposePlusBias() throws {
    let parameters = try NamedTensors(
      names: ["0.weight", "0.bias"], tensors: [try Tensor(rows: [[1, 2], [3, 4], [5, 6]]), Tensor([1, 0, -1])])
    let model = try Model(Sequential([Linear(2, 3)]), parameters: parameters)
    #expect(try model.predict(try Tensor(rows: [[1, 1]])).scalars == [4, 7, 10])
  }

  @Test func activationCaptureExposesEveryLayersOutput() throws {
    var rng = SeededGenerator(seed: 2)
    let model = Model(Self.mlp, rng: &rng)
    let tape = Tape()
    let pass = try model.forward(tape.constant(TestData.uniform([2, 4])), on: tape)
    #expect(pass.trace.activations.map(\.shape) == [[2, 5], [2, 5], [2, 3]])
    #expect(pass.trace.activations[1].value.scalars.allSatisfy { $0 >= 0 })
    // Gradients with respect to a hidden activation (as SLNID and MAS need).
    let loss = pass.output.squaredNorm()
    let hidden = try tape.gradients(of: loss, withRespectTo: pass.trace.activations[1])[0]
    #expect(hidden.shape == [2, 5])
  }

  @Test func shapeErrorsNameTheLayer() throws {
    var rng = SeededGenerator(seed: 2)
    let model = Model(Self.mlp, rng: &rng)
    let error = #expect(throws: TensorError.self) { try model.predict(Tensor.zeros([2, 7])) }
    #expect(error?.description.contains("layer 0 (Linear(4, 5))") == true, "\(error?.description ?? "")")
    #expect(throws: TensorError.self) { try Self.mlp.outputShape(forInput: [3]) }
    #expect(try Self.mlp.outputShape(forInput: [4]) == [3])
  }

  @Test func convolutionalStackShapes() throws {
    let cnn = Sequential([
      Conv2d(3, 8, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2), Flatten(), Linear(8 * 4 * 4, 10),
    ])
    #expect(try cnn.outputShape(forInput: [3, 8, 8]) == [10])
    var rng = SeededGenerator(seed: 4)
    let model = Model(cnn, rng: &rng)
    #expect(try model.predict(TestData.uniform([2, 3, 8, 8])).shape == [2, 10])
  }

  @Test func functionalForwardWithGeneratedWeightsDifferentiatesTheGenerator() throws {
    // A tiny "hypernetwork": all target weights are a linear function of an embedding,
    // w = H · e, cut into the target's parameter shapes. Gradients must reach H and e.
    let target = Sequential([Linear(3, 2), ReLU(), Linear(2, 2)])
    let total = target.parameterSpecs.map { $0.shape.reduce(1, *) }.reduce(0, +)
    let h = TestData.uniform([total, 2], seed: 5), e = TestData.uniform([2, 1], seed: 6)
    let x = TestData.uniform([4, 3], seed: 7)
    func loss(_ tape: Tape, _ v: [Variable]) throws -> Variable {
      let flat = try v[0].matmul(v[1]).reshaped([total])
      var weights: [Variable] = []
      var offset = 0
      for spec in target.parameterSpecs {
        let n = spec.shape.reduce(1, *)
        weights.append(try flat.slice(alongAxis: 0, range: offset..<offset + n).reshaped(spec.shape))
        offset += n
      }
      var context = ForwardContext(training: true)
      let out = try target(tape.constant(x), weights: weights[...], context: &context)
      return try crossEntropy(logits: out, labels: [0, 1, 1, 0])
    }
    let report = try GradientCheck.run(inputs: [h, e], loss)
    #expect(report.passed, "\(report)")
  }

  @Test func dropoutIsIdentityInEvaluation() throws {
    let tape = Tape()
    let x = tape.constant(TestData.uniform([3, 3]))
    var eval = ForwardContext(training: false)
    let y = try Dropout(rate: 0.5)(x, weights: [][...], context: &eval)
    #expect(y.value == x.value)
    var train = ForwardContext(training: true)
    let z = try Dropout(rate: 0.5)(x, weights: [][...], context: &train)
    #expect(z.value != x.value)
  }
}
