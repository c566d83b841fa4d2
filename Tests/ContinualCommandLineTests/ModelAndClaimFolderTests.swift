import ContinualCore
import ContinualEngine
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// At the command level: `models/<run id>` and `claims/` are never
/// written through a symbolic link; a lock path that is a link or a folder passes over its run
/// instead of ending the sweep; a finished run whose requested model was not saved is trained
/// again to save it; a variant alone in the table shows its settings.
@Suite struct ModelAndClaimFolderTests {
  static func folder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ck-cli-models-\(UUID().uuidString)")
  }

  static func options(output: URL, algorithms: String = "finetune", saving: Bool = true) throws -> Options {
    try Parsing.options(
      [
        "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", algorithms, "--seeds", "1",
        "--iterations", "5",
        "--train-per-task", "40", "--test-per-task", "20", "--hidden", "16", "--quiet", "--output", output.path,
        "--format", "json",
      ] + (saving ? ["--save-models"] : []))
  }

  /// A folder outside the sweep holding `name` with "keep me".
  static func outside(holding name: String) throws -> (folder: URL, file: URL) {
    let folder = Self.folder()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent(name)
    try Data("keep me".utf8).write(to: file)
    return (folder, file)
  }

  @Test func aSymlinkedModelFolderIsReplacedAndWhatItPointsToIsUntouched() throws {
    let output = Self.folder()
    let (outside, precious) = try Self.outside(holding: SavedModel.descriptionFile)
    defer { for url in [output, outside] { try? FileManager.default.removeItem(at: url) } }
    let options = try Self.options(output: output)
    let clean = try runGrid(options)[0]
    for name in ["records.jsonl", "models"] {
      try FileManager.default.removeItem(at: output.appendingPathComponent(name))
    }
    let link = modelFolder(runID: clean.runID, options: options)
    try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
    // Before the fix the model was written through the link: `outside/model.json` replaced and
    // `outside/model.safetensors` added.
    let rerun = try runGrid(options)[0]
    #expect(rerun.notes?["model"] == "models/\(clean.runID)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == [SavedModel.descriptionFile])
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8))
    #expect(
      (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil, "the link became a real folder")
    #expect(FileManager.default.fileExists(atPath: link.appendingPathComponent(SavedModel.weightsFile).path))
  }

  @Test func aSymlinkedClaimsFolderIsNeverWrittenThrough() throws {
    let output = Self.folder()
    let options = try Self.options(output: output, saving: false)
    let clean = try runGrid(options)[0]
    let (outside, precious) = try Self.outside(holding: "\(clean.runID).lock")
    defer { for url in [output, outside] { try? FileManager.default.removeItem(at: url) } }
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    let claims = output.appendingPathComponent("claims")
    try FileManager.default.createSymbolicLink(at: claims, withDestinationURL: outside)
    // Before the fix the lock was taken on `outside/<run id>.lock`: truncated, then deleted.
    let rerun = try runGrid(options)[0]
    #expect(rerun.status == .finished)
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8))
    #expect(
      (try? FileManager.default.destinationOfSymbolicLink(atPath: claims.path)) == nil,
      "the link was replaced (and removed once empty)")
  }

  @Test(arguments: ["a symbolic link", "a folder"])
  func aLockPathThatIsALinkOrAFolderPassesOverThatRunOnly(kind: String) throws {
    let output = Self.folder()
    let options = try Self.options(output: output, algorithms: "finetune,ewc", saving: false)
    let clean = try runGrid(options)
    #expect(clean.count == 2)
    let (outside, precious) = try Self.outside(holding: "target")
    defer { for url in [output, outside] { try? FileManager.default.removeItem(at: url) } }
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    let lock = output.appendingPathComponent("claims/\(clean[1].runID).lock")
    try FileManager.default.createDirectory(at: lock.deletingLastPathComponent(), withIntermediateDirectories: true)
    if kind == "a folder" {
      try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: true)
    } else {
      try FileManager.default.createSymbolicLink(at: lock, withDestinationURL: precious)
    }
    let outcome = try RunClaims(folder: lock.deletingLastPathComponent()).claim(clean[1].runID, waiting: false)
    guard case .unusable(let reason) = outcome else {
      Issue.record("the lock path was used: \(outcome)")
      return
    }
    #expect(reason.contains(lock.path) && reason.contains("is \(kind)"), "\(reason)")
    // Before the fix the whole sweep ended: "cannot claim run …: Too many levels of symbolic links".
    let rerun = try runGrid(options)
    #expect(rerun.map(\.runID) == [clean[0].runID], "the other run is trained, this one passed over")
    #expect(try Data(contentsOf: precious) == Data("keep me".utf8))
  }

  @Test func aFinishedRunWhoseModelWasNotSavedIsTrainedAgainToSaveIt() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let options = try Self.options(output: output)
    // A file where the models folder should be: saving fails with a warning, the record is kept.
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    try Data().write(to: output.appendingPathComponent("models"))
    let unsaved = try runGrid(options)[0]
    #expect(unsaved.status == .finished && unsaved.notes?["model"] == nil)
    try FileManager.default.removeItem(at: output.appendingPathComponent("models"))
    // Before the fix: "already finished … skipped", and the model was never written.
    let rerun = try runGrid(options)[0]
    #expect(rerun.notes?["model"] == "models/\(unsaved.runID)")
    #expect(rerun.accuracyMatrix == unsaved.accuracyMatrix, "training is deterministic")
    let folder = modelFolder(runID: unsaved.runID, options: options)
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(SavedModel.weightsFile).path))
    // Now that it is saved, a third run skips it.
    let third = try runGrid(options)[0]
    #expect(third.notes?["model"] == rerun.notes?["model"] && third.finishedAt == rerun.finishedAt)
    #expect(try RecordFile.read(from: output.appendingPathComponent("records.jsonl")).records.count == 2)
  }

  /// A variant and an algorithm at its defaults, each alone: only the variant shows settings.
  @Test func aLoneVariantShowsItsSettingsAndADefaultRowDoesNot() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let options = try Self.options(output: output, algorithms: "ewc[lambda=1e4],si", saving: false)
    let table = ComparisonTable(records: try runGrid(options)).labellingSettings(
      differingFrom: defaultSettings(options.known))
    #expect(table.rows.count == 2)
    #expect(
      table.rows[0].label.hasPrefix("ewc (lambda=1") && table.rows[0].distinguishingKeys == ["ewc.lambda"],
      "\(table.rows[0].label)")
    #expect(table.rows[1].label == "si")
    let markdown = try table.rendered(as: .markdown)
    #expect(markdown.contains(table.rows[0].label))
  }
}
