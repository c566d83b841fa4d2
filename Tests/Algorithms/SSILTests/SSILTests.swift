import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@testable import SSIL

/// Hand-computed cases of ALGORITHMS.md §6.5, gradient checks and the shared conformance checks.
///
/// §6.5: old classes {0, 1} (task 0), new classes {2, 3} (task 1); B = R = 1; T = 2. The current
/// sample has logits z₁ = (1, 0, 2, 0) and label 2 (local 0 of task 1); the replayed one
/// z₂ = (0.5, 1.5, 3, 0) and label 1 (task 0). The frozen model of task 0 gives (0, 0) and (1, 1.5)
/// on the old classes.
@Suite struct SSILTests {
  static let layout = TaskLayout(classCounts: [2, 2])
  static let student: [[Float]] = [[1, 0, 2, 0], [0.5, 1.5, 3, 0]]
  /// The frozen model's logits; the new-class columns must not matter.
  static let teacher: [[Float]] = [[0, 0, 9, -3], [1, 1.5, -2, 4]]

  /// The head loss of logits given directly.
  static func loss(_ head: any Head, _ rows: [[Float]], labels: [Int], tasks: [Int], currentTask: Int) throws -> Float {
    let tape = Tape()
    let batch = Batch(inputs: Tensor.zeros([rows.count, 1]), labels: labels, tasks: tasks, currentTask: currentTask)
    return try head.loss(logits: tape.variable(Tensor(rows: rows)), for: batch).value.scalar
  }

  /// One-hot rows `e_i` for each index.
  static func oneHot(_ indices: [Int], width: Int) throws -> Tensor {
    try Tensor(rows: indices.map { i in (0..<width).map { $0 == i ? 1 : 0 } })
  }

  /// A distillation regulariser that has frozen `teacher` (rows as logits) after task `finished`.
  static func distillation(
    _ grouping: LogitDistillation.Grouping, teacher rows: [[Float]], layout: TaskLayout, finished: Int,
    strength: Float = 1
  ) throws -> LogitDistillation {
    var regulariser = LogitDistillation(grouping: grouping, temperature: 2, strength: strength)
    let data = try LabelledImages(
      inputs: oneHot(Array(rows.indices), width: rows.count), labels: [Int](repeating: 0, count: rows.count))
    try regulariser.taskDidFinish(
      TaskContext(
        task: finished, data: data, model: Model.lookup(rows), head: SeparatedSoftmaxHead(layout: layout),
        layout: layout,
        rng: SeededGenerator(seed: 1)))
    return regulariser
  }

