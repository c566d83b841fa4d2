import ContinualCore
import ContinualData
import ContinualEngine
import Testing

@Suite struct TaskContextTests {
  @Test func batchesCoverTheTaskInOrder() throws {
    let data = try LabelledImages(inputs: Tensor(shape: [5, 1], scalars: [0, 1, 2, 3, 4]), labels: [0, 1, 0, 1, 1])
    var rng = SeededGenerator(seed: 1)
    let context = TaskContext(
      task: 3, data: data, model: Model(Sequential([Linear(1, 2)]), rng: &rng), head: SharedHead(classCount: 2),
      layout: TaskLayout(classCounts: [2, 2, 2, 2]), rng: rng)
    let batches = context.batches(ofSize: 2)
    #expect(batches.map(\.count) == [2, 2, 1])
    #expect(batches.flatMap(\.inputs.scalars) == [0, 1, 2, 3, 4])
    #expect(batches.flatMap(\.labels) == [0, 1, 0, 1, 1])
    #expect(batches.allSatisfy { $0.tasks.allSatisfy { $0 == 3 } && $0.currentTask == 3 })
    #expect(context.batches(ofSize: 2, limit: 3).map(\.count) == [2, 1])
    #expect(context.batches(ofSize: 10, limit: 99).map(\.count) == [5])
  }
}
