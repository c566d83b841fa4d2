import ContinualEngine

/// The networks of the continual-learning literature, by name, built for a sample shape and a
/// head's output count.
///
/// - `mlp`: `Flatten → (Linear → ReLU)* → Linear`; the MNIST experiments of every paper here.
/// - `zenke`: conv32-conv32-pool-dropout-conv64-conv64-pool-dropout-fc512-dropout; SI's split
///   CIFAR-10/100 (also HNet's).
/// - `resnet32`: 3 stages × 5 basic blocks, 16/32/64 channels, BatchNorm, global average pooling;
///   iCaRL, SS-IL and HNet on CIFAR.
/// - `resnet18`: the reduced ResNet-18, 4 stages × 2 blocks of width `w`, 2w, 4w, 8w (w = 20); GEM,
///   A-GEM and online CL.
///
/// ```swift
/// let net = try Network.named("resnet32").architecture(input: [3, 32, 32], outputs: 10)
/// net.parameterSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) }   // 464 154
/// ```
public enum Network: Sendable, Equatable, CustomStringConvertible {
  /// A fully connected network with these hidden widths and ReLUs between layers.
  case mlp(hidden: [Int])
  /// The 4-convolution network of SI's split CIFAR-10/100 experiments.
  case zenke
  /// The CIFAR ResNet-32 of He et al. (2016) with parameter-free ("option A") shortcuts.
  case resnet32
  /// The reduced ResNet-18 of GEM with base width `width` and projection shortcuts.
  case resnet18(width: Int)
  /// A network a package of yours defines, named by its definition.
  case defined(NetworkDefinition)

  /// Every network name, for `continual list` and messages.
  public static let names = ["mlp", "zenke", "resnet32", "resnet18"]

  /// The network with this name: `mlp` (with `hidden`), `zenke`, `resnet32`, or `resnet18` /
  /// `resnet18:W` for base width `W` (20 by default).
  ///
  /// - Throws: ``NetworkError`` naming the valid names, or a bad width.
  public static func named(_ name: String, hidden: [Int] = [256, 256]) throws -> Network {
    let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    switch parts[0] {
    case "mlp" where parts.count == 1: return .mlp(hidden: hidden)
    case "zenke" where parts.count == 1: return .zenke
    case "resnet32" where parts.count == 1: return .resnet32
    case "resnet18":
      guard parts.count == 2 else { return .resnet18(width: 20) }
      guard let width = Int(parts[1]), (1...512).contains(width) else {
        throw NetworkError("'\(name)': the width after 'resnet18:' must be a whole number in [1, 512]")
      }
      return .resnet18(width: width)
    default:
      throw NetworkError(
        "unknown network '\(name)' (valid: \(names.joined(separator: ", ")); resnet18:W sets the base width)")
    }
  }

  /// The name as written on the command line (`resnet18:40` for a non-default width).
  public var description: String {
    switch self {
    case .mlp: "mlp"
    case .zenke: "zenke"
    case .resnet32: "resnet32"
    case .resnet18(let width): width == 20 ? "resnet18" : "resnet18:\(width)"
    case .defined(let definition): definition.name
    }
  }

  /// One line for `continual list`.
  public static func summary(_ name: String) -> String {
    switch name {
    case "mlp": "fully connected, ReLU; widths from --hidden"
    case "zenke": "SI's CIFAR CNN: conv32-conv32-pool-drop-conv64-conv64-pool-drop-fc512-drop (pathint)"
    case "resnet32": "CIFAR ResNet-32, 16/32/64 channels, BatchNorm, zero-padding shortcuts (≈0.46 M parameters)"
    default: "GEM's reduced ResNet-18, base width 20 (resnet18:W for another), BatchNorm (≈1.1 M parameters)"
    }
  }

  /// Whether the network reads images `[channels, height, width]` (a CNN) rather than vectors.
  public var isConvolutional: Bool {
    if case .mlp = self { return false }
    return true
  }

  /// Whether the network has BatchNorm layers.
  public var hasBatchNorm: Bool {
    switch self {
    case .resnet32, .resnet18: true
    case .mlp, .zenke, .defined: false
    }
  }

