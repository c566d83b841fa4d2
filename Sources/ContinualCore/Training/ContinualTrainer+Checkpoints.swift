import ContinualData
import ContinualEngine

extension ContinualTrainer {
  /// The name of the first regulariser of `plan` that cannot be checkpointed, or `nil` when the
  /// run can be (every regulariser conforms to ``Checkpointable``; the replay memory always does).
  public static func checkpointBlocker(_ plan: TrainingPlan) -> String? {
    plan.regularisers.first { !($0 is any Checkpointable) }?.name
  }

  /// Saves a task-boundary checkpoint as the directory's ``CheckpointDirectory/saveFailure`` says.
  ///
  /// - Returns: `false` when the save failed on the file system and the run goes on without
  ///   checkpoints (the failure was reported once); `true` when it was saved.
  /// - Throws: The save's error when the policy is to stop, or when it is not a file-system error.
  func save(_ checkpoint: TrainingCheckpoint, to directory: CheckpointDirectory) throws -> Bool {
    do {
      try directory.save(checkpoint)
      return true
    } catch let error as CheckpointError {
      guard case .io = error, case .continueWithoutCheckpoints(let report) = directory.saveFailure else { throw error }
      report(error)
      return false
    }
  }
}
