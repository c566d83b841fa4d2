/// Recognises the incomplete JSON object that a write interrupted mid-line leaves behind.
enum JSONPrefix {
  /// Whether `byte` is JSON whitespace.
  static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
  }

  /// Whether `line` opens a JSON object with `{` and ends before that object closes.
  ///
  /// Only brackets and strings are tracked, not the full grammar: the question is whether the line
  /// was cut short, not whether its beginning is valid. A complete object (even one followed by
  /// garbage) or a line not starting with `{` is not incomplete.
  static func isIncompleteObject(_ line: some Collection<UInt8>) -> Bool {
    var depth = 0
    var inString = false
    var escaped = false
    for byte in line {
      if depth == 0 {
        if isWhitespace(byte) { continue }
        guard byte == UInt8(ascii: "{") else { return false }
        depth = 1
        continue
      }
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth == 0 { return false }
      default: break
      }
    }
    return depth > 0
  }
}
