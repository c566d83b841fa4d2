import ContinualCore
import ContinualData
import ContinualEngine
import Testing

/// Training with augmentation: seeded, applied to training batches only, and leaving runs without
/// it exactly as they were.
@Suite struct AugmentedTrainingTests {
  static let sequence: TaskSequence = {
    let data = SyntheticGlyphs.generate(trainCount: 200, testCount: 60, seed: 11)
    return try! TaskSequence.split(data, tasks: 2)
  }()

  static func run(_ augmentation: Augmentation, seed: UInt64 = 1) throws -> TrainingResult {
    let configuration = TrainingConfiguration(length: .iterations(6), batchSize: 16, augmentation: augmentation)
    let architecture = Sequential([Flatten(), Linear(784, 12), ReLU(), Linear(12, 10)])
    let plan = TrainingPlan(head: SharedHead(classCount: 10))
    return try ContinualTrainer(configuration: configuration).run(
      sequence, architecture: architecture, plan: plan, seed: seed)
  }

  @Test func theSameSeedGivesTheSameAugmentedRun() throws {
    let first = try Self.run(.standard), second = try Self.run(.standard)
    #expect(first.model.parameters == second.model.parameters)
    #expect(first.accuracyMatrix == second.accuracyMatrix)
  }

  @Test func augmentationChangesTheTrainingBatches() throws {
    let plain = try Self.run(.none), augmented = try Self.run(.standard)
    #expect(plain.model.parameters != augmented.model.parameters)
    // With no padding the crop never moves, so here only the flips change the batches.
    let flipsOnly = try Self.run(.cropAndFlip(padding: 0))
    #expect(flipsOnly.model.parameters != plain.model.parameters)
    // The untrained model's accuracy is measured on unaugmented test data either way.
    #expect(plain.initialAccuracies == augmented.initialAccuracies)
  }
}
