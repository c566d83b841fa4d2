import Foundation

/// Issue 30's sweep, `--only sweep`: permuted MNIST, 5 tasks of 1,000 iterations each, a
/// 784-400-400-10 MLP with one shared head, batch 128, Adam 1e-3, full training and test sets, with
/// fine-tuning, EWC, SI and MAS at their defaults — four independent runs.
///
/// Our side is one `continual compare` of the four algorithms, with `--jobs 1` (one run after
/// another, every core's threads in each) and with `--jobs 2` (two worker processes, one thread
/// each). The default comparison (`continual compare`, no options) is timed the same two ways.
/// With `--reference`, `Reference/permuted_mnist.py` runs the same four runs in plain PyTorch as a
/// user would — one process per run, one after another, with 2 threads — and, for honesty, two
/// processes at a time with one thread each. Every figure is the wall time of the whole set of
/// processes and the largest peak RSS among them.
struct SweepProtocol {
  /// The algorithms of the sweep.
  var algorithms = ["finetune", "ewc", "si", "mas"]
  /// Iterations per task.
  var iterations = 1_000

  /// The reduced sweep of `--quick`: 200 iterations per task.
  static let quick = SweepProtocol(iterations: 200)

  /// The arguments of `continual compare` for the sweep with `jobs` workers.
  func ours(jobs: Int, data: String, output: String) -> [String] {
    [
      "compare", "--quiet", "--benchmark", "permuted-mnist", "--tasks", "5", "--iterations", String(iterations),
      "--hidden", "400,400", "--batch-size", "128", "--train-per-task", "0", "--test-per-task", "0",
      "--algorithms", algorithms.joined(separator: ","), "--seeds", "1", "--jobs", String(jobs),
      "--data-dir", data, "--output", output,
    ]
  }

  /// The reference script's arguments for one run with `threads` threads.
  func reference(algorithm: String, threads: Int, data: String) -> [String] {
    [
      "--data-dir", data, "--tasks", "5", "--iterations", String(iterations), "--algorithm", algorithm,
      "--threads", String(threads),
    ]
  }
}

/// Runs the sweep both ways on our side and, with a reference interpreter, both ways in PyTorch;
/// returns one row per way, printed as it finishes.
func sweepWorkload(_ sweep: SweepProtocol, reference python: String?) throws -> [[String: Any]] {
  let continual = try builtContinual(for: "sweep")
  let data = benchmarkData
  var rows: [[String: Any]] = []
  func record(_ name: String, _ commands: [ChildCommand], width: Int = 1) throws {
    let figures = try measureChildren(commands, width: width)
    let row: [String: Any] = [
      "workload": name, "seconds": figures.seconds, "peak_rss_mb": Double(figures.peakBytes) / 1e6,
      "load_average": loadAverage(), "commands": commands.map(\.line),
    ]
    printJSON(row)
    rows.append(row)
  }
  for jobs in [1, 2] {
    try withScratchFolder { output in
      try record(
        "sweep permuted-mnist ours jobs \(jobs)",
        [ChildCommand(executable: continual, arguments: sweep.ours(jobs: jobs, data: data, output: output))])
    }
    try withScratchFolder { output in
      try record(
        "sweep default comparison ours jobs \(jobs)",
        [
          ChildCommand(
            executable: continual, arguments: ["compare", "--quiet", "--jobs", "\(jobs)", "--output", output])
        ])
    }
  }
  guard let python else { return rows }
  let script = referenceScript("permuted_mnist.py")
  for (threads, width) in [(2, 1), (1, 2)] {
    let runs = sweep.algorithms.map {
      ChildCommand(
        executable: python, arguments: [script] + sweep.reference(algorithm: $0, threads: threads, data: data))
    }
    try record("sweep permuted-mnist torch \(width) at a time, \(threads) threads each", runs, width: width)
  }
  return rows
}

/// The sweep's table: each way's wall time and peak RSS, and PyTorch's time over ours with two jobs
/// (above 1 is faster for us).
func sweepTable(_ rows: [[String: Any]]) -> String {
  let best = rows.first { ($0["workload"] as? String) == "sweep permuted-mnist ours jobs 2" }?["seconds"] as? Double
  var lines = ["| way | seconds | peak RSS MB | time / ours with --jobs 2 | load |", "|---|---|---|---|---|"]
  for row in rows {
    let seconds = row["seconds"] as? Double ?? .nan
    let ratio = (row["workload"] as? String ?? "").contains("permuted") ? best.map { seconds / $0 } : nil
    let cells = [
      row["workload"] as? String ?? "?", String(format: "%.1f", seconds),
      String(format: "%.0f", row["peak_rss_mb"] as? Double ?? .nan), ratio.map { String(format: "%.2f", $0) } ?? "—",
      String(format: "%.1f", row["load_average"] as? Double ?? .nan),
    ]
    lines.append("| " + cells.joined(separator: " | ") + " |")
  }
  return lines.joined(separator: "\n")
}
