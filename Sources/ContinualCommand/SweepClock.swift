import Foundation

/// The time left in a whole sweep, for progress lines: the current run's own estimate plus the
/// runs still to train, each at the mean duration of the runs this process has trained (before one
/// has finished, at the current run's projected length).
///
/// The runs still to train are those without a record when the sweep starts; one that another
/// process finishes first makes the estimate high until it is reached.
final class SweepClock: @unchecked Sendable {
  private let lock = NSLock()
  private var toTrain: Int
  private var durations: [Double] = []
  private var runStart: Date
  private let now: @Sendable () -> Date

  /// A clock for a sweep with `runs` runs to train in this process.
  ///
  /// - Parameters:
  ///   - runs: The runs to train.
  ///   - now: The time; the wall clock outside tests.
  init(runs: Int, now: @escaping @Sendable () -> Date = { Date() }) {
    toTrain = runs
    self.now = now
    runStart = now()
  }

  /// Sets the number of runs to train, once the grid is known.
  func reset(runs: Int) {
    lock.withLock {
      toTrain = runs
      durations = []
    }
  }

  /// A run starts training.
  func runWillStart() {
    lock.withLock { runStart = now() }
  }

  /// The run that started last has finished training.
  func runDidFinish() {
    lock.withLock {
      durations.append(now().timeIntervalSince(runStart))
      toTrain = max(0, toTrain - 1)
    }
  }

  /// Seconds left in the sweep, given the current run's own estimate of its remaining time.
  func secondsRemaining(currentRun remaining: Double) -> Double {
    lock.withLock {
      let perRun =
        durations.isEmpty
        ? now().timeIntervalSince(runStart) + remaining : durations.reduce(0, +) / Double(durations.count)
      return remaining + Double(max(0, toTrain - 1)) * perRun
    }
  }

  /// The runs to train after the current one.
  var runsAfterCurrent: Int { lock.withLock { max(0, toTrain - 1) } }
}
