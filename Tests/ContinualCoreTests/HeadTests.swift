import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing

@Suite struct HeadTests {
  static func loss(_ head: any Head, logits rows: [[Float]], labels: [Int], tasks: [Int], currentTask: Int) throws
    -> Float
  {
    let tape = Tape()
    let logits = tape.variable(try Tensor(rows: rows))
    let batch = Batch(inputs: Tensor.zeros([rows.count, 1]), labels: labels, tasks: tasks, currentTask: currentTask)
    return try head.loss(logits: logits, for: batch).value.scalar
  }

  @Test func layoutOffsetsAndColumns() {
    let layout = TaskLayout(classCounts: [2, 3, 1])
    #expect(layout.taskCount == 3 && layout.totalClasses == 6)
    #expect((0..<3).map(layout.offset) == [0, 2, 5])
    #expect(layout.columns(1) == 2..<5 && layout.columns(2) == 5..<6)
  }

  @Test func sharedHeadLossIsCrossEntropyOverAllOutputs() throws {
    // mean(log(1 + e⁻¹), log(1 + e⁻²))
    let value = try Self.loss(
      SharedHead(classCount: 2), logits: [[1, 0], [0, 2]], labels: [0, 1], tasks: [0, 3], currentTask: 3)
    expectApproximatelyEqual(value, 0.2200948, absoluteTolerance: 1e-5)
  }

  @Test func multiHeadScoresEachSampleOverItsOwnTask() throws {
    // Row 0 (task 1, label 0 → column 2) over (2, 0): log(1 + e⁻²); row 1 (task 0, label 1) over (3, 1):
    // log(1 + e²).
    let head = MultiHead(layout: TaskLayout(classCounts: [2, 2]))
    let value = try Self.loss(
      head, logits: [[1, 0, 2, 0], [3, 1, 0, 0]], labels: [0, 1], tasks: [1, 0], currentTask: 1)
    expectApproximatelyEqual(value, 1.1269280, absoluteTolerance: 1e-5)
  }

