import ContinualCore
import ContinualEngine
import Foundation
import Testing

// `Head`'s example, compiled here (`.ci/docs.sh` checks that its lines appear in this file in order).
struct AllOutputsHead: Head {
  var layout: TaskLayout
  var outputCount: Int { layout.totalClasses }
  func loss(logits: Variable, for batch: Batch) throws -> Variable {
    try crossEntropy(logits: logits, labels: zip(batch.labels, batch.tasks).map { $0 + layout.offset($1) })
  }
  func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    logits.argmaxAlongLastAxis().map { $0 - layout.offset(task) }
  }
  func columns(forTask task: Int, currentTask: Int) -> Range<Int> { 0..<outputCount }
  func column(ofLabel label: Int, task: Int) -> Int { layout.offset(task) + label }
}

/// The core's doc-comment examples that say "tested in" this file, run.
@Suite struct CoreDocSnippetTests {
  /// With two tasks of two classes, a sample of task 1 with local label 0 is output column 2; the
  /// loss is the softmax cross-entropy over all four outputs, `log(Σ e^z) − z_2`.
  @Test func allOutputsHead() throws {
    let head = AllOutputsHead(layout: TaskLayout(classCounts: [2, 2]))
    let logits = try Tensor(rows: [[0, 1, 2, 0]])
    #expect(head.predictions(logits: logits, task: 1, trainedThrough: 1) == [0])
    #expect(head.column(ofLabel: 1, task: 1) == 3 && head.columns(forTask: 0, currentTask: 1) == 0..<4)
    let tape = Tape()
    let batch = Batch(inputs: Tensor(shape: [1, 1], repeating: 0), labels: [0], tasks: [1], currentTask: 1)
    let loss = try head.loss(logits: tape.constant(logits), for: batch)
    let expected = Foundation.log(2 + Foundation.exp(1.0) + Foundation.exp(2.0)) - 2
    #expect(abs(Double(loss.value.scalar) - expected) < 1e-5, "\(loss.value.scalar) vs \(expected)")
  }
}
