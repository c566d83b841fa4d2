import ContinualEngine
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Claims on the runs of a sweep folder: one advisory lock per run id, so that several
/// `continual compare` processes on one `--output` (a requeued cluster job, a shard started without
/// `--shard`, or a pool of workers on purpose) never train a run twice.
///
/// A claim is an exclusive `flock(2)` on `<output>/claims/<run id>.lock`, held while the run
/// trains. The kernel releases it when the process ends, however it ends (a `SIGKILL`, a node
/// that loses its job), so a dead claimant's claim is free at once: there is no stale lock to time
/// out or clean up by hand. The lock file holds the claimant's process id and host, for messages.
/// Releasing a claim unlinks the file and then closes it; a process that locks a file after its
/// unlinking sees that the path no longer names the file it locked and tries again, so two
/// processes can never both hold one run.
///
/// `claims/` is never used through a symbolic link: a link there is reported and replaced by a
/// folder (the rule of a run's checkpoint folder). A lock path that is a link or a folder is never
/// opened; that run is reported as ``Outcome/unusable(_:)`` and the sweep passes over it.
///
/// `flock` works on local file systems and, on Linux, over NFS (as a POSIX lock of the whole
/// file). A file system that refuses locks (Lustre mounted without `flock`) makes claims
/// unavailable: the sweep says so once and runs without them, as before claims existed.
///
/// ```swift
/// let claims = RunClaims(folder: output.appendingPathComponent("claims"))
/// if let claim = try claims.claim(runID, waiting: false) {
///   defer { claim.release() }
///   … train, append the record …
/// }
/// ```
struct RunClaims {
  /// `<output>/claims`.
  let folder: URL
  /// Where warnings about the folder go.
  var console = Console.standard

  /// The outcome of trying to claim a run.
  enum Outcome {
    /// This process holds the run until it releases the claim (or ends).
    case claimed(RunClaim)
    /// Another live process holds it; the text says which, from its lock file.
    case heldElsewhere(String)
    /// The file system does not support locks, or `claims/` is not a folder; the text is its reason.
    case unavailable(String)
    /// This run's lock path is a symbolic link or a folder, which is never opened: the sweep passes
    /// over this run (the text says why) and goes on with the others.
    case unusable(String)
  }

  /// The lock file of a run.
  func lockFile(_ runID: String) -> URL { folder.appendingPathComponent("\(runID).lock") }

  /// Claims a run.
  ///
  /// - Parameters:
  ///   - runID: The run's id (a file name: hexadecimal digits).
  ///   - waiting: Whether to wait until the run is free (its holder released it or died) instead
  ///     of returning ``Outcome/heldElsewhere(_:)``.
  /// - Returns: The claim, or why there is none.
  /// - Throws: ``CLIError`` naming the lock file when it cannot be created or locked.
  func claim(_ runID: String, waiting: Bool) throws -> Outcome {
    let path = lockFile(runID).path
    // A few rounds are enough: each retry means another process released or removed the file
    // between our open and our lock.
    for _ in 0..<1000 {
      if let reason = try ensureFolder() { return .unavailable(reason) }
      let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
      guard descriptor >= 0 else {
        if errno == ENOENT { continue }  // the folder was removed by a process that finished; make it again
        if errno == ELOOP || errno == EISDIR {
          let what = errno == ELOOP ? "a symbolic link" : "a folder"
          return .unusable("its lock file \(path) is \(what), which is never opened; remove it to train this run")
        }
        throw CLIError("cannot claim run \(runID): \(path): \(String(cString: strerror(errno)))")
      }
      if flock(descriptor, LOCK_EX | (waiting ? 0 : LOCK_NB)) != 0 {
        let code = errno
        let holder = Self.holder(descriptor)
        close(descriptor)
        switch code {
        case EWOULDBLOCK: return .heldElsewhere(holder)
        case EINTR: continue
        case ENOLCK, ENOSYS, EINVAL, EOPNOTSUPP:
          return .unavailable("\(folder.path) does not support file locks (\(String(cString: strerror(code))))")
        default: throw CLIError("cannot claim run \(runID): \(path): \(String(cString: strerror(code)))")
        }
      }
      // The path must still name the file we locked: a holder unlinks it before releasing.
      var locked = stat(), current = stat()
      guard fstat(descriptor, &locked) == 0, lstat(path, &current) == 0, locked.st_dev == current.st_dev,
        locked.st_ino == current.st_ino
      else {
        close(descriptor)
        continue
      }
      let note = Array("process \(getpid()) on \(ProcessInfo.processInfo.hostName)\n".utf8)
      _ = ftruncate(descriptor, 0)
      _ = note.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
      return .claimed(RunClaim(path: path, descriptor: descriptor))
    }
    throw CLIError("cannot claim run \(runID): \(path) kept changing while it was locked")
  }

  /// Makes `claims/` a real folder (creating it and its parents): a symbolic link there is
  /// reported, removed and replaced by a folder, so no lock file is ever created or removed through
  /// it; the same rule as a run's checkpoint folder.
  ///
  /// - Returns: `nil` when the folder is ready, else why claims cannot be used (`claims` is a file).
  /// - Throws: ``CLIError`` naming the folder when it cannot be created.
  func ensureFolder() throws -> String? {
    for _ in 0..<10 {
      var status = stat()
      if lstat(folder.path, &status) == 0 {
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return nil
        case S_IFLNK:
          try removeSymbolicLink(folder, rule: "claims are never made through a link", console: console)
          continue
        default:
          return "\(folder.path) is \(RegularFile.kind(status.st_mode)), not a folder"
        }
      }
      guard errno == ENOENT else {
        throw CLIError("cannot use the claims folder \(folder.path): \(String(cString: strerror(errno)))")
      }
      do {
        try FileManager.default.createDirectory(
          at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
      } catch {
        throw CLIError("cannot create the claims folder \(folder.path): \(error.localizedDescription)")
      }
      if mkdir(folder.path, 0o755) != 0 && errno != EEXIST {
        throw CLIError("cannot create the claims folder \(folder.path): \(String(cString: strerror(errno)))")
      }
    }
    throw CLIError("cannot create the claims folder \(folder.path): it kept changing as it was created")
  }

  /// Removes the claims folder when no claim is left in it.
  func removeFolderIfEmpty() {
    _ = rmdir(folder.path)
  }

  /// What a lock file says about its holder, such as `process 4242 on node17`.
  static func holder(_ descriptor: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    let text =
      count > 0
      ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
    return text.isEmpty ? "another process" : text
  }
}

/// A held claim on one run: an open, exclusively locked lock file.
///
/// ``release()`` unlinks the file, then closes it (which drops the lock); the claim is also
/// released when the object goes away, and by the kernel when the process ends.
final class RunClaim {
  /// The lock file.
  let path: String
  /// The open, locked file; -1 once released.
  private var descriptor: Int32

  /// Wraps a locked descriptor of `path`.
  init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  /// Gives the run up: removes the lock file, then unlocks it.
  func release() {
    guard descriptor >= 0 else { return }
    unlink(path)
    close(descriptor)
    descriptor = -1
  }

  deinit { release() }
}
