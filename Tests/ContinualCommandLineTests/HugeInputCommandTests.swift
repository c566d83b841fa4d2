import Foundation
import Testing

/// End to end: under `ulimit -v 2000000` (2 GB of address space), an 8 GiB sparse
/// data or results file makes `continual` exit with an error naming the file and the limit, never
/// a crash (it was a SIGILL in `RegularFile.read`, from `Data(count:)`).
@Suite struct HugeInputCommandTests {
  /// Makes `url` a sparse 8 GiB file.
  static func sparse(_ url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
    #expect(truncate(url.path, 8 << 30) == 0)
  }

  /// Runs `continual` with `arguments` under `ulimit -v 2000000`; returns how it ended and its stderr.
  static func runLimited(_ arguments: [String]) throws -> (
    reason: Process.TerminationReason, status: Int32, errors: String
  )? {
    guard let binary = SharedSweepTests.binary else {
      print("no built `continual` beside the tests; the ulimit check is skipped")
      return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ulimit -v 2000000 && exec \"$0\" \"$@\"", binary.path] + arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationReason, process.terminationStatus, text)
  }

  @Test(arguments: [
    "records.jsonl", "cifar-10/data_batch_1.bin", "cifar-10/batches.meta.txt", "mnist/train-images-idx3-ubyte",
  ])
  func anEightGiBFileUnderUlimitIsTooLargeNotACrash(file: String) throws {
    let root = SharedSweepTests.folder()
    defer { try? FileManager.default.removeItem(at: root) }
    let arguments: [String]
    if file == "records.jsonl" {
      try Self.sparse(root.appendingPathComponent(file))
      arguments = ["report", root.appendingPathComponent(file).path]
    } else if file.hasPrefix("cifar-10/") {
      let data = try CIFARBenchmarkTests.writeData()
      defer { try? FileManager.default.removeItem(at: data) }
      try FileManager.default.moveItem(at: data, to: root)
      try FileManager.default.removeItem(at: root.appendingPathComponent(file))
      try Self.sparse(root.appendingPathComponent(file))
      arguments = [
        "compare", "--benchmark", "split-cifar10", "--algorithms", "finetune", "--iterations", "1", "--hidden", "8",
        "--data-dir",
        root.path, "--output", root.appendingPathComponent("out").path,
      ]
    } else {
      for name in [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
      ] {
        try Self.sparse(root.appendingPathComponent("mnist/\(name)"))
      }
      arguments = [
        "compare", "--benchmark", "split-mnist", "--algorithms", "finetune", "--iterations", "1", "--hidden", "8",
        "--data-dir",
        root.path, "--output", root.appendingPathComponent("out").path,
      ]
    }
    guard let ended = try Self.runLimited(arguments) else { return }
    #expect(ended.reason == .exit && ended.status != 0, "\(ended)")
    // MNIST's loader may read any of its four (all huge) files first.
    let name = file.hasPrefix("mnist/") ? "-ubyte" : URL(fileURLWithPath: file).lastPathComponent
    #expect(
      ended.errors.contains(name) && ended.errors.contains("too large") && ended.errors.contains("8589934592"),
      "\(ended.errors)")
  }
}
