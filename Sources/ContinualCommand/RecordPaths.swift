import Foundation

/// The results file that a `continual report` argument names.
///
/// A file is used as given. A folder means the `records.jsonl` a `compare --output FOLDER` run wrote
/// there, so `continual report results/vdv2019-split-mnist` works as well as naming the file. A path
/// that does not exist, or a folder without a `records.jsonl`, is an error that says so instead of the
/// operating system's generic "could not be completed".
///
/// - Parameter path: A command-line argument.
/// - Returns: The results file to read.
/// - Throws: ``CLIError`` for a missing path or a folder without records.
func recordFileURL(forArgument path: String) throws -> URL {
  var isFolder: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
    throw CLIError("no results file or folder at \(path)")
  }
  guard isFolder.boolValue else { return URL(fileURLWithPath: path) }
  let records = URL(fileURLWithPath: path).appendingPathComponent("records.jsonl")
  guard FileManager.default.fileExists(atPath: records.path) else {
    throw CLIError("\(path) is a folder without a records.jsonl; name the results file(s) to report")
  }
  return records
}

/// Makes sure the output folder exists and can be written, before anything trains.
///
/// An unwritable `--output` used to be found only when the first checkpoint or record was written,
/// after minutes of training, with a message such as `NSCocoaErrorDomain error 512`. This creates
/// the folder (and its parents) and writes and removes a probe file in it, and names the folder and
/// the operating system's reason when either fails.
///
/// - Parameter folder: The `--output` folder.
/// - Throws: ``CLIError`` naming the folder and why it cannot be written.
func ensureWritableOutput(_ folder: URL) throws {
  var isFolder: ObjCBool = false
  if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
    throw CLIError("--output \(folder.path) is a file, not a folder")
  }
  // Find the deepest part of the path that exists: it must be a folder to create the rest in.
  var existing = folder
  while !FileManager.default.fileExists(atPath: existing.path), existing.pathComponents.count > 1 {
    existing = existing.deletingLastPathComponent()
  }
  if FileManager.default.fileExists(atPath: existing.path, isDirectory: &isFolder), !isFolder.boolValue {
    throw CLIError("cannot create --output \(folder.path): \(existing.path) is a file, not a folder")
  }
  do {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  } catch {
    throw CLIError("cannot create --output \(folder.path): \(String(cString: strerror(errno)))")
  }
  // Unique per call: two sweeps of one process (runners on threads) may probe at once.
  let probe = folder.appendingPathComponent(".write-check-\(getpid())-\(UUID().uuidString)")
  let descriptor = open(probe.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
  guard descriptor >= 0 else {
    throw CLIError("cannot write in --output \(folder.path): \(String(cString: strerror(errno)))")
  }
  close(descriptor)
  unlink(probe.path)
}
