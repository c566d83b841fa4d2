import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import SLNID

/// Hand-computed cases of ALGORITHMS.md §4.4, the baselines, the neuron-importance estimator and the
/// shared conformance checks.
///
/// §4.4: A = [[1, 0.5, 2], [3, 1, 0.5]] (M = 2 samples, N = 3 units), so
/// cov = AᵀA/2 = [[5, 1.75, 1.75], [1.75, 0.625, 0.75], [1.75, 0.75, 2.125]].
@Suite struct SLNIDTests {
  static let activations: [[Float]] = [[1, 0.5, 2], [3, 1, 0.5]]
  static let alpha: [Float] = [0.5, 1, 2]

  /// `R` of the §4.4 activations through ``RepresentationSparsity/inhibition(_:weights:)``.
  static func inhibition(scale: Float, importance: [Float]? = nil, form: DiscountForm = .min) throws -> Float {
    let tape = Tape()
    let a = tape.variable(try Tensor(rows: activations))
    let w = try RepresentationSparsity.inhibitionWeights(
      width: 3, scale: scale, importance: importance.map { Tensor($0) }, form: form)
    return try RepresentationSparsity.inhibition(a, weights: w).value.scalar
  }

  // MARK: - §4.4 hand-computed values

  @Test func sniSumsTheOffDiagonalCovariance() throws {
    // 2·(1.75 + 1.75 + 0.75) = 8.5.
    #expect(abs(try Self.inhibition(scale: 0) - 8.5) < 1e-5)
  }

  @Test func slniWithSigmaOne() throws {
    // σ = N / scale = 1: w₁ = e^{−1/2}, w₂ = e^{−2}
    // → 2·(1.75·0.606531 + 1.75·0.135335 + 0.75·0.606531) = 3.506327.
    #expect(abs(try Self.inhibition(scale: 3) - 3.506327) < 1e-5)
  }

  @Test func slniWithTheOfficialSigmaOfASixthOfTheWidth() throws {
    // σ = 3/6 = 0.5: w₁ = e^{−2}, w₂ = e^{−8} → 0.677851.
    #expect(abs(try Self.inhibition(scale: 6) - 0.677851) < 1e-5)
  }

  @Test func snidInBothDiscountForms() throws {
    // α = (0.5, 1, 2): product e^{−(α_i+α_j)} (paper) 1.142934; min(e^{−α_i}, e^{−α_j}) (code) 1.964254.
    #expect(abs(try Self.inhibition(scale: 0, importance: Self.alpha, form: .product) - 1.142934) < 1e-5)
    #expect(abs(try Self.inhibition(scale: 0, importance: Self.alpha, form: .min) - 1.964254) < 1e-5)
  }

  @Test func slnidWithSigmaOneInBothDiscountForms() throws {
    #expect(abs(try Self.inhibition(scale: 3, importance: Self.alpha, form: .product) - 0.557851) < 1e-5)
    #expect(abs(try Self.inhibition(scale: 3, importance: Self.alpha, form: .min) - 0.968188) < 1e-5)
  }

  @Test func slniGradientWithRespectToTheActivations() throws {
    // ∂R/∂A_mk = (2/M) Σ_{j≠k} w_kj A_mj with σ = 1.
    let tape = Tape()
    let a = tape.variable(try Tensor(rows: Self.activations))
    let r = try RepresentationSparsity.inhibition(
      a, weights: RepresentationSparsity.inhibitionWeights(width: 3, scale: 3, importance: nil, form: .min))
    let gradient = try tape.gradients(of: r, withRespectTo: a)[0]
    let expected: [Float] = [0.573936, 1.819592, 0.438601, 0.674198, 2.122857, 1.012537]
    expectApproximatelyEqual(gradient.scalars, expected, absoluteTolerance: 1e-5)
  }

