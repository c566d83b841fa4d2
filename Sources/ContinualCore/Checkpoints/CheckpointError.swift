/// Why a checkpoint could not be written, read or restored.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
  /// The manifest or tensor file is malformed; `file` names it.
  case corrupt(file: String, reason: String)
  /// The checkpoint is well formed but belongs to another run or does not fit this one.
  case mismatch(reason: String)
  /// A component's saved state does not fit it.
  case invalidState(component: String, reason: String)
  /// A regulariser of the plan cannot be checkpointed.
  case unsupported(component: String)
  /// A file-system operation failed.
  case io(path: String, reason: String)

  /// Names the file or component and the problem.
  public var description: String {
    switch self {
    case .corrupt(let file, let reason): "checkpoint file \(file) is corrupt: \(reason)"
    case .mismatch(let reason): "the checkpoint does not fit this run: \(reason)"
    case .invalidState(let component, let reason): "the checkpoint's state for '\(component)' does not fit: \(reason)"
    case .unsupported(let component):
      "'\(component)' does not conform to Checkpointable, so this run cannot be checkpointed"
    case .io(let path, let reason): "checkpoint I/O failed at \(path): \(reason)"
    }
  }
}
