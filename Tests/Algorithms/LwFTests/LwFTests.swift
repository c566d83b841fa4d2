import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@testable import LwF

/// LwF's distillation: hand-computed values, the groups per scenario, finite differences and the
/// shared conformance checks.
///
/// Hand-computed case: one old task of classes {0, 1}; the frozen model gives `z_old = (0, 0)` on
/// them, the trained model `z = (1, 0)`; `T = 2`. Then `p = softmax(z_old/2) = (½, ½)`,
/// `q = softmax(z/2) = (e^½, 1)/(e^½ + 1) = (0.6224593, 0.3775407)`, and
/// `KL(p‖q) = ½ ln(½/0.6224593) + ½ ln(½/0.3775407) = ½(−0.2190701 + 0.2809297) = 0.0309298`.
/// With `λ = 1` and no `T²`, that is the penalty of a one-sample batch.
@Suite struct LwFTests {
  /// A distillation that froze `teacher` after task `finished`, with `head` deciding the grouping.
  static func distillation(teacher: [[Float]], layout: TaskLayout, head: any Head, finished: Int) throws
    -> OutputDistillation
  {
    var lwf = OutputDistillation(strength: 1, temperature: 2)
    let data = try LabelledImages(inputs: Tensor.zeros([1, teacher.count]), labels: [0])
    lwf.taskDidFinish(
      TaskContext(
        task: finished, data: data, model: try Model.lookup(teacher), head: head, layout: layout,
        rng: SeededGenerator(seed: 1)
      ))
    return lwf
  }

  /// The penalty for a one-sample batch (input `e₀`) whose trained-model logits are `student`.
  static func penalty(_ lwf: OutputDistillation, student: [Float], task: Int) throws -> Float? {
    let tape = Tape()
    let inputs = try Tensor(rows: [[1]])
    let pass = try Model.lookup([student]).forward(tape.constant(inputs), on: tape)
    let batch = Batch(inputs: inputs, labels: [0], tasks: [task], currentTask: task)
    return try lwf.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: task))?.value.scalar
  }

  @Test func handComputedClassIncrementalCase() throws {
    let layout = TaskLayout(classCounts: [2, 2])
    let lwf = try Self.distillation(
      teacher: [[0, 0, 9, -3]], layout: layout, head: ActiveClassHead(layout: layout), finished: 0)
    // The new task's columns (9, −3 vs 2, 0) do not matter.
    let value = try #require(try Self.penalty(lwf, student: [1, 0, 2, 0], task: 1))
    #expect(abs(Double(value) - 0.0309298) < 1e-6, "\(value)")
  }

  @Test(arguments: [
    // Two old tasks, teacher (0, 0 | 0, 0), student (1, 0 | 0, 0): per task the first softmax gives
    // 0.0309298 and the second 0; over all four old classes p = ¼ each, q = (e^½, 1, 1, 1)/(e^½ + 3),
    // KL = ¼ Σ ln(p/q) = ln(e^½ + 3) − ln 4 − ⅛ = 0.0252978.
    (true, 0.0309298), (false, 0.0252978),
  ])
  func groupsFollowTheScenario(taskIncremental: Bool, expected: Double) throws {
    let layout = TaskLayout(classCounts: [2, 2, 2])
    let head: any Head = taskIncremental ? MultiHead(layout: layout) : ActiveClassHead(layout: layout)
    let lwf = try Self.distillation(teacher: [[0, 0, 0, 0, 5, -5]], layout: layout, head: head, finished: 1)
    #expect(lwf.groups(previousTasks: 2, outputCount: 6) == (taskIncremental ? [0..<2, 2..<4] : [0..<4]))
    let value = try #require(try Self.penalty(lwf, student: [1, 0, 0, 0, -3, 3], task: 2))
    #expect(abs(Double(value) - expected) < 2e-6, "\(value)")
  }

  @Test func sharedOutputsAreDistilledTogetherAndNothingBeforeATeacher() throws {
    let layout = TaskLayout(classCounts: [2, 2])
    let lwf = try Self.distillation(teacher: [[0, 0]], layout: layout, head: SharedHead(classCount: 2), finished: 0)
    #expect(lwf.groups(previousTasks: 1, outputCount: 2) == [0..<2])
    #expect(try Self.penalty(OutputDistillation(), student: [1, 0], task: 1) == nil)
    // While training the task the teacher was frozen after, there is no earlier task.
    #expect(try Self.penalty(lwf, student: [1, 0], task: 0) == nil)
  }

  @Test func penaltyGradientMatchesFiniteDifferences() throws {
    let layout = TaskLayout(classCounts: [2, 2, 2])
    for head in [MultiHead(layout: layout) as any Head, ActiveClassHead(layout: layout)] {
      let lwf = try Self.distillation(
        teacher: [[0.3, -1, 2, 0.5, 5, -5], [1, 1, -2, 0, 0, 0]], layout: layout, head: head, finished: 1)
      let inputs = try Tensor(rows: [[1, 0], [0, 1]])
      let batch = Batch(inputs: inputs, labels: [0, 1], tasks: [2, 2], currentTask: 2)
      try GradientCheck.expectMatch(inputs: [TestData.uniform([6, 2], in: -2...2, seed: 5)]) { tape, weights in
        let pass = try StepValues.pass(
          architecture: Sequential([Linear(2, 6, bias: false)]), weights: weights, input: tape.constant(inputs),
          on: tape,
          names: ["0.weight"], task: 2)
        return try #require(try lwf.penalty(StepValues.context(tape: tape, pass: pass, batch: batch, task: 2)))
      }
    }
  }

  @Test(arguments: [false, true])
  func conformance(classIncremental: Bool) throws {
    let layout = TaskLayout(classCounts: [2, 2, 2])
    let problem = try ToyProblem(
      tasks: 3, head: classIncremental ? ActiveClassHead(layout: layout) : MultiHead(layout: layout))
    try RegulariserConformance.expectConformance(
      { OutputDistillation(strength: 1, temperature: 2) },
      except: [
        .stateSurvivesTaskBoundaries:
          "LwF remembers only the latest model: a fresh copy that saw task 2's end holds the same teacher"
      ],
      problem: problem)
  }

  @Test func algorithmSettings() throws {
    let components = LwF.components(try LwF.settings(["lambda": "3", "temperature": "4"]))
    let lwf = try #require(components.regularisers.first as? OutputDistillation)
    #expect(lwf.strength == 3 && lwf.temperature == 4 && !components.usesReplay && !components.drawsReplay)
    #expect(LwF.name == "lwf")
  }
}
