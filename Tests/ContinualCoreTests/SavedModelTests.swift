import ContinualCore
import ContinualEngine
import Foundation
import Testing

/// `SavedModel`: weights and state round-trip bit for bit, and a folder that does not fit the
/// network is an error naming the file and the tensor.
@Suite struct SavedModelTests {
  /// A small BatchNorm network with state that differs from its initial value.
  static func network() -> Sequential {
    Sequential([Conv2d(1, 3, kernelSize: 3, padding: 1), BatchNorm(3), ReLU(), GlobalAveragePool(), Linear(3, 4)])
  }

  static func folder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("saved-model-\(UUID().uuidString)")
  }

  static let description = SavedModel.Description(
    network: "test", inputShape: [1, 5, 5], outputCount: 4,
    head: SavedModel.HeadDescription(scenario: "class", layout: TaskLayout(classCounts: [2, 2])),
    run: ["seed": "1"])

  /// After a training pass changes BatchNorm's running statistics, the reloaded model's evaluation
  /// logits equal the original's exactly.
  @Test func weightsAndStateRoundTripBitForBit() throws {
    var rng = SeededGenerator(seed: 3)
    var model = Model(Self.network(), rng: &rng)
    let inputs = try Tensor(shape: [6, 1, 5, 5], scalars: (0..<150).map { Float($0 % 7) / 7 - 0.3 })
    let tape = Tape()
    let trainingPass = try model.forward(tape.constant(inputs), on: tape, training: true)
    model.state = trainingPass.state
    let folder = Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try SavedModel.write(model, description: Self.description, to: folder)

    let (loaded, description) = try SavedModel.read(from: folder, architecture: Self.network())
    #expect(loaded.parameters == model.parameters && loaded.state == model.state)
    #expect(model.state != Model(Self.network(), rng: &rng).state, "the training pass moved the running statistics")
    #expect(try model.predict(inputs).scalars == loaded.predict(inputs).scalars)
    #expect(description.head.taskOutputs == [[0, 2], [2, 4]])
    #expect(description.tensors.filter { $0.kind == "state" }.map(\.name) == ["1.running_mean", "1.running_var"])
    #expect(
      description.tensors.first == SavedModel.TensorEntry(name: "0.weight", shape: [3, 1, 3, 3], kind: "parameter"))
  }

  /// A network with another width, or a missing description, is named in the error.
  @Test func aFolderThatDoesNotFitIsNamed() throws {
    var rng = SeededGenerator(seed: 3)
    let folder = Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try SavedModel.write(Model(Self.network(), rng: &rng), description: Self.description, to: folder)
    let wider = Sequential([
      Conv2d(1, 3, kernelSize: 3, padding: 1), BatchNorm(3), ReLU(), GlobalAveragePool(), Linear(3, 5),
    ])
    let misshapen = #expect(throws: SavedModel.Failure.self) { try SavedModel.read(from: folder, architecture: wider) }
    #expect(
      misshapen?.description.contains("'4.weight' has shape [4, 3]; the network needs [5, 3]") == true,
      "\(String(describing: misshapen))")
    let smaller = Sequential([Conv2d(1, 3, kernelSize: 3, padding: 1), ReLU(), GlobalAveragePool(), Linear(3, 4)])
    let missing = #expect(throws: SavedModel.Failure.self) { try SavedModel.read(from: folder, architecture: smaller) }
    #expect(missing?.description.contains("no tensor '3.weight'") == true, "\(String(describing: missing))")
    try FileManager.default.removeItem(at: folder.appendingPathComponent(SavedModel.descriptionFile))
    let noJSON = #expect(throws: SavedModel.Failure.self) {
      try SavedModel.read(from: folder, architecture: Self.network())
    }
    #expect(noJSON?.description.contains("model.json: not a model description") == true)
  }
}
