/// The strict JSON parser behind safetensors headers, checkpoint manifests and experiment files,
/// reachable from outside the package for the coverage-guided fuzzers in `Tests/Fuzz` (a package of
/// their own, which cannot see the package-internal `JSONValue`).
///
/// It is `@_spi(Fuzzing)`, not API: import it with `@_spi(Fuzzing) import ContinualEngine`.
///
/// ```swift
/// let text = try StrictJSON.canonicalText(Array(#"{ "a" : [1, 2.0] }"#.utf8))   // {"a":[1,2.0]}
/// ```
@_spi(Fuzzing) public enum StrictJSON {
  /// The nesting limit the parser applies when none is given.
  public static var defaultMaximumDepth: Int { JSONValue.defaultMaximumDepth }

  /// Parses one JSON value filling `bytes`, as ContinualKit's readers do, and writes it back as
  /// compact text, as checkpoint manifests are written.
  ///
  /// Writing loses nothing the parser keeps (key order, each number's literal, every string), so
  /// parsing the result gives the same value: `canonicalText(Array(canonicalText(b).utf8))` equals
  /// `canonicalText(b)` for every `b` that parses.
  ///
  /// - Parameters:
  ///   - bytes: UTF-8 text.
  ///   - maximumDepth: The deepest nesting of arrays and objects accepted.
  /// - Returns: The value as compact JSON text.
  /// - Throws: The parser's syntax error, whose description starts with the line and column of the
  ///   first problem (`line 3, column 7: …`).
  /// - Complexity: O(*n*) time; recursion depth at most `maximumDepth`.
  public static func canonicalText(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws -> String {
    try JSONValue.parse(bytes, maximumDepth: maximumDepth).text
  }
}
