// Fuzzes `IDXFile.decode(_:source:)`: raw IDX files and gzip streams (one or several members).
//
// Promises checked: every input is decoded or rejected with an `IDXError` that names the source;
// a raw file that decodes re-encodes to exactly its bytes; a gzipped one decodes to an array that
// re-encodes and decodes to itself.

import ContinualData
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = Fuzzer.data(data, size)
  let source = "fuzz/input.idx"
  do {
    let array = try IDXFile.decode(input, source: source)
    Fuzzer.require((1...4).contains(array.dimensions.count), "rank \(array.dimensions.count) accepted")
    Fuzzer.require(
      array.dimensions.reduce(1, *) == array.bytes.count,
      "dimensions \(array.dimensions) for \(array.bytes.count) bytes")
    guard let encoded = try? IDXFile.encode(array) else { Fuzzer.fail("a decoded array does not encode") }
    if input.starts(with: [0x1F, 0x8B]) {
      Fuzzer.require((try? IDXFile.decode(encoded, source: source)) == array, "a gunzipped array does not round-trip")
    } else {
      Fuzzer.require(encoded == input, "a raw IDX file does not re-encode to its bytes")
    }
  } catch let error as IDXError {
    Fuzzer.require(error.description.hasPrefix(source + ":"), "the message does not name the source: \(error)")
  } catch {
    Fuzzer.untyped(error)
  }
  return 0
}

Fuzzer.run()
