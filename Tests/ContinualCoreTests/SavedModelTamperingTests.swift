import ContinualCore
import ContinualEngine
import Foundation
import Testing

/// A model folder that was tampered with — shapes, dtypes, offsets, names, kinds, a
/// `model.json` that disagrees with the tensors or with itself — is refused by `SavedModel.read`
/// with an error naming the file and the tensor or key.
@Suite struct SavedModelTamperingTests {
  /// A saved model's folder and the bytes of its two files.
  struct Saved {
    var folder: URL
    var json: Data
    var weights: Data

    var jsonURL: URL { folder.appendingPathComponent(SavedModel.descriptionFile) }
    var weightsURL: URL { folder.appendingPathComponent(SavedModel.weightsFile) }
  }

  static func saved(_ change: (inout Model) -> Void = { _ in }) throws -> Saved {
    var rng = SeededGenerator(seed: 5)
    var model = Model(SavedModelTests.network(), rng: &rng)
    change(&model)
    let folder = SavedModelTests.folder()
    try SavedModel.write(model, description: SavedModelTests.description, to: folder)
    return Saved(
      folder: folder, json: try Data(contentsOf: folder.appendingPathComponent(SavedModel.descriptionFile)),
      weights: try Data(contentsOf: folder.appendingPathComponent(SavedModel.weightsFile)))
  }

  /// `data` with the first `old` replaced by `new` (which must differ from it).
  static func replacing(_ old: String, with new: String, in data: Data) throws -> Data {
    let range = try #require(data.range(of: Data(old.utf8)), "'\(old)' is not in the file")
    var changed = data
    changed.replaceSubrange(range, with: Data(new.utf8))
    return changed
  }

  /// The message `SavedModel.read` refuses the folder with once `change` wrote to it.
  static func refusal(_ change: (Saved) throws -> Void) throws -> String {
    let saved = try saved()
    defer { try? FileManager.default.removeItem(at: saved.folder) }
    try change(saved)
    do {
      _ = try SavedModel.read(from: saved.folder, architecture: SavedModelTests.network())
    } catch {
      return "\(error)"
    }
    Issue.record("the tampered folder was read")
    return ""
  }

  /// The description re-encoded after `edit`.
  static func editedDescription(_ saved: Saved, _ edit: (inout SavedModel.Description) -> Void) throws -> Data {
    var description = try JSONDecoder().decode(SavedModel.Description.self, from: saved.json)
    edit(&description)
    return try JSONEncoder().encode(description)
  }

  /// One edit of a description, by name.
  static func edit(_ what: String, _ d: inout SavedModel.Description) {
    switch what {
    case "a shape": d.tensors[0].shape = [3, 1, 3, 4]
    case "a name": d.tensors[1].name = "0.bais"
    case "a repeated name": d.tensors[1].name = "0.weight"
    case "a kind": d.tensors[0].kind = "state"
    case "an unknown kind": d.tensors[2].kind = "buffer"
    case "a missing entry": d.tensors.removeLast()
    case "the outputs": d.outputCount = 0
    case "the head": d.head.taskOutputs[1] = [2, 9]
    case "the scenario": d.head.scenario = "tasks"
    case "the input": d.inputShape = [1, 0, 5]
    default: Issue.record("no edit named \(what)")
    }
  }

  @Test(arguments: [
    ("a shape", "model.json: '0.weight' has shape [3, 1, 3, 4] there but [3, 1, 3, 3] in"),
    ("a name", "model.json: tensors lists '0.bais', which"),
    ("a repeated name", "'tensors[1].name' repeats '0.weight'"),
    ("a kind", "'0.weight' is listed as state; the network's is a parameter"),
    ("an unknown kind", "'tensors[2].kind' of '1.weight' is \"buffer\""),
    ("a missing entry", "tensor '1.running_var' is not listed in"),
    ("the outputs", "'output_count' is 0"),
    ("the head", "'head.task_outputs[1]' is [2, 9]"),
    ("the scenario", "'head.scenario' is \"tasks\""),
    ("the input", "'input_shape' is [1, 0, 5]"),
  ])
  func aDescriptionThatDisagreesIsRefusedByKeyOrTensor(what: String, expected: String) throws {
    let message = try Self.refusal { saved in
      try Self.editedDescription(saved) { Self.edit(what, &$0) }.write(to: saved.jsonURL)
    }
    #expect(message.contains(expected), "\(what): \(message)")
  }

  @Test func aKeyNamedTwiceInTheDescriptionIsRefused() throws {
    let message = try Self.refusal { saved in
      try Self.replacing(#""format" : 1"#, with: #""format" : 1, "format" : 2"#, in: saved.json).write(
        to: saved.jsonURL)
    }
    #expect(
      message.contains("model.json: not a model description") && message.contains(#"the key "format" appears twice"#),
      "\(message)")
  }

  /// Edits of the weights file's own header: each error names the tensor.
  @Test(arguments: [
    ("a dtype", #""dtype":"F32""#, #""dtype":"F16""#, "0.weight"),
    ("a shape", #""shape":[4,3]"#, #""shape":[3,4]"#, "4.weight"),
    ("an offset", #""data_offsets":[0,108]"#, #""data_offsets":[4,108]"#, "0.weight"),
    ("a name", #""1.running_mean""#, #""1.running_maen""#, "1.running_mean"),
  ])
  func aTamperedWeightsFileIsRefusedNamingTheTensor(what: String, old: String, new: String, tensor: String) throws {
    let message = try Self.refusal { saved in
      try Self.replacing(old, with: new, in: saved.weights).write(to: saved.weightsURL)
    }
    #expect(message.contains(tensor) && message.contains("model."), "\(what): \(message)")
  }

  @Test func aNonFiniteValueIsRefusedNamingTheTensorAndElement() throws {
    let saved = try Self.saved { model in
      var bias = model.parameters.tensors[1].scalars
      bias[2] = .nan
      model.parameters.tensors[1] = try! Tensor(shape: model.parameters.tensors[1].shape, scalars: bias)
    }
    defer { try? FileManager.default.removeItem(at: saved.folder) }
    #expect {
      try SavedModel.read(from: saved.folder, architecture: SavedModelTests.network())
    } throws: {
      "\($0)".contains("model.safetensors: '0.bias' holds nan at element 2")
    }
  }
}
