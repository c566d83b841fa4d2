import ContinualCore
import ContinualEngine
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads and appends results files: one `RunRecord` per line, as a JSON object (JSON Lines).
///
/// A sweep appends each record as soon as its run ends, so a process killed mid-write can leave an
/// incomplete ("torn") last line. The policy that keeps every finished record safe is:
///
/// - ``append(_:to:)`` never rewrites existing bytes. It writes one whole line in a single write and
///   `fsync`s it. If the file does not end with a newline (a torn line left by a killed writer), it
///   first ends that line, so the new record always starts on a line of its own.
/// - ``read(from:)`` skips a torn line with a warning naming the file and line. A line is torn when it
///   fails to parse and either is the last line with no newline after it, or is an *incomplete JSON
///   object* — it opens with `{` and ends before that object closes — which is what a torn line becomes
///   once a later append has ended it. Any other line that fails to parse (complete JSON that is not a
///   record, or text that is not JSON) is an error naming the file and line: the file is corrupt, not
///   interrupted, and silently dropping it would hide lost runs. So is a record whose numbers cannot
///   describe a run (a ragged or non-square accuracy matrix, an accuracy outside [0, 1], more than
///   1,000 tasks).
/// - Blank lines are ignored.
///
/// ```swift
/// let results = URL(filePath: "results/runs.jsonl")
/// try RecordFile.append(record, to: results)
/// let contents = try RecordFile.read(from: results)
/// for warning in contents.warnings { print("warning:", warning) }
/// let table = ComparisonTable(records: contents.records)
/// ```
public enum RecordFile {
  /// Reads every record of one results file.
  ///
  /// Torn lines (see ``RecordFile``) are skipped with a warning such as
  /// `results/runs.jsonl: torn record skipped at line 3 (an incomplete line left by an interrupted write)`.
  ///
  /// ```swift
  /// let contents = try RecordFile.read(from: URL(filePath: "results/runs.jsonl"))
  /// print(contents.records.count, "records")
  /// ```
  ///
  /// - Parameter url: The results file.
  /// - Returns: The records in file order, and warnings about skipped torn lines.
  /// - Throws: ``RecordFileError/unreadable(file:reason:)`` when the file cannot be read, and
  ///   ``RecordFileError/malformedLine(file:line:reason:)`` for a line that is neither a record nor torn.
  /// - Complexity: O(*n*) in the file's size.
  public static func read(from url: URL) throws -> Contents {
    let located = try readLocated(from: url)
    return Contents(records: located.records.map(\.record), warnings: located.warnings)
  }

