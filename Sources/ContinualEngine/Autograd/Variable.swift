/// A tensor recorded on a ``Tape``, through which gradients can flow.
///
/// Variables are cheap handles (a tape and an index). Operations on them compute their value at
/// once and record how to differentiate it; ask the tape for gradients afterwards.
///
/// ```swift
/// let tape = Tape()
/// let x = tape.variable(try Tensor(rows: [[1, -2, 3]]))
/// let y = x.relu().sum()
/// let (dx) = try tape.gradients(of: y, withRespectTo: [x])[0]   // [[1, 0, 1]]
/// ```
public struct Variable {
  /// The tape this variable is recorded on.
  public let tape: Tape
  /// The position of this variable on its tape.
  public let index: Int
  /// The value itself when the tape does not record (``Tape/isRecording`` is `false`): such a tape
  /// keeps no values, so an intermediate result is freed as soon as no variable holds it.
  let held: Tensor?

  /// A variable at `index` of `tape`, holding `value` itself when the tape keeps none.
  init(tape: Tape, index: Int, held: Tensor? = nil) {
    self.tape = tape
    self.index = index
    self.held = held
  }

  /// The variable's current value.
  public var value: Tensor { held ?? tape.nodes[index].value }

  /// The shape of the value.
  public var shape: [Int] { value.shape }

  /// Whether gradients can flow into this variable.
  public var requiresGradient: Bool { tape.nodes[index].requiresGradient }
}
