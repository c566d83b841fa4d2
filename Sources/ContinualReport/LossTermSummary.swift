import ContinualCore

/// The objective's terms of one table row over its finished seeds, for the report's loss-term
/// figure: per seed, per task, the mean of each term over that task's steps (a record's
/// `loss_terms`), such as `task` (the head's loss) and one term per regulariser (`ewc`, `si`).
struct LossTermSummary {
  /// The row's label.
  var row: String
  /// Per finished seed that logged its terms, per task, each term's mean by name.
  var seeds: [[[String: Double]]]

  /// Summarises the finished records among `records` (all of one row) that have loss terms.
  init(row: String, records: [RunRecord]) {
    self.row = row
    seeds = records.filter { $0.status == .finished }.compactMap(\.lossTerms).filter { !$0.isEmpty }
  }

  /// The terms any seed logged: `task` first, then the others by name.
  var termNames: [String] {
    let names = Set(seeds.flatMap { $0.flatMap(\.keys) })
    return names.sorted { ($0 == "task" ? 0 : 1, $0) < ($1 == "task" ? 0 : 1, $1) }
  }

  /// Term `name` on each task some seed logged it for: points `(t + 1, mean over seeds)`, with
  /// non-finite values left out.
  func curve(_ name: String) -> [(tasksTrained: Int, value: MeanEstimate)] {
    let taskCount = seeds.map(\.count).max() ?? 0
    return (0..<taskCount).compactMap { task in
      let values = seeds.compactMap { task < $0.count ? $0[task][name] : nil }.filter(\.isFinite)
      return MeanEstimate(values).map { (task + 1, $0) }
    }
  }
}
