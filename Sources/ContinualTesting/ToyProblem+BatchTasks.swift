import ContinualCore

extension ToyProblem {
  /// Trains the problem once with a ``RecordingRegulariser`` and returns what each step's batch held:
  /// the task being trained and the task of every sample, current samples first, then replayed ones.
  ///
  /// ```swift
  /// let steps = try problem.batchTasks(replay: ReplayConfiguration(capacity: 8, batchSize: 3))
  /// #expect(steps.map(\.samples.count) == [Int](repeating: 8, count: 6) + [Int](repeating: 11, count: 6))
  /// ```
  ///
  /// - Parameters:
  ///   - replay: The replay memory, or `nil` for none.
  ///   - seed: The run's seed.
  /// - Returns: One entry per training step, in order.
  /// - Throws: What the trainer throws.
  public func batchTasks(replay: ReplayConfiguration?, seed: UInt64 = 1) throws -> [(task: Int, samples: [Int])] {
    let log = RecordingRegulariser.Log()
    let plan = TrainingPlan(head: head, regularisers: [RecordingRegulariser(log: log)], replay: replay)
    _ = try ContinualTrainer(configuration: configuration).run(
      sequence, architecture: architecture, plan: plan, seed: seed)
    return log.events.compactMap { event in
      guard case .penalty(let task, _, let samples) = event else { return nil }
      return (task, samples)
    }
  }
}
