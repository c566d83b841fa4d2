import Foundation

/// Reads and writes the safetensors format, so weights move between ContinualKit and PyTorch.
///
/// A file is an 8-byte little-endian header length `N`, `N` bytes of JSON describing each tensor
/// (`dtype`, `shape`, `data_offsets` relative to the data section) plus optional string
/// `__metadata__`, then the raw little-endian data. ContinualKit writes `F32`; it reads `F32`, `F64`,
/// `F16` and `BF16` and converts them to `Float`.
///
/// ```swift
/// try SafeTensors.write(model.parameters, to: URL(fileURLWithPath: "mlp.safetensors"))
/// let loaded = try SafeTensors.read(from: URL(fileURLWithPath: "mlp.safetensors"))
/// let restored = try Model(architecture, parameters: loaded.tensors)
/// ```
///
/// Reading validates everything before trusting it: the header length against the file size, the
/// JSON structure (strictly: whole numbers only in shapes and offsets, each tensor named once, nesting
/// at most 8 deep), every dtype and shape, and that the data offsets tile the data section exactly.
/// Nothing is allocated for the tensors until the offsets have been checked against the file's size.
public enum SafeTensors {
  /// The largest header accepted (the format's own limit).
  public static let maximumHeaderSize = 100 * 1024 * 1024

  /// The contents of a safetensors file.
  public struct Contents: Sendable, Equatable {
    /// The tensors, in the order their data appears in the file.
    public var tensors: NamedTensors
    /// The file's string metadata.
    public var metadata: [String: String]
  }

  /// Encodes tensors (as `F32`) with optional metadata.
  ///
  /// - Throws: ``SafeTensorsError/invalidName(_:)`` for the reserved name `__metadata__`.
  public static func encode(_ tensors: NamedTensors, metadata: [String: String] = [:]) throws -> Data {
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for (name, tensor) in zip(tensors.names, tensors.tensors) {
      guard name != "__metadata__" else { throw SafeTensorsError.invalidName(name) }
      let bytes = tensor.count * 4
      entries.append(
        "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],"
          + "\"data_offsets\":[\(offset),\(offset + bytes)]}"
      )
      offset += bytes
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }  // pad with spaces to align the data
    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for tensor in tensors.tensors {
      tensor.withUnsafeBufferPointer { buffer in
        #if _endian(little)
          data.append(UnsafeBufferPointer(start: buffer.baseAddress, count: buffer.count))  // already little-endian F32
        #else
          for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
      }
    }
    return data
  }

