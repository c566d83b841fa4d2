import ContinualCore
import ContinualEngine
import Foundation
import Testing

/// A saved `zenke` or `resnet32` holds exactly the tensors of the repository's PyTorch reference
/// network (`Sources/continual-bench/Reference/convnets.py`), under the same names and shapes, so
/// `load_state_dict` takes it (`load_saved_model.py` does, on split CIFAR-10). The reference's names
/// are read from `pytorch-reference-tensors.txt`, which PyTorch wrote.
@Suite struct SavedModelNameTests {
  /// `network → [(name, shape)]` from the PyTorch listing.
  static func reference() throws -> [String: [String]] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("pytorch-reference-tensors.txt")
    var tensors: [String: [String]] = [:]
    for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
      let fields = line.split(separator: " ")
      tensors[String(fields[0]), default: []].append("\(fields[1]) \(fields[2])")
    }
    return tensors
  }

  @Test(arguments: ["zenke", "resnet32"])
  func savedTensorsAreThePyTorchReferencesStateDict(network name: String) throws {
    let architecture = try Network.named(name).architecture(input: [3, 32, 32], outputs: 10)
    var rng = SeededGenerator(seed: 1)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("saved-names-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let description = SavedModel.Description(
      network: name, inputShape: [3, 32, 32], outputCount: 10,
      head: SavedModel.HeadDescription(scenario: "class", layout: TaskLayout(classCounts: [10])), run: [:])
    try SavedModel.write(Model(architecture, rng: &rng), description: description, to: folder)
    let (_, saved) = try SavedModel.read(from: folder, architecture: architecture)
    let ours = saved.tensors.map { "\($0.name) \($0.shape.map(String.init).joined(separator: "x"))" }
    let theirs = try #require(try Self.reference()[name])
    let onlyOurs = Set(ours).subtracting(theirs).sorted(), onlyTheirs = Set(theirs).subtracting(ours).sorted()
    #expect(onlyOurs.isEmpty && onlyTheirs.isEmpty, "only ours: \(onlyOurs); only PyTorch's: \(onlyTheirs)")
    #expect(ours.count == theirs.count)
  }
}
