// Fuzzes `SafeTensors.decode(_:)`: the 8-byte header length, the JSON header (read by the strict
// parser, at most 8 deep), every entry's dtype, shape and offsets, and the data section.
//
// Promises checked: rejection only with `SafeTensorsError`; accepted contents encode (as F32) and
// decode again to the same names, shapes, element bits and metadata.

import ContinualEngine
import Foundation
import FuzzSupport

/// Every element's bit pattern, so that NaN payloads compare too.
func bits(_ tensor: Tensor) -> [UInt32] { tensor.withUnsafeBufferPointer { $0.map(\.bitPattern) } }

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = Fuzzer.data(data, size)
  let contents: SafeTensors.Contents
  do {
    contents = try SafeTensors.decode(input)
  } catch is SafeTensorsError {
    return 0
  } catch {
    Fuzzer.untyped(error)
  }
  Fuzzer.require(!contents.tensors.names.contains("__metadata__"), "a tensor named __metadata__")
  for (name, tensor) in zip(contents.tensors.names, contents.tensors.tensors) {
    Fuzzer.require(
      tensor.count == tensor.shape.reduce(1, *),
      "tensor '\(name)' of shape \(tensor.shape) has \(tensor.count) elements")
  }
  let again: SafeTensors.Contents
  do {
    again = try SafeTensors.decode(SafeTensors.encode(contents.tensors, metadata: contents.metadata))
  } catch {
    Fuzzer.fail("decoded contents do not encode and decode again: \(error)")
  }
  Fuzzer.require(
    again.tensors.names == contents.tensors.names, "names \(contents.tensors.names) became \(again.tensors.names)")
  Fuzzer.require(again.metadata == contents.metadata, "metadata \(contents.metadata) became \(again.metadata)")
  for (before, after) in zip(contents.tensors.tensors, again.tensors.tensors) {
    Fuzzer.require(before.shape == after.shape && bits(before) == bits(after), "a tensor changed in a round trip")
  }
  return 0
}

Fuzzer.run()
