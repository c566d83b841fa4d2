import Foundation
import Testing

@testable import ContinualCommand

/// The time left in the whole sweep, on a clock the test moves by hand.
@Suite struct SweepClockTests {
  /// A settable time.
  final class Time: @unchecked Sendable {
    var seconds = 0.0
    var date: Date { Date(timeIntervalSince1970: seconds) }
  }

  /// Before any run has finished, the runs after the current one are estimated at the current
  /// run's projected length; afterwards at the mean of the finished runs.
  @Test func theSweepEstimateFollowsTheRunsTrained() {
    let time = Time()
    let clock = SweepClock(runs: 0) { time.date }
    clock.reset(runs: 3)
    clock.runWillStart()
    time.seconds = 10
    // 10 s done and 30 s left in run 1: 30 + 2 × 40.
    #expect(clock.secondsRemaining(currentRun: 30) == 110 && clock.runsAfterCurrent == 2)
    time.seconds = 40
    clock.runDidFinish()
    clock.runWillStart()
    time.seconds = 50
    // Run 1 took 40 s; run 2 says 5 s left: 5 + 1 × 40.
    #expect(clock.secondsRemaining(currentRun: 5) == 45 && clock.runsAfterCurrent == 1)
    time.seconds = 60
    clock.runDidFinish()
    clock.runWillStart()
    // The last run: only its own time is left.
    #expect(clock.secondsRemaining(currentRun: 7) == 7 && clock.runsAfterCurrent == 0)
  }
}