  @Test func weightsAreSymmetricWithAZeroDiagonal() throws {
    let w = try RepresentationSparsity.inhibitionWeights(
      width: 5, scale: 2, importance: Tensor([0, 1, 2, 3, 4]), form: .min)
    for i in 0..<5 {
      #expect(w[i, i] == 0)
      for j in 0..<5 { #expect(w[i, j] == w[j, i]) }
    }
    // min form: e^{−max(α_i, α_j)} times the Gaussian with σ = 5/2.
    #expect(abs(w[0, 1] - Float(exp(-1.0) * exp(-1.0 / 12.5))) < 1e-6)
  }

  @Test func badShapesAreNamed() throws {
    #expect(throws: TensorError.self) {
      try RepresentationSparsity.inhibitionWeights(width: 3, scale: 6, importance: Tensor([1, 2]), form: .min)
    }
    let tape = Tape()
    let a = tape.variable(try Tensor(rows: Self.activations))
    #expect(throws: TensorError.self) {
      try RepresentationSparsity.inhibition(a, weights: Tensor(shape: [2, 2], repeating: 1))
    }
  }

  // MARK: - Finite differences

  @Test(arguments: [(Float(0), false), (6, false), (0, true), (2, true)])
  func gradientWithRespectToActivationsMatchesFiniteDifferences(scale: Float, discounted: Bool) throws {
    // Positive activations keep every cov_ij away from the |·| kink at 0.
    let a = TestData.uniform([6, 8], in: 0.2...1.5, seed: 3)
    let alpha = discounted ? TestData.uniform([8], in: 0...2, seed: 4) : nil
    for form in DiscountForm.allCases {
      let w = try RepresentationSparsity.inhibitionWeights(width: 8, scale: scale, importance: alpha, form: form)
      let report = try GradientCheck.run(inputs: [a], step: 1e-2) { _, v in
        try RepresentationSparsity.inhibition(v[0], weights: w)
      }
      #expect(report.passed, "\(report)")
    }
  }

  @Test func baselineGradientsWithRespectToActivationsMatchFiniteDifferences() throws {
    let a = TestData.uniform([6, 5], in: 0.2...1.5, seed: 5)
    let l1 = try GradientCheck.run(inputs: [a]) { _, v in try ActivationL1.measure(v[0]) }
    #expect(l1.passed, "\(l1)")
    let decov = try GradientCheck.run(inputs: [a]) { _, v in try Decorrelation.measure(v[0]) }
    #expect(decov.passed, "\(decov)")
  }

  /// A small MLP `Linear(3, 5), ReLU, Linear(5, 4), ReLU, Linear(4, 2)`, its parameters and a batch.
  static func network() -> (Sequential, NamedTensors, Tensor) {
    let architecture = Sequential([Linear(3, 5), ReLU(), Linear(5, 4), ReLU(), Linear(4, 2)])
    var rng = SeededGenerator(seed: 7)
    let model = Model(architecture, rng: &rng)
    // Biases of 0.3 keep most units active so the penalty has something to differentiate.
    var parameters = model.parameters
    for name in ["0.bias", "2.bias"] { parameters[name] = parameters[name]! + 0.3 }
    return (architecture, parameters, TestData.uniform([7, 3], in: -1...1, seed: 8))
  }

  /// Finite differences of a regulariser's penalty with respect to the weights of ``network()``.
  static func weightGradientCheck(_ regulariser: any Regulariser) throws -> GradientCheck {
    let (architecture, parameters, inputs) = Self.network()
    let batch = Batch(
      inputs: inputs, labels: [Int](repeating: 0, count: 7), tasks: [Int](repeating: 1, count: 7), currentTask: 1)
    return try GradientCheck.run(
      inputs: parameters.tensors, step: 1e-3, absoluteTolerance: 1e-3, relativeTolerance: 2e-2
    ) { tape, weights in
      let pass = try StepValues.pass(
        architecture: architecture, weights: weights, input: tape.constant(inputs), on: tape, names: parameters.names)
      let penalty = try regulariser.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: 1))
      return try #require(penalty)
    }
  }

  @Test(arguments: RepresentationSparsity.Variant.allCases)
  func gradientWithRespectToWeightsMatchesFiniteDifferences(variant: RepresentationSparsity.Variant) throws {
    let (architecture, _, _) = Self.network()
    var regulariser = RepresentationSparsity(variant: variant, strength: 0.5, scale: 2)
    try regulariser.prepare(for: architecture, sampleShape: [3])
    try regulariser.accumulate(
      NamedTensors(names: ["1", "3"], tensors: [Tensor([0.1, 0.5, 1, 0, 2]), Tensor([1, 0.2, 0.3, 0])]))
    let report = try Self.weightGradientCheck(regulariser)
    #expect(report.passed, "\(report)")
  }

  @Test func baselineGradientsWithRespectToWeightsMatchFiniteDifferences() throws {
    let (architecture, parameters, inputs) = Self.network()
    let model = try Model(architecture, parameters: parameters)
    let data = try LabelledImages(inputs: inputs, labels: [Int](repeating: 0, count: 7), classNames: ["0", "1"])
    let context = TaskContext(
      task: 0, data: data, model: model, head: SharedHead(classCount: 2), layout: TaskLayout(classCounts: [2]),
      rng: SeededGenerator(seed: 1))
    var l1 = ActivationL1Penalty(strength: 0.5)
    var decov = DecorrelationPenalty(strength: 0.5)
    try l1.taskWillStart(context)
    try decov.taskWillStart(context)
    let l1Report = try Self.weightGradientCheck(l1)
    #expect(l1Report.passed, "\(l1Report)")
    let decovReport = try Self.weightGradientCheck(decov)
    #expect(decovReport.passed, "\(decovReport)")
  }

  // MARK: - The regulariser on a network

  @Test func penaltySumsTheChosenLayersAndScalesByLambda() throws {
    let (architecture, parameters, inputs) = Self.network()
    var slni = RepresentationSparsity(variant: .slni, strength: 0.25, scale: 2)
    try slni.prepare(for: architecture, sampleShape: [3])
    #expect(slni.resolvedLayers == [1, 3])
    let tape = Tape()
    let pass = try Model(architecture, parameters: parameters).forward(tape.constant(inputs), on: tape)
    let batch = Batch(
      inputs: inputs, labels: [Int](repeating: 0, count: 7), tasks: [Int](repeating: 0, count: 7), currentTask: 0)
    let penalty = try slni.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: 0))
    let value = try #require(penalty).value.scalar
    var expected: Float = 0
    for (k, width) in [(1, 5), (3, 4)] {
      let w = try RepresentationSparsity.inhibitionWeights(width: width, scale: 2, importance: nil, form: .min)
      expected += try RepresentationSparsity.inhibition(pass.trace.activations[k], weights: w).value.scalar
    }
    #expect(abs(value - 0.25 * expected) <= 1e-5 * expected, "\(value) vs \(0.25 * expected)")
  }

  @Test func penaltyIsActiveFromTheFirstTaskAndNeedsItsLayers() throws {
    let (architecture, parameters, inputs) = Self.network()
    let tape = Tape()
    let pass = try Model(architecture, parameters: parameters).forward(tape.constant(inputs), on: tape)
    let step = StepValues.context(
      tape: tape, pass: pass,
      batch: Batch(
        inputs: inputs, labels: [Int](repeating: 0, count: 7), tasks: [Int](repeating: 0, count: 7), currentTask: 0),
      task: 0)
    var slnid = RepresentationSparsity(variant: .slnid)
    #expect(throws: TensorError.self) { try slnid.penalty(step) }
    try slnid.prepare(for: architecture, sampleShape: [3])
    // Before any importance exists, SLNID is SLNI.
    var slni = RepresentationSparsity(variant: .slni)
    try slni.prepare(for: architecture, sampleShape: [3])
    let (withoutImportance, plain) = (try slnid.penalty(step), try slni.penalty(step))
    let a = try #require(withoutImportance).value.scalar
    let b = try #require(plain).value.scalar
    #expect(a > 0 && a == b)
    #expect(try RepresentationSparsity(variant: .slnid, strength: 0).penalty(step) == nil)
  }

  @Test func activationLayersFindTheHiddenReLUsAfterLinearLayers() throws {
    let mlp = Sequential([
      Flatten(), Linear(4, 3), ReLU(), Linear(3, 3), Tanh(), Linear(3, 3), ReLU(), Linear(3, 2), ReLU(),
    ])
    #expect(try ActivationLayers.hiddenReLUs.resolve(in: mlp) == [2, 6])
    #expect(try ActivationLayers.indices([4, 2, 4]).resolve(in: mlp) == [2, 4])
    #expect(throws: TensorError.self) { try ActivationLayers.indices([8]).resolve(in: mlp) }
    // The Tanh at 4 is not a ReLU; the ReLU at 8 is the output layer's.
    #expect(try ActivationLayers.denseReLUs.resolve(in: mlp) == [2, 6])
    #expect(try ActivationLayers.lastHiddenReLU.resolve(in: mlp) == [6])
  }

  /// `slnid.layers`: on the named CNNs, `dense` finds zenke's fully connected hidden layer and no
  /// layer of a ResNet (an error naming the choices), and `last` the representation before the output.
  @Test func theLayerChoicesOnTheNamedCNNs() throws {
    let zenke = try Network.named("zenke").architecture(input: [3, 32, 32], outputs: 10)
    let hidden = try ActivationLayers.hiddenReLUs.resolve(in: zenke)
    let dense = try ActivationLayers.denseReLUs.resolve(in: zenke)
    #expect(hidden.count == 5 && dense.count == 1 && zenke.layers[dense[0] - 1] is Linear)
    #expect(try ActivationLayers.lastHiddenReLU.resolve(in: zenke) == dense)
    let resnet = try Network.named("resnet32").architecture(input: [3, 32, 32], outputs: 10)
    #expect(try ActivationLayers.hiddenReLUs.resolve(in: resnet).count == 16)
    #expect(try ActivationLayers.lastHiddenReLU.resolve(in: resnet) == [32])
    let error = #expect(throws: TensorError.self) { try ActivationLayers.denseReLUs.resolve(in: resnet) }
    #expect("\(String(describing: error))".contains("no ReLU after a fully connected hidden layer"))
  }

  /// `layers` reaches the regulariser, and stays out of a stack's recorded configuration at its
  /// default (runs recorded before it keep their ids) but not when chosen.
  @Test func theLayerSettingIsRecordedOnlyWhenChosen() throws {
    for algorithm in [SLNID.self, SLNI.self, SNID.self, SNI.self] as [any Algorithm.Type] {
      let last = try #require(
        try algorithm.components(given: ["layers": "last"]).regularisers.first as? RepresentationSparsity)
      #expect(last.layers == .lastHiddenReLU, "\(algorithm.name)")
      let defaults = try AlgorithmStack([algorithm]).config
      #expect(defaults["\(algorithm.name).layers"] == nil && defaults["\(algorithm.name).lambda"] == "0.001")
      let part = try AlgorithmStack.Part(algorithm, settings: algorithm.settings(["layers": "last"]))
      let chosen = try AlgorithmStack([part]).config
      #expect(chosen["\(algorithm.name).layers"] == "last", "\(chosen)")
    }
  }

  /// The default λ with more regularised layers than the official MLPs' two warns, naming the
  /// remedies; the MLP, an explicit λ and `layers=last` do not.
  @Test func theDefaultStrengthOnManyLayersIsWarnedAbout() throws {
    let resnet = try Network.named("resnet32").architecture(input: [3, 32, 32], outputs: 10)
    let mlp = Sequential([Flatten(), Linear(784, 400), ReLU(), Linear(400, 400), ReLU(), Linear(400, 10)])
    func warnings(_ given: [String: String], _ network: Sequential) throws -> [String] {
      try SLNID.components(given: given).warnings?(network) ?? []
    }
    let warned = try warnings([:], resnet)
    #expect(warned.count == 1 && warned[0].contains("regularises 16 ReLU outputs"), "\(warned)")
    #expect(warned.first?.contains("slnid.layers=last") == true && warned.first?.contains("about 8") == true)
    #expect(try warnings([:], mlp).isEmpty)
    #expect(try warnings(["lambda": "1e-4"], resnet).isEmpty)
    #expect(try warnings(["layers": "last"], resnet).isEmpty)
    #expect(try SNI.components(given: [:]).warnings?(resnet).first?.hasPrefix("sni: sni.layers=hidden") == true)
  }

  // MARK: - Baselines, hand-computed

  /// H = [[1, 0, 2], [3, 1, 0], [0, 2, 1]]: μ = (4/3, 1, 1); the centred columns are
  /// (−1/3, 5/3, −4/3), (−1, 0, 1), (1, −1, 0), so C₁₂ = −1/3, C₁₃ = −2/3, C₂₃ = −1/3.
  static let small: [[Float]] = [[1, 0, 2], [3, 1, 0], [0, 2, 1]]

  @Test func decovIsHalfTheSquaredOffDiagonalCovariance() throws {
    // ½ Σ_{i≠j} C_ij² = (1/9 + 4/9 + 1/9) = 2/3.
    let tape = Tape()
    let value = try Decorrelation.measure(tape.variable(try Tensor(rows: Self.small))).value.scalar
    #expect(abs(value - 2.0 / 3) < 1e-5, "\(value)")
  }

  @Test func l1RepIsTheBatchMeanOfTheL1Norms() throws {
    // (3 + 4 + 3) / 3.
    let tape = Tape()
    let value = try ActivationL1.measure(tape.variable(try Tensor(rows: Self.small))).value.scalar
    #expect(abs(value - 10.0 / 3) < 1e-5, "\(value)")
  }

  // MARK: - Neuron importance

  /// x ∈ R², z = W₁x with W₁ = [[1, −1], [2, 1]], h = relu(z), F = W₂h with W₂ = [[1, −2], [0, 1]].
  /// x₁ = (1, 0), label 0: z = (1, 2), F = (−3, 2).
  /// x₂ = (0, 1), label 1: z = (−1, 1) (unit 1 off), F = (−2, 1).
  static func tinyContext(task: Int = 0) throws -> TaskContext {
    let architecture = Sequential([Linear(2, 2, bias: false), ReLU(), Linear(2, 2, bias: false)])
    let parameters = try NamedTensors(
      names: ["0.weight", "2.weight"],
      tensors: [Tensor(rows: [[1, -1], [2, 1]]), Tensor(rows: [[1, -2], [0, 1]])])
    let data = try LabelledImages(inputs: Tensor(rows: [[1, 0], [0, 1]]), labels: [0, 1], classNames: ["0", "1"])
    return TaskContext(
      task: task, data: data, model: try Model(architecture, parameters: parameters), head: SharedHead(classCount: 2),
      layout: TaskLayout(classCounts: [2]), rng: SeededGenerator(seed: 1))
  }

  @Test(arguments: [1, 2])
  func masImportanceIsTheMeanAbsoluteGradientAtThePreActivation(batchSize: Int) throws {
    // ∂‖F‖²/∂z = mask ⊙ W₂ᵀ 2F: x₁: W₂ᵀ(−6, 4) = (−6, 16);
    // x₂: W₂ᵀ(−4, 2) = (−4, 10), masked to (0, 10).
    // α = (|−6| + 0, 16 + 10) / 2 = (3, 13). (The paper's gradient at the output would give 5 for unit 1.)
    var estimator = NeuronImportanceEstimator(loss: .mas, batchSize: batchSize)
    let alpha = try estimator.importance(after: Self.tinyContext())
    #expect(alpha.names == ["1"])
    expectApproximatelyEqual(alpha.tensors[0].scalars, [3, 13], absoluteTolerance: 1e-5)
  }

  @Test func ewcImportanceUsesTheNLLOfTheTrueLabels() throws {
    // ∂NLL/∂F = p − onehot: x₁ (label 0) → (−σ(5), σ(5)), W₂ᵀ· = (−σ(5), 3σ(5));
    // x₂ (label 1) → (σ(−3), −σ(−3)), W₂ᵀ· = (σ(−3), −3σ(−3)), masked to (0, −3σ(−3)).
    let p1 = Float(1 / (1 + exp(-5.0))), p0 = Float(1 / (1 + exp(3.0)))
    var estimator = NeuronImportanceEstimator(loss: .ewc, batchSize: 2)
    let alpha = try estimator.importance(after: Self.tinyContext())
    expectApproximatelyEqual(alpha.tensors[0].scalars, [p1 / 2, 3 * (p1 + p0) / 2], absoluteTolerance: 1e-5)
  }

  @Test(arguments: RepresentationSparsity.ImportanceAccumulation.allCases)
  func importanceAccumulatesOverTasks(accumulation: RepresentationSparsity.ImportanceAccumulation) throws {
    var slnid = RepresentationSparsity(variant: .slnid, accumulation: accumulation)
    for task in 0..<2 {
      let context = try Self.tinyContext(task: task)
      try slnid.taskWillStart(context)
      try slnid.taskDidFinish(context)
    }
    let alpha = try #require(slnid.importance)
    #expect(slnid.importanceTaskCount == 2)
    expectApproximatelyEqual(
      alpha.tensors[0].scalars, accumulation == .sum ? [6, 26] : [3, 13], absoluteTolerance: 1e-5)
  }

  @Test func nonDiscountingVariantsEstimateNoImportance() throws {
    var slni = RepresentationSparsity(variant: .slni)
    let context = try Self.tinyContext()
    try slni.taskWillStart(context)
    try slni.taskDidFinish(context)
    #expect(slni.importance == nil)
  }

  // MARK: - Algorithms and settings

  @Test func componentsFromDefaultAndGivenSettings() throws {
    let defaults = try SLNID.components(Settings(component: SLNID.name, declared: SLNID.hyperparameters, given: [:]))
    let slnid = try #require(defaults.regularisers.first as? RepresentationSparsity)
    #expect(defaults.regularisers.count == 1 && defaults.dataRegime == nil)
    #expect(
      slnid.name == "slnid" && slnid.variant == .slnid && slnid.strength == 1e-3 && slnid.scale == 6
        && slnid.discountForm == .min)
    #expect(
      slnid.estimator.loss == .mas && slnid.accumulation == .sum && slnid.estimator.sampleCount == nil
        && slnid.layers == .hiddenReLUs)

    let given = [
      "lambda": "2e-3", "scale": "0", "discount": "product", "importance": "ewc", "accumulation": "mean",
      "samples": "100",
    ]
    let custom = try #require(
      try SLNID.components(Settings(component: SLNID.name, declared: SLNID.hyperparameters, given: given)).regularisers
        .first
        as? RepresentationSparsity)
    #expect(custom.strength == 2e-3 && custom.scale == 0 && custom.discountForm == .product)
    #expect(custom.estimator.loss == .ewc && custom.accumulation == .mean && custom.estimator.sampleCount == 100)

    let variants: [(any Algorithm.Type, RepresentationSparsity.Variant)] = [
      (SLNI.self, .slni), (SNID.self, .snid), (SNI.self, .sni),
    ]
    for (algorithm, variant) in variants {
      let c = try algorithm.components(
        Settings(component: algorithm.name, declared: algorithm.hyperparameters, given: ["lambda": "0.5"]))
      let r = try #require(c.regularisers.first as? RepresentationSparsity)
      #expect(r.variant == variant && r.name == algorithm.name && r.strength == 0.5)
    }
    let l1 = try L1Rep.components(
      Settings(component: L1Rep.name, declared: L1Rep.hyperparameters, given: ["lambda": "0.5"]))
    #expect((l1.regularisers.first as? ActivationL1Penalty)?.strength == 0.5)
    let decov = try DeCov.components(
      Settings(component: DeCov.name, declared: DeCov.hyperparameters, given: ["lambda": "0.5"]))
    #expect((decov.regularisers.first as? DecorrelationPenalty)?.strength == 0.5)
    #expect(throws: SettingsError.self) {
      try Settings(component: SNI.name, declared: SNI.hyperparameters, given: ["scale": "6"])
    }
  }

  // MARK: - Shared conformance

  /// The conformance toy problem with ReLU hidden units (the default ``ToyProblem`` uses tanh, which
  /// the default layer choice does not regularise).
  static func reluProblem() throws -> ToyProblem {
    var problem = try ToyProblem(hidden: 6)
    problem.architecture = Sequential([Linear(4, 6), ReLU(), Linear(6, problem.head.outputCount)])
    return problem
  }

  static var algorithms: [any Algorithm.Type] { [SLNID.self, SLNI.self, SNID.self, SNI.self, L1Rep.self, DeCov.self] }

  /// The checks that apply to activation penalties. The zero-at-anchor check does not: these
  /// penalties read the hidden representation, not the distance to a snapshot, so they are positive
  /// right after a task. The state check applies to the discounting variants only: SNI, SLNI, L1-Rep
  /// and DeCov keep no state across tasks, so a fresh copy gives the same penalty by design.
  @Test(arguments: 0..<6)
  func conformance(index: Int) throws {
    let algorithm = Self.algorithms[index]
    let problem = try Self.reluProblem()
    let make: () throws -> any Regulariser = {
      let settings = try Settings(
        component: algorithm.name, declared: algorithm.hyperparameters, given: ["lambda": "0.05"])
      return try algorithm.components(settings).regularisers[0]
    }
    // Not zero at the anchor: right after task 1 the penalty of task 2's batch is positive.
    var harness = RegulariserHarness(regulariser: try make(), problem: problem)
    try harness.train(task: 0)
    let atAnchor = try harness.penalty(at: harness.model.parameters, task: 1)
    #expect((atAnchor?.value ?? 0) > 0, "\(algorithm.name): \(String(describing: atAnchor))")
    var exemptions: [RegulariserConformance.Check: String] = [
      .zeroPenaltyAtAnchor: "an activation penalty reads the hidden representation, not the distance to a snapshot"
    ]
    if algorithm != SLNID.self && algorithm != SNID.self {
      exemptions[.stateSurvivesTaskBoundaries] = "\(algorithm.name) keeps no state across tasks"
    }
    try RegulariserConformance.expectConformance(make, except: exemptions, problem: problem, displacement: 0.2)
  }
}

extension SLNIDTests {
  @Test(arguments: NeuronImportanceEstimator.Loss.allCases)
  func neuronImportanceEstimatorConforms(loss: NeuronImportanceEstimator.Loss) throws {
    // One `[units]` tensor for the hidden ReLU, named by its index in the network.
    try ImportanceConformance.expectConformance(
      { NeuronImportanceEstimator(loss: loss, batchSize: 5) }, layout: .units(names: ["1"], shapes: [[6]]),
      problem: Self.reluProblem())
  }
}
