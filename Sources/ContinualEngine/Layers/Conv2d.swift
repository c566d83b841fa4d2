/// A 2-D convolution over NCHW input with weights `[outChannels, inChannels, k, k]` (PyTorch layout).
///
/// ```swift
/// let conv = Conv2d(3, 32, kernelSize: 3, padding: 1)   // 32×32 → 32×32
/// ```
public struct Conv2d: Layer {
  /// Input channels.
  public var inChannels: Int
  /// Output channels.
  public var outChannels: Int
  /// The square kernel's side.
  public var kernelSize: Int
  /// The step between windows.
  public var stride: Int
  /// Zeros added on each border.
  public var padding: Int
  /// Whether the layer adds a bias per output channel.
  public var hasBias: Bool
  /// How the weight is initialised (PyTorch's default when `nil`).
  public var weightInitialiser: Initialiser?
  /// How the bias is initialised (PyTorch's default when `nil`).
  public var biasInitialiser: Initialiser?

  /// Creates a convolution layer.
  ///
  /// - Parameters:
  ///   - inChannels: Input channels.
  ///   - outChannels: Output channels.
  ///   - kernelSize: The square kernel's side.
  ///   - stride: The step between windows.
  ///   - padding: Zeros added on each border.
  ///   - bias: Whether to add a bias per output channel.
  ///   - weightInitialiser: Defaults to PyTorch's `U(−1/√fanIn, 1/√fanIn)`, `fanIn = in · k²`.
  ///   - biasInitialiser: Defaults to PyTorch's `U(−1/√fanIn, 1/√fanIn)`.
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
    weightInitialiser: Initialiser? = nil, biasInitialiser: Initialiser? = nil
  ) {
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.hasBias = bias
    self.weightInitialiser = weightInitialiser
    self.biasInitialiser = biasInitialiser
  }

  /// `weight [out, in, k, k]` and, with a bias, `bias [out]`.
  public var parameterSpecs: [ParameterSpec] {
    let fanIn = inChannels * kernelSize * kernelSize
    var specs = [
      ParameterSpec(
        name: "weight", shape: [outChannels, inChannels, kernelSize, kernelSize],
        initialiser: weightInitialiser ?? .fanInUniform(fanIn: fanIn))
    ]
    if hasBias {
      specs.append(
        ParameterSpec(name: "bias", shape: [outChannels], initialiser: biasInitialiser ?? .fanInUniform(fanIn: fanIn)))
    }
    return specs
  }

  /// `[out, H', W']` for an input sample `[in, H, W]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape.count == 3, shape[0] == inChannels else {
      throw TensorError.shapeMismatch(
        operation: description, shapes: [shape], reason: "expects samples of shape [\(inChannels), height, width]")
    }
    let g = try ConvolutionGeometry.make(
      operation: description, input: [1] + shape, kernel: (kernelSize, kernelSize), stride: stride, padding: padding)
    return [outChannels, g.outputHeight, g.outputWidth]
  }

  /// Convolves the batch.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    let start = weights.startIndex
    return try input.convolved2D(
      with: weights[start], bias: hasBias ? weights[start + 1] : nil, stride: stride, padding: padding)
  }

  /// `Conv2d(in, out, kernelSize: k, …)`.
  public var description: String {
    "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize), stride: \(stride), padding: \(padding))"
  }
}
