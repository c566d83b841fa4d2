import ContinualEngine

/// `softplus(z) = log(1 + eᶻ)` elementwise, computed as `max(z, 0) + log(1 + e^{−|z|})` so that it
/// neither overflows for large `z` nor loses precision for very negative `z`.
///
/// - Parameter z: Logits.
/// - Returns: A variable of `z`'s shape.
/// - Throws: `TensorError` only when the tape fails.
func softplus(_ z: Variable) throws -> Variable {
  try z.relu() + ((-1 * z.abs()).exp() + 1).log()
}

/// The binary cross-entropy of sigmoid outputs against targets, summed over every element:
/// `Σ BCE(z, t) = Σ softplus(z) − t·z`, which is `−t log σ(z) − (1 − t) log(1 − σ(z))` written
/// without `log σ` (PyTorch's `binary_cross_entropy_with_logits` with reduction `sum`).
///
/// - Parameters:
///   - logits: The logits `z`.
///   - targets: The targets `t ∈ [0, 1]`, of `z`'s shape.
/// - Returns: A scalar.
/// - Throws: `TensorError` when the shapes differ.
func summedBinaryCrossEntropy(logits: Variable, targets: Variable) throws -> Variable {
  try (softplus(logits) - targets * logits).sum()
}
