import ContinualCore
import ContinualEngine
import ContinualReport
import Foundation

/// One cell of a grid, ready to run: its identity, its progress label and how to train it.
struct GridCell {
  /// The run's id (the hash of its configuration, data included).
  var runID: String
  /// `[3/12] split-mnist task ewc seed 2`, for progress and messages.
  var label: String
  /// Trains the run and returns its record (finished, or failed when training diverged).
  var train: () throws -> RunRecord
}

/// A sweep's `--output` folder as several processes may share it: the records file, read again as
/// it grows, and a claim per run (``RunClaims``), so that every run is trained once however many
/// `continual compare` processes work through the grid.
///
/// For each cell, in grid order: a run that already has a record is skipped (a finished one, or a
/// failed one: a run that diverged diverges again, so it is not retrained on every invocation;
/// `--force` reruns both); otherwise the process claims the run. A run another live process has
/// claimed is passed over for now. With the claim held, the records are read again — another
/// process may have finished the run in the meantime — and only then is the run trained, its
/// record appended and its checkpoint folder removed. At the end the process waits for each run
/// it passed over: once the holder releases it, the run's record is taken from the file; if the
/// holder died without one, this process trains it. So every process ends with the whole grid's
/// table.
///
/// A finished run whose model `--save-models` asks for but which has none (saving it failed, or
/// it ran without the option) is not skipped: it is trained again, which writes the model.
///
/// With `--force`, a record that existed when the process started is not reused, but one that
/// another process appended since is: two forced processes on one folder still train each run
/// once.
///
/// A record made by another build of the command (``BuildFingerprint``: the code changed, or the
/// record predates fingerprints) is not reused either, unless `--reuse-other-builds` is given;
/// before training, the sweep says how many such records there are, of which algorithms, and
/// whether they are retrained or reused.
final class SweepFolder {
  /// The command's options.
  let options: Options
  /// `<output>/records.jsonl`.
  let recordsURL: URL
  /// `<output>/claims`.
  let claims: RunClaims
  /// How much of the records file has been read.
  private var position = RecordFile.Position()
  /// The lines the records file had when this process started.
  private var linesAtStart = 0
  /// The record each run id would be skipped with: its last finished record, else its last failed
  /// one, with the line it was read from (`Int.max` for records this process appended).
  private var known: [String: (record: RunRecord, line: Int)] = [:]
  /// Whether claims were found unavailable on this file system (said once).
  private var claimsUnavailable = false

  /// Reads the folder's records, printing warnings about torn lines.
  ///
  /// - Throws: The records file's errors (a malformed line, an unreadable file).
  init(options: Options) throws {
    self.options = options
    recordsURL = options.output.appendingPathComponent("records.jsonl")
    claims = RunClaims(folder: options.output.appendingPathComponent("claims"), console: options.console)
    try refresh()
    linesAtStart = position.line
  }

  /// Reads the records appended since the last read.
  func refresh() throws {
    let appended = try RecordFile.readAppended(to: recordsURL, since: position)
    for warning in appended.warnings { options.console.warn("\(warning)") }
    for (record, line) in appended.records { remember(record, line: line) }
    position = appended.position
  }

  /// Keeps `record` as the one its run would be skipped with: a finished record replaces any
  /// earlier one, a failed record only a failed one or one made by another build.
  private func remember(_ record: RunRecord, line: Int) {
    guard let earlier = known[record.runID]?.record else {
      known[record.runID] = (record, line)
      return
    }
    if record.status == .finished || earlier.status != .finished
      || (madeByAnotherBuild(earlier) && !madeByAnotherBuild(record))
    {
      known[record.runID] = (record, line)
    }
  }

  /// The record a run is skipped with, or `nil` when it must be trained: with `--force`, only a
  /// record appended after this process started counts.
  func reusable(_ runID: String) -> (record: RunRecord, line: Int)? {
    guard let found = known[runID] else { return nil }
    if options.force && found.line <= linesAtStart { return nil }
    if missingModel(found.record) { return nil }
    if madeByAnotherBuild(found.record) && !options.reuseOtherBuilds { return nil }
    return found
  }

  /// Whether `record` was made by another build of the command than this one: its fingerprint
  /// differs, or it has none (an older record, or an unreadable executable).
  func madeByAnotherBuild(_ record: RunRecord) -> Bool {
    record.build == nil || record.build != options.build
  }

  /// One line on the cells whose record was made by another build, or `nil` when there are none
  /// (or `--force` reruns everything anyway): how many, of which algorithms, and what happens to
  /// them.
  func otherBuildsSummary(_ cells: [GridCell]) -> String? {
    guard !options.force else { return nil }
    let records = cells.compactMap { known[$0.runID]?.record }.filter(madeByAnotherBuild)
    guard !records.isEmpty else { return nil }
    let algorithms = Set(records.map(\.algorithm)).sorted().joined(separator: ", ")
    let unknown = records.filter { $0.build == nil }.count
    let which = unknown == records.count ? "no build fingerprint (older records)" : "another build of this tool"
    let current = options.build.map { "this build is '\($0)'" } ?? "this build's executable could not be read"
    let action =
      options.reuseOtherBuilds
      ? "reusing them as --reuse-other-builds asks; their numbers may not be those of the current code"
      : "retraining them (--reuse-other-builds would keep them)"
    return "\(records.count) run(s) of \(algorithms) have records made by \(which) (\(current)): \(action)"
  }

