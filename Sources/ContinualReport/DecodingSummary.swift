/// Short descriptions of decoding errors that name the offending key path.
enum DecodingSummary {
  /// Describes `error` in one line, such as `missing key "run_id"` or
  /// `expected Double at accuracy_matrix[1][0]`.
  static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return String(describing: error) }
    switch error {
    case .keyNotFound(let key, let context):
      return "missing key \"\(key.stringValue)\"" + location(context.codingPath)
    case .typeMismatch(let type, let context):
      return "expected \(type)" + location(context.codingPath)
    case .valueNotFound(let type, let context):
      return "null where \(type) was expected" + location(context.codingPath)
    case .dataCorrupted(let context):
      let underlying =
        (context.underlyingError as? CustomStringConvertible)?.description
        ?? (context.debugDescription.isEmpty ? nil : context.debugDescription)
      return "invalid JSON" + location(context.codingPath) + (underlying.map { ": \($0)" } ?? "")
    @unknown default:
      return String(describing: error)
    }
  }

  private static func location(_ path: [any CodingKey]) -> String {
    guard !path.isEmpty else { return "" }
    var text = ""
    for key in path {
      if let index = key.intValue {
        text += "[\(index)]"
      } else {
        text += (text.isEmpty ? "" : ".") + key.stringValue
      }
    }
    return " at \(text)"
  }
}
