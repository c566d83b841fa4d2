import Foundation

/// The protocols whose peak memory `--only memory` measures: each runs `continual` in a child
/// process, so every figure is that run's own peak resident set size (`wait4`'s `ru_maxrss`).
///
/// The `continual` executable is the one built beside this benchmark; data comes from
/// `$CONTINUAL_DATA` or `../shared/data`. With `--reference`, the permuted-MNIST protocols also run
/// in plain PyTorch (`Reference/permuted_mnist.py`, uint8 images permuted per batch) right after ours.
struct MemoryProtocol {
  /// The workload's name in the output.
  var name: String
  /// The arguments of `continual`.
  var arguments: [String]
  /// The reference script's arguments, when PyTorch runs the same protocol.
  var reference: [String]?
  /// The target, in MB.
  var targetMB: Double

  static func all(dataDirectory: String) -> [MemoryProtocol] {
    let mlp = [
      "--hidden", "400,400", "--batch-size", "128", "--train-per-task", "0", "--algorithms", "finetune", "--seeds", "1",
    ]
    return [
      MemoryProtocol(
        name: "memory permuted-mnist 5 tasks 784-400-400 b128",
        arguments: ["--benchmark", "permuted-mnist", "--tasks", "5", "--iterations", "500", "--test-per-task", "0"]
          + mlp,
        reference: ["--tasks", "5", "--iterations", "500"], targetMB: 150),
      MemoryProtocol(
        name: "memory permuted-mnist 100 tasks 784-400-400 b128",
        arguments: ["--benchmark", "permuted-mnist", "--tasks", "100", "--iterations", "20", "--test-per-task", "500"]
          + mlp,
        reference: ["--tasks", "100", "--iterations", "20", "--test-per-task", "500"], targetMB: 250),
      MemoryProtocol(
        name: "memory split-cifar10 5 tasks mlp 400-400 b128",
        arguments: ["--benchmark", "split-cifar10", "--iterations", "200", "--test-per-task", "0"] + mlp,
        reference: nil, targetMB: 400),
      MemoryProtocol(name: "memory default comparison", arguments: [], reference: nil, targetMB: 120),
    ].map { protocolWithData($0, dataDirectory) }
  }

  private static func protocolWithData(_ p: MemoryProtocol, _ directory: String) -> MemoryProtocol {
    var p = p
    if !p.arguments.isEmpty { p.arguments += ["--data-dir", directory] }
    p.reference = p.reference.map { $0 + ["--data-dir", directory] }
    return p
  }
}

/// Peak memory of the protocols above, ours and (with a reference interpreter) PyTorch's.
func memoryWorkload(reference python: String?, script: String) throws -> [[String: Any]] {
  let continual = try builtContinual(for: "memory")
  let data = benchmarkData
  var rows: [[String: Any]] = []
  for p in MemoryProtocol.all(dataDirectory: data) {
    let ours = try withScratchFolder { output in
      try measureChild(continual, ["compare", "--quiet", "--output", output] + p.arguments)
    }
    var row: [String: Any] = [
      "workload": p.name, "peak_rss_mb": Double(ours.peakBytes) / 1e6, "seconds": ours.seconds, "target_mb": p.targetMB,
      "command": (["continual", "compare"] + p.arguments).joined(separator: " "),
    ]
    if let python, let arguments = p.reference {
      let torch = try measureChild(python, [script] + arguments)
      row["torch_peak_rss_mb"] = Double(torch.peakBytes) / 1e6
      row["torch_seconds"] = torch.seconds
      row["ratio_vs_torch"] = Double(ours.peakBytes) / Double(torch.peakBytes)
    }
    rows.append(row)
  }
  return rows
}
