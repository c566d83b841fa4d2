import Baselines
import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Testing

@Suite struct BaselinesTests {
  static func components<A: Algorithm>(_ algorithm: A.Type) throws -> AlgorithmComponents {
    try algorithm.components(Settings(component: algorithm.name, declared: algorithm.hyperparameters, given: [:]))
  }

  @Test func fineTuningBuildsNothing() throws {
    let components = try Self.components(FineTuning.self)
    #expect(components.regularisers.isEmpty)
    #expect(components.dataRegime == nil)
    #expect(FineTuning.name == "finetune" && FineTuning.hyperparameters.isEmpty)
  }

  @Test func jointTrainingSetsTheCumulativeRegime() throws {
    let components = try Self.components(JointTraining.self)
    #expect(components.regularisers.isEmpty)
    #expect(components.dataRegime == .cumulative)
    #expect(JointTraining.name == "joint" && JointTraining.hyperparameters.isEmpty)
  }

  @Test func baselinesTakeNoSettings() throws {
    #expect(throws: SettingsError.self) {
      _ = try Settings(component: FineTuning.name, declared: FineTuning.hyperparameters, given: ["lambda": "1"])
    }
  }

  /// Class-incremental blobs: two tasks of two classes, a linear model, every class seen so far active.
  static func classIncremental() throws -> ToyProblem {
    var problem = try ToyProblem(
      tasks: 2, classesPerTask: 2, features: 4, trainPerTask: 24, testPerTask: 24, spread: 0.2,
      head: ActiveClassHead(layout: TaskLayout(classCounts: [2, 2])), seed: 3)
    problem.architecture = Sequential([Linear(4, 4)])
    problem.configuration = TrainingConfiguration(
      length: .iterations(60), batchSize: 8, optimiser: .sgd(learningRate: 0.5), evaluationBatchSize: 64)
    return problem
  }

  /// Trains with the algorithm's components, recording which task every batch sample came from.
  static func run<A: Algorithm>(_ algorithm: A.Type, on problem: ToyProblem) throws -> (TrainingResult, [Int: Set<Int>])
  {
    let components = try components(algorithm)
    let log = RecordingRegulariser.Log()
    let plan = TrainingPlan(
      head: problem.head, regularisers: components.regularisers + [RecordingRegulariser(log: log)],
      dataRegime: components.dataRegime ?? .sequential)
    let result = try ContinualTrainer(configuration: problem.configuration).run(
      problem.sequence, architecture: problem.architecture, plan: plan, seed: 1)
    var sources: [Int: Set<Int>] = [:]
    for case .penalty(let task, _, let tasks) in log.events { sources[task, default: []].formUnion(tasks) }
    return (result, sources)
  }

  @Test func jointTrainingDrawsFromEveryTaskSeen() throws {
    let (_, sources) = try Self.run(JointTraining.self, on: Self.classIncremental())
    #expect(sources == [0: [0], 1: [0, 1]])
  }

  @Test func fineTuningDrawsFromTheCurrentTaskOnly() throws {
    let (_, sources) = try Self.run(FineTuning.self, on: Self.classIncremental())
    #expect(sources == [0: [0], 1: [1]])
  }

  @Test func jointTrainingRemembersWhatFineTuningForgets() throws {
    let problem = try Self.classIncremental()
    let (finetune, _) = try Self.run(FineTuning.self, on: problem)
    let (joint, _) = try Self.run(JointTraining.self, on: problem)
    // Both learn task 1 on its own first.
    #expect(
      finetune.accuracyMatrix[0][0] > 0.9 && joint.accuracyMatrix[0][0] > 0.9,
      "\(finetune.accuracyMatrix) \(joint.accuracyMatrix)")
    // Class-incremental fine-tuning on task 2 pushes task 1's classes down; joint training keeps them.
    #expect(finetune.accuracyMatrix[1][0] < 0.5, "\(finetune.accuracyMatrix)")
    #expect(joint.accuracyMatrix[1][0] > 0.9 && joint.accuracyMatrix[1][1] > 0.9, "\(joint.accuracyMatrix)")
  }
}
