import ContinualEngine

extension Hypernetwork {
  /// The flattened target weights `h(e_t, Θ_h)` of several tasks in one generator pass.
  ///
  /// The generator runs once over `tasks.count × chunkCount` rows `[e_t ; c_i]`; each task's chunks
  /// are concatenated and cut to `n_W`.
  ///
  /// ```swift
  /// let flat = try hnet.generate(tasks: [0, 1], weights: pass.weights[...])   // [2, n_W]
  /// ```
  ///
  /// - Parameters:
  ///   - tasks: The tasks whose weights to generate (in `0..<taskCount`, at least one).
  ///   - weights: This layer's weights, in ``parameterSpecs`` order (variables or constants on one
  ///     tape; gradients flow into whichever are variables).
  /// - Returns: A `[tasks.count, n_W]` variable.
  /// - Throws: ``TensorError`` for a task out of range or weights that do not fit.
  public func generate(tasks: [Int], weights: ArraySlice<Variable>) throws -> Variable {
    guard let first = weights.first, !tasks.isEmpty else {
      throw TensorError.invalidArgument(operation: "Hypernetwork.generate", reason: "no tasks or no weights given")
    }
    for t in tasks where !(0..<taskCount).contains(t) {
      throw TensorError.invalidArgument(
        operation: "Hypernetwork.generate", reason: "task \(t) is outside 0..<\(taskCount)")
    }
    let tape = first.tape
    let base = weights.startIndex
    let rows = chunkCount
    let ones = tape.constant(Tensor(shape: [rows, 1], repeating: 1))
    let inputs: [Variable] = try tasks.map { t in
      let own = conditionalParameterIndices(task: t)
      let embedding = try weights[base + own.lowerBound].reshaped([1, embeddingSize])
      guard isChunked else { return embedding }
      let chunks =
        conditionalChunkEmbeddings ? weights[base + own.lowerBound + 1] : weights[base + sharedParameterCount - 1]
      // [e ; c_i] for every chunk i: the embedding repeated on every row beside the chunk embeddings.
      return try Variable.concatenate([ones * embedding, chunks], alongAxis: 1)
    }
    let x = inputs.count == 1 ? inputs[0] : try Variable.concatenate(inputs, alongAxis: 0)
    let generatorWeights = weights[base..<base + generator.parameterSpecs.count]
    var context = ForwardContext(training: false)
    let out = try generator(x, weights: generatorWeights, context: &context)
    let produced = rows * generatorOutputSize
    let flat = try out.reshaped([tasks.count, produced])
    return produced == targetWeightCount ? flat : try flat.slice(alongAxis: 1, range: 0..<targetWeightCount)
  }

  /// Cuts one task's flattened weights into the target's parameter shapes.
  ///
  /// - Parameter flat: A `[1, n_W]` or `[n_W]` variable (a row of ``generate(tasks:weights:)``).
  /// - Returns: One variable per target parameter, shaped as ``Sequential/parameterSpecs`` says.
  /// - Throws: ``TensorError`` when `flat` does not hold `n_W` values.
  public func targetWeights(from flat: Variable) throws -> [Variable] {
    let vector = try flat.reshaped([targetWeightCount])
    var start = 0
    return try target.parameterSpecs.map { spec in
      let n = spec.shape.reduce(1, *)
      defer { start += n }
      return try vector.slice(alongAxis: 0, range: start..<start + n).reshaped(spec.shape)
    }
  }

  /// Runs the target network with task `task`'s generated weights and task `task`'s running
  /// statistics (see ``stateSpecs``).
  ///
  /// - Throws: ``TensorError`` for a task out of range or shapes that do not fit.
  func runTarget(_ input: Variable, task: Int, weights: ArraySlice<Variable>, context: inout ForwardContext) throws
    -> Variable
  {
    let generated = try targetWeights(from: generate(tasks: [task], weights: weights))
    let stateBase = context.stateOffset
    defer { context.stateOffset = stateBase }
    context.stateOffset = stateBase + task * target.stateSpecs.count
    return try target(input, weights: generated[...], context: &context)
  }
}
