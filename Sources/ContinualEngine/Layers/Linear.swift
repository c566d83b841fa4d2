/// A fully connected layer `y = x · Wᵀ + b` with `W` of shape `[outputs, inputs]` (PyTorch layout).
///
/// ```swift
/// let layer = Linear(784, 400)              // weight [400, 784], bias [400]
/// ```
public struct Linear: Layer {
  /// The number of input features.
  public var inputCount: Int
  /// The number of output features.
  public var outputCount: Int
  /// Whether the layer adds a bias.
  public var hasBias: Bool
  /// How the weight is initialised (PyTorch's default when `nil`).
  public var weightInitialiser: Initialiser?
  /// How the bias is initialised (PyTorch's default when `nil`).
  public var biasInitialiser: Initialiser?

  /// Creates a fully connected layer.
  ///
  /// - Parameters:
  ///   - inputCount: Input features.
  ///   - outputCount: Output features.
  ///   - bias: Whether to add a bias.
  ///   - weightInitialiser: Defaults to PyTorch's `U(−1/√in, 1/√in)`.
  ///   - biasInitialiser: Defaults to PyTorch's `U(−1/√in, 1/√in)`.
  public init(
    _ inputCount: Int, _ outputCount: Int, bias: Bool = true, weightInitialiser: Initialiser? = nil,
    biasInitialiser: Initialiser? = nil
  ) {
    self.inputCount = inputCount
    self.outputCount = outputCount
    self.hasBias = bias
    self.weightInitialiser = weightInitialiser
    self.biasInitialiser = biasInitialiser
  }

  /// `weight [out, in]` and, with a bias, `bias [out]`.
  public var parameterSpecs: [ParameterSpec] {
    var specs = [
      ParameterSpec(
        name: "weight", shape: [outputCount, inputCount],
        initialiser: weightInitialiser ?? .fanInUniform(fanIn: inputCount))
    ]
    if hasBias {
      specs.append(
        ParameterSpec(
          name: "bias", shape: [outputCount], initialiser: biasInitialiser ?? .fanInUniform(fanIn: inputCount)))
    }
    return specs
  }

  /// `[outputs]` for an input of `[inputs]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape == [inputCount] else {
      throw TensorError.shapeMismatch(
        operation: "Linear(\(inputCount), \(outputCount))", shapes: [shape],
        reason: "expects samples of shape [\(inputCount)]")
    }
    return [outputCount]
  }

  /// Computes `x · Wᵀ + b`.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    guard input.shape.count == 2, input.shape[1] == inputCount else {
      throw TensorError.shapeMismatch(
        operation: "Linear(\(inputCount), \(outputCount))", shapes: [input.shape],
        reason: "expects input of shape [batch, \(inputCount)]")
    }
    let w = weights[weights.startIndex]
    let product = try input.matmul(w, transposingOther: true)
    return hasBias ? try product + weights[weights.startIndex + 1] : product
  }

  /// `Linear(in, out)`.
  public var description: String { "Linear(\(inputCount), \(outputCount)\(hasBias ? "" : ", bias: false"))" }
}