  /// Writes tensors to a file atomically (a temporary file renamed into place).
  ///
  /// - Throws: ``SafeTensorsError`` or a file-system error naming the path.
  public static func write(_ tensors: NamedTensors, to url: URL, metadata: [String: String] = [:]) throws {
    let data = try encode(tensors, metadata: metadata)
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw SafeTensorsError.io(path: url.path, reason: error.localizedDescription)
    }
  }

  /// Reads a safetensors file.
  ///
  /// - Throws: ``SafeTensorsError`` naming the file and the problem.
  public static func read(from url: URL) throws -> Contents {
    let data: Data
    do {
      data = try RegularFile.read(url)
    } catch {
      throw SafeTensorsError.io(path: url.path, reason: error.reason)
    }
    do {
      return try decode(data)
    } catch let error as SafeTensorsError {
      throw SafeTensorsError.inFile(path: url.path, error)
    }
  }

  /// Decodes the bytes of a safetensors file.
  ///
  /// - Throws: ``SafeTensorsError`` describing the first problem found.
  public static func decode(_ data: Data) throws -> Contents {
    guard data.count >= 8 else {
      throw SafeTensorsError.truncated(reason: "the file has \(data.count) bytes, fewer than the 8-byte header length")
    }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * UInt64($1.offset))
    }
    guard headerLength <= UInt64(maximumHeaderSize) else {
      throw SafeTensorsError.invalidHeader(
        reason: "header length \(headerLength) exceeds the \(maximumHeaderSize)-byte limit")
    }
    guard headerLength <= UInt64(data.count - 8) else {
      throw SafeTensorsError.truncated(
        reason: "header length \(headerLength) runs past the end of the \(data.count)-byte file")
    }
    let headerStart = data.startIndex + 8, dataStart = headerStart + Int(headerLength)
    let json: JSONValue
    do {
      json = try JSONValue.parse([UInt8](data[headerStart..<dataStart]), maximumDepth: 8)
    } catch {
      if let name = error.duplicateKey {
        throw SafeTensorsError.invalidEntry(name: name, reason: "the name appears more than once in the header")
      }
      throw SafeTensorsError.invalidHeader(reason: "the header is not valid JSON (\(error))")
    }
    guard let object = json.object else {
      throw SafeTensorsError.invalidHeader(reason: "the header is not a JSON object but \(json.kind)")
    }
    var metadata: [String: String] = [:]
    var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
    for name in object.keys {
      let value = object.values[name]!
      if name == "__metadata__" {
        guard let dict = value.object else {
          throw SafeTensorsError.invalidHeader(reason: "__metadata__ is not an object but \(value.kind)")
        }
        for k in dict.keys {
          guard let s = dict.values[k]?.string else {
            throw SafeTensorsError.invalidHeader(
              reason: "__metadata__ value for '\(k)' is not a string but \(dict.values[k]!.kind)")
          }
          metadata[k] = s
        }
        continue
      }
      guard let info = value.object else {
        throw SafeTensorsError.invalidEntry(name: name, reason: "not an object but \(value.kind)")
      }
      guard let dtypeValue = info.values["dtype"] else {
        throw SafeTensorsError.invalidEntry(name: name, reason: "missing dtype")
      }
      guard let dtypeName = dtypeValue.string else {
        throw SafeTensorsError.invalidEntry(name: name, reason: "dtype is not a string but \(dtypeValue.kind)")
      }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw SafeTensorsError.unsupportedDType(name: name, dtype: dtypeName)
      }
      guard let shapeValues = info.values["shape"]?.array, let shape = integers(shapeValues),
        shape.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) })
      else {
        throw SafeTensorsError.invalidEntry(name: name, reason: "shape is not a list of non-negative integers")
      }
      guard let offsetValues = info.values["data_offsets"]?.array, let offsets = integers(offsetValues),
        offsets.count == 2,
        offsets[0] >= 0, offsets[0] <= offsets[1]
      else {
        throw SafeTensorsError.invalidEntry(
          name: name, reason: "data_offsets is not a pair [begin, end] with 0 ≤ begin ≤ end")
      }
      let (count, overflow) = shape.reduce((1, false)) { acc, d in
        let (p, o) = acc.0.multipliedReportingOverflow(by: d)
        return (p, acc.1 || o)
      }
      let (bytes, overflow2) = count.multipliedReportingOverflow(by: dtype.size)
      guard !overflow, !overflow2, bytes == offsets[1] - offsets[0] else {
        throw SafeTensorsError.invalidEntry(
          name: name,
          reason:
            "shape \(shape) of \(dtypeName) needs \(overflow || overflow2 ? "too many" : String(bytes)) bytes "
            + "but data_offsets span \(offsets[1] - offsets[0])"
        )
      }
      entries.append((name, dtype, shape, offsets[0], offsets[1]))
    }
    // The data section must be tiled exactly: no gaps, no overlaps, nothing beyond the end.
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var expected = 0
    for entry in entries {
      guard entry.begin == expected else {
        throw SafeTensorsError.invalidEntry(
          name: entry.name,
          reason: "data starts at byte \(entry.begin) but the previous tensor ends at \(expected) (gap or overlap)")
      }
      expected = entry.end
    }
    let available = data.count - 8 - Int(headerLength)
    guard expected == available else {
      throw expected > available
        ? SafeTensorsError.truncated(reason: "tensors need \(expected) data bytes but the file has \(available)")
        : SafeTensorsError.invalidHeader(reason: "the file has \(available - expected) bytes after the last tensor")
    }
    var tensors = NamedTensors()
    for entry in entries {
      let count = entry.shape.reduce(1, *)
      let tensor = Tensor(uninitializedShape: entry.shape)
      data.withUnsafeBytes { raw in
        let source = UnsafeRawBufferPointer(
          rebasing: raw[(8 + Int(headerLength) + entry.begin)..<(8 + Int(headerLength) + entry.end)])
        entry.dtype.convert(source, into: tensor.storage.base, count: count)
      }
      tensors[entry.name] = tensor
    }
    return Contents(tensors: tensors, metadata: metadata)
  }

  /// The values of whole-number literals, or `nil` if any element is not one (`1.0`, `true` and
  /// `"1"` are not).
  private static func integers(_ values: [JSONValue]) -> [Int]? {
    var result: [Int] = []
    for value in values {
      guard let integer = value.integer else { return nil }
      result.append(integer)
    }
    return result
  }

  /// A JSON string literal.
  private static func jsonString(_ s: String) -> String { JSONValue.string(s).text }

  /// The element types ContinualKit reads.
  enum DType: String {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"

    var size: Int {
      switch self {
      case .f32: 4
      case .f64: 8
      case .f16, .bf16: 2
      }
    }

    /// Converts little-endian elements to `Float`.
    func convert(_ source: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Float>, count: Int) {
      for i in 0..<count {
        switch self {
        case .f32:
          out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        case .f64:
          out[i] = Float(
            Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        case .bf16:
          out[i] = Float(
            bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16
          )
        case .f16:
          out[i] = DType.halfToFloat(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
      }
    }

    /// IEEE 754 binary16 to binary32, including subnormals, infinities and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
      let sign: Float = h & 0x8000 != 0 ? -1 : 1
      let exponent = Int((h >> 10) & 0x1F), mantissa = Float(h & 0x3FF)
      switch exponent {
      case 0: return sign * mantissa * 0x1p-24
      case 31: return mantissa == 0 ? sign * .infinity : .nan
      default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
      }
    }
  }
}

/// A problem reading or writing a safetensors file.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
  /// The file ends before the data its header describes.
  case truncated(reason: String)
  /// The header is not a valid safetensors header.
  case invalidHeader(reason: String)
  /// One tensor's entry is malformed.
  case invalidEntry(name: String, reason: String)
  /// A tensor's element type is not one ContinualKit reads.
  case unsupportedDType(name: String, dtype: String)
  /// A tensor name that cannot be written.
  case invalidName(String)
  /// The file could not be read or written.
  case io(path: String, reason: String)
  /// A problem in a particular file.
  indirect case inFile(path: String, SafeTensorsError)

  /// A message naming the file, the tensor and the problem.
  public var description: String {
    switch self {
    case .truncated(let reason): "truncated safetensors data: \(reason)"
    case .invalidHeader(let reason): "invalid safetensors header: \(reason)"
    case .invalidEntry(let name, let reason): "invalid safetensors entry '\(name)': \(reason)"
    case .unsupportedDType(let name, let dtype): "tensor '\(name)' has dtype \(dtype); supported: F32, F64, F16, BF16"
    case .invalidName(let name): "the tensor name '\(name)' is reserved"
    case .io(let path, let reason): "\(path): \(reason)"
    case .inFile(let path, let error): "\(path): \(error)"
    }
  }
}
