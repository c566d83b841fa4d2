import ContinualEngine
import Foundation

/// A trained model kept after its run: `model.safetensors` (every parameter and every state tensor,
/// such as BatchNorm's running statistics, under PyTorch's `nn.Sequential` names) and `model.json`
/// (what the network is, how its outputs map to tasks, and which run made it).
///
/// ```swift
/// try SavedModel.write(result.model, description: description, to: folder)
/// let (model, description) = try SavedModel.read(from: folder, architecture: architecture)
/// ```
///
/// The layout is PyTorch's: a `Linear`'s weight is `[out, in]`, a `Conv2d`'s `[out, in, kh, kw]`,
/// row-major `F32`, so `torch.nn.Sequential(...).load_state_dict(safetensors.torch.load_file(...))`
/// loads an equivalent network (Docs/SavedModels.md).
public enum SavedModel {
  /// The name of the weights file in a model folder.
  public static let weightsFile = "model.safetensors"
  /// The name of the description file in a model folder.
  public static let descriptionFile = "model.json"

  /// One tensor of the weights file.
  public struct TensorEntry: Codable, Equatable, Sendable {
    /// Its name, `"<layer index>.<name>"`.
    public var name: String
    /// Its shape.
    public var shape: [Int]
    /// `parameter` (trained by the optimiser) or `state` (kept by the forward pass, such as running statistics).
    public var kind: String

    /// Creates an entry.
    public init(name: String, shape: [Int], kind: String) {
      self.name = name
      self.shape = shape
      self.kind = kind
    }
  }

  /// How the network's outputs map to tasks.
  public struct HeadDescription: Codable, Equatable, Sendable {
    /// `task` (each task reads its own slice of the outputs and the task is given), `domain` (every
    /// task reads all outputs) or `class` (the classes of every task seen so far compete).
    public var scenario: String
    /// The outputs of each task, `[start, end)` into the network's output, in task order.
    public var taskOutputs: [[Int]]

    /// Creates a head description.
    public init(scenario: String, taskOutputs: [[Int]]) {
      self.scenario = scenario
      self.taskOutputs = taskOutputs
    }

    /// The description of a scenario's standard head over a task layout.
    ///
    /// - Parameters:
    ///   - scenario: `task`, `domain` or `class`.
    ///   - layout: The classes of each task.
    public init(scenario: String, layout: TaskLayout) {
      self.scenario = scenario
      taskOutputs = (0..<layout.taskCount).map { task in
        scenario == "domain"
          ? [0, layout.classCounts[task]] : [layout.offset(task), layout.offset(task) + layout.classCounts[task]]
      }
    }

    enum CodingKeys: String, CodingKey {
      case scenario, taskOutputs = "task_outputs"
    }
  }

  /// What `model.json` says.
  public struct Description: Codable, Equatable, Sendable {
    /// The format's version.
    public var format: Int
    /// The network as the command line names it (`mlp 784-256-256-10`, `resnet32`), or the
    /// algorithm's own network (`hnet …`) that only the algorithm can rebuild.
    public var network: String
    /// The shape of one input sample (`[1, 28, 28]`, `[3, 32, 32]`).
    public var inputShape: [Int]
    /// The network's outputs.
    public var outputCount: Int
    /// How the outputs map to tasks.
    public var head: HeadDescription
    /// Every tensor of the weights file, parameters first.
    public var tensors: [TensorEntry]
    /// The run that made it: `run_id`, `algorithm`, `benchmark`, `scenario`, `seed` and any facts
    /// the inputs need (CIFAR's normalisation).
    public var run: [String: String]

    /// Creates a description; ``tensors`` are read off the model when it is written.
    public init(network: String, inputShape: [Int], outputCount: Int, head: HeadDescription, run: [String: String]) {
      format = 1
      self.network = network
      self.inputShape = inputShape
      self.outputCount = outputCount
      self.head = head
      tensors = []
      self.run = run
    }

    enum CodingKeys: String, CodingKey {
      case format, network, inputShape = "input_shape", outputCount = "output_count", head, tensors, run
    }
  }