  /// The penalty and head loss on one tape for the samples `picked` of the §6.5 student, with their
  /// labels and tasks, while training `currentTask`.
  static func step(
    _ regulariser: LogitDistillation, student rows: [[Float]], picked: [Int], labels: [Int], tasks: [Int],
    currentTask: Int,
    layout: TaskLayout
  ) throws -> (penalty: Float?, head: Float, total: Float) {
    let tape = Tape()
    let inputs = try oneHot(picked, width: rows.count)
    let pass = try Model.lookup(rows).forward(tape.constant(inputs), on: tape)
    let batch = Batch(inputs: inputs, labels: labels, tasks: tasks, currentTask: currentTask)
    let head = try SeparatedSoftmaxHead(layout: layout).loss(logits: pass.output, for: batch)
    let penalty = try regulariser.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: currentTask))
    let total = try penalty.map { try head + $0 } ?? head
    return (penalty?.value.scalar, head.value.scalar, total.value.scalar)
  }

  // MARK: - Separated softmax (§6.5)

  /// The current sample (task 1, label 0) is scored over the new classes only; the replayed one
  /// (task 0, label 1) over every old class. The active-class head scores both over all seen classes.
  @Test(arguments: [
    (0, 1, 0, 0.126928, 0.493812),
    (1, 0, 1, 0.313262, 1.803803),
  ])
  func separatedSoftmaxScoresEachSampleOverItsOwnClasses(
    row: Int, task: Int, label: Int, separated expectedSeparated: Double, joint expectedJoint: Double
  ) throws {
    let sample = [Self.student[row]]
    let separated = try Self.loss(
      SeparatedSoftmaxHead(layout: Self.layout), sample, labels: [label], tasks: [task], currentTask: 1)
    let joint = try Self.loss(
      ActiveClassHead(layout: Self.layout), sample, labels: [label], tasks: [task], currentTask: 1)
    expectApproximatelyEqual(Double(separated), expectedSeparated, absoluteTolerance: 2e-6)
    expectApproximatelyEqual(Double(joint), expectedJoint, absoluteTolerance: 2e-6)
  }

  @Test func batchLossIsTheSumDividedByBPlusR() throws {
    let head = SeparatedSoftmaxHead(layout: Self.layout)
    let value = try Self.loss(head, Self.student, labels: [0, 1], tasks: [1, 0], currentTask: 1)
    expectApproximatelyEqual(Double(value), 0.220095, absoluteTolerance: 2e-6)
    // The order of current and replayed samples does not matter.
    let swapped = try Self.loss(head, Self.student.reversed(), labels: [1, 0], tasks: [0, 1], currentTask: 1)
    expectApproximatelyEqual(Double(swapped), 0.220095, absoluteTolerance: 2e-6)
  }

  @Test func replayedSamplesShareOneSoftmaxOverAllOldTasks() throws {
    // Three tasks; training task 2, a replayed task-1 sample (label 0 → column 2) is scored over columns 0..<4:
    // log(e¹ + e⁰ + e² + e⁰) − 2 = 0.4938117, not over task 1's columns alone.
    let head = SeparatedSoftmaxHead(layout: TaskLayout(classCounts: [2, 2, 2]))
    let value = try Self.loss(head, [[1, 0, 2, 0, 7, 7]], labels: [0], tasks: [1], currentTask: 2)
    expectApproximatelyEqual(Double(value), 0.4938117, absoluteTolerance: 2e-6)
  }

  @Test func firstTaskIsPlainCrossEntropyOverItsClasses() throws {
    // mean(log(1 + e⁻¹), log(1 + e⁻²)); the other task's logits are ignored.
    let head = SeparatedSoftmaxHead(layout: Self.layout)
    let value = try Self.loss(head, [[1, 0, 9, 9], [0, 2, -9, 9]], labels: [0, 1], tasks: [0, 0], currentTask: 0)
    expectApproximatelyEqual(Double(value), 0.2200948, absoluteTolerance: 2e-6)
  }

  @Test func samplesOfLaterTasksAreRejected() throws {
    #expect(throws: TensorError.self) {
      _ = try Self.loss(
        SeparatedSoftmaxHead(layout: Self.layout), [Self.student[0]], labels: [0], tasks: [1], currentTask: 0)
    }
  }

  @Test func predictionsUseEveryClassSeenSoFar() throws {
    let head = SeparatedSoftmaxHead(layout: Self.layout)
    let logits = try Tensor(rows: [[1, 0, 5, 0], [4, 0, 1, 2]])
    // After task 0 only classes 0 and 1 compete; after task 1 class 2 wins the first row: local 2, outside task 0.
    #expect(head.predictions(logits: logits, task: 0, trainedThrough: 0) == [0, 0])
    #expect(head.predictions(logits: logits, task: 0, trainedThrough: 1) == [2, 0])
    // For task-1 samples, a task-0 winner maps to a negative local label.
    #expect(head.predictions(logits: logits, task: 1, trainedThrough: 1) == [0, -2])
  }

  @Test func centredPredictionsCompareEachTasksLogitsAboutTheirMean() throws {
    // Raw: class 2 (logit 5) wins. Centred: task 0 → (1, −1), task 1 → (0.5, −0.5), so class 0 wins.
    let logits = try Tensor(rows: [[2, 0, 5, 4]])
    #expect(SeparatedSoftmaxHead(layout: Self.layout).predictions(logits: logits, task: 0, trainedThrough: 1) == [2])
    let centred = SeparatedSoftmaxHead(layout: Self.layout, prediction: .taskCentred)
    #expect(centred.predictions(logits: logits, task: 0, trainedThrough: 1) == [0])
    #expect(centred.predictions(logits: logits, task: 1, trainedThrough: 1) == [-2])
    // Only tasks seen so far compete.
    #expect(centred.predictions(logits: try Tensor(rows: [[0, 1, 9, 0]]), task: 0, trainedThrough: 0) == [1])
  }

  @Test func columnsSeparateCurrentFromReplayedSamples() {
    let head = SeparatedSoftmaxHead(layout: TaskLayout(classCounts: [2, 3, 2]))
    #expect(head.outputCount == 7)
    #expect(head.columns(forTask: 0, currentTask: 0) == 0..<2)
    #expect(head.columns(forTask: 1, currentTask: 1) == 2..<5)
    #expect(head.columns(forTask: 0, currentTask: 2) == 0..<5 && head.columns(forTask: 1, currentTask: 2) == 0..<5)
    #expect(head.columns(forTask: 2, currentTask: 2) == 5..<7)
    #expect(head.column(ofLabel: 1, task: 1) == 3 && head.column(ofLabel: 0, task: 2) == 5)
  }

  // MARK: - Task-wise and global distillation (§6.5)

  @Test func taskWiseDistillationPerSample() throws {
    // KL per sample (T = 2): 0.030930 and 0.007593; a one-sample batch gives KL · T². Teacher and
    // student see the same one-hot input, so the matching rows of both are compared.
    let tkd = try Self.distillation(.perTask, teacher: Self.teacher, layout: Self.layout, finished: 0)
    for (sample, kl) in [(0, 0.030930), (1, 0.007593)] {
      let values = try Self.step(
        tkd, student: Self.student, picked: [sample], labels: [sample == 0 ? 0 : 1], tasks: [1 - sample],
        currentTask: 1, layout: Self.layout)
      let penalty = try #require(values.penalty)
      expectApproximatelyEqual(Double(penalty / 4), kl, absoluteTolerance: 1e-6)
    }
  }

  @Test func taskWiseDistillationAndTotalOfTheBatch() throws {
    let tkd = try Self.distillation(.perTask, teacher: Self.teacher, layout: Self.layout, finished: 0)
    let values = try Self.step(
      tkd, student: Self.student, picked: [0, 1], labels: [0, 1], tasks: [1, 0], currentTask: 1, layout: Self.layout)
    expectApproximatelyEqual(Double(values.head), 0.220095, absoluteTolerance: 2e-6)
    try expectApproximatelyEqual(Double(#require(values.penalty)), 0.077046, absoluteTolerance: 2e-6)
    expectApproximatelyEqual(Double(values.total), 0.297141, absoluteTolerance: 2e-6)
  }

  @Test func oneOldTaskMakesGlobalEqualTaskWise() throws {
    let gkd = try Self.distillation(.global, teacher: Self.teacher, layout: Self.layout, finished: 0)
    let value = try Self.step(
      gkd, student: Self.student, picked: [0, 1], labels: [0, 1], tasks: [1, 0], currentTask: 1, layout: Self.layout)
    try expectApproximatelyEqual(Double(#require(value.penalty)), 0.077046, absoluteTolerance: 2e-6)
  }

  @Test(arguments: [
    // teacher, student on classes 0..<4 (two old tasks), task-wise and global T² · KL.
    ([Float]([0, 0, 0, 0]), [Float]([1, 0, 0, 0]), 0.1237192, 0.1011913),
    ([0, 0, 1, -1], [1, 0, 0, 2], 1.9721878, 1.0615818),
  ])
  func taskWiseAndGlobalDifferWithTwoOldTasks(teacher: [Float], student: [Float], taskWise: Double, global: Double)
    throws
  {
    let layout = TaskLayout(classCounts: [2, 2, 2])
    for (grouping, expected) in [(LogitDistillation.Grouping.perTask, taskWise), (.global, global)] {
      let regulariser = try Self.distillation(grouping, teacher: [teacher + [5, -5]], layout: layout, finished: 1)
      let value = try Self.step(
        regulariser, student: [student + [-3, 3]], picked: [0], labels: [0], tasks: [2], currentTask: 2, layout: layout)
      try expectApproximatelyEqual(Double(#require(value.penalty)), expected, absoluteTolerance: 2e-6)
    }
  }

  @Test func distillationGroups() throws {
    let layout = TaskLayout(classCounts: [2, 3, 2])
    let tkd = try Self.distillation(.perTask, teacher: [[0, 0, 0, 0, 0, 0, 0]], layout: layout, finished: 1)
    let gkd = try Self.distillation(.global, teacher: [[0, 0, 0, 0, 0, 0, 0]], layout: layout, finished: 1)
    #expect(tkd.name == "tkd" && gkd.name == "gkd")
    #expect(tkd.groups(previousTasks: 2, outputCount: 7) == [0..<2, 2..<5])
    #expect(gkd.groups(previousTasks: 2, outputCount: 7) == [0..<5])
    #expect(tkd.groups(previousTasks: 0, outputCount: 7).isEmpty)
    // Shared outputs (domain-incremental): everything at once.
    #expect(
      tkd.groups(previousTasks: 2, outputCount: 2) == [0..<2] && gkd.groups(previousTasks: 2, outputCount: 2) == [0..<2]
    )
  }

  @Test func noPenaltyBeforeATaskFinishesOrWithZeroWeight() throws {
    let fresh = LogitDistillation()
    #expect(
      try Self.step(
        fresh, student: Self.student, picked: [0], labels: [0], tasks: [1], currentTask: 1, layout: Self.layout
      ).penalty == nil)
    let off = try Self.distillation(.perTask, teacher: Self.teacher, layout: Self.layout, finished: 0, strength: 0)
    #expect(
      try Self.step(
        off, student: Self.student, picked: [0], labels: [0], tasks: [1], currentTask: 1, layout: Self.layout
      ).penalty == nil)
    // While training the task the teacher was frozen after, there is no earlier task to distil.
    let early = try Self.distillation(.perTask, teacher: Self.teacher, layout: Self.layout, finished: 0)
    #expect(
      try Self.step(
        early, student: Self.student, picked: [1], labels: [1], tasks: [0], currentTask: 0, layout: Self.layout
      ).penalty == nil)
  }

  @Test func theTeacherIsReplacedAfterEveryTaskAndDistilsEveryOldTask() throws {
    let layout = TaskLayout(classCounts: [2, 2, 2])
    var tkd = try Self.distillation(.perTask, teacher: [[9, 9, 9, 9, 9, 9]], layout: layout, finished: 0)
    let data = try LabelledImages(inputs: Self.oneHot([0], width: 1), labels: [0])
    try tkd.taskDidFinish(
      TaskContext(
        task: 1, data: data, model: Model.lookup([[0, 0, 0, 0, 5, -5]]), head: SeparatedSoftmaxHead(layout: layout),
        layout: layout,
        rng: SeededGenerator(seed: 1)))
    #expect(tkd.teacherTasks == 2)
    let value = try Self.step(
      tkd, student: [[1, 0, 0, 0, -3, 3]], picked: [0], labels: [0], tasks: [2], currentTask: 2, layout: layout)
    try expectApproximatelyEqual(Double(#require(value.penalty)), 0.1237192, absoluteTolerance: 2e-6)
  }

  // MARK: - Gradients

  @Test func headLossGradientMatchesFiniteDifferences() throws {
    // Three tasks, training task 2: current samples over 4..<6, replayed ones (tasks 0 and 1) over 0..<4.
    let head = SeparatedSoftmaxHead(layout: TaskLayout(classCounts: [2, 2, 2]))
    let batch = Batch(inputs: Tensor.zeros([4, 1]), labels: [1, 0, 1, 0], tasks: [2, 2, 0, 1], currentTask: 2)
    let report = try GradientCheck.run(inputs: [TestData.uniform([4, 6], in: -2...2, seed: 3)], step: 1e-2) { _, v in
      try head.loss(logits: v[0], for: batch)
    }
    #expect(report.passed, "\(report)")
  }

  @Test func noSampleMovesTheCommonOffsetOfTheNewTasksLogits() throws {
    // Docs/SSIL.md: every softmax of the separated loss is over one group of columns, so the
    // gradient with respect to a group's logits sums to zero per sample: nothing moves the new
    // task's logits up or down together against the old ones (and the sum of the new task's
    // output-layer rows gets no gradient). A joint softmax (ER) does move it.
    let layout = TaskLayout(classCounts: [2, 2, 2])
    let batch = Batch(inputs: Tensor.zeros([4, 1]), labels: [1, 0, 1, 0], tasks: [2, 2, 0, 1], currentTask: 2)
    let logits = TestData.uniform([4, 6], in: -2...2, seed: 4)
    func offsetGradients(_ head: any Head) throws -> [Float] {
      let tape = Tape()
      let z = tape.variable(logits)
      let g = try tape.gradients(of: head.loss(logits: z, for: batch), withRespectTo: [z])[0]
      return (0..<4).map { m in (4..<6).reduce(Float(0)) { $0 + g[m, $1] } }
    }
    for sum in try offsetGradients(SeparatedSoftmaxHead(layout: layout)) { #expect(abs(sum) < 1e-7) }
    #expect(try offsetGradients(ActiveClassHead(layout: layout)).contains { abs($0) > 1e-3 })
  }

  @Test func headLossGradientWithRespectToWeights() throws {
    let problem = try ToyProblem(tasks: 3, head: SeparatedSoftmaxHead(layout: TaskLayout(classCounts: [2, 2, 2])))
    var rng = SeededGenerator(seed: 2)
    let model = Model(problem.architecture, rng: &rng)
    let current = problem.sequence.tasks[2].train, old = problem.sequence.tasks[0].train
    let batch = try Batch(
      inputs: current.inputs, labels: current.labels, tasks: [Int](repeating: 2, count: current.count), currentTask: 2
    )
    .joined(
      with: Batch(inputs: old.inputs, labels: old.labels, tasks: [Int](repeating: 0, count: old.count), currentTask: 2))
    let report = try GradientCheck.run(inputs: model.parameters.tensors) { tape, weights in
      let pass = try StepValues.pass(
        architecture: problem.architecture, weights: weights, input: tape.constant(batch.inputs), on: tape,
        names: model.parameters.names)
      return try problem.head.loss(logits: pass.output, for: batch)
    }
    #expect(report.passed, "\(report)")
  }

  @Test(arguments: LogitDistillation.Grouping.allCases)
  func distillationGradientWithRespectToLogits(grouping: LogitDistillation.Grouping) throws {
    // The table model's weights are the logits (one-hot inputs), so this differentiates by the logits.
    let layout = TaskLayout(classCounts: [2, 2, 2])
    let teacher = TestData.uniform([3, 6], in: -2...2, seed: 4).scalars
    let regulariser = try Self.distillation(
      grouping, teacher: (0..<3).map { Array(teacher[$0 * 6..<($0 + 1) * 6]) }, layout: layout, finished: 1)
    let inputs = try Self.oneHot([0, 1, 2], width: 3)
    let batch = Batch(inputs: inputs, labels: [0, 1, 0], tasks: [2, 0, 1], currentTask: 2)
    let architecture = Sequential([Linear(3, 6, bias: false)])
    let report = try GradientCheck.run(inputs: [TestData.uniform([6, 3], in: -2...2, seed: 5)]) { tape, weights in
      let pass = try StepValues.pass(
        architecture: architecture, weights: weights, input: tape.constant(inputs), on: tape, names: ["0.weight"])
      return try #require(try regulariser.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: 2)))
    }
    #expect(report.passed, "\(report)")
  }

  // MARK: - Conformance

  static func problem() throws -> ToyProblem {
    try ToyProblem(tasks: 3, head: SeparatedSoftmaxHead(layout: TaskLayout(classCounts: [2, 2, 2])))
  }

  @Test(arguments: LogitDistillation.Grouping.allCases)
  func conformance(grouping: LogitDistillation.Grouping) throws {
    try RegulariserConformance.expectConformance(
      { LogitDistillation(grouping: grouping, temperature: 2, strength: 1) },
      except: [.stateSurvivesTaskBoundaries: "distillation remembers only the latest model, as LwF does"],
      problem: Self.problem())
  }

  @Test func penaltySurvivesTheStartOfTheNextTask() throws {
    let problem = try Self.problem()
    var harness = RegulariserHarness(regulariser: LogitDistillation(), problem: problem, seed: 1)
    try harness.train(task: 0)
    let moved = try RegulariserConformance.displaced(harness.model.parameters, by: 0.5, seed: 1)
    let before = try #require(try harness.penalty(at: moved, task: 1)?.value)
    try harness.begin(task: 1)
    #expect(before > 0 && before.isFinite)
    #expect(try harness.penalty(at: moved, task: 1)?.value == before)
  }

  // MARK: - Algorithms and the trainer

  @Test func ssilComponents() throws {
    let defaults = try SSIL.components(Settings(component: SSIL.name, declared: SSIL.hyperparameters, given: [:]))
    let tkd = try #require(defaults.regularisers.first as? LogitDistillation)
    #expect(defaults.regularisers.count == 1 && defaults.usesReplay && defaults.dataRegime == nil)
    #expect(tkd.grouping == .perTask && tkd.temperature == 2 && tkd.strength == 1)
    let makeHead = try #require(defaults.head)
    #expect((try makeHead(Self.layout, .class) as? SeparatedSoftmaxHead)?.prediction == .raw)
    #expect(try makeHead(Self.layout, .task) is MultiHead)
    #expect(throws: SSILError.unsupportedScenario(.domain)) { _ = try makeHead(Self.layout, .domain) }
    let scale = try #require(defaults.learningRateScale)
    #expect((0..<4).map(scale) == [1, 0.5, 1 / Float(3), 0.25])

    let custom = try SSIL.components(
      Settings(
        component: SSIL.name, declared: SSIL.hyperparameters,
        given: ["lambda": "0.5", "temperature": "4", "lr-rule": "false", "prediction": "centred"]))
    let customTKD = try #require(custom.regularisers.first as? LogitDistillation)
    #expect(customTKD.strength == 0.5 && customTKD.temperature == 4 && custom.learningRateScale == nil)
    #expect((try custom.head!(Self.layout, .class) as? SeparatedSoftmaxHead)?.prediction == .taskCentred)
  }

  @Test func baselineComponents() throws {
    let er = try ExperienceReplay.components(
      Settings(component: ExperienceReplay.name, declared: ExperienceReplay.hyperparameters, given: [:]))
    #expect(er.usesReplay && er.regularisers.isEmpty && er.head == nil && er.learningRateScale == nil)
    let gkd = try GlobalDistillation.components(
      Settings(
        component: GlobalDistillation.name, declared: GlobalDistillation.hyperparameters, given: ["temperature": "3"]))
    let regulariser = try #require(gkd.regularisers.first as? LogitDistillation)
    #expect(
      !gkd.usesReplay && gkd.head == nil && regulariser.grouping == .global && regulariser.temperature == 3
        && regulariser.strength == 1)
    #expect([SSIL.name, ExperienceReplay.name, GlobalDistillation.name] == ["ssil", "er", "gkd"])
  }

  static func trainSSIL(_ problem: ToyProblem, seed: UInt64) throws -> TrainingResult {
    let components = try SSIL.components(Settings(component: SSIL.name, declared: SSIL.hyperparameters, given: [:]))
    let plan = TrainingPlan(
      head: try components.head!(problem.layout, .class), regularisers: components.regularisers,
      replay: ReplayConfiguration(capacity: 12, selection: .first, batchSize: 4),
      learningRateScale: components.learningRateScale)
    return try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: seed)
  }

  @Test func ssilTrainsWithReplayAndDistillationFromTheSecondTask() throws {
    let problem = try Self.problem()
    let first = try Self.trainSSIL(problem, seed: 3)
    #expect(first.accuracyMatrix.count == 3)
    #expect(first.lossTerms[0]["tkd"] == 0)
    #expect(first.lossTerms[1]["tkd", default: 0] > 0 && first.lossTerms[2]["tkd", default: 0] > 0)
    let second = try Self.trainSSIL(problem, seed: 3)
    #expect(first.accuracyMatrix == second.accuracyMatrix && first.model.parameters == second.model.parameters)
  }
}

extension SSILTests {
  @Test(arguments: SeparatedSoftmaxHead.Prediction.allCases)
  func separatedSoftmaxHeadConforms(prediction: SeparatedSoftmaxHead.Prediction) throws {
    let layout = TaskLayout(classCounts: [2, 3, 2])
    try HeadConformance.expectConformance(SeparatedSoftmaxHead(layout: layout, prediction: prediction), layout: layout)
  }
}
