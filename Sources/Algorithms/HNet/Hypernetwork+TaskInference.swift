import ContinualEngine
import Foundation

extension Hypernetwork {
  /// The predictive entropy `H = −Σ_k p_k log p_k` of each row of `logits`, with
  /// `p = softmax(logits[columns])` (temperature 1), the quantity HNET+ENT minimises to infer the
  /// task [hypercl mnist/train_splitMNIST.py:274-305].
  ///
  /// ```swift
  /// let h = Hypernetwork.predictiveEntropies(logits: try Tensor(rows: [[2, 0], [0.5, 0]]))
  /// // [0.365334, 0.662847]
  /// ```
  ///
  /// - Parameters:
  ///   - logits: A `[batch, outputs]` tensor.
  ///   - columns: The columns the softmax runs over; every column when `nil`.
  /// - Returns: One entropy (in nats) per row.
  public static func predictiveEntropies(logits: Tensor, columns: Range<Int>? = nil) -> [Float] {
    precondition(logits.rank == 2, "predictiveEntropies expects [batch, outputs] logits, got \(logits.shape)")
    let (rows, width) = (logits.shape[0], logits.shape[1])
    let range = columns ?? 0..<width
    return logits.withUnsafeBufferPointer { z in
      (0..<rows).map { r in
        let row = z.baseAddress! + r * width
        var top = -Double.infinity
        for c in range { top = Swift.max(top, Double(row[c])) }
        // H = log Σ e^{z} − Σ p z, computed around the maximum.
        var total = 0.0, weighted = 0.0
        for c in range {
          let e = Foundation.exp(Double(row[c]) - top)
          total += e
          weighted += e * (Double(row[c]) - top)
        }
        return Float(Foundation.log(total) - weighted / total)
      }
    }
  }

  /// HNET+ENT: runs the target with every learned task's weights and keeps, per sample, the logits of
  /// the task whose prediction has the lowest entropy. With ``outputGroups`` the other tasks'
  /// columns of a kept row are set to `−Float.greatestFiniteMagnitude`, so an arg-max over all
  /// outputs picks a class of the inferred task. The result is a constant: task inference is a
  /// prediction rule, not something gradients flow through.
  func inferringTask(_ input: Variable, weights: ArraySlice<Variable>, context: inout ForwardContext) throws -> Variable
  {
    let candidates = Swift.max(1, Swift.min(context.learnedTasks ?? taskCount, taskCount))
    var best: Tensor?
    var bestEntropy: [Float] = []
    var bestTask: [Int] = []
    for t in 0..<candidates {
      let logits = try runTarget(input, task: t, weights: weights, context: &context).value
      let columns = outputGroups?[t]
      let entropy = Self.predictiveEntropies(logits: logits, columns: columns)
      guard var chosen = best else {
        best = logits
        bestEntropy = entropy
        bestTask = [Int](repeating: 0, count: entropy.count)
        continue
      }
      let width = logits.shape[1]
      chosen.withUnsafeMutableBufferPointer { out in
        logits.withUnsafeBufferPointer { z in
          for r in entropy.indices where entropy[r] < bestEntropy[r] {
            bestEntropy[r] = entropy[r]
            bestTask[r] = t
            for c in 0..<width { out[r * width + c] = z[r * width + c] }
          }
        }
      }
      best = chosen
    }
    guard var output = best else {
      throw TensorError.invalidArgument(operation: "Hypernetwork", reason: "no task to infer from")
    }
    if let groups = outputGroups {
      let width = output.shape[1]
      output.withUnsafeMutableBufferPointer { out in
        for (r, t) in bestTask.enumerated() {
          for c in 0..<width where !groups[t].contains(c) { out[r * width + c] = -Float.greatestFiniteMagnitude }
        }
      }
    }
    return input.tape.constant(output)
  }
}
