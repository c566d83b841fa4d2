/// The outputs of every layer of a forward pass through a ``Sequential``.
public struct ForwardTrace {
  /// The output of each layer, in order (`activations[i]` is layer `i`'s output); empty when the
  /// context did not keep them (``ForwardContext/keepsActivations``).
  public var activations: [Variable]
  /// The final output.
  public var output: Variable

  /// Creates a trace.
  public init(activations: [Variable], output: Variable) {
    self.activations = activations
    self.output = output
  }
}

/// Layers applied one after another; parameter names are `"<layer index>.<name>"` as in PyTorch.
///
/// ```swift
/// let mlp = Sequential([Linear(784, 400), ReLU(), Linear(400, 400), ReLU(), Linear(400, 10)])
/// mlp.parameterNames   // ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
/// ```
public struct Sequential: Layer {
  /// The layers, in order.
  public var layers: [any Layer]

  /// Creates a sequence of layers.
  public init(_ layers: [any Layer]) { self.layers = layers }

  /// Every layer's parameters, named `"<layer index>.<name>"`.
  public var parameterSpecs: [ParameterSpec] {
    layers.enumerated().flatMap { index, layer in
      layer.parameterSpecs.map {
        ParameterSpec(name: "\(index).\($0.name)", shape: $0.shape, initialiser: $0.initialiser)
      }
    }
  }

  /// Every layer's state tensors (BatchNorm's running statistics), named `"<layer index>.<name>"`.
  public var stateSpecs: [StateSpec] {
    layers.enumerated().flatMap { index, layer in
      layer.stateSpecs.map { StateSpec(name: "\(index).\($0.name)", shape: $0.shape, initialValue: $0.initialValue) }
    }
  }

  /// The parameter names in order.
  public var parameterNames: [String] { parameterSpecs.map(\.name) }

  /// Which weights (as a range into the flat weight list) each layer takes.
  public var weightRanges: [Range<Int>] { Self.ranges(layers.map(\.parameterSpecs.count)) }

  /// Which state tensors (as a range into the flat state list) each layer keeps.
  public var stateRanges: [Range<Int>] { Self.ranges(layers.map(\.stateSpecs.count)) }

  /// Consecutive ranges of the given lengths, from 0.
  private static func ranges(_ counts: [Int]) -> [Range<Int>] {
    var start = 0
    return counts.map { n in
      defer { start += n }
      return start..<start + n
    }
  }

  /// The output shape of the last layer, checking every layer along the way.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    try layers.reduce(shape) { try $1.outputShape(forInput: $0) }
  }

  /// Applies every layer in order.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    try trace(input, weights: weights, context: &context).output
  }

  /// Applies every layer in order and returns each layer's output (activation capture).
  ///
  /// - Throws: ``TensorError`` when the weights do not match ``parameterSpecs`` or shapes do not fit;
  ///   the message names the layer.
  public func trace(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> ForwardTrace
  {
    let specs = parameterSpecs
    guard weights.count == specs.count else {
      throw TensorError.invalidArgument(
        operation: "Sequential", reason: "expected \(specs.count) weights, got \(weights.count)")
    }
    for (spec, weight) in zip(specs, weights) where spec.shape != weight.shape {
      throw TensorError.shapeMismatch(
        operation: "Sequential", shapes: [spec.shape, weight.shape], reason: "weight '\(spec.name)' has the wrong shape"
      )
    }
    var x = input
    var activations: [Variable] = []
    activations.reserveCapacity(layers.count)
    let base = weights.startIndex, stateBase = context.stateOffset
    defer { context.stateOffset = stateBase }
    for (layer, (range, stateRange)) in zip(layers, zip(weightRanges, stateRanges)) {
      context.stateOffset = stateBase + stateRange.lowerBound
      let layerWeights = weights[(base + range.lowerBound)..<(base + range.upperBound)]
      let input = x
      do {
        x = try layer(x, weights: layerWeights, context: &context)
      } catch let error as TensorError {
        throw TensorError.invalidArgument(operation: "layer \(activations.count) (\(layer))", reason: error.description)
      }
      if let taps = context.taps, let separable = layer as? any PerSampleGradientLayer {
        let stateRange = context.stateOffset..<context.stateOffset + layer.stateSpecs.count
        taps.record(
          LayerTaps.Tap(
            layer: separable, input: input, output: x, weightIndices: layerWeights.map(\.index),
            state: stateRange.upperBound <= context.state.count ? Array(context.state[stateRange]) : [],
            task: context.task))
      }
      if context.keepsActivations { activations.append(x) }
    }
    return ForwardTrace(activations: activations, output: x)
  }

  /// The layers, one per line.
  public var description: String {
    "Sequential(\n" + layers.enumerated().map { "  (\($0)) \($1)" }.joined(separator: "\n") + "\n)"
  }
}
