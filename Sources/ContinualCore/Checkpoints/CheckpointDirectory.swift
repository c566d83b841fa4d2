import Foundation

/// A run's checkpoint folder: the latest task-boundary checkpoint as `task-<n>.safetensors` plus
/// `manifest.json`.
///
/// Saving writes the tensor file under a temporary name of this process, flushes it to disk,
/// renames it into place, then does the same for the manifest; the manifest's rename is the moment
/// the new checkpoint exists. A crash at any point leaves either the previous checkpoint or the new
/// one, whole. Older tensor files are removed only after the new manifest is in place. Nothing is
/// read, written or deleted through a symbolic link in the folder's place or inside it.
///
/// ```swift
/// let directory = CheckpointDirectory(url: output.appendingPathComponent("checkpoints/\(runID)"), identity: runID)
/// if let checkpoint = try directory.load() { … resume … }
/// try directory.save(checkpoint)
/// try directory.remove()   // once the run's record is written
/// ```
public struct CheckpointDirectory: Sendable {
  /// The folder.
  public var url: URL
  /// The identity every checkpoint here must carry (the run's configuration hash).
  public var identity: String
  /// What the trainer does when a save fails on the file system (a full disk, a folder that
  /// cannot be written).
  public var saveFailure: SaveFailurePolicy = .stopTheRun
  /// How checkpoint bytes are written (tests substitute a writer that fails as a full disk does).
  package var writer: Writer = .system

  /// What the trainer does when saving a checkpoint fails on the file system.
  public enum SaveFailurePolicy: Sendable {
    /// The run stops with the ``CheckpointError``.
    case stopTheRun
    /// The run goes on without further checkpoints; `report` receives the error once. The
    /// previous checkpoint, if any, stays whole, and the failed write leaves no file behind.
    case continueWithoutCheckpoints(report: @Sendable (CheckpointError) -> Void)
  }

  /// Creates a handle; nothing is touched on disk until ``save(_:)``.
  public init(url: URL, identity: String) {
    self.url = url
    self.identity = identity
  }

  /// The manifest's location.
  public var manifestURL: URL { url.appendingPathComponent("manifest.json") }

  /// Writes `checkpoint` (with this directory's identity) atomically, replacing the previous one.
  ///
  /// Each file goes to a temporary name of this process, is flushed and renamed into place; a
  /// failed write (a full disk) removes its temporary file before throwing, and the previous
  /// checkpoint stays whole. The folder must be a real folder, not a symbolic link (see
  /// `CheckpointDirectory+FileSystem.swift`).
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` when the file system refuses, naming the file
  ///   and the system's reason.
  public func save(_ checkpoint: TrainingCheckpoint) throws {
    var checkpoint = checkpoint
    checkpoint.identity = identity
    try ensureFolder()
    let tensorName = "task-\(checkpoint.completedTasks).safetensors"
    let data = try checkpoint.tensorFile()
    try writeDurably(data, named: tensorName)
    try writeDurably(
      Data(checkpoint.manifest(tensorFileName: tensorName, tensorData: data).utf8), named: "manifest.json")
    Self.syncDirectory(url)
    // The new manifest is in place: older tensor files and stale temporary files are garbage.
    removeEntries(except: [tensorName, "manifest.json"])
  }

  /// The checkpoint saved here, or `nil` when there is none.
  ///
  /// - Throws: ``CheckpointError/corrupt(file:reason:)`` when a file is malformed,
  ///   ``CheckpointError/mismatch(reason:)`` when it belongs to another run, and
  ///   ``CheckpointError/io(path:reason:)`` when the folder or a file is a symbolic link, a pipe or
  ///   unreadable.
  public func load() throws -> TrainingCheckpoint? {
    guard try existingFolder(), let manifest = try Self.read(manifestURL, limit: TrainingCheckpoint.maximumManifestSize)
    else { return nil }
    let checkpoint = try TrainingCheckpoint.decode(manifest: manifest, manifestPath: manifestURL.path) { name in
      let file = url.appendingPathComponent(name)
      guard let data = try Self.read(file, limit: Int.max) else {
        throw CheckpointError.io(path: file.path, reason: "the file is missing")
      }
      return data
    }
    guard checkpoint.identity == identity else {
      throw CheckpointError.mismatch(
        reason: "\(manifestURL.path) belongs to run '\(checkpoint.identity)', not '\(identity)'")
    }
    return checkpoint
  }

  /// Deletes the folder and everything in it (nothing happens when it does not exist). A symbolic
  /// link in its place is removed itself; nothing is ever deleted through a link.
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` when it exists but cannot be removed.
  public func remove() throws {
    try Self.removeTree(url.path)
  }

  /// Flushes the folder's entries so the renames survive a power cut.
  static func syncDirectory(_ url: URL) {
    let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
  }
}
