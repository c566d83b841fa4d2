// Fuzzes `SavedModel.decode(description:weights:descriptionSource:weightsSource:architecture:)`, the
// work of `SavedModel.read(from:architecture:)`: a model folder's `model.json` and
// `model.safetensors`. The input is two files (see `Fuzzer.split`): the description, then the
// weights. The network is fixed: the small BatchNorm network of `SavedModelTests` (a convolution,
// BatchNorm with running statistics, a linear layer).
//
// Promises checked: rejection only with `SafeTensorsError` (weights that are not safetensors) or
// `SavedModel.Failure` naming `model.json` or `model.safetensors`; an accepted model has the
// network's names and shapes and only finite values, its description's head either gives a head or
// a `Failure`, and the model and description encoded again decode to the same.

import ContinualCore
import ContinualEngine
import Foundation
import FuzzSupport

let jsonSource = "fuzz/model.json", weightsSource = "fuzz/model.safetensors"

func network() -> Sequential {
  Sequential([Conv2d(1, 3, kernelSize: 3, padding: 1), BatchNorm(3), ReLU(), GlobalAveragePool(), Linear(3, 4)])
}

func decode(_ json: Data, _ weights: Data) throws -> (model: Model, description: SavedModel.Description)? {
  let contents: SafeTensors.Contents
  do {
    contents = try SafeTensors.decode(weights)
  } catch is SafeTensorsError {
    return nil
  }
  return try SavedModel.decode(
    description: json, weights: contents, descriptionSource: jsonSource, weightsSource: weightsSource,
    architecture: network())
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let (json, weights) = Fuzzer.split(Fuzzer.data(data, size))
  let decoded: (model: Model, description: SavedModel.Description)
  do {
    guard let accepted = try decode(json, weights) else { return 0 }
    decoded = accepted
  } catch let failure as SavedModel.Failure {
    let text = failure.description
    Fuzzer.require(text.contains(jsonSource) || text.contains(weightsSource), "the message names no file: \(text)")
    return 0
  } catch {
    Fuzzer.untyped(error)
  }
  let architecture = network()
  let (model, description) = decoded
  Fuzzer.require(
    model.parameters.names == architecture.parameterSpecs.map(\.name), "parameter names differ from the network's")
  Fuzzer.require(
    model.parameters.tensors.map(\.shape) == architecture.parameterSpecs.map(\.shape), "parameter shapes differ")
  Fuzzer.require(model.state.tensors.map(\.shape) == architecture.stateSpecs.map(\.shape), "state shapes differ")
  let all = model.parameters.tensors + model.state.tensors
  Fuzzer.require(
    all.allSatisfy { $0.scalars.allSatisfy(\.isFinite) }, "an accepted model holds a value that is not finite")
  do {
    _ = try SavedModel.head(for: description)
  } catch is SavedModel.Failure {
  } catch {
    Fuzzer.untyped(error)
  }
  do {
    let tensors = try NamedTensors(
      names: model.parameters.names + model.state.names, tensors: model.parameters.tensors + model.state.tensors)
    let again = try decode(JSONEncoder().encode(description), SafeTensors.encode(tensors))
    Fuzzer.require(again?.description == description, "a description encoded again decodes different")
    Fuzzer.require(
      again?.model.parameters == model.parameters && again?.model.state == model.state,
      "a model encoded again decodes different")
  } catch {
    Fuzzer.fail("an accepted model does not encode and decode again: \(error)")
  }
  return 0
}

Fuzzer.run()
