import ContinualCore

extension Options {
  /// The most weights the MLP may have (4 GiB of `Float`).
  static let maximumWeights = 1 << 30

  /// Checks values that options cannot check one at a time.
  ///
  /// - Throws: ``CLIError`` naming the options that conflict.
  func validate() throws {
    // A preset or a file's choice is overridden by a later flag; two typed ones contradict each other.
    if typed.contains("--iterations") && typed.contains("--epochs") {
      throw CLIError("--iterations and --epochs both set the length of each task; give one of them")
    }
    let lists = [
      ("--benchmark", benchmarks.map(\.name)), ("--scenario", scenarios.map(\.rawValue)),
      ("--algorithms", algorithms.map(\.text)),
      ("--format", formats.map(\.rawValue)),
    ]
    for (flag, list) in lists where list.isEmpty {
      throw CLIError("\(flag) needs at least one name: \(Options.declaration(flag)?.summary ?? "")")
    }
    // A repeated entry would train the same runs again and count them twice in the table.
    for (flag, list) in lists {
      var seen = Set<String>()
      if let repeated = list.first(where: { !seen.insert($0).inserted }) {
        throw CLIError("\(flag) lists '\(repeated)' more than once; each grid entry must be different")
      }
    }
    if batchNorm == .perTask {
      guard network.hasBatchNorm else {
        throw CLIError("--batchnorm per-task: the \(networkName.named) network has no BatchNorm layers")
      }
      if let other = scenarios.first(where: { $0 != .task })?.rawValue {
        throw CLIError(
          "--batchnorm per-task needs the task identity at every forward pass, so only the task scenario; not \(other)")
      }
    }
    if pad, let other = benchmarks.first(where: { $0.kind != .permuted }) {
      throw CLIError("--pad applies to permuted benchmarks only, not \(other.name)")
    }
    guard hidden.count <= 64 else { throw CLIError("--hidden lists \(hidden.count) layers; at most 64") }
    // The largest input is a 32×32 colour image, the largest output 100 classes per task.
    let widths = [3 * 32 * 32] + hidden + [100 * (tasks ?? 10)]
    let weights = zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
    guard weights <= Options.maximumWeights else {
      throw CLIError(
        "--hidden \(hidden.map(String.init).joined(separator: ",")) would need about \(weights) weights; at most "
          + "\(Options.maximumWeights)"
      )
    }
  }

  /// A warning when `--hidden` was given (perhaps by a preset) with a network it does not shape.
  var ignoredHiddenWarning: String? {
    guard !networkName.isMLP, given.contains("--hidden") else { return nil }
    return
      "--hidden sets the MLP's widths; --network \(networkName.named) does not use it (and the records do not list it)"
  }
}
