import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing

/// The head checker itself: the standard heads pass, and each planted bug is reported by the check
/// meant for it.
@Suite struct HeadConformanceTests {
  /// A task-incremental head (MultiHead's behaviour) with one switchable bug.
  struct Planted: Head {
    enum Bug: Sendable {
      case none
      /// The loss scores over every class seen (ActiveClassHead's), the declared support is the task's own.
      case lossOverEverySeenClass
      /// `column(ofLabel:)` reverses a task's labels; loss and predictions do not.
      case reversedLabelColumns
      /// One output fewer than the classes.
      case oneOutputShort
      /// Predictions choose among every class seen, though the task id is given and the loss is per task.
      case predictsAmongEverySeenClass
    }

    var layout: TaskLayout
    var bug: Bug

    var outputCount: Int { layout.totalClasses - (bug == .oneOutputShort ? 1 : 0) }
    var usesTaskIdentity: Bool { true }

    func loss(logits: Variable, for batch: Batch) throws -> Variable {
      bug == .lossOverEverySeenClass
        ? try ActiveClassHead(layout: layout).loss(logits: logits, for: batch)
        : try MultiHead(layout: layout).loss(logits: logits, for: batch)
    }

    func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
      bug == .predictsAmongEverySeenClass
        ? ActiveClassHead(layout: layout).predictions(logits: logits, task: task, trainedThrough: trainedThrough)
        : MultiHead(layout: layout).predictions(logits: logits, task: task, trainedThrough: trainedThrough)
    }

    func columns(forTask task: Int, currentTask: Int) -> Range<Int> { layout.columns(task) }

    func column(ofLabel label: Int, task: Int) -> Int {
      layout.offset(task) + (bug == .reversedLabelColumns ? layout.classCounts[task] - 1 - label : label)
    }
  }

  static let layout = TaskLayout(classCounts: [2, 3, 2])

  static func failures(_ bug: Planted.Bug) throws -> [String] {
    try HeadConformance.check(Planted(layout: layout, bug: bug), layout: layout)
  }

  /// `expectConformance` records the planted bug as an issue mentioning one of `prefixes`.
  static func expectRecorded(_ bug: Planted.Bug, mentioning prefixes: [String]) throws {
    try withKnownIssue {
      try HeadConformance.expectConformance(Planted(layout: layout, bug: bug), layout: layout)
    } matching: { issue in
      prefixes.contains { issue.mentions($0) }
    }
  }

  @Test func theUnbuggedHeadPasses() throws {
    try HeadConformance.expectConformance(Planted(layout: Self.layout, bug: .none), layout: Self.layout)
  }

  @Test func aLossOverOtherColumnsThanDeclaredIsCaught() throws {
    let failures = try Self.failures(.lossOverEverySeenClass)
    #expect(failures.allSatisfy { $0.hasPrefix("loss columns:") } && !failures.isEmpty, "\(failures)")
    try Self.expectRecorded(.lossOverEverySeenClass, mentioning: ["loss columns:"])
    #expect(
      failures.contains {
        $0.contains("task 1 while training 1 uses columns [0, 1, 2, 3, 4], but the head declares 2..<5")
      })
  }

  @Test func aLabelColumnTheLossAndPredictionsDoNotUseIsCaught() throws {
    let failures = try Self.failures(.reversedLabelColumns)
    #expect(failures.contains { $0.hasPrefix("loss columns:") && $0.contains("favours columns") }, "\(failures)")
    #expect(failures.contains { $0.hasPrefix("label round trip:") }, "\(failures)")
    try Self.expectRecorded(
      .reversedLabelColumns, mentioning: ["loss columns:", "label round trip:", "prediction columns:"])
    #expect(failures.contains { $0.contains("task 0's labels [0, 1] are predicted as [1, 0]") }, "\(failures)")
  }

  @Test func tooFewOutputsAreCaught() throws {
    let failures = try Self.failures(.oneOutputShort)
    #expect(failures.contains { $0.contains("label 1 of task 2 is column 6, outside the 6 outputs") }, "\(failures)")
    #expect(failures.allSatisfy { $0.hasPrefix("outputs:") }, "\(failures)")
    try Self.expectRecorded(.oneOutputShort, mentioning: ["outputs:"])
  }

  @Test func predictionsOverColumnsTheLossNeverTrainsAreCaught() throws {
    let failures = try Self.failures(.predictsAmongEverySeenClass)
    #expect(failures.allSatisfy { $0.hasPrefix("prediction columns:") } && !failures.isEmpty, "\(failures)")
    try Self.expectRecorded(.predictsAmongEverySeenClass, mentioning: ["prediction columns:"])
    #expect(
      failures.contains { $0.hasSuffix("choose among columns [0, 1, 2, 3, 4], but the loss trains on [2, 3, 4]") })
  }

  @Test func anUnusedOutputIsCaught() throws {
    // A shared head with an extra output no label maps to.
    let layout = TaskLayout(classCounts: [2, 2])
    let failures = HeadConformance.checkOutputs(SharedHead(classCount: 3), layout: layout)
    #expect(failures == ["outputs: columns [2] of the 3 outputs are no label's column"])
  }
}
