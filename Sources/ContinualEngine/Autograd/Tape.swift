/// A record of tensor operations for reverse-mode automatic differentiation.
///
/// Operations on ``Variable``s append nodes to their tape; `gradients(of:withRespectTo:)` walks the
/// tape backwards once and returns the gradient of a scalar with respect to any recorded tensor —
/// parameters, inputs or intermediate activations alike. Make one tape per forward pass and let it go
/// afterwards.
///
/// Tested in `Tests/ContinualEngineTests/DocSnippetTests.swift`:
///
/// ```swift
/// let tape = Tape()
/// let w = tape.variable(Tensor(shape: [2, 2], repeating: 0.5))
/// let x = tape.constant(try Tensor(rows: [[1, 2]]))
/// let hidden = try x.matmul(w).relu()
/// let loss = hidden.squaredNorm()
/// let gradients = try tape.gradients(of: loss, withRespectTo: w, hidden)
/// ```
///
/// A tape whose ``isRecording`` is `false` computes values only (for evaluation): nothing it
/// produces can be differentiated, and it keeps neither backward closures nor values alive (each
/// variable holds its own value), so a forward pass through it needs the memory of the activations
/// still in use, not of every activation of the network.
public final class Tape {
  /// One recorded value and how to propagate a gradient from it to its inputs.
  struct Node {
    var value: Tensor
    var inputs: [Int]
    var requiresGradient: Bool
    var backward: ((Tensor, inout BackwardContext) -> Void)?
  }

  var nodes: [Node] = []

  /// Whether operations record how to differentiate them.
  public let isRecording: Bool

  /// Creates an empty tape.
  ///
  /// - Parameter recording: Pass `false` for an evaluation-only tape that records no gradients.
  public init(recording: Bool = true) {
    isRecording = recording
    nodes.reserveCapacity(64)
  }

  /// The number of values recorded so far.
  public var count: Int { nodes.count }

  /// Records a tensor that gradients can be taken with respect to (a parameter or an input of
  /// interest).
  public func variable(_ value: Tensor) -> Variable {
    append(value, inputs: [], requiresGradient: isRecording, backward: nil)
  }

  /// Records tensors that gradients can be taken with respect to, in order.
  public func variables(_ values: [Tensor]) -> [Variable] { values.map(variable) }

  /// Records a tensor that is treated as a constant: no gradient flows into it.
  public func constant(_ value: Tensor) -> Variable {
    append(value, inputs: [], requiresGradient: false, backward: nil)
  }

  /// The empty value a non-recording tape keeps in place of each result.
  private static let placeholder = Tensor(shape: [0], repeating: 0)

  /// Appends a node: the value itself on a recording tape; on a non-recording one a placeholder,
  /// the returned variable holding the value.
  private func append(
    _ value: Tensor, inputs: [Int], requiresGradient: Bool, backward: ((Tensor, inout BackwardContext) -> Void)?
  ) -> Variable {
    guard isRecording else {
      nodes.append(Node(value: Self.placeholder, inputs: [], requiresGradient: false, backward: nil))
      return Variable(tape: self, index: nodes.count - 1, held: value)
    }
    nodes.append(Node(value: value, inputs: inputs, requiresGradient: requiresGradient, backward: backward))
    return Variable(tape: self, index: nodes.count - 1)
  }

  /// Records the result of an operation.
  ///
  /// - Parameters:
  ///   - value: The operation's output.
  ///   - inputs: The operands, by tape index.
  ///   - backward: Given the gradient of the output, adds each needed input's gradient to the context.
  /// - Returns: The output as a variable on this tape.
  func record(
    _ value: Tensor, inputs: [Variable], backward: @escaping (Tensor, inout BackwardContext) -> Void
  ) -> Variable {
    for input in inputs {
      precondition(input.tape === self, "operands of one operation must be recorded on the same tape")
    }
    let requires = isRecording && inputs.contains { nodes[$0.index].requiresGradient }
    return append(value, inputs: inputs.map(\.index), requiresGradient: requires, backward: requires ? backward : nil)
  }

