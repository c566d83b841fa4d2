import ContinualEngine

extension Model {
  /// A one-layer linear model without bias whose output for the one-hot input `e_m` is `rows[m]`:
  /// a teacher or network whose logits a test writes down directly.
  ///
  /// ```swift
  /// let teacher = try Model.lookup([[0, 0, 9, -3], [1, 1.5, -2, 4]])
  /// try teacher.predict(Tensor(rows: [[0, 1]]))   // [[1, 1.5, -2, 4]]
  /// ```
  ///
  /// - Parameter rows: One row of outputs per input position, all of one length.
  /// - Returns: The model, its input width `rows.count`.
  /// - Throws: `TensorError` when the rows are empty or ragged.
  public static func lookup(_ rows: [[Float]]) throws -> Model {
    guard let outputs = rows.first?.count, rows.allSatisfy({ $0.count == outputs }) else {
      throw TensorError.invalidArgument(operation: "Model.lookup", reason: "expected rows of one length")
    }
    let samples = rows.count
    var weight = [Float](repeating: 0, count: outputs * samples)
    for m in 0..<samples { for c in 0..<outputs { weight[c * samples + m] = rows[m][c] } }
    return try Model(
      Sequential([Linear(samples, outputs, bias: false)]),
      parameters: NamedTensors(names: ["0.weight"], tensors: [Tensor(shape: [outputs, samples], scalars: weight)]))
  }
}
