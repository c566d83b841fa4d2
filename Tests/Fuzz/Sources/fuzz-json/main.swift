// Fuzzes ContinualKit's strict JSON parser (safetensors headers, checkpoint manifests, experiment
// files) through `StrictJSON.canonicalText(_:maximumDepth:)`.
//
// Promises checked: rejection only with the parser's syntax error, which gives a line and column
// inside the text; what parses, written back as compact JSON, parses to the same value (the compact
// text is a fixed point).

@_spi(Fuzzing) import ContinualEngine
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = [UInt8](Fuzzer.data(data, size))
  let text: String
  do {
    text = try StrictJSON.canonicalText(bytes)
  } catch {
    let message = "\(error)"
    Fuzzer.require(message.hasPrefix("line "), "an error without a position: \(message)")
    let lines = bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    let line = message.dropFirst(5).prefix { $0.isNumber }
    Fuzzer.require(
      Int(line).map { (1...lines).contains($0) } == true, "line \(line) of a \(lines)-line text: \(message)")
    return 0
  }
  do {
    let again = try StrictJSON.canonicalText(Array(text.utf8))
    Fuzzer.require(again == text, "compact text \(text) reads back as \(again)")
  } catch {
    Fuzzer.fail("compact text \(text) does not parse: \(error)")
  }
  return 0
}

Fuzzer.run()