  /// The gradients of a scalar with respect to each of `targets`.
  ///
  /// - Parameters:
  ///   - output: A variable with exactly one element (usually a loss).
  ///   - targets: Variables recorded on this tape before `output` with gradients enabled: parameters
  ///     made with ``variable(_:)`` or any value computed from them.
  /// - Returns: One gradient per target, shaped like the target. A target that `output` does not
  ///   depend on gets zeros.
  /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` when `output` is not a scalar or a
  ///   target was recorded as a constant, on another tape or on a non-recording tape.
  public func gradients(of output: Variable, withRespectTo targets: [Variable]) throws -> [Tensor] {
    guard output.value.count == 1 else {
      throw TensorError.invalidArgument(
        operation: "gradients(of:withRespectTo:)",
        reason:
          "the output must have one element, got shape \(output.shape); use gradients(of:seed:withRespectTo:) "
          + "for a vector output"
      )
    }
    return try gradients(of: output, seed: Tensor(shape: output.shape, repeating: 1), withRespectTo: targets)
  }

  /// The gradients of `Σ seed ⊙ output` with respect to each of `targets` (a vector–Jacobian product).
  ///
  /// - Throws: ``TensorError`` when `seed` is not shaped like `output` or a target cannot be
  ///   differentiated (see `gradients(of:withRespectTo:)`).
  public func gradients(of output: Variable, seed: Tensor, withRespectTo targets: [Variable]) throws -> [Tensor] {
    let operation = "gradients(of:withRespectTo:)"
    guard seed.shape == output.shape else {
      throw TensorError.shapeMismatch(
        operation: operation, shapes: [output.shape, seed.shape], reason: "the seed must be shaped like the output")
    }
    try checkTargets(targets, output: output, operation: operation)
    var found: [Int: Tensor] = [:]
    try walk(from: output, seed: seed, to: targets) { index, gradient in found[index] = gradient }
    return targets.map { found[$0.index] ?? Tensor(shape: $0.shape, repeating: 0) }
  }

  /// Hands the gradient of a scalar with respect to each of `targets` to `body` as soon as the
  /// backward walk has finished it, then lets it go: the gradients are never all held at once.
  ///
  /// A per-layer computation on each layer's output gradient (per-sample importance sums) then needs
  /// the memory of one layer's gradient at a time, not of every layer's. The gradients are those
  /// ``gradients(of:withRespectTo:)-(_,[Variable])`` returns, bit for bit.
  ///
  /// On the tape of ``Tape``'s example, tested in `Tests/ContinualEngineTests/DocSnippetTests.swift`:
  ///
  /// ```swift
  /// var sums: [Float] = [0, 0]
  /// try tape.forEachGradient(of: loss, withRespectTo: [w, hidden]) { position, gradient in
  ///   sums[position] = gradient.scalars.reduce(0, +)
  /// }
  /// ```
  /// - Parameters:
  ///   - output: A variable with exactly one element (usually a loss).
  ///   - targets: As for ``gradients(of:withRespectTo:)-(_,[Variable])``.
  ///   - body: Called once per target with its position in `targets` and its gradient, the target
  ///     recorded last first.
  /// - Throws: As ``gradients(of:withRespectTo:)-(_,[Variable])``, or whatever `body` throws.
  public func forEachGradient(
    of output: Variable, withRespectTo targets: [Variable], _ body: (_ position: Int, _ gradient: Tensor) throws -> Void
  ) throws {
    guard output.value.count == 1 else {
      throw TensorError.invalidArgument(
        operation: "forEachGradient(of:withRespectTo:)",
        reason: "the output must have one element, got shape \(output.shape)")
    }
    try checkTargets(targets, output: output, operation: "forEachGradient(of:withRespectTo:)")
    var positions: [Int: [Int]] = [:]
    for (position, target) in targets.enumerated() { positions[target.index, default: []].append(position) }
    try walk(from: output, seed: Tensor(shape: output.shape, repeating: 1), to: targets) { index, gradient in
      for position in positions[index] ?? [] { try body(position, gradient) }
    }
  }

