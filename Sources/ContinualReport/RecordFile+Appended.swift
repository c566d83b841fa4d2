import ContinualCore
import Foundation

extension RecordFile {
  /// How much of a results file has been read: the bytes and the lines.
  package struct Position: Sendable, Equatable {
    /// Bytes read from the start of the file (always the end of a complete line).
    package var offset = 0
    /// Lines read.
    package var line = 0

    /// The start of the file.
    package init() {}
  }

  /// The records of the complete lines appended to a results file since `position`, for a sweep
  /// that shares the file with other processes and must see the runs they finish.
  ///
  /// Only lines that end with a newline are read: a line without one may be another process's
  /// record being written, and is read on a later call. Each record comes with its line number.
  ///
  /// - Parameters:
  ///   - url: The results file; a file that does not exist yet holds no records.
  ///   - position: Where the previous call stopped (``Position/init()`` for the whole file).
  /// - Returns: The new records with their lines, warnings about torn lines, and the position to
  ///   continue from.
  /// - Throws: The errors of ``read(from:)``.
  package static func readAppended(
    to url: URL, since position: Position
  ) throws -> (records: [(record: RunRecord, line: Int)], warnings: [String], position: Position) {
    guard FileManager.default.fileExists(atPath: url.path) else { return ([], [], position) }
    let bytes = try contents(of: url)
    guard bytes.count > position.offset else { return ([], [], position) }
    let parsed = try parseLines(
      bytes[position.offset...], file: url.path, firstLine: position.line + 1, completeLinesOnly: true)
    var next = position
    next.offset += parsed.consumedBytes
    next.line += parsed.consumedLines
    return (parsed.records.map { ($0.record, $0.line) }, parsed.warnings, next)
  }
}