  /// Appends one record to a results file as a single JSON line with sorted keys, and `fsync`s it.
  ///
  /// Creates the file and its parent directories when they are missing. Existing content is never
  /// rewritten: the file is opened for appending, and if it does not end with a newline (a torn line
  /// left by a killed writer) a newline is written first, in the same write as the record, so the torn
  /// fragment becomes a line of its own that ``read(from:)`` skips with a warning.
  ///
  /// ```swift
  /// try RecordFile.append(record, to: URL(filePath: "results/shard-3.jsonl"))
  /// ```
  ///
  /// - Parameters:
  ///   - record: The record to append.
  ///   - url: The results file.
  /// - Throws: ``RecordFileError/unencodable(runID:reason:)`` when the record cannot be encoded (a
  ///   non-finite number), and ``RecordFileError/unwritable(file:reason:)`` when the directory or file
  ///   cannot be created, written or synchronised.
  public static func append(_ record: RunRecord, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var line: Data
    do {
      line = try encoder.encode(record)
    } catch {
      throw RecordFileError.unencodable(runID: record.runID, reason: String(describing: error))
    }
    line.append(newline)

    let path = url.path
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw RecordFileError.unwritable(file: path, reason: error.localizedDescription)
    }
    // O_APPEND: every write lands at the end, even with several writers; O_CREAT never truncates.
    let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw RecordFileError.unwritable(file: path, reason: String(cString: strerror(errno)))
    }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    do {
      let size = try handle.seekToEnd()
      if size > 0 {
        try handle.seek(toOffset: size - 1)
        if try handle.read(upToCount: 1) != Data([newline]) {
          line.insert(newline, at: line.startIndex)
        }
      }
      try handle.write(contentsOf: line)
      try handle.synchronize()
      try handle.close()
    } catch {
      throw RecordFileError.unwritable(file: path, reason: error.localizedDescription)
    }
  }

  /// Reads every record of a results file's bytes, with the checks and torn-line policy of
  /// ``read(from:)``: for bytes that do not come from a file of their own (standard input, an
  /// archive member, a test).
  ///
  /// ```swift
  /// let contents = try RecordFile.decode(Data(line.utf8), file: "<stdin>")
  /// ```
  ///
  /// - Parameters:
  ///   - data: The bytes: JSON Lines, one record per line.
  ///   - file: Where the bytes came from (usually a path), used in warnings and errors.
  /// - Returns: The records in order, and warnings about skipped torn lines.
  /// - Throws: ``RecordFileError/malformedLine(file:line:reason:)`` for a line that is neither a
  ///   record nor torn.
  /// - Complexity: O(*n*) in the size of `data`.
  public static func decode(_ data: Data, file: String) throws -> Contents {
    let located = try parseLines([UInt8](data)[...], file: file, firstLine: 1, completeLinesOnly: false)
    return Contents(records: located.records.map(\.record), warnings: located.warnings)
  }

  // MARK: - Implementation

  static let newline = UInt8(ascii: "\n")

  /// The largest results file read: 256 MiB, checked (`fstat`) before anything is read. A record
  /// is a few kilobytes, so this holds about 100,000 runs; a larger file is refused by its size,
  /// not read into memory twice (mapped, then copied to lines).
  public static let maximumFileSize = 1 << 28

  /// A record with the place it was read from, for warnings about duplicates.
  struct LocatedRecord {
    var record: RunRecord
    var file: String
    var line: Int

    var location: String { "\(file):\(line)" }
  }

  static func readLocated(from url: URL) throws -> (records: [LocatedRecord], warnings: [String]) {
    let parsed = try parseLines(contents(of: url)[...], file: url.path, firstLine: 1, completeLinesOnly: false)
    return (parsed.records, parsed.warnings)
  }

  /// The bytes of a results file, which must be a regular file (a named pipe would block or fail
  /// with a misleading "permission" message).
  static func contents(of url: URL) throws -> [UInt8] {
    do {
      return [UInt8](try RegularFile.read(url, limit: maximumFileSize))
    } catch {
      if error.isTooLarge {
        throw RecordFileError.unreadable(
          file: url.path,
          reason: "too large: \(error.size.map { "\($0) bytes" } ?? "the file is"), "
            + "more than the \(maximumFileSize)-byte limit for a results file; "
            + "split the sweep with --shard, or give report several files")
      }
      throw RecordFileError.unreadable(file: url.path, reason: error.reason)
    }
  }

  /// The records of the lines in `bytes`, which start at line `firstLine` of `file`.
  ///
  /// - Parameters:
  ///   - bytes: Whole lines of a results file (the last one may lack its newline).
  ///   - file: The file's path, for messages.
  ///   - firstLine: The line number of the first line in `bytes`.
  ///   - completeLinesOnly: Whether a last line without a newline is left unread (another process
  ///     may be writing it) instead of being parsed or reported as torn.
  /// - Returns: The records and warnings, and how many bytes and lines were consumed.
  /// - Throws: ``RecordFileError/malformedLine(file:line:reason:)`` for a line that is neither a
  ///   record nor torn, including a line that names a key twice.
  static func parseLines(
    _ bytes: ArraySlice<UInt8>, file: String, firstLine: Int, completeLinesOnly: Bool
  ) throws -> (records: [LocatedRecord], warnings: [String], consumedBytes: Int, consumedLines: Int) {
    let decoder = JSONDecoder()
    var records: [LocatedRecord] = []
    var warnings: [String] = []
    var lineStart = bytes.startIndex
    var lineNumber = firstLine - 1
    while lineStart < bytes.endIndex {
      let newlineIndex = bytes[lineStart...].firstIndex(of: newline)
      if newlineIndex == nil && completeLinesOnly { break }
      lineNumber += 1
      let lineEnd = newlineIndex ?? bytes.endIndex
      let line = bytes[lineStart..<lineEnd]
      lineStart = lineEnd + 1
      if line.allSatisfy(JSONPrefix.isWhitespace) { continue }
      do {
        // Foundation's decoder keeps one of two values for a repeated key without a word; the
        // strict parser names the key.
        // A line the strict parser cannot read (nesting deeper than 64, a lone surrogate) is never
        // handed to Foundation, whose lenient parser would keep the first of two keys.
        do {
          _ = try JSONValue.parse(Array(line))
        } catch {
          if let key = error.duplicateKey {
            throw RecordFileError.malformedLine(
              file: file, line: lineNumber, reason: "the key \"\(key)\" appears twice (again at column \(error.column))"
            )
          }
          throw StrictSyntaxError(error: error)
        }
        let record = try decoder.decode(RunRecord.self, from: Data(line))
        if let problem = record.inconsistency {
          throw RecordFileError.malformedLine(file: file, line: lineNumber, reason: problem)
        }
        records.append(LocatedRecord(record: record, file: file, line: lineNumber))
      } catch let error as RecordFileError {
        throw error
      } catch {
        guard newlineIndex == nil || JSONPrefix.isIncompleteObject(line) else {
          let reason =
            (error as? StrictSyntaxError).map { "invalid JSON at column \($0.error.column): \($0.error.reason)" }
            ?? DecodingSummary.describe(error)
          throw RecordFileError.malformedLine(file: file, line: lineNumber, reason: reason)
        }
        warnings.append(
          "\(file): torn record skipped at line \(lineNumber) (an incomplete line left by an interrupted write)")
      }
    }
    return (records, warnings, min(lineStart, bytes.endIndex) - bytes.startIndex, lineNumber - firstLine + 1)
  }
}

/// A line the strict JSON parser refused, on its way to the torn-line check.
private struct StrictSyntaxError: Error {
  var error: JSONSyntaxError
}
