/// Why a results file could not be read or appended to; every case names the file (or run) at fault.
public enum RecordFileError: Error, CustomStringConvertible, Equatable {
  /// The file could not be read.
  case unreadable(file: String, reason: String)
  /// A line, not torn by an interrupted write, is not a valid record.
  case malformedLine(file: String, line: Int, reason: String)
  /// The record could not be encoded as JSON (for example, a non-finite number).
  case unencodable(runID: String, reason: String)
  /// The file or its directory could not be created, written or synchronised.
  case unwritable(file: String, reason: String)

  /// A one-line explanation naming the file and line, or the run.
  public var description: String {
    switch self {
    case .unreadable(let file, let reason):
      "cannot read the results file \(file): \(reason)"
    case .malformedLine(let file, let line, let reason):
      "\(file):\(line): not a run record (\(reason)); fix or remove that line"
    case .unencodable(let runID, let reason):
      "cannot encode the record of run \(runID): \(reason)"
    case .unwritable(let file, let reason):
      "cannot append to the results file \(file): \(reason)"
    }
  }
}
