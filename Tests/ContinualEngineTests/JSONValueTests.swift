import Testing

@testable import ContinualEngine

/// The strict JSON parser behind safetensors headers and experiment files.
@Suite struct JSONValueTests {
  static func parse(_ text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONSyntaxError)
    -> JSONValue
  {
    try JSONValue.parse(Array(text.utf8), maximumDepth: maximumDepth)
  }

  @Test func parsesEveryKindOfValueKeepingKeyOrder() throws {
    let value = try Self.parse(
      #" {"b": [1, -2.5e3, true, false, null], "a": {"s": "x\"y\\z\/\n\t\u00e9\ud83d\ude00"}, "": 0} "#)
    #expect(value.object?.keys == ["b", "a", ""])
    #expect(value["b"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
    #expect(value["a"]?["s"]?.string == "x\"y\\z/\n\té😀")
    #expect(value[""]?.integer == 0)
    #expect(try Self.parse("\u{FEFF}[]") == .array([]))  // a UTF-8 byte-order mark is skipped
  }

  @Test(
    arguments: [
      ("0", 0, 0.0), ("-0", 0, -0.0), ("42", 42, 42), ("9223372036854775807", Int.max, 9_223_372_036_854_775_807),
      ("1.0", nil, 1), ("1e2", nil, 100), ("99999999999999999999", nil, 1e20), ("1e400", nil, nil),
    ] as [(String, Int?, Double?)])
  func numbersKeepTheirLiteral(literal: String, integer: Int?, double: Double?) throws {
    let value = try Self.parse(literal)
    #expect(value == .number(literal))
    #expect(value.integer == integer)
    #expect(value.double == double)
  }

  @Test(arguments: [
    ("01", "line 1, column 1: a number cannot have a leading zero"),
    ("1.", "a number needs digits after '.'"),
    (".5", "unexpected '.' where a value was expected"),
    ("-", "a number needs a digit after '-'"),
    ("+1", "unexpected '+' where a value was expected"),
    ("1e", "a number needs digits in its exponent"),
    ("NaN", "unexpected 'N' where a value was expected"),
    ("Infinity", "unexpected 'I' where a value was expected"),
    ("tru", "did you mean true?"),
    ("[1,]", "line 1, column 4: unexpected ']' where a value was expected"),
    ("[1 2]", "expected ',' or ']' in an array, found '2'"),
    (#"{"a" 1}"#, "expected ':' after the key 'a', found '1'"),
    (#"{"a":1,"a":2}"#, "line 1, column 8: duplicate key 'a'"),
    (#"{a:1}"#, "expected a string key in an object, found 'a'"),
    ("\"abc", "unterminated string"),
    ("\"a\tb\"", "unescaped control character byte 0x9 in a string"),
    (#""\x""#, #"invalid escape '\x' in a string"#),
    (#""\u12""#, "a \\u escape needs four hexadecimal digits"),
    (#""\ud83d""#, "a high surrogate \\ud83d without its low surrogate"),
    (#""\ude00""#, "\\ude00 is a lone surrogate, not a character"),
    ("{} {}", "line 1, column 4: unexpected '{' after the end of the JSON value"),
    ("", "the text ends where a value was expected"),
    ("[\n\n  1,\n  x]", "line 4, column 3: unexpected 'x' where a value was expected"),
  ])
  func malformedTextNamesLineColumnAndReason(text: String, message: String) {
    let error = #expect(throws: JSONSyntaxError.self, "\(text)") { try Self.parse(text) }
    #expect(error?.description.contains(message) == true, "\(text): \(error?.description ?? "no error")")
  }

  @Test func duplicateKeysAreReportedWithTheKey() {
    let error = #expect(throws: JSONSyntaxError.self) { try Self.parse(#"{"x":{"k":1,"k":1}}"#) }
    #expect(error?.duplicateKey == "k")
  }

  @Test func invalidUTF8InAStringIsRejected() {
    let error = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    #expect(error?.reason == "the string is not valid UTF-8")
  }

  @Test func nestingIsLimitedWithoutRecursingFurther() throws {
    let eight = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
    #expect(try Self.parse(eight, maximumDepth: 8).array?.count == 1)
    let nine = "[" + eight + "]"
    let error = #expect(throws: JSONSyntaxError.self) { try Self.parse(nine, maximumDepth: 8) }
    #expect(error == JSONSyntaxError(offset: 8, line: 1, column: 9, reason: "nesting deeper than 8 levels"))
    // A million open brackets stop at the limit: no stack overflow.
    #expect(throws: JSONSyntaxError.self) { try Self.parse(String(repeating: "[", count: 1_000_000)) }
  }
}
