import ContinualCore
import ContinualTesting
import Foundation

/// Records and scratch directories shared by the ContinualReport tests.
enum Fixture {
  /// A finished or failed record with a fixed finishing time, so records compare equal after a round trip.
  static func record(
    id: String, benchmark: String = "split-mnist", scenario: String = "task", algorithm: String = "ewc",
    seed: UInt64 = 1, matrix: [[Double]], initial: [Double]? = nil, wallSeconds: Double = 1,
    failure: String? = nil, config: [String: String] = ["lambda": "1"]
  ) -> RunRecord {
    RunRecord(
      runID: id, benchmark: benchmark, scenario: scenario, algorithm: algorithm, seed: seed,
      config: config, status: failure == nil ? .finished : .failed, failure: failure,
      accuracyMatrix: matrix, initialAccuracies: initial, wallSeconds: wallSeconds, peakRSSBytes: 1_000_000,
      finishedAt: Date(timeIntervalSince1970: 1_700_000_000))
  }

  /// Three EWC seeds with final average accuracies 0.90, 0.92 and 0.97, BWT −0.10, −0.06 and 0,
  /// wall times 10, 12 and 14 s, and a fourth seed that failed.
  static let ewcSeeds: [RunRecord] = [
    record(id: "ewc-1", seed: 1, matrix: [[0.95, 0.10], [0.85, 0.95]], wallSeconds: 10),
    record(id: "ewc-2", seed: 2, matrix: [[0.95, 0.10], [0.89, 0.95]], wallSeconds: 12),
    record(id: "ewc-3", seed: 3, matrix: [[0.96, 0.10], [0.96, 0.98]], wallSeconds: 14),
    record(id: "ewc-4", seed: 4, matrix: [[0.50, 0.10]], wallSeconds: 3, failure: "loss diverged at task 2"),
  ]

  /// One SI seed: average accuracy 0.85, BWT −0.10, forgetting 0.10, 5 s.
  static let siSeed = record(id: "si-1", algorithm: "si", matrix: [[0.90, 0.10], [0.80, 0.90]], wallSeconds: 5)

  /// A fresh empty directory under the temporary directory.
  static func scratchDirectory() throws -> URL { try temporaryFolder("ContinualReportTests") }
}
