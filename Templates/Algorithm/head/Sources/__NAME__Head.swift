import ContinualCore
import ContinualEngine

/// The head of ``__NAME__``: another head whose loss sees the logits divided by a temperature `T`;
/// predictions and columns are the other head's (dividing by `T > 0` keeps every arg-max).
///
/// Replace ``loss(logits:for:)`` (and the other requirements, if your head changes them) with your
/// own.
///
/// ```swift
/// let head = __NAME__Head(base: ActiveClassHead(layout: layout), temperature: 2)
/// ```
public struct __NAME__Head: Head {
  /// The head that maps labels to columns and predicts.
  public var base: any Head
  /// T, which divides the logits in the loss.
  public var temperature: Float

  /// Creates the head.
  ///
  /// - Parameters:
  ///   - base: The head that maps labels to columns and predicts.
  ///   - temperature: T, greater than zero.
  public init(base: any Head, temperature: Float) {
    self.base = base
    self.temperature = temperature
  }

  /// The standard head of a scenario: one slice per task (task), one shared slice (domain) or
  /// every class seen so far (class).
  ///
  /// - Parameters:
  ///   - layout: The classes of each task.
  ///   - scenario: The continual-learning scenario.
  /// - Returns: ``MultiHead``, ``SharedHead`` or ``ActiveClassHead``.
  public static func standardHead(layout: TaskLayout, scenario: Scenario) -> any Head {
    switch scenario {
    case .task: MultiHead(layout: layout)
    case .domain: SharedHead(classCount: layout.classCounts.max() ?? 0)
    case .class: ActiveClassHead(layout: layout)
    }
  }

  /// The base head's output count.
  public var outputCount: Int { base.outputCount }

  /// Whether the base head needs the task identity (one head per task): a wrapper that forgot this
  /// would predict task-IL samples among every task's columns.
  public var usesTaskIdentity: Bool { base.usesTaskIdentity }

  /// The base head's loss of `logits / T`.
  ///
  /// - Parameters:
  ///   - logits: `[batch, outputCount]` on the step's tape.
  ///   - batch: The labels and tasks of each row.
  /// - Returns: A scalar.
  /// - Throws: Whatever the base head throws.
  public func loss(logits: Variable, for batch: Batch) throws -> Variable {
    try base.loss(logits: logits * (1 / temperature), for: batch)
  }

  /// The base head's predictions.
  ///
  /// - Parameters:
  ///   - logits: `[batch, outputCount]`.
  ///   - task: The task the rows belong to.
  ///   - trainedThrough: The last task trained so far.
  /// - Returns: One task-local label per row.
  public func predictions(logits: Tensor, task: Int, trainedThrough: Int) -> [Int] {
    base.predictions(logits: logits, task: task, trainedThrough: trainedThrough)
  }

  /// The base head's columns.
  ///
  /// - Parameters:
  ///   - task: The task.
  ///   - currentTask: The task being trained.
  /// - Returns: The output columns.
  public func columns(forTask task: Int, currentTask: Int) -> Range<Int> {
    base.columns(forTask: task, currentTask: currentTask)
  }

  /// The base head's column.
  ///
  /// - Parameters:
  ///   - label: A task-local label.
  ///   - task: Its task.
  /// - Returns: The output column.
  public func column(ofLabel label: Int, task: Int) -> Int { base.column(ofLabel: label, task: task) }
}
