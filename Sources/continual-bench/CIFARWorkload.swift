import Foundation

/// Issue 30's end-to-end protocol, `--only cifar`: split CIFAR-10, task-incremental, 5 tasks of two
/// classes, every training image of each task (10,000) for 2 epochs, Adam 1e-3, batch 128, crop +
/// flip augmentation, evaluation on all 2,000 test images of every task after each task — for the
/// `zenke` CNN and ResNet-32, with fine-tuning, EWC (λ 500, expected Fisher over every training
/// image) and ER (500 exemplars, the first of each class, 32 replayed per step).
///
/// Each run is a whole child process of `continual run` (data loading, checkpoints and evaluation
/// included), measured like `--only memory`: wall time and `wait4`'s peak resident set size. With
/// `--reference`, `Reference/split_cifar.py` runs the same protocol in plain PyTorch right after ours,
/// one process per run too. `--quick` (1 epoch, 1,000 training and 500 test images per task) cuts each
/// of our runs to minutes; PyTorch's EWC (a vmap Fisher) still takes ten minutes and more per run.
struct CIFARProtocol {
  /// Passes over each task's training images.
  var epochs = 2
  /// Training images per task (10,000 = all of a split-CIFAR-10 task's).
  var trainPerTask = 10_000
  /// Test images per task evaluated after each task (2,000 = all of a task's).
  var testPerTask = 2_000
  /// The networks, by `--network` name.
  var networks = ["zenke", "resnet32"]
  /// The algorithms, by name.
  var algorithms = ["finetune", "ewc", "er"]

  /// The reduced protocol of `--quick`: 1 epoch over 1,000 training images per task, 500 test
  /// images per task. Peak memory hardly depends on the counts (the dataset is loaded whole, batches
  /// are the same size), so its RSS figures are close to the full protocol's; its times are not.
  static let quick = CIFARProtocol(epochs: 1, trainPerTask: 1_000, testPerTask: 500)

  /// The arguments of `continual run` for one run.
  func ours(network: String, algorithm: String, data: String, output: String) -> [String] {
    var arguments = [
      "run", "--quiet", "--benchmark", "split-cifar10", "--scenario", "task", "--network", network,
      "--algorithms", algorithm, "--epochs", String(epochs), "--train-per-task", String(trainPerTask),
      "--test-per-task", String(testPerTask), "--batch-size", "128", "--lr", "0.001", "--augment", "crop-flip",
      "--seeds", "1",
      "--data-dir", data, "--output", output,
    ]
    if algorithm == "er" { arguments += ["--set", "memory.size=500", "--set", "memory.batch=32"] }
    return arguments
  }

  /// The arguments of `Reference/split_cifar.py` for the same run.
  func reference(network: String, algorithm: String, data: String) -> [String] {
    [
      "--data-dir", data, "--network", network, "--algorithms", algorithm, "--scenario", "task", "--seed", "1",
      "--epochs", String(epochs), "--train-per-task", String(trainPerTask), "--test-per-task",
      String(testPerTask),
    ]
  }
}

/// Runs the protocol, ours then PyTorch's per run, and prints each row as it finishes (the whole
/// protocol takes hours on two cores); returns the rows for the table.
func cifarWorkload(_ protocolSettings: CIFARProtocol, reference python: String?) throws -> [[String: Any]] {
  let continual = try builtContinual(for: "cifar")
  let data = benchmarkData
  let script = referenceScript("split_cifar.py")
  var rows: [[String: Any]] = []
  for network in protocolSettings.networks {
    for algorithm in protocolSettings.algorithms {
      let (arguments, ours) = try withScratchFolder { output in
        let arguments = protocolSettings.ours(network: network, algorithm: algorithm, data: data, output: output)
        return (arguments, try measureChild(continual, arguments))
      }
      var row: [String: Any] = [
        "workload": "cifar \(network) \(algorithm)", "epochs": protocolSettings.epochs,
        "train_per_task": protocolSettings.trainPerTask, "test_per_task": protocolSettings.testPerTask,
        "seconds": ours.seconds,
        "peak_rss_mb": Double(ours.peakBytes) / 1e6, "load_average": loadAverage(),
        "command": (["continual"] + arguments).joined(separator: " "),
      ]
      if let python {
        let torch = try measureChild(
          python, [script] + protocolSettings.reference(network: network, algorithm: algorithm, data: data))
        row["torch_seconds"] = torch.seconds
        row["torch_peak_rss_mb"] = Double(torch.peakBytes) / 1e6
        row["time_ratio_vs_torch"] = ours.seconds / torch.seconds
        row["rss_ratio_vs_torch"] = Double(ours.peakBytes) / Double(torch.peakBytes)
        row["load_average_after_torch"] = loadAverage()
      }
      printJSON(row)
      rows.append(row)
    }
  }
  return rows
}

/// The side-by-side table of `--only cifar`: wall time and peak RSS, ours and PyTorch's, and the
/// ratios ours / PyTorch (below 1 is better for us in both).
func cifarTable(_ rows: [[String: Any]]) -> String {
  func cell(_ value: Any?, _ format: String) -> String {
    (value as? Double).map { String(format: format, $0) } ?? "—"
  }
  var lines = [
    "| run | ours s | PyTorch s | time ratio | ours MB | PyTorch MB | RSS ratio | load |",
    "|---|---|---|---|---|---|---|---|",
  ]
  for row in rows {
    let cells = [
      row["workload"] as? String ?? "?", cell(row["seconds"], "%.1f"), cell(row["torch_seconds"], "%.1f"),
      cell(row["time_ratio_vs_torch"], "%.2f"), cell(row["peak_rss_mb"], "%.0f"),
      cell(row["torch_peak_rss_mb"], "%.0f"),
      cell(row["rss_ratio_vs_torch"], "%.2f"), cell(row["load_average"], "%.1f"),
    ]
    lines.append("| " + cells.joined(separator: " | ") + " |")
  }
  return lines.joined(separator: "\n")
}
