import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

/// The confusion matrix the trainer counts after the last task
/// (`ContinualTrainer.evaluateWithConfusion`, `TrainingResult.confusionMatrix`).
@Suite struct ConfusionMatrixTests {
  /// A task whose test samples are one-hot rows: sample `k` is `e_{hot[k]}` with label `labels[k]`.
  static func task(_ index: Int, width: Int, labels: [Int], hot: [Int]) throws -> ContinualTask {
    let rows = hot.map { h in (0..<width).map { Float($0 == h ? 1 : 0) } }
    let images = try LabelledImages(inputs: Tensor(rows: rows), labels: labels)
    return try ContinualTask(index: index, name: "t\(index)", train: images, test: images, sourceClasses: [0, 1])
  }

  /// An identity linear layer: the predicted output column is the hot input's position.
  static func identity(_ width: Int) throws -> Model {
    let eye = (0..<width * width).map { Float($0 / width == $0 % width ? 1 : 0) }
    return try Model(
      Sequential([Linear(width, width)]),
      parameters: NamedTensors(
        names: ["0.weight", "0.bias"],
        tensors: [Tensor(shape: [width, width], scalars: eye), Tensor(shape: [width], repeating: 0)]))
  }

  static let trainer = ContinualTrainer(
    configuration: TrainingConfiguration(length: .iterations(1), evaluationBatchSize: 2))

  @Test func handComputedClassIncrementalCase() throws {
    // Task 0 (columns 0, 1): class 0 → columns 0 and 2; class 1 → columns 1 and 3.
    // Task 1 (columns 2, 3): class 0 (column 2) → 2; class 1 (column 3) → 3 and 2.
    let sequence = try TaskSequence(
      name: "hand",
      tasks: [
        Self.task(0, width: 4, labels: [0, 0, 1, 1], hot: [0, 2, 1, 3]),
        Self.task(1, width: 4, labels: [0, 1, 1], hot: [2, 3, 2]),
      ])
    let head = ActiveClassHead(layout: TaskLayout(classCounts: [2, 2]))
    let (accuracies, confusion) = try Self.trainer.evaluateWithConfusion(
      Self.identity(4), on: sequence, head: head, trainedThrough: 1)
    #expect(accuracies == [0.5, 2.0 / 3])
    #expect(confusion == [[1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 1, 1]])
    #expect(RunRecord.classAccuracies(of: try #require(confusion)) == [0.5, 0.5, 1, 0.5])
    // The accuracies are those `evaluate` gives.
    #expect(try Self.trainer.evaluate(Self.identity(4), on: sequence, head: head, trainedThrough: 1) == accuracies)
  }

  @Test func handComputedDomainIncrementalCase() throws {
    // Both tasks share columns 0 and 1: task 0 predicts 0 for both classes, task 1 predicts 1.
    let sequence = try TaskSequence(
      name: "hand",
      tasks: [
        Self.task(0, width: 2, labels: [0, 1], hot: [0, 0]), Self.task(1, width: 2, labels: [1, 0], hot: [1, 1]),
      ])
    let (_, confusion) = try Self.trainer.evaluateWithConfusion(
      Self.identity(2), on: sequence, head: SharedHead(classCount: 2), trainedThrough: 1)
    #expect(confusion == [[1, 1], [1, 1]])
  }

  @Test func taskIncrementalHeadsHaveNoConfusionMatrix() throws {
    let sequence = try TaskSequence(name: "hand", tasks: [Self.task(0, width: 2, labels: [0, 1], hot: [0, 1])])
    let (accuracies, confusion) = try Self.trainer.evaluateWithConfusion(
      Self.identity(2), on: sequence, head: MultiHead(layout: TaskLayout(classCounts: [2])), trainedThrough: 0)
    #expect(accuracies == [1])
    #expect(confusion == nil)
  }

  @Test func aClassIncrementalRunRecordsACountOfEveryTestSample() throws {
    let problem = try ToyProblem(tasks: 3, head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2, 2])))
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: TrainingPlan(head: problem.head), seed: 3)
    let confusion = try #require(result.confusionMatrix)
    #expect(confusion.count == 6 && confusion.allSatisfy { $0.count == 6 })
    // Each class's row holds its test samples; the diagonal of each task's columns gives the
    // last row of the accuracy matrix.
    let layout = problem.layout
    for t in 0..<3 {
      let test = problem.sequence.tasks[t].test
      for label in 0..<2 {
        #expect(confusion[layout.offset(t) + label].reduce(0, +) == test.labels.filter { $0 == label }.count)
      }
      let correct = layout.columns(t).map { confusion[$0][$0] }.reduce(0, +)
      expectApproximatelyEqual(
        Double(correct) / Double(test.count), result.accuracyMatrix[2][t], absoluteTolerance: 1e-12)
    }
  }

  @Test func aTaskIncrementalRunRecordsNone() throws {
    let problem = try ToyProblem(tasks: 2)
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: TrainingPlan(head: problem.head), seed: 3)
    #expect(result.confusionMatrix == nil)
  }
}
