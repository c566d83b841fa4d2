/// A moment in a run that observers (progress displays, loggers) are told about.
public enum TrainingEvent: Sendable {
  /// A task is about to be trained.
  case taskWillStart(task: Int, of: Int)
  /// Progress within a task: the mean of each objective term since the last report.
  case progress(TrainingProgress)
  /// A task was trained and every task evaluated: `accuracies[j]` is the accuracy on task `j`.
  case taskDidFinish(task: Int, accuracies: [Double])
}

/// A progress report within a task.
public struct TrainingProgress: Sendable {
  /// The task being trained.
  public var task: Int
  /// The number of tasks.
  public var taskCount: Int
  /// The iteration just finished (from 1).
  public var iteration: Int
  /// Iterations in this task.
  public var iterationsInTask: Int
  /// The mean of each objective term since the last report, by name (`task`, then each regulariser).
  public var terms: [(name: String, value: Double)]
  /// Training samples per second since the last report.
  public var samplesPerSecond: Double
  /// Estimated seconds until the run finishes.
  public var secondsRemaining: Double
}

/// A run that cannot continue.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  /// The objective became NaN or infinite.
  case diverged(task: Int, iteration: Int, term: String, value: Float)
  /// The configuration cannot be run.
  case invalidConfiguration(String)

  /// Names the task, iteration and term.
  public var description: String {
    switch self {
    case .diverged(let task, let iteration, let term, let value):
      "training diverged: the '\(term)' term became \(value) at task \(task + 1), iteration \(iteration + 1); "
        + "try a smaller learning rate or regularisation strength"
    case .invalidConfiguration(let message): "invalid configuration: \(message)"
    }
  }
}
