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
        scenario == "domain" ? [0, layout.classCounts[task]] : [layout.offset(task), layout.offset(task) + layout.classCounts[task]]
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

  /// Reads a model folder into a model of `architecture`, checking every tensor's name and shape.
  ///
  /// - Parameters:
  ///   - folder: A folder ``write(_:description:to:)`` wrote.
  ///   - architecture: The network to load into, built as the run built it (for the command
  ///     line's networks: `Network.named(…).architecture(input:outputs:statisticsPerTask:)`).
  /// - Returns: The model and its description.
  /// - Throws: ``Failure`` naming the file and the tensor that is missing, extra or misshapen.
  public static func read(from folder: URL, architecture: Sequential) throws -> (model: Model, description: Description) {
    let json = folder.appendingPathComponent(descriptionFile), weights = folder.appendingPathComponent(weightsFile)
    let description: Description
    do {
      description = try JSONDecoder().decode(Description.self, from: Data(contentsOf: json))
    } catch {
      throw Failure(description: "\(json.path): not a model description: \(error)")
    }
    guard description.format == 1 else { throw Failure(description: "\(json.path): format \(description.format) is not supported (1 is)") }
    let contents: SafeTensors.Contents
    do {
      contents = try SafeTensors.read(from: weights)
    } catch {
      throw Failure(description: "\(weights.path): \(error)")
    }
    func tensors(_ specs: [(name: String, shape: [Int])]) throws -> NamedTensors {
      try NamedTensors(
        names: specs.map(\.name),
        tensors: try specs.map { spec in
          guard let tensor = contents.tensors[spec.name] else { throw Failure(description: "\(weights.path): no tensor '\(spec.name)'") }
          guard tensor.shape == spec.shape else {
            throw Failure(description: "\(weights.path): '\(spec.name)' has shape \(tensor.shape); the network needs \(spec.shape)")
          }
          return tensor
        })
    }
    let parameters = try tensors(architecture.parameterSpecs.map { ($0.name, $0.shape) })
    let state = try tensors(architecture.stateSpecs.map { ($0.name, $0.shape) })
    guard contents.tensors.names.count == parameters.names.count + state.names.count else {
      let extra = Set(contents.tensors.names).subtracting(parameters.names + state.names).sorted()
      throw Failure(description: "\(weights.path): tensors the network does not have: \(extra.joined(separator: ", "))")
    }
    do {
      return (try Model(architecture, parameters: parameters, state: state), description)
    } catch {
      throw Failure(description: "\(weights.path): \(error)")
    }
  }
}