  /// The checks shared by the gradient entry points: every target and the output on this tape,
  /// every target differentiable.
  private func checkTargets(_ targets: [Variable], output: Variable, operation: String) throws {
    for target in targets {
      guard target.tape === self else {
        throw TensorError.invalidArgument(operation: operation, reason: "a target belongs to another tape")
      }
      guard nodes[target.index].requiresGradient else {
        throw TensorError.invalidArgument(
          operation: operation,
          reason: isRecording
            ? "target #\(target.index) (shape \(target.shape)) was recorded as a constant or computed only from "
              + "constants"
            : "this tape does not record gradients (Tape(recording: false))")
      }
    }
    guard output.tape === self else {
      throw TensorError.invalidArgument(operation: operation, reason: "the output belongs to another tape")
    }
  }

  /// The backward walk: from `output` (seeded with `seed`) down to the first target, handing each
  /// target's tape index and finished gradient to `deliver` (zeros when the output does not depend
  /// on it) and freeing every gradient once its node has propagated it.
  ///
  /// A node's gradient is final when the walk reaches it: only nodes recorded after it use it.
  private func walk(
    from output: Variable, seed: Tensor, to targets: [Variable], deliver: (Int, Tensor) throws -> Void
  ) throws {
    let last = output.index
    // Targets recorded after the output: zero gradients, each index once (as the walk below delivers).
    var late = Set<Int>()
    for target in targets where target.index > last && late.insert(target.index).inserted {
      try deliver(target.index, Tensor(shape: target.shape, repeating: 0))
    }
    guard let first = targets.map(\.index).filter({ $0 <= last }).min() else { return }
    // Mark the nodes through which a target influences the output; only those run backward.
    var influenced = [Bool](repeating: false, count: last + 1)
    for target in targets where target.index <= last { influenced[target.index] = true }
    if first < last {
      for i in (first + 1)...last where nodes[i].requiresGradient {
        influenced[i] = influenced[i] || nodes[i].inputs.contains { influenced[$0] }
      }
    }
    var context = BackwardContext(count: last + 1, influenced: influenced)
    context.gradients[last] = seed
    let targetSet = Set(targets.map(\.index))
    var i = last
    while i >= first {
      if targetSet.contains(i) {
        try deliver(i, context.gradients[i] ?? Tensor(shape: nodes[i].value.shape, repeating: 0))
      }
      if influenced[i], let gradient = context.gradients[i], let backward = nodes[i].backward {
        backward(gradient, &context)
      }
      context.gradients[i] = nil  // free memory early
      i -= 1
    }
  }

  /// The gradients of a scalar with respect to each of `targets` (variadic form).
  ///
  /// - Throws: See ``gradients(of:withRespectTo:)``.
  public func gradients(of output: Variable, withRespectTo targets: Variable...) throws -> [Tensor] {
    try gradients(of: output, withRespectTo: targets)
  }
}

/// The running state of a backward pass: gradients accumulated so far, by tape index.
struct BackwardContext {
  var gradients: [Tensor?]
  let influenced: [Bool]

  init(count: Int, influenced: [Bool]) {
    gradients = [Tensor?](repeating: nil, count: count)
    self.influenced = influenced
  }

  /// Whether the gradient of the node at `input` is needed (it lies between a target and the output).
  ///
  /// Backward closures refer to their operands by tape index, never by ``Variable``: a variable holds
  /// its tape, and a closure stored on the tape that held one would keep the tape alive forever.
  func needs(_ input: Int) -> Bool { influenced[input] }

  /// Adds `gradient` into the part along `axis` in `range` of the gradient accumulated for the node at
  /// `input` (zeros of `shape` until then), in place: a variable cut into many slices (a
  /// hypernetwork's output cut into a network's weights) gets one full-size gradient, not one per
  /// slice.
  mutating func accumulateSlice(
    _ gradient: Tensor, into input: Int, shape: [Int], alongAxis axis: Int, range: Range<Int>
  ) {
    guard influenced[input] else { return }
    if gradients[input] == nil { gradients[input] = Tensor(shape: shape, repeating: 0) }
    gradients[input]!.addSlice(gradient, alongAxis: axis, range: range)
  }

  /// Adds `gradient` to the gradient accumulated for the node at `input`, if that gradient is needed.
  mutating func accumulate(_ gradient: @autoclosure () -> Tensor, into input: Int) {
    guard influenced[input] else { return }
    let g = gradient()
    if gradients[input] == nil {
      gradients[input] = g
    } else {
      do { try gradients[input]!.add(g) } catch { preconditionFailure("internal: gradient shapes disagree: \(error)") }
    }
  }
}
