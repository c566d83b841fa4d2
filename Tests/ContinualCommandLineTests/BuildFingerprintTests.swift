import ContinualCore
import ContinualReport
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// Results follow the code: a record carries the build that made it, and `compare` retrains a run
/// whose record another build made (or says it reuses it, with `--reuse-other-builds`), while run
/// ids stay those of the settings and data.
@Suite struct BuildFingerprintTests {
  /// A one-run sweep on the built-in data, its diagnostics collected, stamped with `build`.
  static func options(output: URL, build: String?, lines: Lines, extra: [String] = []) throws -> Options {
    var options = try Parsing.options(
      [
        "--benchmark", "split-builtin", "--scenario", "task", "--algorithms", "ewc", "--seeds", "1",
        "--iterations", "3", "--tasks", "2", "--train-per-task", "40", "--test-per-task", "20", "--hidden", "8",
        "--quiet", "--format", "json", "--output", output.path,
      ] + extra)
    options.build = build
    options.console = Console(output: { _ in }, diagnostics: { lines.append($0) })
    return options
  }

  /// A sweep's output folder (in the temporary directory), its record file and its diagnostics.
  struct Sweep {
    let output: URL
    let lines = Lines()
    var records: URL { output.appendingPathComponent("records.jsonl") }

    /// Runs the one-run sweep stamped with `build` and returns its record.
    func run(build: String?, extra: [String] = []) throws -> RunRecord {
      try runGrid(try BuildFingerprintTests.options(output: output, build: build, lines: lines, extra: extra))[0]
    }
  }

  @Test func anEditedBuildRetrainsAndSaysSo() throws {
    let sweep = Sweep(output: try temporaryFolder("ck-build"))
    defer { try? FileManager.default.removeItem(at: sweep.output) }
    let first = try sweep.run(build: "exe 1 crc 0000000a")
    #expect(first.build == "exe 1 crc 0000000a")
    // The same build: skipped, nothing said about builds.
    #expect(try sweep.run(build: "exe 1 crc 0000000a") == first)
    #expect(!sweep.lines.all.contains { $0.contains("build") }, "\(sweep.lines.all)")

    // One line of the algorithm changed, so the executable did: the run trains again, same id.
    let edited = try sweep.run(build: "exe 1 crc 0000000b")
    #expect(edited.build == "exe 1 crc 0000000b" && edited.runID == first.runID)
    let builds = try RecordFile.read(from: sweep.records).records.map(\.build)
    #expect(builds == ["exe 1 crc 0000000a", "exe 1 crc 0000000b"])
    let retrained = try #require(sweep.lines.all.last { $0.contains("another build") }, "\(sweep.lines.all)")
    #expect(retrained.contains("1 run(s) of ewc") && retrained.contains("retraining them"), "\(retrained)")

    // Asked to keep other builds' records: reused, and said so.
    #expect(try sweep.run(build: "exe 1 crc 0000000c", extra: ["--reuse-other-builds"]) == edited)
    #expect(try RecordFile.read(from: sweep.records).records.count == 2)
    let reused = try #require(sweep.lines.all.last { $0.contains("another build") }, "\(sweep.lines.all)")
    #expect(reused.contains("reusing them as --reuse-other-builds asks"), "\(reused)")
  }

  /// A record written before fingerprints existed still loads, and counts as another build.
  @Test func aRecordWithoutABuildLoadsAndIsRetrained() throws {
    let sweep = Sweep(output: try temporaryFolder("ck-build"))
    defer { try? FileManager.default.removeItem(at: sweep.output) }
    let (records, lines) = (sweep.records, sweep.lines)
    let first = try sweep.run(build: "exe 1 crc 0000000a")
    // Strip the field, as an older version wrote the line.
    let text = try String(contentsOf: records, encoding: .utf8)
    let old = text.replacingOccurrences(of: #""build":"exe 1 crc 0000000a","#, with: "")
    #expect(old != text)
    try old.write(to: records, atomically: true, encoding: .utf8)
    let loaded = try RecordFile.read(from: records).records
    #expect(loaded.count == 1 && loaded[0].build == nil && loaded[0].accuracyMatrix == first.accuracyMatrix)

    _ = try sweep.run(build: "exe 1 crc 0000000a")
    #expect(try RecordFile.read(from: records).records.map(\.build) == [nil, "exe 1 crc 0000000a"])
    #expect(lines.all.contains { $0.contains("no build fingerprint (older records)") }, "\(lines.all)")
  }

  /// The fingerprint is the executable's bytes: the same bytes give the same one, one changed
  /// byte another; the running executable has one.
  @Test func theFingerprintFollowsTheBytes() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ck-exe-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: file) }
    var bytes = [UInt8](repeating: 7, count: 4096)
    try Data(bytes).write(to: file)
    let before = try #require(BuildFingerprint.of(file: file))
    #expect(before.hasPrefix("exe 4096 crc "))
    #expect(BuildFingerprint.of(file: file) == before)
    bytes[2048] = 8
    try Data(bytes).write(to: file)
    #expect(BuildFingerprint.of(file: file) != before)
    #expect(BuildFingerprint.of(file: file.appendingPathExtension("missing")) == nil)
    #expect(BuildFingerprint.current?.hasPrefix("exe ") == true)
  }
}
