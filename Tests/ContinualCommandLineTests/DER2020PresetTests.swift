import Testing

@testable import ContinualCommand

/// The `der2020-seq-mnist` preset is the DER paper's Seq-MNIST protocol as Mammoth runs it, and a
/// per-method command of `Docs/Reproductions.md` keeps that protocol while choosing the method's own
/// learning rate and replay memory.
@Suite struct DER2020PresetTests {
  /// The preset alone: SGD (fine-tuning) on five two-digit tasks in digit order, both scenarios.
  @Test func thePresetIsTheSeqMNISTProtocol() throws {
    let options = try Options(["--preset", "der2020-seq-mnist"], for: .compare)
    #expect(options.benchmarks == ["split-mnist"] && !options.shuffleClasses && options.tasks == nil)
    #expect(options.scenarios == [.class, .task])
    #expect(options.hidden == [100, 100] && options.epochs == 1 && options.iterations == nil)
    #expect(options.batchSize == 10 && options.optimiser == .sgd && options.momentum == 0)
    #expect(options.trainPerTask == nil && options.testPerTask == nil && options.seeds == 3)  // nil: every sample
    #expect(options.settings["memory.selection"] == "reservoir" && options.classLoss == .all)
    let points = try Sweep(options).points
    #expect(points.map(\.stack.text) == ["finetune"])
  }

  /// A method's command overrides the rate and the memory and keeps everything else of the preset.
  @Test func aMethodsCommandKeepsTheProtocol() throws {
    let arguments = [
      "--preset", "der2020-seq-mnist", "--algorithms", "derpp[alpha=0.2,beta=1]", "--lr", "0.03", "--set",
      "memory.size=200", "--set", "memory.batch=128",
    ]
    let options = try Options(arguments, for: .compare)
    #expect(options.learningRate == 0.03 && options.batchSize == 10 && options.hidden == [100, 100])
    let memory = ["memory.selection": "reservoir", "memory.size": "200", "memory.batch": "128"]
    #expect(memory.allSatisfy { options.settings[$0.key] == $0.value })
    let points = try Sweep(options).points
    #expect(points.map(\.stack.text) == ["derpp[alpha=0.2,beta=1]"])
  }
}
