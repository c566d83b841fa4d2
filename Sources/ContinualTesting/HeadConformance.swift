import ContinualCore
import ContinualEngine
import Testing

/// Checks every `Head` must pass: its loss, its predictions and its column maps describe the same
/// outputs.
///
/// For a layout's tasks, the checks probe the head with constructed logits and compare what it
/// *does* with what it *declares*:
/// - **outputs**: every label's column (`Head/column(ofLabel:task:)`) and every declared softmax
///   support (`Head/columns(forTask:currentTask:)`) lies in `0..<outputCount`, and every output is
///   some label's column;
/// - **loss columns**: for a one-sample batch of task `t` while training task `c ≥ t`, the loss's
///   gradient with respect to the logits is non-zero exactly on the declared support, and negative
///   only at the label's column (raising the label's logit lowers the loss);
/// - **label round trip**: logits peaked at the column of label `y` of task `t` are predicted as `y`,
///   whatever the last trained task;
/// - **prediction columns**: the columns predictions choose among for task `t` after training task
///   `k` are those the loss trains on: the task's own support for a head that uses the task id, the
///   union of the supports of tasks `0...max(t, k)` otherwise.
///
/// ```swift
/// @Test func conformance() throws {
///   let layout = TaskLayout(classCounts: [2, 2, 2])
///   try HeadConformance.expectConformance(ActiveClassHead(layout: layout), layout: layout)
/// }
/// ```
///
/// The loss checks assume a softmax-like loss (cross-entropy over a support), as every head here has.
public enum HeadConformance {
  /// Runs every check.
  ///
  /// - Parameters:
  ///   - head: The head under test.
  ///   - layout: The classes of each task the head serves.
  ///   - seed: Seeds the random logits of the loss checks.
  /// - Returns: One message per failure; empty when the head conforms.
  /// - Throws: `TensorError` only when the tape fails; a loss that throws is reported as a failure.
  public static func check(_ head: any Head, layout: TaskLayout, seed: UInt64 = 1) throws -> [String] {
    let outputs = checkOutputs(head, layout: layout)
    // The other checks index logits by the columns the head names; they are meaningless (and
    // would trap) when those lie outside the outputs.
    guard outputs.isEmpty else { return outputs }
    return try checkLossColumns(head, layout: layout, seed: seed)
      + checkLabelRoundTrip(head, layout: layout)
      + checkPredictionColumns(head, layout: layout)
  }

  /// Every label column and declared support lies in `0..<outputCount`, and every output is some
  /// label's column.
  ///
  /// - Parameters:
  ///   - head: The head under test.
  ///   - layout: The classes of each task.
  /// - Returns: One message per failure.
  public static func checkOutputs(_ head: any Head, layout: TaskLayout) -> [String] {
    let outputs = 0..<head.outputCount
    var failures: [String] = []
    var used = Set<Int>()
    for task in 0..<layout.taskCount {
      for label in 0..<layout.classCounts[task] {
        let column = head.column(ofLabel: label, task: task)
        used.insert(column)
        if !outputs.contains(column) {
          failures.append(
            "outputs: label \(label) of task \(task) is column \(column), outside the \(outputs.count) outputs")
        }
      }
      for current in task..<layout.taskCount {
        let support = head.columns(forTask: task, currentTask: current)
        if support.isEmpty || !outputs.contains(support.lowerBound) || support.upperBound > outputs.upperBound {
          failures.append(
            "outputs: task \(task)'s support while training task \(current) is \(support), not within \(outputs)")
        }
      }
    }
    let unused = outputs.filter { !used.contains($0) }
    if !unused.isEmpty {
      failures.append("outputs: columns \(unused) of the \(outputs.count) outputs are no label's column")
    }
    return failures
  }

  /// For a one-sample batch of each label of task `t` while training `c ≥ t`, the loss's gradient
  /// with respect to the logits is non-zero exactly on `Head/columns(forTask:currentTask:)` and
  /// negative only at `Head/column(ofLabel:task:)`.
  ///
  /// - Parameters:
  ///   - head: The head under test.
  ///   - layout: The classes of each task.
  ///   - seed: Seeds the random logits.
  /// - Returns: One message per failure (at most one per task pair).
  /// - Throws: `TensorError` when the tape fails.
  public static func checkLossColumns(_ head: any Head, layout: TaskLayout, seed: UInt64 = 1) throws -> [String] {
    var failures: [String] = []
    let logits = TestData.uniform([1, head.outputCount], seed: seed)
    for current in 0..<layout.taskCount {
      for task in 0...current {
        let declared = head.columns(forTask: task, currentTask: current)
        for label in 0..<layout.classCounts[task] {
          let batch = Batch(
            inputs: Tensor(shape: [1, 1], repeating: 0), labels: [label], tasks: [task], currentTask: current)
          let tape = Tape()
          let variable = tape.variable(logits)
          let gradient: [Float]
          do {
            let loss = try head.loss(logits: variable, for: batch)
            gradient = try tape.gradients(of: loss, withRespectTo: [variable])[0].scalars
          } catch {
            failures.append(
              "loss columns: the loss of label \(label) of task \(task) while training \(current) threw \(error)")
            break
          }
          let used = gradient.indices.filter { gradient[$0] != 0 }
          let lowering = gradient.indices.filter { gradient[$0] < 0 }
          let target = head.column(ofLabel: label, task: task)
          if used != Array(declared) {
            failures.append(
              "loss columns: the loss of task \(task) while training \(current) uses columns \(used), "
                + "but the head declares \(declared)")
            break
          }
          if lowering != [target] {
            failures.append(
              "loss columns: the loss of label \(label) of task \(task) while training \(current) favours columns "
                + "\(lowering), but the label's column is \(target)")
            break
          }
        }
      }
    }
    return failures
  }

