import ContinualEngine

/// Gradients computed one sample at a time, for importance estimates defined per sample (the Fisher
/// information, MAS's per-sample output sensitivity).
public enum PerSampleGradients {
  /// Calls `body` with the gradients of `loss` for each sample of `inputs`, one sample at a time, with
  /// the model in evaluation mode.
  ///
  /// - Parameters:
  ///   - model: The model.
  ///   - inputs: `[n, …sample shape]`.
  ///   - losses: Given one sample's `[1, outputs]` logits and its index, the scalar losses whose
  ///     gradients are wanted (several per sample, for example one per candidate label), each with a
  ///     weight passed on to `body`.
  ///   - receive: Receives each loss's gradients and weight.
  /// - Throws: ``TensorError`` when the model does not fit the inputs, or whatever the closures throw.
  public static func forEachSample(
    model: Model, inputs: Tensor, losses: (Variable, Int) throws -> [(loss: Variable, weight: Float)],
    receive: (NamedTensors, Float) throws -> Void
  ) throws {
    let n = inputs.shape.first ?? 0
    for m in 0..<n {
      let tape = Tape()
      let x = try inputs.slice(alongAxis: 0, range: m..<m + 1)
      let pass = try model.forward(tape.constant(x), on: tape, training: false)
      for (loss, weight) in try losses(pass.output, m) {
        try receive(try pass.gradients(of: loss), weight)
      }
    }
  }

  /// Adds `weight · g²` to `sum` element by element.
  public static func accumulateSquares(_ gradients: NamedTensors, weight: Float, into sum: inout NamedTensors) throws {
    try sum.requireSameNames(gradients, operation: "accumulateSquares")
    for k in 0..<sum.count {
      let g = gradients.tensors[k]
      g.withUnsafeBufferPointer { gp in
        sum.tensors[k].withUnsafeMutableBufferPointer { s in
          for i in 0..<s.count { s[i] += weight * gp[i] * gp[i] }
        }
      }
    }
  }

  /// Adds `weight · |g|` to `sum` element by element.
  public static func accumulateMagnitudes(_ gradients: NamedTensors, weight: Float, into sum: inout NamedTensors) throws {
    try sum.requireSameNames(gradients, operation: "accumulateMagnitudes")
    for k in 0..<sum.count {
      let g = gradients.tensors[k]
      g.withUnsafeBufferPointer { gp in
        sum.tensors[k].withUnsafeMutableBufferPointer { s in
          for i in 0..<s.count { s[i] += weight * Swift.abs(gp[i]) }
        }
      }
    }
  }
}
