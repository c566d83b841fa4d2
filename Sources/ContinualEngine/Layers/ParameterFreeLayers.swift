/// A layer without weights that maps each element on its own, keeping the shape: only ``apply(_:)``
/// is written; the shape, the call and the description (`Name()`) follow.
///
/// ```swift
/// /// tanh through the sigmoid: `2σ(2x) − 1`.
/// public struct ScaledSigmoid: ElementwiseLayer {
///   public init() {}
///   public func apply(_ input: Variable) -> Variable { (input * 2).sigmoid() * 2 - 1 }
/// }
/// ```
public protocol ElementwiseLayer: Layer {
  /// The function applied to every element.
  ///
  /// - Parameter input: The layer's input.
  /// - Returns: The output, shaped as the input.
  func apply(_ input: Variable) -> Variable
}

extension ElementwiseLayer {
  /// The input shape.
  public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

  /// ``apply(_:)``.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  { apply(input) }

  /// The type's name and `()`, such as `ReLU()`.
  public var description: String { "\(Self.self)()" }
}

/// The rectified linear unit `max(x, 0)`.
public struct ReLU: ElementwiseLayer {
  /// Creates a ReLU.
  public init() {}
  /// `max(x, 0)`.
  public func apply(_ input: Variable) -> Variable { input.relu() }
}

/// The exponential linear unit: `x` for `x > 0`, `alpha · (e^x − 1)` otherwise.
public struct ELU: ElementwiseLayer {
  /// The negative saturation value.
  public var alpha: Float
  /// Creates an ELU.
  public init(alpha: Float = 1) { self.alpha = alpha }
  /// The ELU.
  public func apply(_ input: Variable) -> Variable { input.elu(alpha: alpha) }
  /// `ELU(alpha: …)`.
  public var description: String { "ELU(alpha: \(alpha))" }
}

/// The logistic sigmoid.
public struct Sigmoid: ElementwiseLayer {
  /// Creates a sigmoid.
  public init() {}
  /// `1 / (1 + e^−x)`.
  public func apply(_ input: Variable) -> Variable { input.sigmoid() }
}

/// The hyperbolic tangent.
public struct Tanh: ElementwiseLayer {
  /// Creates a tanh.
  public init() {}
  /// `tanh x`.
  public func apply(_ input: Variable) -> Variable { input.tanh() }
}

/// Inverted dropout, active only while training.
public struct Dropout: Layer {
  /// The probability of zeroing an element.
  public var rate: Float
  /// Creates a dropout layer.
  public init(rate: Float) { self.rate = rate }
  /// The input shape.
  public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
  /// Drops elements in training; passes the input through in evaluation.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    try input.dropout(rate: rate, training: context.training, using: &context.rng)
  }
  /// `Dropout(rate: …)`.
  public var description: String { "Dropout(rate: \(rate))" }
}

/// Flattens every sample to a vector: `[batch, a, b, …] → [batch, a·b·…]`.
public struct Flatten: Layer {
  /// Creates a flatten layer.
  public init() {}
  /// `[Πshape]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] { [shape.reduce(1, *)] }
  /// Reshapes to `[batch, −1]`.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    try input.reshaped([input.shape.first ?? 1, -1])
  }
  /// `Flatten()`.
  public var description: String { "Flatten()" }
}

/// 2-D max-pooling over NCHW input.
public struct MaxPool2d: Layer {
  /// The window's side.
  public var size: Int
  /// The step between windows.
  public var stride: Int
  /// Creates a max-pooling layer; the stride defaults to the window size.
  public init(_ size: Int, stride: Int? = nil) {
    self.size = size
    self.stride = stride ?? size
  }
  /// `[C, H', W']` for `[C, H, W]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape.count == 3 else {
      throw TensorError.rankMismatch(
        operation: description, expected: "samples of shape [channels, height, width]", shape: shape)
    }
    let g = try ConvolutionGeometry.make(
      operation: description, input: [1] + shape, kernel: (size, size), stride: stride, padding: 0)
    return [shape[0], g.outputHeight, g.outputWidth]
  }
  /// Pools the batch.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    try input.maxPooled2D(size: size, stride: stride)
  }
  /// `MaxPool2d(k, stride: s)`.
  public var description: String { "MaxPool2d(\(size), stride: \(stride))" }
}

/// Global average pooling: the mean of each channel over its spatial positions,
/// `[batch, C, H, W] → [batch, C]`.
public struct GlobalAveragePool: Layer {
  /// Creates a global average-pooling layer.
  public init() {}
  /// `[C]` for `[C, H, W]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape.count == 3 else {
      throw TensorError.rankMismatch(
        operation: description, expected: "samples of shape [channels, height, width]", shape: shape)
    }
    return [shape[0]]
  }
  /// Averages every channel's plane.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    try input.globalAveragePooled()
  }
  /// `GlobalAveragePool()`.
  public var description: String { "GlobalAveragePool()" }
}

/// The parameter-free shortcut of the original CIFAR ResNets ("option A"): every `stride`-th pixel
/// of each row and column, with zero channels appended up to `outChannels`.
/// `[batch, C, H, W] → [batch, outChannels, ⌈H/s⌉, ⌈W/s⌉]`.
public struct SubsampleAndPadChannels: Layer {
  /// The step between kept pixels.
  public var stride: Int
  /// The number of channels after padding (at least the input's).
  public var outChannels: Int
  /// Creates the shortcut.
  public init(stride: Int, outChannels: Int) {
    self.stride = stride
    self.outChannels = outChannels
  }
  /// `[outChannels, ⌈H/s⌉, ⌈W/s⌉]` for `[C, H, W]`.
  public func outputShape(forInput shape: [Int]) throws -> [Int] {
    guard shape.count == 3, shape[0] <= outChannels, stride >= 1 else {
      throw TensorError.shapeMismatch(
        operation: description, shapes: [shape],
        reason: "expects samples [channels ≤ \(outChannels), height, width] and a stride ≥ 1")
    }
    return [outChannels, (shape[1] - 1) / stride + 1, (shape[2] - 1) / stride + 1]
  }
  /// Subsamples, then appends zero channels.
  public func callAsFunction(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    let kept = stride == 1 ? input : try input.maxPooled2D(size: 1, stride: stride)
    let missing = outChannels - kept.shape[1]
    guard missing > 0 else { return kept }
    var zerosShape = kept.shape
    zerosShape[1] = missing
    return try Variable.concatenate([kept, kept.tape.constant(Tensor(shape: zerosShape, repeating: 0))], alongAxis: 1)
  }
  /// `SubsampleAndPadChannels(stride: s, outChannels: c)`.
  public var description: String { "SubsampleAndPadChannels(stride: \(stride), outChannels: \(outChannels))" }
}
