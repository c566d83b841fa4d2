/// Building and writing JSON values (checkpoint manifests are written this way and read back with
/// the same strict parser).
extension JSONValue {
  /// A number from a finite `Double`, written with the shortest text that reads back to the same
  /// value; `nil` for NaN and infinities, which JSON cannot hold.
  package static func number(_ value: Double) -> JSONValue? {
    guard value.isFinite else { return nil }
    if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
    return .number("\(value)")
  }

  /// A whole number.
  package static func number(_ value: Int) -> JSONValue { .number(String(value)) }

  /// An object with these members, in this order.
  package static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
    var object = JSONObject()
    for (key, value) in members { object[key] = value }
    return .object(object)
  }

  /// The value as compact JSON text.
  package var text: String {
    var out = ""
    write(to: &out)
    return out
  }

  private func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let literal): out += literal
    case .string(let s): JSONValue.writeString(s, to: &out)
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(to: &out)
      }
      out += "]"
    case .object(let object):
      out += "{"
      for (i, key) in object.keys.enumerated() {
        if i > 0 { out += "," }
        JSONValue.writeString(key, to: &out)
        out += ":"
        object.values[key]!.write(to: &out)
      }
      out += "}"
    }
  }

  /// The characters JSON escapes with a backslash; other control characters become `\uXXXX`.
  private static let escapes: [Unicode.Scalar: String] = [
    "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
  ]

  private static func writeString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      if let escape = escapes[scalar] {
        out += escape
      } else if scalar.value < 0x20 {
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}

extension JSONObject {
  /// The member named `key`; setting a new key appends it, keeping insertion order.
  package subscript(key: String) -> JSONValue? {
    get { values[key] }
    set {
      if values[key] == nil, newValue != nil { keys.append(key) }
      if newValue == nil { keys.removeAll { $0 == key } }
      values[key] = newValue
    }
  }
}
