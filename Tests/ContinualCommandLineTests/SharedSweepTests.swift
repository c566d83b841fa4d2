import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// Several `continual compare` processes on one `--output`: a requeued cluster
/// job, a shard started without `--shard`, or workers started on purpose. Each run is trained
/// once, nobody deletes another's checkpoints, and every process ends with the whole table.
@Suite struct SharedSweepTests {
  static func folder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ck-cli-shared-\(UUID().uuidString)")
  }

  /// A grid of 8 small runs.
  static func arguments(output: URL) -> [String] {
    [
      "compare", "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", "finetune,ewc,si,mas", "--seeds",
      "2", "--iterations",
      "15", "--train-per-task", "60", "--test-per-task", "20", "--hidden", "16", "--output", output.path, "--format",
      "json",
    ]
  }

  /// The run ids of a records file, one per line.
  static func runIDs(in output: URL) throws -> [String] {
    try RecordFile.read(from: output.appendingPathComponent("records.jsonl")).records.map(\.runID)
  }

  /// The `continual` executable built beside the test bundle, when there is one.
  static var binary: URL? {
    let candidates = [
      URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
      Bundle.main.bundleURL.deletingLastPathComponent(),
    ]
    return candidates.map { $0.appendingPathComponent("continual") }.first {
      FileManager.default.isExecutableFile(atPath: $0.path)
    }
  }

  /// The first Markdown table of a command's output, without the time column (which differs).
  static func table(_ text: String) -> [[String]] {
    let rows = text.split(separator: "\n").prefix { $0.hasPrefix("|") }.map {
      $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    guard let time = rows.first?.firstIndex(of: "Time (s)") else { return rows }
    return rows.map { row in row.enumerated().filter { $0.offset != time }.map(\.element) }
  }

  @Test func twoProcessesOnOneFolderTrainEachRunOnceAndBothShowTheWholeTable() throws {
    guard let binary = Self.binary else {
      print(
        "SharedSweepTests: no built `continual` beside the tests; the two-process check is skipped (the threads "
          + "check runs)"
      )
      return
    }
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let processes = (0..<2).map { _ in
      let process = Process()
      process.executableURL = binary
      process.arguments = Self.arguments(output: output)
      process.standardOutput = Pipe()
      process.standardError = Pipe()
      return process
    }
    for process in processes { try process.run() }
    // Read both outputs while they run, so neither blocks on a full pipe.
    let outputs = processes.map { process in
      let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
      let err = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self), process.terminationStatus)
    }
    for (_, err, status) in outputs { #expect(status == 0, "\(err)") }
    // Before claims every run was trained by both processes: 16 records for 8 runs.
    let ids = try Self.runIDs(in: output)
    #expect(ids.count == 8 && Set(ids).count == 8, "records: \(ids)")
    let tables = outputs.map { Self.table($0.0) }
    #expect(tables[0].count == 6 && tables[0] == tables[1], "\(outputs.map(\.0))")
    #expect(
      tables[0].dropFirst(2).allSatisfy { $0.contains("2") }, "every row has n = 2 in both processes: \(tables[0])")
    #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("claims").path))
    #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoints").path))
  }

  @Test func twoRunnersOnThreadsTrainEachRunOnceAndBothGetEveryRecord() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let arguments = Array(Self.arguments(output: output).dropFirst()) + ["--quiet"]
    let results = Locked<[[RunRecord]]>([])
    let failures = Locked<[String]>([])
    let done = DispatchSemaphore(value: 0)
    for _ in 0..<2 {
      Thread {
        do {
          let records = try runGrid(Parsing.options(arguments))
          results.withLock { $0.append(records) }
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
        done.signal()
      }.start()
    }
    done.wait()
    done.wait()
    #expect(failures.withLock { $0 } == [])
    let ids = try Self.runIDs(in: output)
    #expect(ids.count == 8 && Set(ids).count == 8, "records: \(ids)")
    for records in results.withLock({ $0 }) {
      #expect(records.map(\.runID) == results.withLock { $0[0].map(\.runID) } && Set(records.map(\.runID)) == Set(ids))
    }
  }

  @Test func aClaimIsExclusiveAndFreedByReleaseOrByItsHoldersEnd() throws {
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let claims = RunClaims(folder: output.appendingPathComponent("claims"))
    guard case .claimed(let first) = try claims.claim("abc", waiting: false) else {
      Issue.record("the first claim failed")
      return
    }
    guard case .heldElsewhere(let holder) = try claims.claim("abc", waiting: false) else {
      Issue.record("a claimed run was claimed again")
      return
    }
    #expect(holder.contains("process \(getpid())"))
    // A claim another runner waits for is handed over when it is released.
    let handedOver = Locked(false)
    let waiter = DispatchSemaphore(value: 0)
    Thread {
      if case .claimed(let second) = try? claims.claim("abc", waiting: true) {
        handedOver.withLock { $0 = true }
        second.release()
      }
      waiter.signal()
    }.start()
    first.release()
    waiter.wait()
    #expect(handedOver.withLock { $0 })
    #expect(
      !FileManager.default.fileExists(atPath: claims.lockFile("abc").path), "a released claim leaves no lock file")
    // A lock file left by a process that died (no lock on it) is no claim at all.
    try FileManager.default.createDirectory(at: claims.folder, withIntermediateDirectories: true)
    try Data("process 1 on elsewhere\n".utf8).write(to: claims.lockFile("stale"))
    guard case .claimed(let third) = try claims.claim("stale", waiting: false) else {
      Issue.record("a stale lock file blocked the run")
      return
    }
    third.release()
  }

  @Test func aRunFinishedByAnotherProcessWhileThisOneWaitedIsNotTrainedAgain() throws {
    // One process claims a run; this one passes over it, and when the claim is released with the
    // run's record appended, takes the record instead of training the run.
    let output = Self.folder()
    defer { try? FileManager.default.removeItem(at: output) }
    let arguments =
      Array(Self.arguments(output: output).dropFirst()) + ["--quiet", "--seeds", "1", "--algorithms", "ewc"]
    let reference = try runGrid(Parsing.options(arguments))[0]
    try FileManager.default.removeItem(at: output.appendingPathComponent("records.jsonl"))
    let claims = RunClaims(folder: output.appendingPathComponent("claims"))
    guard case .claimed(let held) = try claims.claim(reference.runID, waiting: false) else {
      Issue.record("could not claim the run")
      return
    }
    let result = Locked<[RunRecord]?>(nil)
    let done = DispatchSemaphore(value: 0)
    Thread {
      let records = try? runGrid(Parsing.options(arguments))
      result.withLock { $0 = records }
      done.signal()
    }.start()
    // The other "process" finishes the run: its record, then its claim released.
    var forged = reference
    forged.wallSeconds = 12_345
    try RecordFile.append(forged, to: output.appendingPathComponent("records.jsonl"))
    held.release()
    done.wait()
    #expect(result.withLock { $0 }?.map(\.wallSeconds) == [12_345])
    #expect(try Self.runIDs(in: output) == [reference.runID])
  }
}
