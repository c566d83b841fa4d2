import ContinualCore
import ContinualEngine
import Foundation

/// An importance estimator that returns importances fixed in advance, one set per task, so tests can
/// check how `QuadraticPenalty` combines them without estimating anything.
///
/// ```swift
/// let online = QuadraticPenalty(
///   name: "online-ewc", estimator: ScriptedImportance([f1, f2]), strength: 2, scale: 0.5,
///   accumulation: .decayed(gamma: 0.5))
/// ```
public struct ScriptedImportance: ImportanceEstimator {
  /// The importances returned after each task, by task index.
  public var importances: [NamedTensors]

  /// Creates the estimator.
  ///
  /// - Parameter importances: The importances to return after task 0, 1, ….
  public init(_ importances: [NamedTensors]) { self.importances = importances }

  /// `scripted`.
  public var name: String { "scripted" }

  /// The scripted importances of the finished task.
  ///
  /// - Parameter context: The finished task.
  /// - Returns: `importances[context.task]`.
  /// - Throws: `TensorError/invalidArgument(operation:reason:)` when no importances were scripted
  ///   for the task.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    guard importances.indices.contains(context.task) else {
      throw TensorError.invalidArgument(
        operation: "ScriptedImportance",
        reason: "no importances scripted for task \(context.task) (only \(importances.count))")
    }
    return importances[context.task]
  }
}

/// A regulariser that records every call the trainer makes and returns a scripted constant penalty,
/// for checking the trainer's lifecycle, its data regime and its divergence handling.
///
/// ```swift
/// let log = RecordingRegulariser.Log()
/// let probe = RecordingRegulariser(name: "probe", log: log)
/// let plan = TrainingPlan(head: head, regularisers: [probe], dataRegime: .cumulative)
/// _ = try trainer.run(sequence, architecture: mlp, plan: plan, seed: 1)
/// let tasksSeen = log.events.compactMap { if case .penalty(_, _, let tasks) = $0 { tasks } else { nil } }
/// ```
public struct RecordingRegulariser: Regulariser {
  /// A call the regulariser received.
  public enum Event: Sendable, Equatable {
    /// `Regulariser/taskWillStart(_:)` for a task.
    case taskWillStart(task: Int)
    /// `Regulariser/penalty(_:)` at an iteration, with the task of every sample in the batch.
    case penalty(task: Int, iteration: Int, batchTasks: [Int])
    /// `Regulariser/stepDidFinish(_:)` at an iteration.
    case stepDidFinish(task: Int, iteration: Int)
    /// `Regulariser/taskDidFinish(_:)` for a task.
    case taskDidFinish(task: Int)
  }

  /// A thread-safe, shared list of events (regularisers are values; the log is shared by copies).
  public final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Event] = []

    /// Creates an empty log.
    public init() {}

    /// Every event so far, in order.
    public var events: [Event] { lock.withLock { recorded } }

    /// Appends an event.
    ///
    /// - Parameter event: The event.
    public func append(_ event: Event) { lock.withLock { recorded.append(event) } }
  }

  /// The name the trainer reports the penalty under.
  public var name: String
  /// Where calls are recorded.
  public var log: Log
  /// Whether the trainer should call ``stepDidFinish(_:)``.
  public var observesSteps: Bool
  /// The penalty's value at `(task, iteration)`, or `nil` for no penalty.
  public var value: @Sendable (_ task: Int, _ iteration: Int) -> Float?

  /// Creates the probe.
  ///
  /// - Parameters:
  ///   - name: The name of its loss term.
  ///   - log: Where calls are recorded.
  ///   - observesSteps: Whether it asks for step observations.
  ///   - value: The penalty at `(task, iteration)`; no penalty by default.
  public init(
    name: String = "probe", log: Log = Log(), observesSteps: Bool = false,
    value: @escaping @Sendable (_ task: Int, _ iteration: Int) -> Float? = { _, _ in nil }
  ) {
    self.name = name
    self.log = log
    self.observesSteps = observesSteps
    self.value = value
  }

  /// Records the call.
  ///
  /// - Parameter context: The task about to be trained.
  public mutating func taskWillStart(_ context: TaskContext) { log.append(.taskWillStart(task: context.task)) }

  /// Records the call and returns the scripted value (with a zero gradient through the first weight).
  ///
  /// - Parameter step: The step.
  /// - Returns: The scripted constant, or `nil`.
  public func penalty(_ step: StepContext) -> Variable? {
    log.append(.penalty(task: step.task, iteration: step.iteration, batchTasks: step.batch.tasks))
    guard let constant = value(step.task, step.iteration) else { return nil }
    guard let weight = step.pass.weights.first else { return step.tape.constant(Tensor(constant)) }
    return weight.sum() * 0 + constant
  }

  /// Records the call.
  ///
  /// - Parameter step: The finished step.
  public mutating func stepDidFinish(_ step: StepObservation) {
    log.append(.stepDidFinish(task: step.task, iteration: step.iteration))
  }

  /// Records the call.
  ///
  /// - Parameter context: The finished task.
  public mutating func taskDidFinish(_ context: TaskContext) { log.append(.taskDidFinish(task: context.task)) }
}

/// The script is configuration: nothing accumulates between tasks.
extension ScriptedImportance: StatelessBetweenTasks {}
