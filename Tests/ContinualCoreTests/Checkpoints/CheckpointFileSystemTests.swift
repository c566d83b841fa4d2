import ContinualCore
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

/// A checkpoint folder on a hostile or full file system: symbolic
/// links are never followed for writing or deleting, and a write that fails as a full disk does
/// leaves no temporary file and, when asked, costs the run its checkpoints instead of the run.
@Suite struct CheckpointFileSystemTests {
  /// The last checkpoint of the three-task toy run (after its second task).
  static func checkpoint() throws -> TrainingCheckpoint {
    let url = CheckpointResumeTests.folder()
    defer { try? FileManager.default.removeItem(at: url) }
    return try CheckpointResumeTests.lastCheckpoint(seed: 3, identity: "fs", in: url)
  }

  /// A checkpoint to save, a folder name for the run (nothing there yet) and, outside the sweep, a
  /// folder with one file whose bytes must survive. Remove the folders with ``remove(_:)``.
  static func scene() throws -> (checkpoint: TrainingCheckpoint, run: URL, outside: URL, precious: URL) {
    let checkpoint = try Self.checkpoint()
    let outside = CheckpointResumeTests.folder()
    try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
    let precious = outside.appendingPathComponent("precious.txt")
    try Data("keep me".utf8).write(to: precious)
    return (checkpoint, CheckpointResumeTests.folder(), outside, precious)
  }

  /// Removes the folders, if they exist.
  static func remove(_ folders: URL...) {
    for folder in folders { try? FileManager.default.removeItem(at: folder) }
  }

  @Test func aSymlinkedRunFolderIsNeverWrittenThroughOrEmptied() throws {
    let (checkpoint, output, outside, precious) = try Self.scene()
    defer { Self.remove(output, outside) }
    let link = output.appendingPathComponent("checkpoints/run")
    try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
    let directory = CheckpointDirectory(url: link, identity: "fs")
    // Before the fix, save wrote task-2.safetensors and manifest.json into `outside` and deleted
    // precious.txt as an "older tensor file".
    #expect {
      try directory.save(checkpoint)
    } throws: {
      "\($0)".contains(link.path) && "\($0)".contains("symbolic link")
    }
    #expect(throws: CheckpointError.self) { try directory.load() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["precious.txt"])
    // Removing the run's checkpoint removes the link, never what it points to.
    try directory.remove()
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil)
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8))
    // With the link gone, the folder is a real one again.
    try directory.save(checkpoint)
    #expect(try directory.load() == checkpoint)
  }

  @Test func aSymlinkedTensorFileIsReplacedNotFollowed() throws {
    let (checkpoint, folder, outside, precious) = try Self.scene()
    defer { Self.remove(folder, outside) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let name = "task-\(checkpoint.completedTasks).safetensors"
    try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name), withDestinationURL: precious)
    try FileManager.default.createSymbolicLink(
      at: folder.appendingPathComponent("task-0.safetensors"), withDestinationURL: precious)
    let directory = CheckpointDirectory(url: folder, identity: "fs")
    try directory.save(checkpoint)
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8), "the checkpoint was written through the link")
    #expect(try directory.load() == checkpoint)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["manifest.json", name])

    // A tensor file moved elsewhere and linked back is not read through the link (before the
    // fix it was, and the run resumed from a file outside its folder).
    let moved = outside.appendingPathComponent(name)
    try FileManager.default.moveItem(at: folder.appendingPathComponent(name), to: moved)
    try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name), withDestinationURL: moved)
    #expect {
      try directory.load()
    } throws: {
      "\($0)".contains(name) && "\($0)".contains("symbolic link")
    }
    // A manifest that is a link is refused when loading, and the target is untouched.
    let manifest = directory.manifestURL
    try FileManager.default.removeItem(at: manifest)
    try FileManager.default.createSymbolicLink(at: manifest, withDestinationURL: precious)
    #expect {
      try directory.load()
    } throws: {
      "\($0)".contains("manifest.json") && "\($0)".contains("symbolic link")
    }
    try directory.remove()
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8))
  }

  @Test func aPipeInTheFolderIsRefusedWithoutBlocking() throws {
    let folder = CheckpointResumeTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    _ = try namedPipe("manifest.json", in: folder)
    #expect {
      try CheckpointDirectory(url: folder, identity: "fs").load()
    } throws: {
      "\($0)".contains("manifest.json") && "\($0)".contains("not a regular file (a named pipe)")
    }
  }

  /// A writer that writes `budget` bytes in all, then fails with `ENOSPC` as a full disk does.
  static func fullDisk(after budget: Int) -> CheckpointDirectory.Writer {
    let remaining = Locked(budget)
    return CheckpointDirectory.Writer { descriptor, bytes in
      let allowed = remaining.withLock { left in
        let n = min(left, bytes.count)
        left -= n
        return n
      }
      if allowed > 0 {
        _ = CheckpointDirectory.Writer.system.write(descriptor, UnsafeRawBufferPointer(rebasing: bytes[0..<allowed]))
      }
      return allowed == bytes.count ? 0 : ENOSPC
    }
  }

  @Test func aFullDiskLeavesNoTemporaryFileAndThePreviousCheckpointWhole() throws {
    let checkpoint = try Self.checkpoint()
    let folder = CheckpointResumeTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var directory = CheckpointDirectory(url: folder, identity: "fs")
    try directory.save(checkpoint)
    var later = checkpoint
    later.completedTasks += 1
    later.accuracyMatrix.append(later.accuracyMatrix[0])
    later.lossTerms.append(later.lossTerms[0])
    directory.writer = Self.fullDisk(after: 1000)
    #expect {
      try directory.save(later)
    } throws: {
      "\($0)".contains("task-\(later.completedTasks).safetensors")
        && "\($0)".contains(String(cString: strerror(ENOSPC)))
    }
    // Before the fix the half-written `.task-N.safetensors.tmp` stayed behind, filling the disk.
    let kept = ["manifest.json", "task-\(checkpoint.completedTasks).safetensors"]
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == kept)
    #expect(try directory.load() == checkpoint)
  }

  @Test func aRunWhoseCheckpointsFillTheDiskGoesOnWithoutThem() throws {
    let (problem, trainer, plan) = try CheckpointResumeTests.setUp()
    let folder = CheckpointResumeTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let reports = Locked<[String]>([])
    var directory = CheckpointDirectory(url: folder, identity: "fs")
    directory.writer = Self.fullDisk(after: 0)
    directory.saveFailure = .continueWithoutCheckpoints { error in reports.withLock { $0.append("\(error)") } }
    // Before the fix the run stopped with "checkpoint I/O failed … No space left on device".
    let result = try trainer.run(
      problem.sequence, architecture: problem.architecture, plan: plan(), seed: 3, checkpoints: directory)
    let plain = try trainer.run(problem.sequence, architecture: problem.architecture, plan: plan(), seed: 3)
    #expect(result.accuracyMatrix == plain.accuracyMatrix && result.model.parameters == plain.model.parameters)
    let said = reports.withLock { $0 }
    #expect(said.count == 1, "the failure is reported once, not at every task: \(said)")
    #expect(said.first?.contains(String(cString: strerror(ENOSPC))) == true)
    #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] == [])

    // The default policy still stops the run with the error.
    directory.saveFailure = .stopTheRun
    #expect(throws: CheckpointError.self) {
      try trainer.run(
        problem.sequence, architecture: problem.architecture, plan: plan(), seed: 3, checkpoints: directory)
    }
  }
}
