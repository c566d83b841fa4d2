import ContinualCore
import ContinualEngine
import Foundation

/// The cost of task-boundary checkpoints: milliseconds to save (safetensors + manifest, fsync,
/// rename) and to load and validate a checkpoint holding the model, Adam's two moment buffers and one
/// anchor-importance pair (EWC/SI/MAS with a running sum), next to the time to train one task of
/// the protocol that uses the network. One save per task boundary; one load per resume.
func checkpointWorkload(_ seconds: Double) throws -> [[String: Any]] {
  struct Configuration {
    var name: String
    var widths: [Int]
    var batch: Int
    var stepsPerTask: Int
  }
  let configurations = [
    Configuration(
      name: "vdV split 784-400-400-10, 2000 steps/task", widths: [784, 400, 400, 10], batch: 128, stepsPerTask: 2000),
    Configuration(
      name: "SI permuted 784-2000-2000-10, 4700 steps/task", widths: [784, 2000, 2000, 10], batch: 256,
      stepsPerTask: 4700),
  ]
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ck-bench-checkpoint-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: folder) }
  return try configurations.map { c in
    var layers: [any Layer] = []
    for (i, (a, b)) in zip(c.widths, c.widths.dropFirst()).enumerated() {
      layers.append(Linear(a, b))
      if i + 2 < c.widths.count { layers.append(ReLU()) }
    }
    let architecture = Sequential(layers)
    var rng = SeededGenerator(seed: 3)
    let model = Model(architecture, rng: &rng)
    var adam = Adam()
    var parameters = model.parameters
    try adam.update(&parameters, along: model.parameters)
    var penalty = CheckpointState(numbers: ["count": [1]])
    penalty.store(model.parameters, under: "anchor.0")
    penalty.store(model.parameters.mapTensors { $0.abs() }, under: "importance.0")
    let checkpoint = TrainingCheckpoint(
      completedTasks: 1, taskCount: 10, parameters: parameters, optimiser: adam.savedState(),
      generators: Dictionary(uniqueKeysWithValues: TrainingCheckpoint.generatorRoles.map { ($0, rng.split()) }),
      components: [.init(role: "regulariser", name: "si", state: penalty)],
      accuracyMatrix: [[Double](repeating: 0.5, count: 10)],
      initialAccuracies: [Double](repeating: 0.1, count: 10), lossTerms: [["task": 0.5, "si": 0.01]], elapsedSeconds: 12
    )
    let directory = CheckpointDirectory(
      url: folder.appendingPathComponent(c.name.filter(\.isLetter)), identity: "bench")
    let save = try timePerCall(seconds: seconds) { try directory.save(checkpoint) }
    let load = try timePerCall(seconds: seconds) { _ = try directory.load() }
    let bytes = try FileManager.default.contentsOfDirectory(
      at: directory.url, includingPropertiesForKeys: [.fileSizeKey]
    ).reduce(0) {
      $0 + ((try $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
    }
    let step = Double(c.batch) / (try trainingRate(architecture, input: [784], batch: c.batch, seconds: seconds))
    let task = step * Double(c.stepsPerTask)
    return [
      "workload": "checkpoint \(c.name)", "parameters": model.parameters.elementCount, "bytes": bytes,
      "save_ms": save * 1000,
      "load_ms": load * 1000, "train_step_ms": step * 1000, "save_pct_of_task": 100 * save / task,
      "resume_cost_in_steps": (load / step).rounded(),
    ]
  }
}
