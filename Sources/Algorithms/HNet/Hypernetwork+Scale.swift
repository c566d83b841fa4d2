import ContinualEngine
import Foundation

extension Hypernetwork {
  /// How the scale of the weights the hypernetwork starts out generating compares with the target
  /// network's own initialisation, one ratio per weight matrix or kernel.
  ///
  /// For every parameter of the target with two or more dimensions, in order, the root mean square
  /// of task 0's generated values over the root mean square of the values the target's own
  /// initialiser draws (a parameter whose own initialisation is zero is left out). Both
  /// initialisations are drawn with `seed`, not the run's.
  ///
  /// - Parameter seed: The seed both initialisations are drawn with.
  /// - Returns: The ratios, in the target's parameter order.
  /// - Throws: ``TensorError`` when the weights cannot be generated.
  public func initialWeightScales(seed: UInt64 = 0) throws -> [Double] {
    var targetRNG = SeededGenerator(seed: seed)
    let own = Model(target, rng: &targetRNG)
    var rng = SeededGenerator(seed: seed)
    let model = Model(Sequential([self]), rng: &rng)
    let tape = Tape(recording: false)
    let flat = try generate(tasks: [0], weights: tape.variables(model.parameters.tensors)[...])
    let generated = try targetWeights(from: flat)
    return target.parameterSpecs.indices.compactMap { index in
      guard target.parameterSpecs[index].shape.count >= 2 else { return nil }
      let mine = Self.rootMeanSquare(own.parameters.tensors[index])
      return mine > 0 ? Self.rootMeanSquare(generated[index].value) / mine : nil
    }
  }

  /// The product of ``initialWeightScales(seed:)``: if every layer passes its input on in proportion
  /// to its weights' scale, the target's logits start at this multiple of the scale its own
  /// initialisation gives them. About 1 is what the target was initialised for; the paper's
  /// split-MNIST generator (10,10, chunks of 42 000) gives a 784-400-400 MLP about 0.2 but the
  /// six-layer `zenke` CNN about 2·10⁻⁴, whose logits then start near zero.
  ///
  /// ```swift
  /// let hnet = Hypernetwork(target: zenke, taskCount: 5, embeddingSize: 96, chunkSize: 42_000,
  ///                         chunkEmbeddingSize: 96)
  /// try hnet.initialSignalScale()     // ≈ 2e-4
  /// ```
  ///
  /// - Parameter seed: The seed both initialisations are drawn with.
  /// - Returns: The product, or `nil` when no weight matrix has a non-zero own initialisation.
  /// - Throws: ``TensorError`` when the weights cannot be generated.
  public func initialSignalScale(seed: UInt64 = 0) throws -> Double? {
    let scales = try initialWeightScales(seed: seed)
    return scales.isEmpty ? nil : scales.reduce(1, *)
  }

  /// `√(Σx² / n)`.
  static func rootMeanSquare(_ t: Tensor) -> Double {
    (Double(t.squaredNorm()) / Double(Swift.max(t.count, 1))).squareRoot()
  }
}
