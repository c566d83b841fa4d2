import ContinualCore
import ContinualData
import Foundation
import Testing

@testable import ContinualCommand

/// The memory a grid cell needs is estimated before it trains and checked against the machine's:
/// `--tasks 1000` once aborted with `failed to allocate` at about 120 MB per
/// task; tasks now share the dataset's pixels, and a cell that cannot fit is refused by name.
@Suite struct MemoryBudgetTests {
  static func prepared(_ arguments: [String]) throws -> PreparedRun {
    try PreparedRun.parsing(["--hidden", "16"] + arguments)
  }

  @Test func aThousandPermutedTasksShareTheDatasetsPixels() throws {
    let one = MemoryBudget.estimate(
      try Self.prepared(["--benchmark", "permuted-builtin", "--algorithms", "finetune", "--tasks", "1"]))
    let many = MemoryBudget.estimate(
      try Self.prepared(["--benchmark", "permuted-builtin", "--algorithms", "finetune", "--tasks", "1000"]))
    // The built-in dataset's 35,000 images of 784 bytes, once; then per task its 3,000 + 1,000
    // subsampled rows and labels and a permutation: about 70 kB, not a 120 MB copy.
    #expect(one.data > 27_000_000 && one.data < 28_000_000, "\(one)")
    let perTask = (many.data - one.data) / 999
    #expect(perTask < 80_000, "\(perTask) bytes per task")
  }

  @Test func aCellLargerThanTheMemoryIsRefusedBeforeTrainingNamingTasks() throws {
    let prepared = try Self.prepared(["--benchmark", "permuted-builtin", "--algorithms", "ewc", "--tasks", "1000"])
    #expect {
      try MemoryBudget.check(
        prepared, label: "[1/1] permuted-builtin domain ewc seed 1", available: (10_000_000, "this machine has"))
    } throws: {
      let message = "\($0)"
      return message.contains("[1/1] permuted-builtin domain ewc seed 1") && message.contains("--tasks 1000")
        && message.contains("more than the 10 MB of memory this machine has") && message.contains("per task")
    }
    try MemoryBudget.check(prepared, label: "fits", available: (1 << 40, "this machine has"))
    try MemoryBudget.check(prepared, label: "unknown", available: nil)
  }

  @Test func theLimitIsKnownOnThisMachine() throws {
    let limit = try #require(MemoryBudget.available())
    #expect(limit.bytes > 100_000_000, "\(limit)")
  }

  /// The address-space limit counts, less what the process already uses, and
  /// the message names it.
  @Test func theAddressSpaceLimitIsHonouredAndNamed() throws {
    let limited = try #require(
      MemoryBudget.available(physical: 8 << 30, controlGroup: 4 << 30, addressSpace: (limit: 2 << 30, used: 500 << 20)))
    #expect(limited.bytes == (2 << 30) - (500 << 20))
    #expect(limited.source.contains("ulimit -v, RLIMIT_AS"), "\(limited.source)")
    let prepared = try Self.prepared(["--benchmark", "permuted-builtin", "--algorithms", "ewc", "--tasks", "1000"])
    #expect {
      try MemoryBudget.check(
        prepared, label: "[1/1]",
        available: MemoryBudget.available(
          physical: 8 << 30, controlGroup: nil, addressSpace: (limit: 80_000_000, used: 0)))
    } throws: {
      "\($0)".contains("of memory the address-space limit (ulimit -v, RLIMIT_AS, 80 MB) leaves this process")
    }
    let roomy = try #require(
      MemoryBudget.available(physical: 8 << 30, controlGroup: nil, addressSpace: (limit: 1 << 40, used: 0)))
    #expect(roomy.source == "this machine has")
    #expect(MemoryBudget.available(physical: nil, controlGroup: nil, addressSpace: nil) == nil)
  }

  /// The real limit is read: a `continual` process started under `ulimit -v` refuses a run that the
  /// machine's memory would hold but the address space cannot, naming RLIMIT_AS, instead of failing
  /// to allocate.
  @Test func aProcessUnderUlimitRefusesARunItsAddressSpaceCannotHold() throws {
    let output = SharedSweepTests.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    // About 2.6 GB of weights (130 million, 5 copies): the machine may hold it, a 2 GB address space cannot.
    let arguments = [
      "compare", "--benchmark", "split-builtin", "--algorithms", "finetune", "--hidden", "11000,11000",
      "--iterations", "1", "--train-per-task", "10", "--test-per-task", "10", "--quiet", "--output", output.path,
    ]
    guard let run = try HugeInputCommandTests.runLimited(arguments) else { return }
    #expect(run.reason == .exit && run.status != 0, "\(run.errors)")
    #expect(run.errors.contains("RLIMIT_AS") && run.errors.contains("--hidden"), "\(run.errors)")
  }
}