  /// Whether `record` is a finished run whose model `--save-models` asks for but which has none:
  /// the record notes no model (saving it failed, or the run was made without the option), or the
  /// model's files are gone. Such a run is trained again, like a `--force`d one, to write it: its
  /// checkpoints were removed when it finished, and training is deterministic.
  func missingModel(_ record: RunRecord) -> Bool {
    guard options.saveModels, record.status == .finished else { return false }
    let folder = modelFolder(runID: record.runID, options: options)
    let files = [SavedModel.weightsFile, SavedModel.descriptionFile].map { folder.appendingPathComponent($0) }
    return record.notes?["model"] == nil || !files.allSatisfy(RegularFile.isRegular)
  }

  /// Runs the cells, each once across every process sharing the folder, and returns their records
  /// in cell order.
  ///
  /// - Throws: The errors of training, of the records file and of claiming.
  func run(_ cells: [GridCell]) throws -> [RunRecord] {
    var records = [RunRecord?](repeating: nil, count: cells.count)
    var passedOver: [Int] = []
    // Workers leave it to the process that started them.
    if Jobs.worker == nil, let summary = otherBuildsSummary(cells) { options.console.warn(summary) }
    for (i, cell) in cells.enumerated() {
      if let done = reusable(cell.runID) {
        records[i] = skipped(cell, done)
        continue
      }
      switch try claim(cell, waiting: false) {
      case .unusable(let reason):
        options.console.warn("\(cell.label): passed over, not trained: \(reason)")
      case .heldElsewhere(let holder):
        if !options.quiet {
          options.console.note("\(cell.label): claimed by \(holder); its record is read once it finishes")
        }
        passedOver.append(i)
      case .claimed(let held):
        defer { held?.release() }
        records[i] = try runClaimed(cell)
      }
    }
    if !passedOver.isEmpty && !options.quiet {
      options.console.note(
        "waiting for \(passedOver.count) run(s) that other processes hold: "
          + passedOver.map { cells[$0].label }.joined(separator: "; "))
    }
    for i in passedOver {
      // Blocks until the holder releases the run or dies.
      let outcome = try claim(cells[i], waiting: true)
      if case .unusable(let reason) = outcome {
        options.console.warn("\(cells[i].label): passed over, not trained: \(reason)")
        continue
      }
      guard case .claimed(let held) = outcome else {
        throw CLIError("\(cells[i].label): still claimed by another process after waiting for it")
      }
      defer { held?.release() }
      records[i] = try runClaimed(cells[i], afterWaiting: true)
    }
    _ = rmdir(options.output.appendingPathComponent("checkpoints").path)  // only when no run's checkpoint is left
    claims.removeFolderIfEmpty()
    return records.compactMap { $0 }
  }

  /// A claim on a cell's run: `nil` inside `.claimed` when the file system has no locks.
  private enum Claim {
    case claimed(RunClaim?)
    case heldElsewhere(String)
    case unusable(String)
  }

  /// Claims a cell's run, or carries on without claims where the file system has no locks.
  private func claim(_ cell: GridCell, waiting: Bool) throws -> Claim {
    guard !claimsUnavailable else { return .claimed(nil) }
    switch try claims.claim(cell.runID, waiting: waiting) {
    case .claimed(let claim): return .claimed(claim)
    case .heldElsewhere(let holder): return .heldElsewhere(holder)
    case .unusable(let reason): return .unusable(reason)
    case .unavailable(let reason):
      options.console.warn("\(reason); runs are not claimed, so do not run two sweeps on this folder at once")
      claimsUnavailable = true
      return .claimed(nil)
    }
  }

  /// Trains a claimed run unless another process finished it meanwhile; appends its record and
  /// removes its checkpoint folder.
  private func runClaimed(_ cell: GridCell, afterWaiting: Bool = false) throws -> RunRecord {
    try refresh()
    if let done = reusable(cell.runID) { return skipped(cell, done, byAnother: true) }
    if afterWaiting && !options.quiet {
      options.console.note("\(cell.label): the process that held it stopped without a record; training it here")
    }
    if let earlier = known[cell.runID]?.record, missingModel(earlier), !options.force, !options.quiet {
      options.console.note(
        "\(cell.label): finished before, but without the model --save-models asks for; training it again to save it")
    }
    let record = try cell.train()
    try RecordFile.append(record, to: recordsURL)
    remember(record, line: Int.max)
    // The record is on disk: the run's checkpoint is no longer needed.
    try checkpointFolder(runID: cell.runID, options: options).remove()
    return record
  }

  /// Says why a run is skipped and returns the record it is skipped with.
  private func skipped(_ cell: GridCell, _ done: (record: RunRecord, line: Int), byAnother: Bool = false) -> RunRecord {
    guard !options.quiet else { return done.record }
    let place = done.line == Int.max ? recordsURL.path : "\(recordsURL.path):\(done.line)"
    if done.record.status == .finished {
      options.console.note(
        "\(cell.label): already finished \(byAnother ? "by another process " : "")in \(place), skipped (--force reruns)"
      )
    } else {
      let why = done.record.failure.map { ": \($0)" } ?? ""
      options.console.note(
        "\(cell.label): already \(done.record.status) in \(place)\(why); skipped, as it would fail again (--force "
          + "reruns)"
      )
    }
    return done.record
  }
}
