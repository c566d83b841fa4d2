import ContinualEngine
import Testing

/// The examples in the engine's doc comments that say "Tested in" this file, compiled and run, so
/// that they cannot rot (`.ci/docs.sh` checks each one's lines appear here in order).
@Suite struct EngineDocSnippetTests {
  /// `Tape`'s example: the gradients of a small network's loss with respect to a weight and a
  /// hidden activation.
  @Test func tape() throws {
    let tape = Tape()
    let w = tape.variable(Tensor(shape: [2, 2], repeating: 0.5))
    let x = tape.constant(try Tensor(rows: [[1, 2]]))
    let hidden = try x.matmul(w).relu()
    let loss = hidden.squaredNorm()
    let gradients = try tape.gradients(of: loss, withRespectTo: w, hidden)
    // hidden = [1.5, 1.5], loss = 4.5; ∂loss/∂hidden = 2·hidden = [3, 3]; ∂loss/∂w = xᵀ [3, 3].
    #expect(loss.value.scalar == 4.5)
    #expect(gradients[1].scalars == [3, 3])
    #expect(gradients[0].scalars == [3, 3, 6, 6])
    // `Tape.forEachGradient`'s example, on the same tape: the same gradients, one at a time.
    var sums: [Float] = [0, 0]
    try tape.forEachGradient(of: loss, withRespectTo: [w, hidden]) { position, gradient in
      sums[position] = gradient.scalars.reduce(0, +)
    }
    #expect(sums == [18, 6])
  }
}