  /// A model folder that cannot be written or read, naming the file and the problem.
  public struct Failure: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with the file.
    public var description: String
  }

  /// Writes `model.safetensors` and `model.json` into `folder` (created if needed); each file is
  /// written whole or not at all.
  ///
  /// - Parameters:
  ///   - model: The trained model.
  ///   - description: What it is; its ``Description/tensors`` are filled in from the model.
  ///   - folder: The model's folder.
  /// - Throws: ``Failure`` naming the file that could not be written.
  public static func write(_ model: Model, description: Description, to folder: URL) throws {
    var description = description
    let parameters = model.parameters, state = model.state
    description.tensors =
      zip(parameters.names, parameters.tensors).map { TensorEntry(name: $0, shape: $1.shape, kind: "parameter") }
      + zip(state.names, state.tensors).map { TensorEntry(name: $0, shape: $1.shape, kind: "state") }
    let all = try NamedTensors(names: parameters.names + state.names, tensors: parameters.tensors + state.tensors)
    let weights = folder.appendingPathComponent(weightsFile), json = folder.appendingPathComponent(descriptionFile)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try SafeTensors.encode(all, metadata: ["format": "pt"]).write(to: weights, options: .atomic)
    } catch {
      throw Failure(description: "cannot write \(weights.path): \(error)")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
      try encoder.encode(description).write(to: json, options: .atomic)
    } catch {
      throw Failure(description: "cannot write \(json.path): \(error)")
    }
  }

  /// The largest `model.json` read: 16 MiB (a ResNet's is a few kilobytes).
  public static let maximumDescriptionSize = 1 << 24

  /// Reads a model folder into a model of `architecture`, checking every tensor's name and shape.
  ///
  /// Nothing in the folder is trusted: `model.json` is parsed strictly (a key named twice is an
  /// error) and checked (see ``decode(description:weights:descriptionSource:weightsSource:architecture:)``),
  /// and every tensor it lists must be in `model.safetensors` with the same shape, and the other
  /// way round, before the network's own names and shapes are checked.
  ///
  /// - Parameters:
  ///   - folder: A folder ``write(_:description:to:)`` wrote.
  ///   - architecture: The network to load into, built as the run built it (for the command
  ///     line's networks: `Network.named(…).architecture(input:outputs:statisticsPerTask:)`).
  /// - Returns: The model and its description.
  /// - Throws: ``Failure`` naming the file and the tensor or key that is missing, extra,
  ///   misshapen, not finite or inconsistent.
  public static func read(from folder: URL, architecture: Sequential) throws -> (model: Model, description: Description)
  {
    let json = folder.appendingPathComponent(descriptionFile), weights = folder.appendingPathComponent(weightsFile)
    let descriptionBytes: Data
    do {
      descriptionBytes = try RegularFile.read(json, limit: maximumDescriptionSize)
    } catch {
      throw Failure(description: "\(json.path): not a model description: \(error.reason)")
    }
    let contents: SafeTensors.Contents
    do {
      contents = try SafeTensors.read(from: weights)
    } catch {
      throw Failure(description: "\(weights.path): \(error)")
    }
    return try decode(
      description: descriptionBytes, weights: contents, descriptionSource: json.path, weightsSource: weights.path,
      architecture: architecture)
  }

  /// Checks a model's description and tensors against each other and against `architecture`, and
  /// builds the model: the work of ``read(from:architecture:)`` on bytes already in memory.
  ///
  /// The description must be strict JSON (no key twice, at most 8 levels deep) of format 1 with
  /// positive `input_shape` dimensions, a positive `output_count`, a `head.scenario` of `task`,
  /// `domain` or `class` whose `task_outputs` are `[start, end)` ranges inside the outputs, and
  /// `tensors` naming each tensor once with a kind of `parameter` or `state`. Those tensors must be
  /// exactly the weights file's, with the same shapes, and the network's, in its order; every value
  /// must be finite.
  ///
  /// ```swift
  /// let (model, description) = try SavedModel.decode(
  ///   description: jsonBytes, weights: try SafeTensors.decode(weightBytes),
  ///   descriptionSource: "model.json", weightsSource: "model.safetensors", architecture: network)
  /// ```
  ///
  /// - Parameters:
  ///   - description: The bytes of `model.json`.
  ///   - weights: The decoded `model.safetensors`.
  ///   - descriptionSource: How errors name `model.json` (usually its path).
  ///   - weightsSource: How errors name `model.safetensors`.
  ///   - architecture: The network to load into.
  /// - Returns: The model and its description.
  /// - Throws: ``Failure`` naming the file and the key or tensor at fault.
  public static func decode(
    description: Data, weights: SafeTensors.Contents, descriptionSource: String, weightsSource: String,
    architecture: Sequential
  ) throws -> (model: Model, description: Description) {
    let description = try checkedDescription(description, source: descriptionSource)
    var listed: [String: TensorEntry] = [:]
    for entry in description.tensors { listed[entry.name] = entry }
    for entry in description.tensors {
      guard let tensor = weights.tensors[entry.name] else {
        throw Failure(
          description: "\(descriptionSource): tensors lists '\(entry.name)', which \(weightsSource) does not hold")
      }
      guard tensor.shape == entry.shape else {
        throw Failure(
          description:
            "\(descriptionSource): '\(entry.name)' has shape \(entry.shape) there "
            + "but \(tensor.shape) in \(weightsSource)"
        )
      }
    }
    if let unlisted = weights.tensors.names.first(where: { listed[$0] == nil }) {
      throw Failure(description: "\(weightsSource): tensor '\(unlisted)' is not listed in \(descriptionSource)")
    }
    func tensors(_ specs: [(name: String, shape: [Int])], kind: String) throws -> NamedTensors {
      try NamedTensors(
        names: specs.map(\.name),
        tensors: try specs.map { spec in
          guard let tensor = weights.tensors[spec.name] else {
            throw Failure(description: "\(weightsSource): no tensor '\(spec.name)'")
          }
          guard tensor.shape == spec.shape else {
            throw Failure(
              description: "\(weightsSource): '\(spec.name)' has shape \(tensor.shape); the network needs \(spec.shape)"
            )
          }
          guard listed[spec.name]?.kind == kind else {
            throw Failure(
              description:
                "\(descriptionSource): '\(spec.name)' is listed as \(listed[spec.name]?.kind ?? "nothing"); "
                + "the network's is a \(kind)"
            )
          }
          if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
            throw Failure(
              description:
                "\(weightsSource): '\(spec.name)' holds \(tensor.scalars[bad]) at element \(bad); "
                + "a model's values are finite"
            )
          }
          return tensor
        })
    }
    let parameters = try tensors(architecture.parameterSpecs.map { ($0.name, $0.shape) }, kind: "parameter")
    let state = try tensors(architecture.stateSpecs.map { ($0.name, $0.shape) }, kind: "state")
    guard weights.tensors.names.count == parameters.names.count + state.names.count else {
      let extra = Set(weights.tensors.names).subtracting(parameters.names + state.names).sorted()
      throw Failure(
        description: "\(weightsSource): tensors the network does not have: \(extra.joined(separator: ", "))")
    }
    do {
      return (try Model(architecture, parameters: parameters, state: state), description)
    } catch {
      throw Failure(description: "\(weightsSource): \(error)")
    }
  }

  /// The description in `bytes`, parsed strictly and checked on its own.
  static func checkedDescription(_ bytes: Data, source json: String) throws -> Description {
    do {
      _ = try JSONValue.parse([UInt8](bytes), maximumDepth: 8)
    } catch {
      let key = error.duplicateKey.map { ": the key \"\($0)\" appears twice" } ?? ""
      throw Failure(description: "\(json): not a model description: invalid JSON at \(error)\(key)")
    }
    let description: Description
    do {
      description = try JSONDecoder().decode(Description.self, from: bytes)
    } catch {
      throw Failure(description: "\(json): not a model description: \(error)")
    }
    func refuse(_ key: String, _ problem: String) -> Failure { Failure(description: "\(json): '\(key)' \(problem)") }
    guard description.format == 1 else {
      throw Failure(description: "\(json): format \(description.format) is not supported (1 is)")
    }
    guard !description.inputShape.isEmpty, description.inputShape.allSatisfy({ $0 > 0 }) else {
      throw refuse("input_shape", "is \(description.inputShape); its dimensions must be positive")
    }
    guard description.outputCount > 0 else {
      throw refuse("output_count", "is \(description.outputCount); it must be positive")
    }
    guard ["task", "domain", "class"].contains(description.head.scenario) else {
      throw refuse("head.scenario", "is \"\(description.head.scenario)\"; expected task, domain or class")
    }
    for (t, range) in description.head.taskOutputs.enumerated() {
      guard range.count == 2, range[0] >= 0, range[0] < range[1], range[1] <= description.outputCount else {
        throw refuse(
          "head.task_outputs[\(t)]",
          "is \(range); expected [start, end) with 0 ≤ start < end ≤ \(description.outputCount)")
      }
    }
    var seen: Set<String> = []
    for (i, entry) in description.tensors.enumerated() {
      guard seen.insert(entry.name).inserted else { throw refuse("tensors[\(i)].name", "repeats '\(entry.name)'") }
      guard entry.kind == "parameter" || entry.kind == "state" else {
        throw refuse("tensors[\(i)].kind", "of '\(entry.name)' is \"\(entry.kind)\"; expected parameter or state")
      }
      guard entry.shape.allSatisfy({ $0 >= 0 }) else {
        throw refuse("tensors[\(i)].shape", "of '\(entry.name)' is \(entry.shape)")
      }
    }
    return description
  }
}
