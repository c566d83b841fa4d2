import Foundation

/// How a parameter's initial values are drawn.
///
/// Fan-in and fan-out follow PyTorch's convention for a weight of shape `[out, in, k…]`:
/// `fanIn = in · Πk`, `fanOut = out · Πk`.
public enum Initialiser: Sendable, Equatable {
  /// All zeros.
  case zeros
  /// Every element set to a value.
  case constant(Float)
  /// Independent normal samples.
  case normal(mean: Float, standardDeviation: Float)
  /// Independent uniform samples in a range.
  case uniform(ClosedRange<Float>)
  /// Glorot/Xavier uniform: `U(−a, a)`, `a = √(6 / (fanIn + fanOut))`.
  case xavierUniform
  /// Glorot/Xavier normal: `N(0, 2 / (fanIn + fanOut))`.
  case xavierNormal
  /// He/Kaiming uniform for ReLU: `U(−a, a)`, `a = √(6 / fanIn)`.
  case kaimingUniform
  /// He/Kaiming normal for ReLU: `N(0, 2 / fanIn)`.
  case kaimingNormal
  /// PyTorch's default for `nn.Linear`/`nn.Conv2d` weights and biases: `U(−b, b)`, `b = 1/√fanIn`,
  /// where `fanIn` is the layer's (given explicitly, since a bias alone does not reveal it).
  case fanInUniform(fanIn: Int)

  /// The fan-in and fan-out of a weight of this shape.
  static func fans(_ shape: [Int]) -> (in: Int, out: Int) {
    guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
    let receptive = shape.dropFirst(2).reduce(1, *)
    return (shape[1] * receptive, shape[0] * receptive)
  }

  /// Draws a tensor of the given shape.
  public func tensor(_ shape: [Int], using rng: inout SeededGenerator) -> Tensor {
    let (fanIn, fanOut) = Initialiser.fans(shape)
    switch self {
    case .zeros: return Tensor(shape: shape, repeating: 0)
    case .constant(let value): return Tensor(shape: shape, repeating: value)
    case .normal(let mean, let sd): return .randomNormal(shape, mean: mean, standardDeviation: sd, using: &rng)
    case .uniform(let range): return .randomUniform(shape, in: range, using: &rng)
    case .xavierUniform:
      let a = Float((6 / Double(fanIn + fanOut)).squareRoot())
      return .randomUniform(shape, in: -a...a, using: &rng)
    case .xavierNormal:
      return .randomNormal(shape, standardDeviation: Float((2 / Double(fanIn + fanOut)).squareRoot()), using: &rng)
    case .kaimingUniform:
      let a = Float((6 / Double(fanIn)).squareRoot())
      return .randomUniform(shape, in: -a...a, using: &rng)
    case .kaimingNormal:
      return .randomNormal(shape, standardDeviation: Float((2 / Double(fanIn)).squareRoot()), using: &rng)
    case .fanInUniform(let n):
      let b = Float(1 / Double(max(n, 1)).squareRoot())
      return .randomUniform(shape, in: -b...b, using: &rng)
    }
  }
}