  /// The network for samples of `input` shape and `outputs` logits.
  ///
  /// - Parameters:
  ///   - input: The shape of one sample.
  ///   - outputs: The number of logits (the head's output count).
  ///   - statisticsPerTask: Give every BatchNorm layer separate running statistics for this many
  ///     tasks (task-incremental learning only: a forward pass must know its task); `nil` shares
  ///     them across tasks.
  /// - Returns: The layers, freshly described (no weights: a `Model` initialises them).
  /// - Throws: ``NetworkError`` when a convolutional network is given samples that are not images
  ///   large enough for it.
  public func architecture(input: [Int], outputs: Int, statisticsPerTask: Int? = nil) throws -> Sequential {
    if case .mlp(let hidden) = self { return Self.mlp(input: input, hidden: hidden, outputs: outputs) }
    if case .defined(let definition) = self {
      let network = try definition.build(input, outputs)
      do { _ = try network.outputShape(forInput: input) } catch {
        throw NetworkError("the \(self) network does not fit samples of shape \(input): \(error)")
      }
      return network
    }
    guard input.count == 3 else {
      throw NetworkError(
        "the \(self) network needs images [channels, height, width]; these samples have shape \(input)")
    }
    let network: Sequential
    switch self {
    case .mlp, .defined: preconditionFailure("handled above")
    case .zenke: network = Self.zenke(channels: input[0], outputs: outputs, side: (input[1], input[2]))
    case .resnet32:
      network = Self.cifarResNet(channels: input[0], blocksPerStage: 5, outputs: outputs, tasks: statisticsPerTask)
    case .resnet18(let width):
      network = Self.reducedResNet18(channels: input[0], width: width, outputs: outputs, tasks: statisticsPerTask)
    }
    do { _ = try network.outputShape(forInput: input) } catch {
      throw NetworkError("the \(self) network does not fit samples of shape \(input): \(error)")
    }
    return network
  }

  static func mlp(input: [Int], hidden: [Int], outputs: Int) -> Sequential {
    var layers: [any Layer] = [Flatten()]
    var width = input.reduce(1, *)
    for h in hidden {
      layers += [Linear(width, h), ReLU()]
      width = h
    }
    layers.append(Linear(width, outputs))
    return Sequential(layers)
  }

  /// How each named network's weights and biases start, following its source's code.
  ///
  /// - `mlp`, `resnet18`: PyTorch's defaults (`U(±1/√fanIn)` weights and biases), as GEM's code and
  ///   every MNIST reference here.
  /// - `zenke`: Keras's defaults in SI's code (pathint): Glorot-uniform weights, zero biases, in
  ///   every convolution and fully connected layer.
  /// - `resnet32`: iCaRL's Lasagne code (`utils_cifar100.py`): convolutions He-normal with the ReLU
  ///   gain, `N(0, 2/fanIn)`; the final fully connected layer He-normal with gain 1, `N(0, 1/fanIn)`,
  ///   and a zero bias; BatchNorm gain 1 and offset 0.
  /// - a network your package defines: its own layers' choice.
  public enum Initialisation: String, Sendable, Equatable {
    /// PyTorch's `nn.Conv2d`/`nn.Linear` defaults.
    case pytorch = "PyTorch default: U(±1/√fan-in) weights and biases"
    /// Keras's defaults.
    case glorot = "Glorot uniform weights, zero biases (Keras default)"
    /// iCaRL's Lasagne ResNet.
    case he = "He normal N(0, 2/fan-in) convolutions; N(0, 1/fan-in) output layer, zero bias"
    /// A network your package defines (``Network/defined(_:)``): whatever its layers choose.
    case own = "as the network's definition builds it"
  }

  /// The initialisation this network follows (see ``Initialisation``).
  public var initialisation: Initialisation {
    switch self {
    case .mlp, .resnet18: .pytorch
    case .zenke: .glorot
    case .resnet32: .he
    case .defined: .own
    }
  }