  @Test func activeClassHeadScoresOverEveryClassSeenSoFar() throws {
    let head = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2]))
    // While training task 1, every row's softmax covers columns 0..<4:
    // row 0: log(e + 1 + e² + 1) − 2 = 0.493812 (SS-IL's "joint softmax" value); row 1: log(e³ + e + 2) − 1.
    let value = try Self.loss(
      head, logits: [[1, 0, 2, 0], [3, 1, 0, 0]], labels: [0, 1], tasks: [1, 0], currentTask: 1)
    expectApproximatelyEqual(value, 1.3524047, absoluteTolerance: 1e-5)
    let single = try Self.loss(head, logits: [[1, 0, 2, 0]], labels: [0], tasks: [1], currentTask: 1)
    expectApproximatelyEqual(single, 0.4938117, absoluteTolerance: 1e-5)
    // While training task 0 only columns 0..<2 are active: log(1 + e²).
    let first = try Self.loss(head, logits: [[3, 1, 9, 9]], labels: [1], tasks: [0], currentTask: 0)
    expectApproximatelyEqual(first, 2.1269280, absoluteTolerance: 1e-5)
  }

  @Test func activeClassHeadCanScoreEveryOutput() throws {
    let head = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2]), scoresEveryOutput: true)
    // While training task 0 the softmax still covers columns 0..<4: log(e³ + e + 2e⁹) − 1.
    let first = try Self.loss(head, logits: [[3, 1, 9, 9]], labels: [1], tasks: [0], currentTask: 0)
    expectApproximatelyEqual(first, 8.6945533, absoluteTolerance: 1e-5)
    // Predictions do not change.
    let logits = try Tensor(rows: [[1, 0, 5, 0]])
    #expect(head.predictions(logits: logits, task: 0, trainedThrough: 0) == [0])
  }

  @Test func activeClassHeadRejectsLabelsOfFutureTasks() throws {
    let head = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2]))
    #expect(throws: TensorError.self) {
      _ = try Self.loss(head, logits: [[1, 0, 2, 0]], labels: [0], tasks: [1], currentTask: 0)
    }
  }

  @Test func sharedHeadPredictsTheArgMax() throws {
    let logits = try Tensor(rows: [[0.1, 0.9], [2, 1]])
    #expect(SharedHead(classCount: 2).predictions(logits: logits, task: 4, trainedThrough: 4) == [1, 0])
  }

  @Test func multiHeadPredictsWithinTheTaskSlice() throws {
    let head = MultiHead(layout: TaskLayout(classCounts: [2, 3]))
    let logits = try Tensor(rows: [[9, 0, 1, 5, 2]])
    #expect(head.predictions(logits: logits, task: 1, trainedThrough: 1) == [1])
    #expect(head.predictions(logits: logits, task: 0, trainedThrough: 1) == [0])
  }

  @Test func activeClassHeadPredictsAmongClassesSeenSoFar() throws {
    let head = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2]))
    let taskZeroSample = try Tensor(rows: [[1, 0, 5, 0]])
    // After task 0 only classes 0 and 1 compete; after task 1 class 2 wins: local label 2, outside task 0's 0..<2.
    #expect(head.predictions(logits: taskZeroSample, task: 0, trainedThrough: 0) == [0])
    #expect(head.predictions(logits: taskZeroSample, task: 0, trainedThrough: 1) == [2])
    // A task-1 sample whose winner is class 0 of task 0 maps to local label 0 − 2 = −2.
    let taskOneSample = try Tensor(rows: [[4, 0, 1, 2]])
    #expect(head.predictions(logits: taskOneSample, task: 1, trainedThrough: 1) == [-2])
    // Evaluating a task not yet trained still includes its own classes.
    #expect(head.predictions(logits: taskOneSample, task: 1, trainedThrough: 0) == [-2])
  }

  @Test func columnsForTaskAndCurrentTask() {
    let layout = TaskLayout(classCounts: [2, 3])
    let active = ActiveClassHead(layout: layout)
    #expect(active.columns(forTask: 0, currentTask: 0) == 0..<2)
    #expect(active.columns(forTask: 0, currentTask: 1) == 0..<5)
    #expect(active.columns(forTask: 1, currentTask: 0) == 0..<5)
    let multi = MultiHead(layout: layout)
    #expect(multi.columns(forTask: 1, currentTask: 0) == 2..<5)
    #expect(multi.columns(forTask: 0, currentTask: 1) == 0..<2)
    #expect(SharedHead(classCount: 3).columns(forTask: 1, currentTask: 1) == 0..<3)
  }

  @Test func columnOfLabel() {
    let layout = TaskLayout(classCounts: [2, 3])
    #expect(MultiHead(layout: layout).column(ofLabel: 2, task: 1) == 4)
    #expect(ActiveClassHead(layout: layout).column(ofLabel: 1, task: 1) == 3)
    #expect(ActiveClassHead(layout: layout).column(ofLabel: 1, task: 0) == 1)
    #expect(SharedHead(classCount: 3).column(ofLabel: 2, task: 5) == 2)
  }

  @Test func outputCounts() {
    let layout = TaskLayout(classCounts: [2, 3])
    #expect(MultiHead(layout: layout).outputCount == 5)
    #expect(ActiveClassHead(layout: layout).outputCount == 5)
    #expect(SharedHead(classCount: 3).outputCount == 3)
  }
}

extension HeadTests {
  static let conformanceLayout = TaskLayout(classCounts: [2, 3, 2])

  @Test func multiHeadConforms() throws {
    try HeadConformance.expectConformance(MultiHead(layout: Self.conformanceLayout), layout: Self.conformanceLayout)
  }

  @Test func activeClassHeadConforms() throws {
    let head = ActiveClassHead(layout: Self.conformanceLayout)
    try HeadConformance.expectConformance(head, layout: Self.conformanceLayout)
  }

  @Test func sharedHeadConforms() throws {
    try HeadConformance.expectConformance(SharedHead(classCount: 3), layout: TaskLayout(classCounts: [3, 3, 3]))
  }

  @Test func theDocumentedAllOutputsHeadConforms() throws {
    let head = AllOutputsHead(layout: Self.conformanceLayout)
    try HeadConformance.expectConformance(head, layout: Self.conformanceLayout)
  }
}
