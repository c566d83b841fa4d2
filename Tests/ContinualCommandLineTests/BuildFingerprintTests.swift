import ContinualCore
import ContinualReport
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

  @Test func anEditedBuildRetrainsAndSaysSo() throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("ck-build-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let records = output.appendingPathComponent("records.jsonl")
    let lines = Lines()

    let first = try runGrid(try Self.options(output: output, build: "exe 1 crc 0000000a", lines: lines))[0]
    #expect(first.build == "exe 1 crc 0000000a")
    // The same build: skipped, nothing said about builds.
    #expect(try runGrid(try Self.options(output: output, build: "exe 1 crc 0000000a", lines: lines))[0] == first)
    #expect(!lines.all.contains { $0.contains("build") }, "\(lines.all)")

    // One line of the algorithm changed, so the executable did: the run trains again, same id.
    let edited = try runGrid(try Self.options(output: output, build: "exe 1 crc 0000000b", lines: lines))[0]
    #expect(edited.build == "exe 1 crc 0000000b" && edited.runID == first.runID)
    #expect(try RecordFile.read(from: records).records.map(\.build) == ["exe 1 crc 0000000a", "exe 1 crc 0000000b"])
    let retrained = try #require(lines.all.last { $0.contains("another build") }, "\(lines.all)")
    #expect(retrained.contains("1 run(s) of ewc") && retrained.contains("retraining them"), "\(retrained)")

    // Asked to keep other builds' records: reused, and said so.
    let kept = try runGrid(
      try Self.options(output: output, build: "exe 1 crc 0000000c", lines: lines, extra: ["--reuse-other-builds"]))[0]
    #expect(kept == edited)
    #expect(try RecordFile.read(from: records).records.count == 2)
    let reused = try #require(lines.all.last { $0.contains("another build") }, "\(lines.all)")
    #expect(reused.contains("reusing them as --reuse-other-builds asks"), "\(reused)")
  }

  /// A record written before fingerprints existed still loads, and counts as another build.
  @Test func aRecordWithoutABuildLoadsAndIsRetrained() throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("ck-build-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let records = output.appendingPathComponent("records.jsonl")
    let lines = Lines()
    let first = try runGrid(try Self.options(output: output, build: "exe 1 crc 0000000a", lines: lines))[0]
    // Strip the field, as an older version wrote the line.
    let text = try String(contentsOf: records, encoding: .utf8)
    let old = text.replacingOccurrences(of: #""build":"exe 1 crc 0000000a","#, with: "")
    #expect(old != text)
    try old.write(to: records, atomically: true, encoding: .utf8)
    let loaded = try RecordFile.read(from: records).records
    #expect(loaded.count == 1 && loaded[0].build == nil && loaded[0].accuracyMatrix == first.accuracyMatrix)

    _ = try runGrid(try Self.options(output: output, build: "exe 1 crc 0000000a", lines: lines))
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