  /// pathint's Keras model: 3×3 convolutions ('same' then 'valid'), 2×2 max-pooling, dropout 0.25,
  /// 0.25 and 0.5; Keras's default initialisation (Glorot-uniform weights, zero biases).
  static func zenke(channels: Int, outputs: Int, side: (Int, Int)) -> Sequential {
    func shrink(_ s: Int) -> Int { ((s - 2) / 2 - 2) / 2 }
    let flat = 64 * shrink(side.0) * shrink(side.1)
    func conv(_ from: Int, _ to: Int, padding: Int) -> Conv2d {
      Conv2d(from, to, kernelSize: 3, padding: padding, weightInitialiser: .xavierUniform, biasInitialiser: .zeros)
    }
    func dense(_ from: Int, _ to: Int) -> Linear {
      Linear(from, to, weightInitialiser: .xavierUniform, biasInitialiser: .zeros)
    }
    return Sequential([
      conv(channels, 32, padding: 1), ReLU(), conv(32, 32, padding: 0), ReLU(), MaxPool2d(2), Dropout(rate: 0.25),
      conv(32, 64, padding: 1), ReLU(), conv(64, 64, padding: 0), ReLU(), MaxPool2d(2), Dropout(rate: 0.25),
      Flatten(), dense(flat, 512), ReLU(), Dropout(rate: 0.5), dense(512, outputs),
    ])
  }

  /// A 3×3 convolution without bias followed by BatchNorm; the convolution's weights as `initialiser`
  /// draws them (PyTorch's default when `nil`).
  static func convBN(_ from: Int, _ to: Int, stride: Int = 1, tasks: Int?, initialiser: Initialiser? = nil)
    -> [any Layer]
  {
    [
      Conv2d(from, to, kernelSize: 3, stride: stride, padding: 1, bias: false, weightInitialiser: initialiser),
      BatchNorm(to, statisticsPerTask: tasks),
    ]
  }

  /// A basic block (conv-BN-ReLU-conv-BN plus shortcut, then ReLU).
  static func basicBlock(
    _ from: Int, _ to: Int, stride: Int, projection: Bool, tasks: Int?, initialiser: Initialiser? = nil
  ) -> [any Layer] {
    let body = Sequential(
      convBN(from, to, stride: stride, tasks: tasks, initialiser: initialiser) + [ReLU()]
        + convBN(to, to, tasks: tasks, initialiser: initialiser))
    let changes = stride != 1 || from != to
    let shortcut: Sequential
    if !changes {
      shortcut = Sequential([])
    } else if projection {
      shortcut = Sequential([
        Conv2d(from, to, kernelSize: 1, stride: stride, bias: false), BatchNorm(to, statisticsPerTask: tasks),
      ])
    } else {
      shortcut = Sequential([SubsampleAndPadChannels(stride: stride, outChannels: to)])
    }
    return [Residual(body: body, shortcut: shortcut), ReLU()]
  }

  /// He et al.'s CIFAR ResNet with `6n + 2` layers (n = 5: ResNet-32), initialised as iCaRL's code does:
  /// He-normal convolutions `N(0, 2/fanIn)`, an `N(0, 1/fanIn)` output layer with a zero bias.
  static func cifarResNet(channels: Int, blocksPerStage n: Int, outputs: Int, tasks: Int?) -> Sequential {
    let he = Initialiser.kaimingNormal
    var layers: [any Layer] = convBN(channels, 16, tasks: tasks, initialiser: he) + [ReLU()]
    var width = 16
    for (stage, to) in [16, 32, 64].enumerated() {
      for block in 0..<n {
        let stride = stage > 0 && block == 0 ? 2 : 1
        layers += basicBlock(width, to, stride: stride, projection: false, tasks: tasks, initialiser: he)
        width = to
      }
    }
    let output = Linear(
      64, outputs, weightInitialiser: .normal(mean: 0, standardDeviation: Float(1 / Double(64).squareRoot())),
      biasInitialiser: .zeros)
    return Sequential(layers + [GlobalAveragePool(), output])
  }

  /// GEM's reduced ResNet-18: widths w, 2w, 4w, 8w, two blocks per stage, projection shortcuts.
  static func reducedResNet18(channels: Int, width w: Int, outputs: Int, tasks: Int?) -> Sequential {
    var layers: [any Layer] = convBN(channels, w, tasks: tasks) + [ReLU()]
    var width = w
    for (stage, to) in [w, 2 * w, 4 * w, 8 * w].enumerated() {
      for block in 0..<2 {
        layers += basicBlock(width, to, stride: stage > 0 && block == 0 ? 2 : 1, projection: true, tasks: tasks)
        width = to
      }
    }
    return Sequential(layers + [GlobalAveragePool(), Linear(8 * w, outputs)])
  }
}

/// A network name or shape that cannot be built.
public struct NetworkError: Error, CustomStringConvertible, Equatable {
  /// What is wrong and what is valid.
  public var description: String
  /// Creates an error with a message.
  public init(_ description: String) { self.description = description }
}
