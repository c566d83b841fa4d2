import ContinualData
import ContinualEngine
import Foundation

/// The on-disk form: the tensors in one safetensors file, everything else in a JSON manifest that
/// names that file with its size and CRC-32 and ends with its own CRC-32 (`manifest_crc32`, over
/// every byte before the number). Reading trusts nothing: the manifest's checksum is verified,
/// it is parsed by the strict parser, every field is checked for type, range and consistency, the tensor file must
/// have exactly the size and checksum the manifest says and exactly the tensors it lists, and every
/// tensor must be finite.
extension TrainingCheckpoint {
  /// The manifest's `format` value.
  public static let format = "continualkit-checkpoint"
  /// The manifest version this build writes and reads (2: with `manifest_crc32`; a version-1
  /// checkpoint is refused, so its run restarts).
  public static let version = 2
  /// The text that introduces the manifest's own checksum, its last member.
  static let checksumMarker = #","manifest_crc32":"#
  /// The largest manifest accepted, in bytes.
  public static let maximumManifestSize = 64 << 20

  /// The safetensors bytes of every tensor of the checkpoint.
  ///
  /// - Throws: `SafeTensorsError` when a tensor cannot be encoded.
  public func tensorFile() throws -> Data {
    try SafeTensors.encode(allTensors())
  }

  /// The manifest text for a tensor file named `tensorFileName` holding `tensorData`.
  public func manifest(tensorFileName: String, tensorData: Data) -> String {
    var root = JSONObject()
    root["format"] = .string(Self.format)
    root["version"] = .number(Self.version)
    root["identity"] = .string(identity)
    root["completed_tasks"] = .number(completedTasks)
    root["task_count"] = .number(taskCount)
    root["elapsed_seconds"] = JSONValue.number(elapsedSeconds) ?? .number(0)
    root["tensor_file"] = .string(tensorFileName)
    root["tensor_bytes"] = .number(tensorData.count)
    root["tensor_crc32"] = .number(Int(Checksum.crc32(tensorData)))
    var generatorObject = JSONObject()
    for role in Self.generatorRoles {
      generatorObject[role] = .array((generators[role]?.state ?? []).map { .string(String($0, radix: 16)) })
    }
    root["generators"] = .object(generatorObject)
    root["accuracy_matrix"] = .array(accuracyMatrix.map { .array($0.map { JSONValue.number($0) ?? .null }) })
    if !validationMatrix.isEmpty {
      root["validation_accuracy_matrix"] = .array(
        validationMatrix.map { .array($0.map { JSONValue.number($0) ?? .null }) })
    }
    root["initial_accuracies"] = .array(initialAccuracies.map { JSONValue.number($0) ?? .null })
    root["loss_terms"] = .array(
      lossTerms.map { terms in
        var o = JSONObject()
        for key in terms.keys.sorted() { o[key] = JSONValue.number(terms[key]!) ?? .null }
        return .object(o)
      })
    root["model"] = .array(parameters.names.map { .string($0) })
    if modelState.count > 0 { root["model_state"] = .array(modelState.names.map { .string($0) }) }
    root["optimiser"] = .object([
      "step": .number(optimiser.step), "buffers": .array(optimiser.buffers.names.map { .string($0) }),
    ])
    root["components"] = .array(
      components.map { c in
        var numbers = JSONObject()
        for key in c.state.numbers.keys.sorted() {
          numbers[key] = .array(c.state.numbers[key]!.map { JSONValue.number($0) ?? .null })
        }
        return .object([
          "role": .string(c.role), "name": .string(c.name),
          "tensors": .array(c.state.tensors.names.map { .string($0) }),
          "numbers": .object(numbers),
        ])
      })
    return Self.sealed(JSONValue.object(root).text)
  }

  /// A compact JSON object's text with its CRC-32 appended as a last member, `manifest_crc32`,
  /// computed over every byte before the number, and a final newline.
  ///
  /// - Parameter object: Compact JSON text of an object (ending in `}`), without the checksum.
  /// - Returns: The manifest text to write.
  public static func sealed(_ object: String) -> String {
    let prefix = String(object.dropLast()) + (object == "{}" ? String(checksumMarker.dropFirst()) : checksumMarker)
    return prefix + String(Checksum.crc32(Data(prefix.utf8))) + "}\n"
  }

