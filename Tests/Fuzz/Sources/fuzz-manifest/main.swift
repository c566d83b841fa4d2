// Fuzzes `TrainingCheckpoint.decode(manifest:manifestPath:tensorData:)`: a checkpoint manifest and
// the safetensors file it names. The input is two files (see `Fuzzer.split`): the manifest, then
// the tensor file.
//
// So that mutations reach the fields behind the checksums, the manifest's text may use
// `@TENSOR_BYTES@` and `@TENSOR_CRC32@`, which become the tensor file's size and CRC-32, and a
// manifest without `manifest_crc32` is sealed with its correct checksum (`TrainingCheckpoint.sealed`)
// before it is decoded. A manifest that has one is decoded as it is, so the seal is fuzzed too.
//
// Promises checked: rejection only with `CheckpointError` naming the manifest or the tensor file;
// an accepted checkpoint is written back (manifest and tensor file) and reads back equal.

import ContinualCore
import ContinualData
import ContinualEngine
import Foundation
import FuzzSupport

let manifestPath = "fuzz/checkpoints/run/manifest.json"

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let (manifestBytes, tensorBytes) = Fuzzer.split(Fuzzer.data(data, size))
  var manifest = manifestBytes
  var requested: String?
  if manifest.range(of: Data("@TENSOR_".utf8)) != nil {
    let text = String(decoding: manifest, as: UTF8.self)
      .replacingOccurrences(of: "@TENSOR_BYTES@", with: String(tensorBytes.count))
      .replacingOccurrences(of: "@TENSOR_CRC32@", with: String(Checksum.crc32(tensorBytes)))
    manifest = Data(text.utf8)
  }
  if manifest.range(of: Data("manifest_crc32".utf8)) == nil {
    manifest = Data(TrainingCheckpoint.sealed(String(decoding: manifest, as: UTF8.self)).utf8)
  }
  let checkpoint: TrainingCheckpoint
  do {
    checkpoint = try TrainingCheckpoint.decode(manifest: manifest, manifestPath: manifestPath) { name in
      requested = name
      return tensorBytes
    }
  } catch let error as CheckpointError {
    let text = error.description
    Fuzzer.require(
      text.contains(manifestPath) || requested.map { text.contains($0) } == true, "the message names no file: \(text)")
    return 0
  } catch {
    Fuzzer.untyped(error)
  }
  do {
    let tensorFile = try checkpoint.tensorFile()
    let written = checkpoint.manifest(tensorFileName: "task-1.safetensors", tensorData: tensorFile)
    let again = try TrainingCheckpoint.decode(manifest: Data(written.utf8), manifestPath: manifestPath) { _ in
      tensorFile
    }
    Fuzzer.require(again == checkpoint, "a checkpoint written back reads back different")
  } catch {
    Fuzzer.fail("an accepted checkpoint does not write and read back: \(error)")
  }
  return 0
}

Fuzzer.run()
