extension Variable {
  /// Records a one-operand operation whose input gradient is `inputGradient(outputGradient)`.
  func unary(_ value: Tensor, _ inputGradient: @escaping (Tensor) -> Tensor) -> Variable {
    let i = index
    return tape.record(value, inputs: [self]) { g, context in context.accumulate(inputGradient(g), into: i) }
  }

  /// Records a broadcasting binary operation.
  static func binary(_ lhs: Variable, _ rhs: Variable, _ op: BinaryOperation) throws -> Variable {
    let a = lhs.value, b = rhs.value
    let value = try a.broadcasting(b, op)
    let ia = lhs.index, ib = rhs.index
    return lhs.tape.record(value, inputs: [lhs, rhs]) { g, context in
      switch op {
      case .add:
        context.accumulate(g.reduced(toShape: a.shape), into: ia)
        context.accumulate(g.reduced(toShape: b.shape), into: ib)
      case .subtract:
        context.accumulate(g.reduced(toShape: a.shape), into: ia)
        context.accumulate((-g).reduced(toShape: b.shape), into: ib)
      case .multiply:
        context.accumulate(try! g.broadcasting(b, .multiply).reduced(toShape: a.shape), into: ia)
        context.accumulate(try! g.broadcasting(a, .multiply).reduced(toShape: b.shape), into: ib)
      case .divide:
        context.accumulate(try! g.broadcasting(b, .divide).reduced(toShape: a.shape), into: ia)
        if context.needs(ib) {
          // d(a/b)/db = −a/b² = −value/b
          let db = try! (try! g.broadcasting(value, .multiply)).broadcasting(b, .divide)
          context.accumulate((-db).reduced(toShape: b.shape), into: ib)
        }
      }
    }
  }

  /// Element-wise sum with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func + (lhs: Variable, rhs: Variable) throws -> Variable { try binary(lhs, rhs, .add) }
  /// Element-wise difference with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func - (lhs: Variable, rhs: Variable) throws -> Variable { try binary(lhs, rhs, .subtract) }
  /// Element-wise product with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func * (lhs: Variable, rhs: Variable) throws -> Variable { try binary(lhs, rhs, .multiply) }
  /// Element-wise quotient with broadcasting.
  /// - Throws: ``TensorError/shapeMismatch(operation:shapes:reason:)`` when the shapes do not broadcast.
  public static func / (lhs: Variable, rhs: Variable) throws -> Variable { try binary(lhs, rhs, .divide) }

  /// Every element multiplied by a constant.
  public static func * (lhs: Variable, rhs: Float) -> Variable { lhs.unary(lhs.value * rhs) { $0 * rhs } }
  /// Every element multiplied by a constant.
  public static func * (lhs: Float, rhs: Variable) -> Variable { rhs * lhs }
  /// Every element plus a constant.
  public static func + (lhs: Variable, rhs: Float) -> Variable { lhs.unary(lhs.value + rhs) { $0 } }
  /// Every element minus a constant.
  public static func - (lhs: Variable, rhs: Float) -> Variable { lhs.unary(lhs.value - rhs) { $0 } }
  /// Every element negated.
  public static prefix func - (operand: Variable) -> Variable { operand.unary(-operand.value) { -$0 } }

  /// The matrix product `op(self) · op(other)` of two rank-2 variables.
  ///
  /// - Parameters:
  ///   - other: The right operand.
  ///   - transposingSelf: Use `selfᵀ` as the left operand.
  ///   - transposingOther: Use `otherᵀ` as the right operand (a `Linear` layer computes `x · Wᵀ`).
  /// - Returns: The `[m, n]` product.
  /// - Throws: ``TensorError`` when an operand is not rank 2 or the inner dimensions differ.
  /// - Complexity: `2·m·n·k` for the forward pass and twice that for the backward pass.
  public func matmul(_ other: Variable, transposingSelf: Bool = false, transposingOther: Bool = false) throws
    -> Variable
  {
    let a = value, b = other.value
    let ta = transposingSelf, tb = transposingOther
    let out = try a.matmul(b, transposingSelf: ta, transposingOther: tb)
    let ia = index, ib = other.index
    return tape.record(out, inputs: [self, other]) { g, context in
      if context.needs(ia) {
        // C = op(A)·op(B): dop(A) = dC·op(B)ᵀ, and A's gradient is that (transposed back if ta).
        let da =
          ta ? try! b.matmul(g, transposingSelf: tb, transposingOther: true) : try! g.matmul(b, transposingOther: !tb)
        context.accumulate(da, into: ia)
      }
      if context.needs(ib) {
        let db =
          tb ? try! g.matmul(a, transposingSelf: true, transposingOther: ta) : try! a.matmul(g, transposingSelf: !ta)
        context.accumulate(db, into: ib)
      }
    }
  }
}

extension Sequence where Element == Variable {
  /// The terms added left to right, `((a + b) + c) + …`, or `nil` for no terms: one objective from
  /// the terms of a penalty (each task's anchor, each layer, each task's distillation).
  ///
  /// ```swift
  /// let penalty = try layers.map { try term(for: $0) }.sum().map { $0 * strength }
  /// ```
  ///
  /// - Returns: The sum on the terms' tape, or `nil` when there are none.
  /// - Throws: ``TensorError`` when two terms' shapes do not broadcast.
  public func sum() throws -> Variable? {
    var total: Variable?
    for term in self { total = try total.map { try $0 + term } ?? term }
    return total
  }
}