  /// Checks the manifest's own checksum: it must end with `,"manifest_crc32":<digits>}` (and an
  /// optional newline) whose number is the CRC-32 of every byte before it.
  private static func verifySeal(_ manifest: Data, reader: ManifestReader) throws {
    var bytes = [UInt8](manifest)
    if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
    let marker = Array(checksumMarker.utf8)
    guard bytes.last == UInt8(ascii: "}"), let start = lastOccurrence(of: marker, in: bytes) else {
      throw reader.corrupt("it does not end with its checksum ('manifest_crc32')")
    }
    let digits = bytes[(start + marker.count)..<(bytes.count - 1)]
    guard (1...10).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }),
      let stored = UInt64(String(decoding: digits, as: UTF8.self))
    else { throw reader.corrupt("its checksum ('manifest_crc32') is not a whole number") }
    guard UInt64(Checksum.crc32(Data(bytes[..<(start + marker.count)]))) == stored else {
      throw reader.corrupt("its CRC-32 differs from its 'manifest_crc32': the file was changed after it was written")
    }
  }

  /// The position of the last occurrence of `needle` in `haystack`.
  private static func lastOccurrence(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    var i = haystack.count - needle.count
    while i >= 0 {
      if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
      i -= 1
    }
    return nil
  }

  /// Every tensor under its file name: `model/…`, `optimiser/…`, `component.<k>/…`.
  func allTensors() throws -> NamedTensors {
    var names: [String] = [], tensors: [Tensor] = []
    func add(_ prefix: String, _ values: NamedTensors) {
      names += values.names.map { "\(prefix)/\($0)" }
      tensors += values.tensors
    }
    add("model", parameters)
    add("model_state", modelState)
    add("optimiser", optimiser.buffers)
    for (k, c) in components.enumerated() { add("component.\(k)", c.state.tensors) }
    return try NamedTensors(names: names, tensors: tensors)
  }

  /// Reads and validates a checkpoint.
  ///
  /// - Parameters:
  ///   - manifest: The manifest's bytes.
  ///   - manifestPath: Its path, for messages.
  ///   - tensorData: Returns the bytes of the tensor file the manifest names (a plain file name,
  ///     checked before it is called).
  /// - Returns: The checkpoint.
  /// - Throws: ``CheckpointError/corrupt(file:reason:)`` naming the file and the first problem.
  public static func decode(manifest: Data, manifestPath: String, tensorData: (String) throws -> Data) throws
    -> TrainingCheckpoint
  {
    var reader = ManifestReader(file: manifestPath)
    guard manifest.count <= maximumManifestSize else {
      throw reader.corrupt("\(manifest.count) bytes exceeds the \(maximumManifestSize)-byte limit")
    }
    let root: JSONObject
    do {
      guard let object = try JSONValue.parse(Array(manifest)).object else {
        throw reader.corrupt("the manifest is not a JSON object")
      }
      root = object
    } catch let error as JSONSyntaxError {
      throw reader.corrupt("invalid JSON at \(error)")
    }
    reader.root = root
    guard try reader.string("format") == format else { throw reader.corrupt("'format' is not \"\(format)\"") }
    let fileVersion = try reader.integer("version", in: 0...Int.max)
    guard fileVersion == version else {
      throw reader.corrupt("version \(fileVersion) is not the supported version \(version)")
    }
    try verifySeal(manifest, reader: reader)
    let taskCount = try reader.integer("task_count", in: 1...1_000_000)
    let completed = try reader.integer("completed_tasks", in: 1...taskCount)
    let elapsed = try reader.number("elapsed_seconds", in: 0...1e12)

    let tensorName = try reader.string("tensor_file")
    guard !tensorName.isEmpty, tensorName.count <= 255, !tensorName.contains("/"), !tensorName.hasPrefix("."),
      tensorName.hasSuffix(".safetensors")
    else { throw reader.corrupt("'tensor_file' \"\(tensorName)\" is not a plain .safetensors file name") }
    let bytes = try reader.integer("tensor_bytes", in: 8...Int.max)
    let crc = try reader.integer("tensor_crc32", in: 0...Int(UInt32.max))
    let data = try tensorData(tensorName)
    guard data.count == bytes else {
      throw CheckpointError.corrupt(file: tensorName, reason: "it has \(data.count) bytes, the manifest says \(bytes)")
    }
    guard Int(Checksum.crc32(data)) == crc else {
      throw CheckpointError.corrupt(file: tensorName, reason: "its CRC-32 differs from the manifest's")
    }
    let contents: SafeTensors.Contents
    do { contents = try SafeTensors.decode(data) } catch {
      throw CheckpointError.corrupt(file: tensorName, reason: "\(error)")
    }
    var stored: [String: Tensor] = [:]
    for (name, tensor) in zip(contents.tensors.names, contents.tensors.tensors) {
      guard tensor.isFinite else {
        throw CheckpointError.corrupt(file: tensorName, reason: "tensor '\(name)' holds a NaN or infinity")
      }
      stored[name] = tensor
    }
    var used = 0
    func group(_ prefix: String, _ names: [String]) throws -> NamedTensors {
      let tensors = try names.map { name in
        guard let t = stored["\(prefix)/\(name)"] else {
          throw CheckpointError.corrupt(
            file: tensorName, reason: "tensor '\(prefix)/\(name)' listed in the manifest is missing")
        }
        return t
      }
      used += tensors.count
      do { return try NamedTensors(names: names, tensors: tensors) } catch {
        throw reader.corrupt("'\(prefix)' lists a tensor twice")
      }
    }

    var generators: [String: SeededGenerator] = [:]
    let generatorObject = try reader.object("generators")
    for role in generatorRoles {
      guard let words = generatorObject[role]?.array, words.count == 4 else {
        throw reader.corrupt("generator '\(role)' is not four words")
      }
      let state = try words.map { w -> UInt64 in
        guard let s = w.string, s.count <= 16, let v = UInt64(s, radix: 16) else {
          throw reader.corrupt("generator '\(role)' holds a word that is not hexadecimal")
        }
        return v
      }
      do { generators[role] = try SeededGenerator(state: state) } catch {
        throw reader.corrupt("generator '\(role)' is all zeros")
      }
    }
    guard generatorObject.keys.count == generatorRoles.count else {
      throw reader.corrupt("'generators' has roles other than \(generatorRoles)")
    }

    let matrix = try reader.array("accuracy_matrix").map {
      try reader.fractions($0, count: taskCount, field: "accuracy_matrix")
    }
    guard matrix.count == completed else {
      throw reader.corrupt("'accuracy_matrix' has \(matrix.count) rows for \(completed) completed tasks")
    }
    // Runs that hold out no validation data (and checkpoints from before validation) have none.
    let validation =
      root["validation_accuracy_matrix"] == nil
      ? []
      : try reader.array("validation_accuracy_matrix").map {
        try reader.fractions($0, count: taskCount, field: "validation_accuracy_matrix")
      }
    guard validation.isEmpty || validation.count == completed else {
      throw reader.corrupt("'validation_accuracy_matrix' has \(validation.count) rows for \(completed) completed tasks")
    }
    guard let initialValue = root["initial_accuracies"] else { throw reader.corrupt("'initial_accuracies' is missing") }
    let initial = try reader.fractions(initialValue, count: taskCount, field: "initial_accuracies")
    let lossTerms = try reader.array("loss_terms").map { value -> [String: Double] in
      guard let o = value.object else { throw reader.corrupt("'loss_terms' holds \(value.kind), not an object") }
      return try Dictionary(
        uniqueKeysWithValues: o.keys.map { key in
          guard let v = o.values[key]?.double else { throw reader.corrupt("loss term '\(key)' is not a finite number") }
          return (key, v)
        })
    }
    guard lossTerms.count == completed else {
      throw reader.corrupt("'loss_terms' has \(lossTerms.count) entries for \(completed) completed tasks")
    }

    let parameters = try group("model", reader.strings(reader.array("model"), field: "model"))
    // Checkpoints written before networks had state have no "model_state".
    let modelState =
      root["model_state"] == nil
      ? NamedTensors() : try group("model_state", reader.strings(reader.array("model_state"), field: "model_state"))
    let optimiserObject = try reader.object("optimiser")
    guard let step = optimiserObject["step"]?.integer, step >= 0 else {
      throw reader.corrupt("'optimiser.step' is not a non-negative whole number")
    }
    guard let bufferNames = optimiserObject["buffers"] else { throw reader.corrupt("'optimiser.buffers' is missing") }
    let buffers = try group("optimiser", reader.strings(bufferNames, field: "optimiser.buffers"))

    var components: [Component] = []
    for (k, value) in try reader.array("components").enumerated() {
      guard let o = value.object, let role = o["role"]?.string, let name = o["name"]?.string, let names = o["tensors"],
        let numbers = o["numbers"]?.object
      else { throw reader.corrupt("component \(k) lacks a role, name, tensors or numbers") }
      guard ["regulariser", "memory"].contains(role), !name.isEmpty, name.count <= 200 else {
        throw reader.corrupt("component \(k) has role \"\(role)\" and name \"\(name)\"")
      }
      var state = CheckpointState(
        tensors: try group("component.\(k)", reader.strings(names, field: "components[\(k)].tensors")))
      for key in numbers.keys {
        guard let list = numbers.values[key]?.array else {
          throw reader.corrupt("component \(k) number list '\(key)' is not an array")
        }
        state.numbers[key] = try list.map { v in
          guard let d = v.double else {
            throw reader.corrupt("component \(k) number list '\(key)' holds \(v.kind) that is not a finite number")
          }
          return d
        }
      }
      components.append(Component(role: role, name: name, state: state))
    }
    guard used == stored.count else {
      throw CheckpointError.corrupt(
        file: tensorName, reason: "it holds \(stored.count - used) tensors the manifest does not list")
    }
    var checkpoint = TrainingCheckpoint(
      identity: try reader.string("identity"), completedTasks: completed, taskCount: taskCount, parameters: parameters,
      optimiser: OptimiserState(step: step, buffers: buffers), generators: generators, components: components,
      accuracyMatrix: matrix,
      initialAccuracies: initial, lossTerms: lossTerms, elapsedSeconds: elapsed, modelState: modelState)
    checkpoint.validationMatrix = validation
    return checkpoint
  }
}

