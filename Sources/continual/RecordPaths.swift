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