  /// Logits peaked at the column of label `y` of task `t` are predicted as `y`, after training any
  /// task.
  ///
  /// - Parameters:
  ///   - head: The head under test.
  ///   - layout: The classes of each task.
  /// - Returns: One message per failure (at most one per task pair).
  public static func checkLabelRoundTrip(_ head: any Head, layout: TaskLayout) -> [String] {
    var failures: [String] = []
    for task in 0..<layout.taskCount {
      let labels = Array(0..<layout.classCounts[task])
      let peaks = labels.map { peaked(head, at: head.column(ofLabel: $0, task: task)) }
      let logits = stacked(peaks, width: head.outputCount)
      for trained in 0..<layout.taskCount {
        let predicted = head.predictions(logits: logits, task: task, trainedThrough: trained)
        if predicted != labels {
          failures.append(
            "label round trip: logits peaked at the columns of task \(task)'s labels \(labels) are predicted as "
              + "\(predicted) after training task \(trained)")
        }
      }
    }
    return failures
  }

  /// The columns predictions choose among are those the loss trains on: a task's own support for a
  /// head that uses the task id, the union of the supports of tasks `0...max(t, k)` otherwise.
  ///
  /// Each column `j` is probed with logits of +10 at `j`, −5 at label 0's column of the task (the
  /// runner-up) and −10 elsewhere; `j` is a candidate when it wins. The runner-up stays below `j` even
  /// after subtracting a task's mean logit, as heads that centre logits per task do.
  ///
  /// - Parameters:
  ///   - head: The head under test.
  ///   - layout: The classes of each task.
  /// - Returns: One message per failure (at most one per task pair).
  public static func checkPredictionColumns(_ head: any Head, layout: TaskLayout) -> [String] {
    var failures: [String] = []
    for task in 0..<layout.taskCount {
      let own = Dictionary(
        (0..<layout.classCounts[task]).map { (head.column(ofLabel: $0, task: task), $0) },
        uniquingKeysWith: { a, _ in a })
      let runnerUp = head.column(ofLabel: 0, task: task)
      let rows = (0..<head.outputCount).map { column in
        var row = peaked(head, at: column)
        if column != runnerUp { row[runnerUp] = -5 }
        return row
      }
      let logits = stacked(rows, width: head.outputCount)
      for trained in 0..<layout.taskCount {
        let predicted = head.predictions(logits: logits, task: task, trainedThrough: trained)
        let chosen = (0..<head.outputCount).filter { column in
          guard predicted.indices.contains(column) else { return false }
          if let label = own[column] { return predicted[column] == label }
          return !(0..<layout.classCounts[task]).contains(predicted[column])
        }
        let last = max(task, trained)
        let trainedOn =
          head.usesTaskIdentity
          ? Set(head.columns(forTask: task, currentTask: last))
          : Set((0...last).flatMap { head.columns(forTask: $0, currentTask: last) })
        if Set(chosen) != trainedOn {
          failures.append(
            "prediction columns: predictions for task \(task) after training task \(trained) choose among columns "
              + "\(chosen), but the loss trains on \(trainedOn.sorted())")
        }
      }
    }
    return failures
  }

  /// Every other column −10, `column` +10.
  private static func peaked(_ head: any Head, at column: Int) -> [Float] {
    var row = [Float](repeating: -10, count: head.outputCount)
    if row.indices.contains(column) { row[column] = 10 }
    return row
  }

  private static func stacked(_ rows: [[Float]], width: Int) -> Tensor {
    // The rows have `width` elements each, so the shape always fits.
    (try? Tensor(shape: [rows.count, width], scalars: rows.flatMap { $0 })) ?? Tensor(shape: [0, width], repeating: 0)
  }
}

extension HeadConformance {
  /// Runs every check of ``check(_:layout:seed:)`` and records each failure as an issue at the
  /// caller's source location.
  ///
  /// ```swift
  /// let layout = TaskLayout(classCounts: [2, 2])
  /// try HeadConformance.expectConformance(MultiHead(layout: layout), layout: layout)
  /// ```
  ///
  /// - Parameters:
  ///   - head: The head under test.
  ///   - layout: The classes of each task the head serves.
  ///   - seed: Seeds the random logits of the loss checks.
  ///   - sourceLocation: Where failures are reported; the calling line by default.
  /// - Throws: `TensorError` only when the tape fails.
  public static func expectConformance(
    _ head: any Head, layout: TaskLayout, seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    for failure in try check(head, layout: layout, seed: seed) {
      Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation)
    }
  }
}