/// Typed, checked access to a manifest's fields, every failure naming the file.
private struct ManifestReader {
  let file: String
  var root = JSONObject()

  func corrupt(_ reason: String) -> CheckpointError { .corrupt(file: file, reason: reason) }

  func field(_ key: String) throws -> JSONValue {
    guard let v = root[key] else { throw corrupt("'\(key)' is missing") }
    return v
  }

  func string(_ key: String) throws -> String {
    let v = try field(key)
    guard let s = v.string else { throw corrupt("'\(key)' is \(v.kind), not a string") }
    return s
  }

  func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int {
    let v = try field(key)
    guard let i = v.integer, range.contains(i) else { throw corrupt("'\(key)' is not a whole number in \(range)") }
    return i
  }

  func number(_ key: String, in range: ClosedRange<Double>) throws -> Double {
    let v = try field(key)
    guard let d = v.double, range.contains(d) else { throw corrupt("'\(key)' is not a number in \(range)") }
    return d
  }

  func object(_ key: String) throws -> JSONObject {
    let v = try field(key)
    guard let o = v.object else { throw corrupt("'\(key)' is \(v.kind), not an object") }
    return o
  }

  func array(_ key: String) throws -> [JSONValue] {
    let v = try field(key)
    guard let a = v.array else { throw corrupt("'\(key)' is \(v.kind), not an array") }
    return a
  }

  func strings(_ value: JSONValue, field: String) throws -> [String] {
    guard let a = value.array else { throw corrupt("'\(field)' is \(value.kind), not an array") }
    return try a.map { v in
      guard let s = v.string, !s.isEmpty, s.count <= 1000 else {
        throw corrupt("'\(field)' holds an entry that is not a tensor name")
      }
      return s
    }
  }

  func strings(_ values: [JSONValue], field: String) throws -> [String] { try strings(.array(values), field: field) }

  /// `count` accuracies in [0, 1].
  func fractions(_ value: JSONValue, count: Int, field: String) throws -> [Double] {
    guard let a = value.array, a.count == count else { throw corrupt("'\(field)' does not hold \(count) accuracies") }
    return try a.map { v in
      guard let d = v.double, (0...1).contains(d) else {
        throw corrupt("'\(field)' holds a value that is not an accuracy in [0, 1]")
      }
      return d
    }
  }
}
