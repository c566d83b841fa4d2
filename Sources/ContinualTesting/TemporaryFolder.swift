import Foundation

/// A new, empty folder in the system's temporary directory, its name `prefix` and a fresh UUID:
/// where a test writes files. The caller removes it.
///
/// ```swift
/// let folder = try temporaryFolder("ck-records")
/// defer { try? FileManager.default.removeItem(at: folder) }
/// ```
///
/// - Parameter prefix: The start of the folder's name.
/// - Returns: The folder's URL.
/// - Throws: The file system's error when it cannot be created.
public func temporaryFolder(_ prefix: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Runs `body` with a new, empty temporary folder (``temporaryFolder(_:)``) and removes the folder
/// afterwards, whether `body` returns or throws.
///
/// ```swift
/// try withTemporaryFolder("ck-records") { folder in
///   try Data().write(to: folder.appendingPathComponent("records.jsonl"))
/// }
/// ```
///
/// - Parameters:
///   - prefix: The start of the folder's name.
///   - body: What to do in it.
/// - Returns: What `body` returns.
/// - Throws: The file system's error when the folder cannot be created; what `body` throws.
public func withTemporaryFolder<Result>(_ prefix: String, _ body: (URL) throws -> Result) throws -> Result {
  let folder = try temporaryFolder(prefix)
  defer { try? FileManager.default.removeItem(at: folder) }
  return try body(folder)
}

/// A named pipe (a FIFO) called `name` in `folder`: a path that is neither a file nor a folder, and
/// on which a careless reader blocks.
///
/// - Parameters:
///   - name: The pipe's file name.
///   - folder: The folder it is made in.
/// - Returns: The pipe's URL.
/// - Throws: `POSIXError` when `mkfifo(3)` fails.
public func namedPipe(_ name: String, in folder: URL) throws -> URL {
  let url = folder.appendingPathComponent(name)
  guard mkfifo(url.path, 0o644) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
  return url
}
