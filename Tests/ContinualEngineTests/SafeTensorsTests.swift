import Foundation
import Testing

@testable import ContinualEngine

@Suite struct SafeTensorsTests {
  static func file(header: String, data: [UInt8]) -> Data {
    var bytes = Data()
    let h = Array(header.utf8)
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: h)
    bytes.append(contentsOf: data)
    return bytes
  }

  /// A file of one tensor `a` with these header fields, followed by `bytes` zero bytes of data.
  static func tensorA(_ dtype: String = "F32", shape: String, offsets: String, bytes: Int) -> Data {
    file(
      header: #"{"a":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}}"#,
      data: Array(repeating: 0, count: bytes))
  }

  @Test func roundTripThroughAFile() throws {
    var rng = SeededGenerator(seed: 1)
    let model = Model(Sequential([Linear(3, 4), ReLU(), Linear(4, 2)]), rng: &rng)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ck-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try SafeTensors.write(model.parameters, to: url, metadata: ["format": "pt"])
    let contents = try SafeTensors.read(from: url)
    #expect(contents.tensors == model.parameters)
    #expect(contents.metadata == ["format": "pt"])
    let restored = try Model(model.architecture, parameters: contents.tensors)
    #expect(restored.parameters == model.parameters)
  }

  @Test func readsAHandBuiltFileWithOtherDTypes() throws {
    // As another writer might lay it out: keys out of order, F32/F16/BF16/F64, metadata, no padding;
    // the half-precision values are 1, −2, 0.5 and 2⁻²⁴, the bfloat16 one 3.
    let contents = try SafeTensors.decode(Data(SafeTensorsFuzzTests.handBuilt()))
    #expect(contents.tensors.names == ["b", "w", "s", "d"])
    #expect(contents.tensors["b"]?.scalars == [1.5, -2])
    #expect(contents.tensors["w"]?.scalars == [1, -2, 0.5, 0x1p-24])
    #expect(contents.tensors["s"]?.scalars == [3])
    #expect(contents.tensors["d"]?.shape == [] && contents.tensors["d"]?.scalar == 0.25)
    #expect(contents.metadata["format"] == "pt")
  }

  @Test(arguments: [
    ("short", Data([1, 2, 3]), "fewer than the 8-byte"),
    ("huge header", Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]), "exceeds"),
    ("header past end", Data([100, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]), "runs past the end"),
    ("bad json", file(header: "{nope", data: []), "not valid JSON"),
    ("not an object", file(header: "[1,2]", data: []), "not a JSON object"),
    ("bad dtype", tensorA("I64", shape: "[1]", offsets: "[0,8]", bytes: 8), "dtype I64"),
    ("size mismatch", tensorA(shape: "[3]", offsets: "[0,8]", bytes: 8), "needs 12 bytes"),
    ("offset out of range", tensorA(shape: "[4]", offsets: "[0,16]", bytes: 8), "file has 8"),
    (
      "overlap",
      file(
        header:
          #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
          + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
        data: Array(repeating: 0, count: 12)), "gap or overlap"
    ),
    ("trailing bytes", tensorA(shape: "[1]", offsets: "[0,4]", bytes: 8), "after the last tensor"),
    ("negative shape", tensorA(shape: "[-1]", offsets: "[0,4]", bytes: 4), "non-negative integers"),
    ("overflowing shape", tensorA(shape: "[2147483647,2147483647,2147483647]", offsets: "[0,4]", bytes: 4), "too many"),
    ("reversed offsets", tensorA(shape: "[1]", offsets: "[4,0]", bytes: 4), "0 ≤ begin ≤ end"),
  ])
  func malformedInputGivesADescriptiveError(name: String, bytes: Data, expected: String) {
    let error = #expect(throws: SafeTensorsError.self, "\(name)") { try SafeTensors.decode(bytes) }
    #expect(error?.description.contains(expected) == true, "\(name): \(error?.description ?? "no error")")
  }

  @Test func readErrorsNameTheFile() {
    let url = URL(fileURLWithPath: "/nonexistent/weights.safetensors")
    let error = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: url) }
    #expect(error?.description.contains("/nonexistent/weights.safetensors") == true)
  }
}
