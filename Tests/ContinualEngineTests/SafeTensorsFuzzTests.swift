import ContinualTesting
import Foundation
import Testing

@testable import ContinualEngine

/// Fuzz-style tests of the safetensors reader: seeded corruptions of valid files (each rejected with
/// a ``SafeTensorsError`` or, when still valid, decoded to the same shapes) and targeted malformed
/// headers. A crash, trap or huge allocation fails the run.
@Suite struct SafeTensorsFuzzTests {
  /// A file as ContinualKit writes it: two F32 tensors and metadata, the header padded with spaces.
  static func written() throws -> [UInt8] {
    var tensors = NamedTensors()
    tensors["0.weight"] = try Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) * 0.25 - 1 })
    tensors["0.bias"] = Tensor([0.5, -0.5, 2, 8])
    tensors["scale"] = Tensor(3)
    return [UInt8](try SafeTensors.encode(tensors, metadata: ["format": "pt", "task": "2"]))
  }

  /// A file as another writer might lay it out: keys out of data order, F16/BF16/F64, no padding.
  static func handBuilt() -> [UInt8] {
    let header =
      #"{"w":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]},"__metadata__":{"format":"pt"},"#
      + #""b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
      + #""s":{"dtype":"BF16","shape":[1],"data_offsets":[16,18]},"#
      + #""d":{"dtype":"F64","shape":[],"data_offsets":[18,26]}}"#
    var data: [UInt8] = []
    for f in [Float(1.5), -2] { withUnsafeBytes(of: f.bitPattern.littleEndian) { data += $0 } }
    for h: UInt16 in [0x3C00, 0xC000, 0x3800, 0x0001] { withUnsafeBytes(of: h.littleEndian) { data += $0 } }
    withUnsafeBytes(of: UInt16(0x4040).littleEndian) { data += $0 }
    withUnsafeBytes(of: Double(0.25).bitPattern.littleEndian) { data += $0 }
    return [UInt8](SafeTensorsTests.file(header: header, data: data))
  }

  static func bitPatterns(_ contents: SafeTensors.Contents) -> [[UInt32]] {
    contents.tensors.tensors.map { $0.scalars.map(\.bitPattern) }
  }

  @Test(arguments: ["written", "hand-built"])
  func corruptFilesAreRejectedOrKeepTheirShapes(layout: String) throws {
    let original = layout == "written" ? try Self.written() : Self.handBuilt()
    let expected = try SafeTensors.decode(Data(original))
    let headerLength = Int(original[0]) | Int(original[1]) << 8
    let dataStart = 8 + headerLength
    var tally = FuzzTally("safetensors \(layout)")
    for corruption in Corruption.mutants(of: original, seed: 21, bitFlips: 250, overwrites: 250) {
      do {
        let decoded = try SafeTensors.decode(Data(corruption.bytes))
        #expect(corruption.kind != .truncation, "\(corruption): a truncated file was accepted")
        #expect(corruption.touched.lowerBound >= 8, "\(corruption): a changed header length was accepted")
        #expect(
          decoded.tensors.tensors.map(\.shape) == expected.tensors.tensors.map(\.shape), "\(corruption): shapes changed"
        )
        if corruption.touched.lowerBound >= dataStart {
          #expect(
            decoded.tensors.names == expected.tensors.names && decoded.metadata == expected.metadata, "\(corruption)")
        } else {
          // A header change that still parses (a letter of a name, a metadata value) leaves the data alone.
          #expect(
            Self.bitPatterns(decoded) == Self.bitPatterns(expected), "\(corruption): data changed by a header edit")
        }
        tally.stillValid()
      } catch let error as SafeTensorsError {
        if corruption.kind == .truncation {
          guard case .truncated = error else {
            Issue.record("\(corruption): a truncation should say the data is truncated, not \(error)")
            continue
          }
        }
        #expect(!error.description.isEmpty)
        tally.rejected()
      } catch {
        Issue.record("\(corruption): an untyped error \(error)")
      }
    }
    tally.report()
    #expect(tally.tried >= 500 + original.count)
    #expect(tally.rejectedCount > tally.tried / 2)
  }

  static func file(_ header: String, dataBytes: Int = 8) -> Data {
    SafeTensorsTests.file(header: header, data: Array(repeating: 0, count: dataBytes))
  }

  static func withHeaderLength(_ length: UInt64) -> Data {
    var data = Data()
    withUnsafeBytes(of: length.littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(#"{}"#.utf8))
    return data
  }

  @Test(arguments: [
    (
      "header length zero", withHeaderLength(0),
      "not valid JSON (line 1, column 1: the text ends where a value was expected)"
    ),
    ("header length 2^40", withHeaderLength(1 << 40), "header length 1099511627776 exceeds the 104857600-byte limit"),
    ("header longer than the file", withHeaderLength(3), "header length 3 runs past the end of the 10-byte file"),
    ("header null", file("null"), "not a JSON object but null"),
    (
      "header not JSON", file("\u{7B}'a': 1}"),
      "not valid JSON (line 1, column 2: expected a string key in an object, found '''"
    ),
    ("entry not an object", file(#"{"a":5}"#), "entry 'a': not an object but a number"),
    (
      "dtype a number", file(#"{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}"#),
      "dtype is not a string but a number"
    ),
    ("dtype missing", file(#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#), "entry 'a': missing dtype"),
    ("dtype lower case", file(#"{"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}"#), "tensor 'a' has dtype f32"),
    (
      "shape a string", file(#"{"a":{"dtype":"F32","shape":"[2]","data_offsets":[0,8]}}"#),
      "shape is not a list of non-negative integers"
    ),
    (
      "shape of reals", file(#"{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#),
      "shape is not a list of non-negative integers"
    ),
    (
      "shape of booleans", file(#"{"a":{"dtype":"F32","shape":[true,true],"data_offsets":[0,8]}}"#),
      "shape is not a list"
    ),
    (
      "offsets a string", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,"8"]}}"#),
      "data_offsets is not a pair"
    ),
    ("three offsets", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}"#), "data_offsets is not a pair"),
    (
      "negative offsets", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#),
      "data_offsets is not a pair"
    ),
    (
      "offsets beyond Int", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}"#),
      "data_offsets is not a pair"
    ),
    (
      "a gap before the first tensor", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#),
      "entry 'a': data starts at byte 4 but the previous tensor ends at 0"
    ),
    (
      "a duplicated name",
      file(
        #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
          + #""a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#),
      "entry 'a': the name appears more than once in the header"
    ),
    (
      "2^62 bytes declared",
      file(#"{"a":{"dtype":"F32","shape":[1073741824,1073741824],"data_offsets":[0,4611686018427387904]}}"#),
      "tensors need 4611686018427387904 data bytes but the file has 8"
    ),
    (
      "metadata not strings", file(#"{"__metadata__":{"epoch":3}}"#, dataBytes: 0),
      "__metadata__ value for 'epoch' is not a string but a number"
    ),
    ("metadata a list", file(#"{"__metadata__":["pt"]}"#, dataBytes: 0), "__metadata__ is not an object but an array"),
    ("deep nesting", file("{\"a\":" + String(repeating: "[", count: 100_000)), "nesting deeper than 8 levels"),
  ])
  func malformedHeadersNameTheProblem(name: String, bytes: Data, message: String) {
    let error = #expect(throws: SafeTensorsError.self, "\(name)") { try SafeTensors.decode(bytes) }
    #expect(error?.description.contains(message) == true, "\(name): \(error?.description ?? "no error")")
  }

  @Test func invalidUTF8InANameIsRejected() {
    var bytes = [UInt8](
      SafeTensorsTests.file(header: #"{"ab":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
    bytes[10] = 0xC3  // a two-byte sequence's lead byte followed by 'b'
    let error = #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(Data(bytes)) }
    #expect(error?.description.contains("the string is not valid UTF-8") == true, "\(String(describing: error))")
  }
}
