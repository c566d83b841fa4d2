import ContinualCore
import ContinualData
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

/// Fuzz-style tests of checkpoint loading: seeded corruptions of a real manifest and of its tensor
/// file, and targeted malformed manifests. Each must give a ``CheckpointError`` naming the problem
/// (or, for a manifest edit that keeps it valid, a checkpoint that still fits the run); a crash,
/// trap or unbounded allocation fails the run.
@Suite struct CheckpointFuzzTests {
  /// The manifest and tensor file of a real three-task run's checkpoint, and the run to resume.
  static func written() throws -> (
    manifest: [UInt8], tensors: Data, tensorName: String, resume: (TrainingCheckpoint) throws -> Void
  ) {
    let (problem, trainer, plan) = try CheckpointResumeTests.setUp()
    let url = CheckpointResumeTests.folder()
    defer { try? FileManager.default.removeItem(at: url) }
    let directory = CheckpointDirectory(url: url, identity: "fuzz")
    _ = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: 3, checkpoints: directory)
    let manifest = try [UInt8](Data(contentsOf: directory.manifestURL))
    let tensors = try Data(contentsOf: url.appendingPathComponent("task-2.safetensors"))
    return (
      manifest, tensors, "task-2.safetensors",
      {
        _ = try trainer.run(
          problem.sequence, architecture: problem.architecture, plan: plan(), seed: 3, resumingFrom: $0)
      }
    )
  }

  static func decode(_ manifest: [UInt8], tensors: Data, expecting name: String = "task-2.safetensors") throws
    -> TrainingCheckpoint
  {
    try TrainingCheckpoint.decode(manifest: Data(manifest), manifestPath: "manifest.json") { requested in
      guard requested == name else { throw CheckpointError.io(path: requested, reason: "no such file") }
      return tensors
    }
  }

  @Test func corruptManifestsAreRejectedOrStillFitTheRun() throws {
    let (manifest, tensors, _, resume) = try Self.written()
    let original = try Self.decode(manifest, tensors: tensors)
    var tally = FuzzTally("checkpoint manifest")
    for corruption in Corruption.mutants(of: manifest, seed: 31, truncationStride: 7, bitFlips: 400, overwrites: 400) {
      do {
        let decoded = try Self.decode(corruption.bytes, tensors: tensors)
        #expect(
          corruption.kind != .truncation || corruption.bytes.count >= manifest.count - 1,
          "\(corruption): a truncated manifest was accepted")
        // Still valid JSON with valid fields: it must either resume (a changed number within range)
        // or be refused by the trainer with a typed error.
        do {
          try resume(decoded)
        } catch is CheckpointError {
        } catch let error as TensorError {
          Issue.record("\(corruption): resume failed with a tensor error instead of a checkpoint error: \(error)")
        }
        #expect(
          decoded.parameters == original.parameters,
          "\(corruption): the tensors changed without touching the tensor file")
        tally.stillValid()
      } catch let error as CheckpointError {
        #expect(
          error.description.contains("manifest.json") || error.description.contains("task-2.safetensors")
            || error.description.contains("no such file"), "\(error)")
        tally.rejected()
      } catch {
        Issue.record("\(corruption): an untyped error \(error)")
      }
    }
    tally.report()
    #expect(tally.tried >= 800 + manifest.count / 7)
    // The manifest's own CRC-32 catches every change; only dropping the final newline keeps it
    // (and keeps the content).
    #expect(tally.rejectedCount >= tally.tried - 1)
  }

  @Test func everyCorruptionOfTheTensorFileIsRejected() throws {
    let (manifest, tensors, _, _) = try Self.written()
    var tally = FuzzTally("checkpoint tensor file")
    for corruption in Corruption.mutants(
      of: [UInt8](tensors), seed: 32, truncationStride: 97, bitFlips: 300, overwrites: 300)
    {
      do {
        _ = try Self.decode(manifest, tensors: Data(corruption.bytes))
        Issue.record("\(corruption): a changed tensor file was accepted")
      } catch let error as CheckpointError {
        guard case .corrupt(let file, _) = error, file == "task-2.safetensors" else {
          Issue.record("\(corruption): \(error) does not name the tensor file")
          continue
        }
        tally.rejected()
      }
    }
    tally.report()
    #expect(tally.rejectedCount == tally.tried && tally.tried >= 600)
  }

  /// The manifest with one top-level field replaced by the JSON text `value` (or removed when it is
  /// `nil`); the text goes in verbatim, so it may hold what no JSON library writes (`1e999`). The
  /// edit is sealed with a fresh checksum, as a writer with bad values would, so the field checks
  /// themselves are tested.
  static func edited(_ manifest: [UInt8], _ key: String, _ value: String?) throws -> [UInt8] {
    var object = try #require(try JSONSerialization.jsonObject(with: Data(manifest)) as? [String: Any])
    object["manifest_crc32"] = nil
    object[key] = value == nil ? nil : "@@VALUE@@"
    let text = try #require(String(data: try JSONSerialization.data(withJSONObject: object), encoding: .utf8))
    return [UInt8](TrainingCheckpoint.sealed(text.replacingOccurrences(of: "\"@@VALUE@@\"", with: value ?? "")).utf8)
  }

  @Test func oneFlippedBitAnywhereInTheManifestIsCaught() throws {
    // A flipped bit in a generator word used to resume silently to another
    // result. Every single-bit change of every byte is now refused by the manifest's CRC-32.
    let (manifest, tensors, _, _) = try Self.written()
    let text = String(decoding: manifest, as: UTF8.self)
    #expect(text.hasSuffix("}\n") && text.contains(#","manifest_crc32":"#))
    var accepted: [String] = []
    for i in 0..<(manifest.count - 1) {
      for bit in 0..<8 {
        var flipped = manifest
        flipped[i] ^= UInt8(1 << bit)
        if (try? Self.decode(flipped, tensors: tensors)) != nil { accepted.append("byte \(i) bit \(bit)") }
      }
    }
    #expect(accepted.isEmpty, "\(accepted.prefix(10))")
    // A version-1 manifest (no checksum) is refused, so an old checkpoint's run starts over.
    #expect(throws: CheckpointError.self) {
      try Self.decode(try Self.edited(manifest, "version", "1"), tensors: tensors)
    }
  }

  @Test func targetedMalformedManifestsNameTheProblem() throws {
    let (manifest, tensors, _, _) = try Self.written()
    let cases: [(key: String, value: String?, says: String)] = [
      ("format", #""pytorch""#, "'format'"),
      ("version", "3", "version 3"),
      ("version", "1.5", "'version'"),
      ("completed_tasks", "0", "'completed_tasks'"),
      ("completed_tasks", "4", "'completed_tasks'"),
      ("task_count", "1e999", "'task_count'"),
      ("task_count", "99999999999", "'task_count'"),
      ("elapsed_seconds", "-1", "'elapsed_seconds'"),
      ("tensor_file", #""../../etc/passwd""#, "plain .safetensors file name"),
      ("tensor_file", #"".hidden.safetensors""#, "plain .safetensors file name"),
      ("tensor_file", #""other.safetensors""#, "no such file"),
      ("tensor_bytes", "9223372036854775807", "bytes"),
      ("tensor_bytes", "3", "'tensor_bytes'"),
      ("tensor_crc32", "4294967296", "'tensor_crc32'"),
      ("tensor_crc32", "0", "CRC-32"),
      (
        "generators",
        #"{"sampling": ["0","0","0","0"], "dropout": ["1","2","3","4"], "algorithm": ["1","2","3","4"], "#
          + #""replay": ["1","2","3","4"]}"#,
        "all zeros"
      ),
      (
        "generators",
        #"{"sampling": ["zz","0","0","1"], "dropout": ["1","2","3","4"], "algorithm": ["1","2","3","4"], "#
          + #""replay": ["1","2","3","4"]}"#,
        "hexadecimal"
      ),
      (
        "generators",
        #"{"sampling": ["1","2","3"], "dropout": ["1","2","3","4"], "algorithm": ["1","2","3","4"], "replay": "#
          + #"["1","2","3","4"]}"#,
        "four words"
      ),
      ("accuracy_matrix", "[[0.5, 0.5, 0.5]]", "rows"),
      ("accuracy_matrix", "[[0.5, 0.5, 0.5], [0.5, 1.5, 0.5]]", "accuracy"),
      ("initial_accuracies", "[0.5, 0.5]", "initial_accuracies"),
      ("loss_terms", #"[{"task": 1}, {"task": "x"}]"#, "loss term 'task'"),
      ("loss_terms", "[]", "'loss_terms'"),
      ("model", #"["0.weight"]"#, "does not list"),
      ("model", #"["0.weight", "0.weight", "0.bias", "2.weight", "2.bias"]"#, "twice"),
      ("model", #"["0.weight", "nope", "0.bias", "2.weight"]"#, "missing"),
      ("optimiser", #"{"step": -3, "buffers": []}"#, "optimiser.step"),
      ("components", #"[{"role": "shell", "name": "x", "tensors": [], "numbers": {}}]"#, "role"),
      (
        "components", #"[{"role": "regulariser", "name": "pull", "tensors": [], "numbers": {"count": [1e999]}}]"#,
        "not a finite number"
      ),
      ("components", "{}", "'components'"),
      ("identity", nil, "'identity' is missing"),
      ("model", nil, "'model' is missing"),
    ]
    for (key, value, says) in cases {
      do {
        _ = try Self.decode(try Self.edited(manifest, key, value), tensors: tensors)
        Issue.record("\(key) = \(value ?? "(removed)") was accepted")
      } catch let error as CheckpointError {
        #expect(error.description.contains(says), "\(key) = \(value ?? "(removed)"): \(error)")
      }
    }
    // Not JSON at all, not an object, a deeply nested document, an oversized manifest.
    for text in ["", "[]", "{\"format\":", String(repeating: "[", count: 10_000)] {
      #expect(throws: CheckpointError.self) { try Self.decode([UInt8](text.utf8), tensors: tensors) }
    }
    #expect(throws: CheckpointError.self) {
      try Self.decode([UInt8](repeating: 0x20, count: TrainingCheckpoint.maximumManifestSize + 1), tensors: tensors)
    }
  }

  @Test func aTensorFileWithAnUnlistedOrNonFiniteTensorIsRejected() throws {
    let (manifest, tensors, _, _) = try Self.written()
    var contents = try SafeTensors.decode(tensors).tensors
    contents["smuggled"] = Tensor([1, 2])
    let extra = try SafeTensors.encode(contents)
    let withExtra = try Self.edited(
      Self.edited(manifest, "tensor_bytes", "\(extra.count)"), "tensor_crc32", "\(Checksum.crc32(extra))")
    #expect(
      throws: CheckpointError.corrupt(
        file: "task-2.safetensors", reason: "it holds 1 tensors the manifest does not list")
    ) {
      try Self.decode(withExtra, tensors: extra)
    }
    var poisoned = try SafeTensors.decode(tensors).tensors
    poisoned.tensors[0] = poisoned.tensors[0].map { _ in .nan }
    let nan = try SafeTensors.encode(poisoned)
    let withNaN = try Self.edited(
      Self.edited(manifest, "tensor_bytes", "\(nan.count)"), "tensor_crc32", "\(Checksum.crc32(nan))")
    #expect(throws: CheckpointError.self) { try Self.decode(withNaN, tensors: nan) }
  }

  @Test func theCRCIsZlibs() {
    #expect(Checksum.crc32(Data("123456789".utf8)) == 0xCBF4_3926)  // the standard check value
    #expect(Checksum.crc32(Data()) == 0)
  }
}
