/// A JSON value read by a strict, bounded parser, for files that must be validated before they are
/// trusted (safetensors headers, experiment configuration files).
///
/// Unlike `JSONSerialization`, the parser keeps booleans apart from numbers, keeps each number's
/// literal (so `3`, `3.0` and `3e0` can be told apart and whole numbers are exact), rejects
/// duplicate keys, invalid UTF-8 and nesting deeper than a limit, and reports the line and column of
/// the first problem:
///
/// ```swift
/// let value = try JSONValue.parse(Array(#"{"seeds": 3, "algorithms": ["ewc", "si"]}"#.utf8))
/// value["seeds"]?.integer        // 3
/// value["algorithms"]?.kind      // "an array"
/// ```
package enum JSONValue: Sendable, Equatable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number, as its literal text (always valid JSON number syntax).
  case number(String)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object, its keys in file order.
  case object(JSONObject)

  /// The default nesting limit of ``parse(_:maximumDepth:)``.
  package static let defaultMaximumDepth = 64

  /// Parses one JSON value filling `bytes` (whitespace around it is allowed, a UTF-8 byte-order mark
  /// before it is skipped).
  ///
  /// - Parameters:
  ///   - bytes: UTF-8 text.
  ///   - maximumDepth: The deepest nesting of arrays and objects accepted.
  /// - Returns: The value.
  /// - Throws: ``JSONSyntaxError`` with the byte offset, line and column of the first problem.
  /// - Complexity: O(*n*) time; recursion depth at most `maximumDepth`.
  package static func parse(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(JSONSyntaxError)
    -> JSONValue
  {
    var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
    return try parser.parseDocument()
  }

  /// What kind of value this is, with its article, for messages: `a string`, `an object`.
  package var kind: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// The value of a whole-number literal (no fraction or exponent) that fits in `Int`, else `nil`.
  package var integer: Int? {
    guard case .number(let literal) = self, !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
      return nil
    }
    return Int(literal)
  }

  /// The value of a number as a finite `Double`, else `nil` (also for literals like `1e999`).
  package var double: Double? {
    guard case .number(let literal) = self, let value = Double(literal), value.isFinite else { return nil }
    return value
  }

  /// The string, if this is one.
  package var string: String? {
    guard case .string(let s) = self else { return nil }
    return s
  }

  /// The members of an object, if this is one.
  package var object: JSONObject? {
    guard case .object(let o) = self else { return nil }
    return o
  }

  /// The elements of an array, if this is one.
  package var array: [JSONValue]? {
    guard case .array(let a) = self else { return nil }
    return a
  }

  /// The member named `key` of an object, else `nil`.
  package subscript(key: String) -> JSONValue? { object?.values[key] }
}

/// The members of a JSON object: unique keys, in file order.
package struct JSONObject: Sendable, Equatable {
  /// The keys, in file order.
  package var keys: [String] = []
  /// The value of each key.
  package var values: [String: JSONValue] = [:]

  /// An empty object.
  package init() {}
}

/// Where and why JSON text could not be parsed.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The zero-based byte offset of the problem.
  package var offset: Int
  /// The one-based line of the problem.
  package var line: Int
  /// The one-based column (in bytes) of the problem.
  package var column: Int
  /// What is wrong.
  package var reason: String
  /// The repeated key, when the problem is a duplicate key.
  package var duplicateKey: String?

  /// `line 3, column 7: <reason>`.
  package var description: String { "line \(line), column \(column): \(reason)" }
}

/// The recursive-descent parser behind ``JSONValue/parse(_:maximumDepth:)``.
private struct JSONParser {
  let bytes: [UInt8]
  let maximumDepth: Int
  var index = 0

  init(bytes: [UInt8], maximumDepth: Int) {
    self.bytes = bytes
    self.maximumDepth = maximumDepth
  }

  mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    skipWhitespace()
    let value = try parseValue(depth: 0)
    skipWhitespace()
    guard index == bytes.count else {
      throw error("unexpected \(describe(bytes[index])) after the end of the JSON value")
    }
    return value
  }

  mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard index < bytes.count else { throw error("the text ends where a value was expected") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
    case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try parseWord("true", .bool(true))
    case UInt8(ascii: "f"): return try parseWord("false", .bool(false))
    case UInt8(ascii: "n"): return try parseWord("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected \(describe(bytes[index])) where a value was expected")
    }
  }

  mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    var object = JSONObject()
    try parseElements(depth: depth, closing: "}", in: "an object") { (parser: inout Self) throws(JSONSyntaxError) in
      guard parser.peek(UInt8(ascii: "\"")) else {
        throw parser.error("expected a string key in an object, found \(parser.describeNext())")
      }
      let keyStart = parser.index
      let key = try parser.parseString()
      guard object.values[key] == nil else {
        var problem = parser.error("duplicate key '\(key)'", at: keyStart)
        problem.duplicateKey = key
        throw problem
      }
      parser.skipWhitespace()
      guard parser.peek(UInt8(ascii: ":")) else {
        throw parser.error("expected ':' after the key '\(key)', found \(parser.describeNext())")
      }
      parser.index += 1
      parser.skipWhitespace()
      let value = try parser.parseValue(depth: depth)
      object.keys.append(key)
      object.values[key] = value
    }
    return .object(object)
  }

  mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    var elements: [JSONValue] = []
    try parseElements(depth: depth, closing: "]", in: "an array") { (parser: inout Self) throws(JSONSyntaxError) in
      elements.append(try parser.parseValue(depth: depth))
    }
    return .array(elements)
  }

  /// The elements of an object or an array, `depth` levels deep, from its opening bracket to `closing`:
  /// `element` parses each one (the separators, whitespace and closing bracket are read here).
  mutating func parseElements(
    depth: Int, closing: Unicode.Scalar, in container: String,
    _ element: (inout Self) throws(JSONSyntaxError) -> Void
  ) throws(JSONSyntaxError) {
    guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth) levels") }
    index += 1
    skipWhitespace()
    if peek(UInt8(closing.value)) {
      index += 1
      return
    }
    while true {
      skipWhitespace()
      try element(&self)
      skipWhitespace()
      if peek(UInt8(ascii: ",")) {
        index += 1
      } else if peek(UInt8(closing.value)) {
        index += 1
        return
      } else {
        throw error("expected ',' or '\(closing)' in \(container), found \(describeNext())")
      }
    }
  }

  mutating func parseString() throws(JSONSyntaxError) -> String {
    let start = index
    index += 1  // the opening quote
    var utf8: [UInt8] = []
    while true {
      guard index < bytes.count else { throw error("unterminated string", at: start) }
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        guard let string = String(validating: utf8, as: UTF8.self) else {
          throw error("the string is not valid UTF-8", at: start)
        }
        return string
      case UInt8(ascii: "\\"):
        index += 1
        guard index < bytes.count else { throw error("unterminated string", at: start) }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): utf8 += try parseUnicodeEscape()
        default:
          let shown =
            (0x21..<0x7F).contains(escape)
            ? "'\\\(Character(Unicode.Scalar(escape)))'" : "\\ followed by \(describe(escape))"
          throw error("invalid escape \(shown) in a string", at: index - 2)
        }
      case 0x00..<0x20:
        throw error("unescaped control character \(describe(byte)) in a string")
      default:
        utf8.append(byte)
        index += 1
      }
    }
  }

  /// The UTF-8 bytes of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
  mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
    let escapeStart = index - 2
    let first = try hexQuad()
    var scalarValue = first
    if (0xD800..<0xDC00).contains(first) {
      guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
        throw error("a high surrogate \\u\(String(first, radix: 16)) without its low surrogate", at: escapeStart)
      }
      index += 2
      let second = try hexQuad()
      guard (0xDC00..<0xE000).contains(second) else {
        throw error("a high surrogate \\u\(String(first, radix: 16)) without its low surrogate", at: escapeStart)
      }
      scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
    }
    guard let scalar = Unicode.Scalar(scalarValue) else {
      throw error("\\u\(String(first, radix: 16)) is a lone surrogate, not a character", at: escapeStart)
    }
    return Array(String(Character(scalar)).utf8)
  }

  mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("a \\u escape needs four hexadecimal digits") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let digit = hexDigit(bytes[index]) else {
        throw error("a \\u escape needs four hexadecimal digits, found \(describe(bytes[index]))")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }

  func hexDigit(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
  }

  mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
    let start = index
    if peek(UInt8(ascii: "-")) { index += 1 }
    guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number needs a digit after '-'", at: start) }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if index < bytes.count, isDigit(bytes[index]) { throw error("a number cannot have a leading zero", at: start) }
    } else {
      skipDigits()
    }
    if peek(UInt8(ascii: ".")) {
      index += 1
      guard index < bytes.count, isDigit(bytes[index]) else {
        throw error("a number needs digits after '.'", at: start)
      }
      skipDigits()
    }
    if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
      index += 1
      if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
      guard index < bytes.count, isDigit(bytes[index]) else {
        throw error("a number needs digits in its exponent", at: start)
      }
      skipDigits()
    }
    return .number(String(decoding: bytes[start..<index], as: UTF8.self))
  }

  mutating func parseWord(_ word: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
    let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
    guard bytes.count - index >= expected.count, bytes[index..<(index + expected.count)].elementsEqual(expected) else {
      throw error("unexpected \(describe(bytes[index])) where a value was expected (did you mean \(word)?)")
    }
    index += expected.count
    return value
  }

  func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

  mutating func skipDigits() {
    while index < bytes.count, isDigit(bytes[index]) { index += 1 }
  }

  mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
      default: return
      }
    }
  }

  func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

  func describeNext() -> String { index < bytes.count ? describe(bytes[index]) : "the end of the text" }

  func describe(_ byte: UInt8) -> String {
    (0x21..<0x7F).contains(byte)
      ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
  }

  func error(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
    let offset = min(offset ?? index, bytes.count)
    var line = 1
    var lineStart = 0
    for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
      line += 1
      lineStart = i + 1
    }
    return JSONSyntaxError(offset: offset, line: line, column: offset - lineStart + 1, reason: reason)
  }
}
