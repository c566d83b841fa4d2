import ContinualCore
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// A sweep on a hostile or full file system: a run's checkpoint folder
/// that is a symbolic link to elsewhere is neither written through nor emptied, and a disk too
/// full for checkpoints costs the runs their checkpoints, not the sweep.
@Suite struct HostileFolderTests {
  static func folder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ck-cli-hostile-\(UUID().uuidString)")
  }

  static func arguments(output: URL, algorithms: String = "ewc", hidden: String = "16") -> [String] {
    [
      "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", algorithms, "--seeds", "1", "--iterations",
      "5",
      "--train-per-task", "40", "--test-per-task", "20", "--hidden", hidden, "--quiet", "--output", output.path,
      "--format", "json",
    ]
  }

  @Test func aSymlinkedRunFolderIsReplacedAndWhatItPointsToIsUntouched() throws {
    let output = Self.folder(), outside = Self.folder()
    defer {
      try? FileManager.default.removeItem(at: output)
      try? FileManager.default.removeItem(at: outside)
    }
    try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
    let precious = outside.appendingPathComponent("precious.txt")
    try Data("keep me".utf8).write(to: precious)
    let options = try Parsing.options(Self.arguments(output: output))
    let clean = try runGrid(options)[0]
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    let link = output.appendingPathComponent("checkpoints/\(clean.runID)")
    try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
    // Before the fix the sweep wrote task-N.safetensors and manifest.json into `outside`, deleting
    // precious.txt as an older checkpoint file.
    let rerun = try runGrid(options)[0]
    #expect(rerun.status == .finished && rerun.accuracyMatrix == clean.accuracyMatrix)
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["precious.txt"])
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8))
    #expect(
      !FileManager.default.fileExists(atPath: link.path),
      "the link was replaced by a real folder, removed after the run")
  }

  @Test(.enabled(if: getuid() == 0, "mounting a small file system needs root"))
  func aDiskTooFullForCheckpointsCostsTheRunsTheirCheckpointsNotTheSweep() throws {
    let mountPoint = Self.folder()
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: mountPoint) }
    // A 1 MB file system: room for records and tables, not for a checkpoint of a 256-wide MLP
    // with Adam (about 3 MB).
    guard Self.command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path) else {
      print("HostileFolderTests: cannot mount a tmpfs here; the full-disk check at the command level is skipped")
      return
    }
    defer { _ = Self.command("umount", mountPoint.path) }
    let output = mountPoint.appendingPathComponent("sweep")
    // Before the fix the first checkpoint ended the sweep: "checkpoint I/O failed … No space left
    // on device", with the half-written temporary file filling the disk.
    let records = try runGrid(
      Parsing.options(Self.arguments(output: output, algorithms: "finetune,ewc", hidden: "256")))
    #expect(records.map(\.status) == [.finished, .finished])
    #expect(try RecordFile.read(from: output.appendingPathComponent("records.jsonl")).records.count == 2)
    let left = FileManager.default.enumerator(atPath: output.path)?.allObjects as? [String] ?? []
    #expect(left.sorted() == ["records.jsonl"], "files left behind: \(left)")
  }

  /// Runs a system command; whether it succeeded.
  static func command(_ arguments: String...) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }
}
