import Foundation

/// A run's checkpoint folder: the latest task-boundary checkpoint as `task-<n>.safetensors` plus
/// `manifest.json`.
///
/// Saving writes the tensor file under a temporary name, flushes it to disk, renames it into
/// place, then does the same for the manifest; the manifest's rename is the moment the new
/// checkpoint exists. A crash at any point leaves either the previous checkpoint or the new one,
/// whole. Older tensor files are removed only after the new manifest is in place.
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

  /// Creates a handle; nothing is touched on disk until ``save(_:)``.
  public init(url: URL, identity: String) {
    self.url = url
    self.identity = identity
  }

  /// The manifest's location.
  public var manifestURL: URL { url.appendingPathComponent("manifest.json") }

  /// Writes `checkpoint` (with this directory's identity) atomically, replacing the previous one.
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` when the file system refuses.
  public func save(_ checkpoint: TrainingCheckpoint) throws {
    var checkpoint = checkpoint
    checkpoint.identity = identity
    let fm = FileManager.default
    do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
      throw CheckpointError.io(path: url.path, reason: error.localizedDescription)
    }
    let tensorName = "task-\(checkpoint.completedTasks).safetensors"
    let data = try checkpoint.tensorFile()
    try Self.writeDurably(data, to: url.appendingPathComponent(tensorName))
    try Self.writeDurably(Data(checkpoint.manifest(tensorFileName: tensorName, tensorData: data).utf8), to: manifestURL)
    Self.syncDirectory(url)
    // The new manifest is in place: older tensor files are garbage.
    for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? [] where name != tensorName && name != "manifest.json" {
      try? fm.removeItem(at: url.appendingPathComponent(name))
    }
  }

  /// The checkpoint saved here, or `nil` when there is none.
  ///
  /// - Throws: ``CheckpointError/corrupt(file:reason:)`` when a file is malformed, and
  ///   ``CheckpointError/mismatch(reason:)`` when it belongs to another run.
  public func load() throws -> TrainingCheckpoint? {
    guard FileManager.default.fileExists(atPath: manifestURL.path) else { return nil }
    let manifest = try Self.read(manifestURL, limit: TrainingCheckpoint.maximumManifestSize)
    let checkpoint = try TrainingCheckpoint.decode(manifest: manifest, manifestPath: manifestURL.path) { name in
      try Self.read(url.appendingPathComponent(name), limit: Int.max)
    }
    guard checkpoint.identity == identity else {
      throw CheckpointError.mismatch(reason: "\(manifestURL.path) belongs to run '\(checkpoint.identity)', not '\(identity)'")
    }
    return checkpoint
  }

  /// Deletes the folder and everything in it (nothing happens when it does not exist).
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` when it exists but cannot be removed.
  public func remove() throws {
    guard FileManager.default.fileExists(atPath: url.path) else { return }
    do { try FileManager.default.removeItem(at: url) } catch { throw CheckpointError.io(path: url.path, reason: error.localizedDescription) }
  }

  static func read(_ file: URL, limit: Int) throws -> Data {
    let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
    if let size = attributes?[.size] as? Int, size > limit {
      throw CheckpointError.corrupt(file: file.path, reason: "\(size) bytes exceeds the \(limit)-byte limit")
    }
    do { return try Data(contentsOf: file) } catch { throw CheckpointError.io(path: file.path, reason: error.localizedDescription) }
  }

  /// Writes to `<name>.tmp`, fsyncs, and renames over `file`.
  static func writeDurably(_ data: Data, to file: URL) throws {
    let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp")
    do {
      guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw CheckpointError.io(path: temporary.path, reason: "cannot create the file")
      }
      let handle = try FileHandle(forWritingTo: temporary)
      try handle.truncate(atOffset: 0)
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
      guard rename(temporary.path, file.path) == 0 else { throw CheckpointError.io(path: file.path, reason: String(cString: strerror(errno))) }
    } catch let error as CheckpointError {
      throw error
    } catch {
      throw CheckpointError.io(path: temporary.path, reason: error.localizedDescription)
    }
  }

  /// Flushes the folder's entries so the renames survive a power cut.
  static func syncDirectory(_ url: URL) {
    let fd = open(url.path, O_RDONLY)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
  }
}
