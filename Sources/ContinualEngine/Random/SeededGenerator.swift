import Foundation

/// A fast, seedable pseudo-random generator (xoshiro256**), identical on every platform.
///
/// Every random choice in ContinualKit — initial weights, dropout masks, shuffling, permutations —
/// draws from a `SeededGenerator`, so the same seed gives the same numbers on every run.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let w = Tensor.randomNormal([400, 784], standardDeviation: 0.05, using: &rng)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
  /// The four 64-bit words of xoshiro256** state.
  public private(set) var state: [UInt64]

  /// Creates a generator whose state is expanded from `seed` with SplitMix64.
  public init(seed: UInt64) {
    var x = seed
    var words = [UInt64]()
    for _ in 0..<4 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      words.append(z ^ (z >> 31))
    }
    state = words
  }

  /// Restores a generator from a saved ``state``.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` unless `state` has four words, not all zero.
  public init(state: [UInt64]) throws {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else {
      throw TensorError.invalidArgument(
        operation: "SeededGenerator(state:)", reason: "state must be four words, not all zero")
    }
    self.state = state
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotate(state[1] &* 5, 7) &* 9
    let t = state[1] << 17
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotate(state[3], 45)
    return result
  }

  @inline(__always)
  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform `Float` in `[0, 1)` with 24 random bits.
  public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

  /// A uniform `Double` in `[0, 1)` with 53 random bits.
  public mutating func nextUniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A standard normal sample (Box–Muller, computed in `Double`).
  public mutating func nextNormal() -> Float {
    let u1 = 1 - nextUniformDouble()  // (0, 1]
    let u2 = nextUniformDouble()
    return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
  }

  /// A uniform integer in `0..<upperBound` (unbiased, by rejection).
  public mutating func nextInt(below upperBound: Int) -> Int {
    precondition(upperBound > 0, "nextInt(below:) needs a positive bound")
    let bound = UInt64(upperBound)
    let limit = UInt64.max - UInt64.max % bound
    while true {
      let x = next()
      if x < limit { return Int(x % bound) }
    }
  }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates).
  public mutating func permutation(_ count: Int) -> [Int] {
    var values = Array(0..<count)
    shuffle(&values)
    return values
  }

  /// Shuffles `values` in place (Fisher–Yates), identically on every platform.
  public mutating func shuffle<T>(_ values: inout [T]) {
    guard values.count > 1 else { return }
    for i in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(i, nextInt(below: i + 1))
    }
  }

  /// A new generator derived from this one's next output, for an independent stream.
  public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }
}

extension Tensor {
  /// A tensor of independent normal samples.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using rng: inout SeededGenerator
  ) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    for i in 0..<out.count { out.storage.base[i] = mean + standardDeviation * rng.nextNormal() }
    return out
  }

  /// A tensor of independent samples uniform in `range`.
  public static func randomUniform(
    _ shape: [Int], in range: ClosedRange<Float> = 0...1, using rng: inout SeededGenerator
  ) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    let width = range.upperBound - range.lowerBound
    for i in 0..<out.count { out.storage.base[i] = range.lowerBound + width * rng.nextUniform() }
    return out
  }
}
