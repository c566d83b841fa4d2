import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads whole files that must be regular files: data, records, checkpoints, experiment files.
///
/// `Data(contentsOf:)` and `FileHandle(forReadingFrom:)` accept anything that can be opened. A
/// named pipe (FIFO) then either blocks the process until some writer appears or fails with
/// Foundation's misleading "You don't have permission"; a character device such as `/dev/zero`
/// never ends. This reader opens without blocking (`O_NONBLOCK`), asks the open descriptor what it
/// is (`fstat`, so nothing can be swapped in between), and refuses anything but a regular file with
/// a reason that says what it found. With `followingLinks: false` a symbolic link is refused too
/// (`O_NOFOLLOW`), for files inside folders the program owns (checkpoints).
///
/// ```swift
/// let bytes = try RegularFile.read(url, limit: 1 << 20)
/// ```
package enum RegularFile {
  /// Why a file could not be read; ``reason`` is a phrase for the caller's message, which names
  /// the file.
  package struct ReadError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, such as `not a regular file (a named pipe)` or `No such file or directory`.
    package var reason: String
    /// Whether the file does not exist (`ENOENT`), which some callers treat as "nothing saved".
    package var isMissing: Bool
    /// Whether the file is larger than the limit (the file is then malformed rather than unreadable).
    package var isTooLarge = false
    /// The file's size in bytes, when it is known to be too large.
    package var size: Int? = nil

    /// The reason.
    package var description: String { reason }
  }

  /// Files at least this large are memory-mapped instead of copied.
  static let mappingThreshold = 1 << 20

  /// The bytes of a regular file.
  ///
  /// - Parameters:
  ///   - url: The file.
  ///   - limit: The largest size accepted, in bytes; a larger file is refused before anything is
  ///     read.
  ///   - followingLinks: Whether a symbolic link at `url` itself is followed (`false`: refused).
  /// - Returns: The file's bytes (memory-mapped for files of 1 MiB or more).
  /// - Throws: ``ReadError`` saying what the path is when it is not a regular file (a directory, a
  ///   named pipe, a device, a socket, a link), that it is larger than `limit`, or the system's
  ///   reason it cannot be opened or read.
  package static func read(_ url: URL, limit: Int = Int.max, followingLinks: Bool = true) throws(ReadError) -> Data {
    let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW)
    let descriptor = open(url.path, flags)
    guard descriptor >= 0 else {
      let code = errno
      if code == ELOOP && !followingLinks {
        throw ReadError(reason: "is a symbolic link, which is never followed here", isMissing: false)
      }
      throw ReadError(reason: String(cString: strerror(code)), isMissing: code == ENOENT)
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw ReadError(reason: String(cString: strerror(errno)), isMissing: false)
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw ReadError(reason: "not a regular file (\(kind(status.st_mode)))", isMissing: false)
    }
    let size = Int(status.st_size)
    guard size <= limit else {
      throw ReadError(
        reason: "too large: \(size) bytes, more than the \(limit)-byte limit", isMissing: false, isTooLarge: true,
        size: size)
    }
    if size >= mappingThreshold, let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
      mapped != UnsafeMutableRawPointer(bitPattern: -1)
    {
      return Data(bytesNoCopy: mapped, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }
    return try copy(descriptor, size: size, limit: limit)
  }

  /// Reads an open file into memory allocated with `malloc`, so that an allocation the address
  /// space cannot hold (`ulimit -v`) is an error, not a trap (`Data(count:)` traps).
  ///
  /// Reads what is there: a file still being appended to may have grown since `fstat`, up to
  /// `limit`.
  private static func copy(_ descriptor: Int32, size: Int, limit: Int) throws(ReadError) -> Data {
    func allocationFailure(_ bytes: Int) -> ReadError {
      ReadError(
        reason: "cannot allocate \(bytes) bytes to read it (the memory or address-space limit, ulimit -v, is too low)",
        isMissing: false)
    }
    var capacity = max(size, 1)
    guard var buffer = malloc(capacity) else { throw allocationFailure(capacity) }
    var filled = 0
    while true {
      if filled == capacity {
        guard capacity < limit else { break }
        let grown = min(limit, capacity + max(4096, capacity))
        guard let moved = realloc(buffer, grown) else {
          free(buffer)
          throw allocationFailure(grown)
        }
        buffer = moved
        capacity = grown
      }
      let got = systemRead(descriptor, buffer + filled, capacity - filled)
      if got < 0 {
        if errno == EINTR { continue }
        let reason = String(cString: strerror(errno))
        free(buffer)
        throw ReadError(reason: reason, isMissing: false)
      }
      if got == 0 { break }
      filled += got
    }
    return Data(bytesNoCopy: buffer, count: filled, deallocator: .free)
  }

  /// Whether `url` names a regular file (following links), without opening it.
  package static func isRegular(_ url: URL) -> Bool {
    var status = stat()
    return stat(url.path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
  }

  /// What a file mode says the file is, for messages: `a named pipe`, `a directory`, ….
  package static func kind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "a directory"
    case S_IFIFO: "a named pipe"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    case S_IFLNK: "a symbolic link"
    default: "not a plain file"
    }
  }
}

#if canImport(Glibc)
  /// `read(2)`, named apart from ``RegularFile/read(_:limit:followingLinks:)``.
  private let systemRead: @Sendable (Int32, UnsafeMutableRawPointer?, Int) -> Int = Glibc.read
#else
  private let systemRead: @Sendable (Int32, UnsafeMutableRawPointer?, Int) -> Int = Darwin.read
#endif
