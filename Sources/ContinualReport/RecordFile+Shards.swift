import ContinualCore
import Foundation

extension RecordFile {
  /// Reads several results files (the shards of a sweep) as one, dropping duplicate runs.
  ///
  /// A sweep split over many machines, or resumed after a kill, can hold more than one record with the
  /// same `run_id`. For each `run_id` the last *finished* record is kept (or, if none finished, the
  /// last record) — the newest, as `continual compare` uses after `--force` reruns a run — at the
  /// position where that `run_id` first appeared, and a warning lists every copy's file and line.
  ///
  /// ```swift
  /// let shards = (0..<4).map { URL(filePath: "results/shard-\($0).jsonl") }
  /// let contents = try RecordFile.readAll(shards)
  /// ```
  ///
  /// - Parameter urls: The results files, in the order their records should be taken.
  /// - Returns: The merged records, and warnings about torn lines and duplicates.
  /// - Throws: The errors of ``read(from:)``, for the first file that cannot be read.
  /// - Complexity: O(*n*) in the files' total size.
  public static func readAll(_ urls: [URL]) throws -> Contents {
    var warnings: [String] = []
    var firstSeen: [String] = []
    var copies: [String: [LocatedRecord]] = [:]
    for url in urls {
      let file = try readLocated(from: url)
      warnings += file.warnings
      for located in file.records {
        let id = located.record.runID
        if copies[id] == nil { firstSeen.append(id) }
        copies[id, default: []].append(located)
      }
    }
    var records: [RunRecord] = []
    for id in firstSeen {
      let all = copies[id] ?? []
      guard let kept = all.last(where: { $0.record.status == .finished }) ?? all.last else { continue }
      records.append(kept.record)
      if all.count > 1 {
        let places = all.map(\.location).joined(separator: ", ")
        warnings.append(
          "run \(id) appears \(all.count) times (\(places)); kept the \(kept.record.status) record at \(kept.location)")
      }
    }
    return Contents(records: records, warnings: warnings)
  }
}
