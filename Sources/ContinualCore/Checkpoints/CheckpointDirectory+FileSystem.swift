import ContinualEngine
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a checkpoint folder touches the file system: never through a symbolic link inside the
/// folder, never under a temporary name another process could also pick, and never leaving a
/// temporary file behind when a write fails.
///
/// - The run's folder itself must be a real folder: a symbolic link there (to anywhere) is refused,
///   so a checkpoint is never written, and nothing deleted, outside the folder a sweep owns. Links
///   *above* it (`--output` itself, or `checkpoints/`) are the user's choice of place and are
///   followed.
/// - Files are written to `.<name>.<pid>-<random>.tmp` (created with `O_EXCL | O_NOFOLLOW`),
///   flushed and renamed over `<name>`; a rename replaces a link at `<name>` instead of following
///   it. On any failure (a full disk: `ENOSPC`) the temporary file is removed before the error is
///   thrown.
/// - Removal unlinks entries and descends only into real folders, never through links.
extension CheckpointDirectory {
  /// How the bytes of a checkpoint file reach the disk: the system's `write(2)`, or, in tests, a
  /// writer that fails as a full disk does.
  package struct Writer: Sendable {
    /// Writes all of `bytes` to the descriptor; returns 0, or the `errno` of the failure.
    package var write: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32

    /// Creates a writer from a function that writes all bytes or returns an `errno`.
    package init(write: @escaping @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32) {
      self.write = write
    }

    /// `write(2)` until every byte is written, retrying after interruptions.
    package static let system = Writer { descriptor, bytes in
      var offset = 0
      while offset < bytes.count {
        let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return errno
        }
        offset += written
      }
      return 0
    }
  }

  /// Makes sure the run's folder exists as a real folder (creating it and its parents).
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` when it cannot be created, or when the path is
  ///   a symbolic link or a file.
  func ensureFolder() throws {
    // Another process's sweep removes `checkpoints/` when it finds it empty; if that happens
    // between making the parent and the run's folder, make them again.
    for _ in 0..<10 {
      if try existingFolder() { return }
      do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      } catch {
        throw CheckpointError.io(path: url.deletingLastPathComponent().path, reason: Self.reason(error))
      }
      if mkdir(url.path, 0o755) != 0 && errno != EEXIST && errno != ENOENT {
        throw CheckpointError.io(path: url.path, reason: String(cString: strerror(errno)))
      }
    }
    guard try existingFolder() else {
      throw CheckpointError.io(path: url.path, reason: "the folder kept vanishing as it was created")
    }
  }

  /// Whether the run's folder exists; `false` when nothing is there.
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` when the path is a symbolic link or anything
  ///   else that is not a folder.
  func existingFolder() throws -> Bool {
    var status = stat()
    guard lstat(url.path, &status) == 0 else {
      if errno == ENOENT { return false }
      throw CheckpointError.io(path: url.path, reason: String(cString: strerror(errno)))
    }
    switch status.st_mode & S_IFMT {
    case S_IFDIR: return true
    case S_IFLNK:
      let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)).map { " to \($0)" } ?? ""
      throw CheckpointError.io(
        path: url.path,
        reason: "is a symbolic link\(target); a run's checkpoints are never read or written through a link")
    default:
      throw CheckpointError.io(path: url.path, reason: "is \(RegularFile.kind(status.st_mode)), not a folder")
    }
  }

  /// Writes `data` to a temporary file of this process in the folder, flushes it and renames it
  /// over `name`. The temporary file is removed when any step fails.
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` with the system's reason (`No space left on
  ///   device`).
  func writeDurably(_ data: Data, named name: String) throws {
    let file = url.appendingPathComponent(name)
    let temporary = url.appendingPathComponent(".\(name).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CheckpointError.io(path: temporary.path, reason: String(cString: strerror(errno)))
    }
    var failure = data.withUnsafeBytes { writer.write(descriptor, $0) }
    if failure == 0 && fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0 && failure == 0 { failure = errno }
    if failure == 0 && rename(temporary.path, file.path) != 0 { failure = errno }
    guard failure == 0 else {
      unlink(temporary.path)
      throw CheckpointError.io(path: file.path, reason: String(cString: strerror(failure)))
    }
  }

  /// Removes every entry of the folder but `kept`: older tensor files and temporary files left by
  /// a killed writer. Entries are unlinked (a link is removed, never followed); folders are left.
  func removeEntries(except kept: Set<String>) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] where !kept.contains(name) {
      var status = stat()
      guard lstat(url.appendingPathComponent(name).path, &status) == 0, status.st_mode & S_IFMT != S_IFDIR else {
        continue
      }
      unlink(url.appendingPathComponent(name).path)
    }
  }

  /// Removes `path` and, for a real folder, everything in it, without following any link.
  ///
  /// - Throws: ``CheckpointError/io(path:reason:)`` naming the first entry that cannot be removed.
  static func removeTree(_ path: String) throws {
    var status = stat()
    guard lstat(path, &status) == 0 else {
      if errno == ENOENT { return }
      throw CheckpointError.io(path: path, reason: String(cString: strerror(errno)))
    }
    if status.st_mode & S_IFMT == S_IFDIR {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
        try removeTree(path + "/" + name)
      }
      guard rmdir(path) == 0 || errno == ENOENT else {
        throw CheckpointError.io(path: path, reason: String(cString: strerror(errno)))
      }
    } else {
      guard unlink(path) == 0 || errno == ENOENT else {
        throw CheckpointError.io(path: path, reason: String(cString: strerror(errno)))
      }
    }
  }

  /// The bytes of a file of the folder, refusing links, pipes and files over `limit`.
  ///
  /// - Returns: `nil` when the file does not exist.
  /// - Throws: ``CheckpointError/corrupt(file:reason:)`` for a file over the limit,
  ///   ``CheckpointError/io(path:reason:)`` for a link, a pipe or anything else that is not a
  ///   regular file, and when it cannot be read.
  static func read(_ file: URL, limit: Int) throws -> Data? {
    do {
      return try RegularFile.read(file, limit: limit, followingLinks: false)
    } catch {
      if error.isMissing { return nil }
      if error.isTooLarge { throw CheckpointError.corrupt(file: file.path, reason: error.reason) }
      throw CheckpointError.io(path: file.path, reason: error.reason)
    }
  }

  /// A Foundation error's underlying system reason, else its description.
  static func reason(_ error: any Error) -> String {
    if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(posix.code)))
    }
    return error.localizedDescription
  }
}

#if canImport(Glibc)
  /// `write(2)`, named apart from ``CheckpointDirectory/Writer/write``.
  private let systemWrite: @Sendable (Int32, UnsafeRawPointer?, Int) -> Int = Glibc.write
#else
  private let systemWrite: @Sendable (Int32, UnsafeRawPointer?, Int) -> Int = Darwin.write
#endif
