import ContinualCore

extension ComparisonTable {
  /// The algorithm whose rows are the reference of intransigence: joint training, which after task
  /// `k` has been trained on the data of tasks `0…k` together.
  public static let intransigenceReferenceAlgorithm = "joint"

  /// Settings a row may differ in from its intransigence reference: the seed and the algorithm,
  /// and `reset_optimiser`, which algorithms such as HNet set for themselves.
  static let settingsIgnoredForReference: Set<String> = ["algorithm", "seed", "reset_optimiser"]

  /// The protocol settings of a configuration, which a row and its reference must share: every key
  /// without a component prefix (`lr`, `hidden`, `length`, …; not `ewc.lambda` or `memory.size`)
  /// except ``settingsIgnoredForReference``.
  static func protocolSettings(_ configuration: [String: String]) -> [String: String] {
    configuration.filter { !$0.key.contains(".") && !settingsIgnoredForReference.contains($0.key) }
  }

  /// The index of the reference row of `rows[index]`, or `nil`: a row whose algorithm is
  /// ``intransigenceReferenceAlgorithm``, of the same benchmark and scenario, with the same
  /// ``protocolSettings(_:)`` and the same number of tasks. A reference row is its own reference;
  /// otherwise a candidate that also agrees on `reset_optimiser` comes first, then table order.
  static func referenceIndex(for index: Int, in rows: [Row]) -> Int? {
    let row = rows[index]
    let settings = protocolSettings(row.configuration)
    let candidates = rows.indices.filter { other in
      rows[other].algorithm == intransigenceReferenceAlgorithm && rows[other].benchmark == row.benchmark
        && rows[other].scenario == row.scenario && protocolSettings(rows[other].configuration) == settings
        && rows[other].finalTaskAccuracies.count == row.finalTaskAccuracies.count
    }
    if candidates.contains(index) { return index }
    let resetOptimiser = row.configuration["reset_optimiser"]
    return candidates.first { rows[$0].configuration["reset_optimiser"] == resetOptimiser } ?? candidates.first
  }

  /// `rows` with ``Row/intransigence`` and ``Row/intransigenceReference`` set, and each seed's
  /// ``SeedResult/intransigence``: for every seed a row shares with its reference row (see
  /// ``referenceIndex(for:in:)``), the reference's learning accuracy minus the row's, which is the
  /// mean over tasks `k` of `a*_k − R[k][k]`. Rows without a reference get `nil`.
  static func withIntransigence(_ rows: [Row]) -> [Row] {
    var result = rows
    for index in rows.indices {
      result[index].intransigence = nil
      result[index].intransigenceReference = nil
      for k in result[index].seedResults.indices { result[index].seedResults[k].intransigence = nil }
      guard let referenceIndex = referenceIndex(for: index, in: rows) else { continue }
      let reference = rows[referenceIndex].values(of: .learningAccuracy)
      for k in result[index].seedResults.indices {
        let seed = result[index].seedResults[k]
        if let own = seed.learningAccuracy, let best = reference[seed.seed] {
          result[index].seedResults[k].intransigence = best - own
        }
      }
      result[index].intransigence = MeanEstimate(result[index].seedResults.compactMap(\.intransigence))
      if result[index].intransigence != nil { result[index].intransigenceReference = rows[referenceIndex].label }
    }
    return result
  }

  /// How the tables explain the intransigence column, for the notes under them.
  var intransigenceNote: String {
    if rows.contains(where: { $0.intransigence != nil }) {
      return
        "Intransigence (Chaudhry et al. 2018; lower is better): per seed, the mean over tasks k of a*_k − R[k][k], "
        + "where R[k][k] is the row's accuracy on task k right after training it and a*_k that of the "
        + "'\(Self.intransigenceReferenceAlgorithm)' row of the same benchmark, scenario, protocol settings and seed "
        + "(trained on tasks 1…k together); 0 in the joint row itself, — where no joint row matches. "
        + "LA: learning accuracy, the mean of R[k][k]."
    }
    return "Intransigence: — because no '\(Self.intransigenceReferenceAlgorithm)' row of the same "
      + "benchmark, scenario "
      + "and protocol settings is in the table to serve as the reference (add \(Self.intransigenceReferenceAlgorithm) "
      + "to the algorithms). LA: learning accuracy, the mean over tasks k of R[k][k], the accuracy on task k right "
      + "after training it."
  }

  /// How the tables explain `—` in the FWT column of class-incremental rows, or `nil` when the
  /// table has none.
  var forwardTransferNote: String? {
    guard showsForwardTransfer, rows.contains(where: { $0.scenario == Scenario.class.rawValue }) else { return nil }
    return "FWT: — in class-incremental rows, where forward transfer is undefined: before learning a task the model "
      + "has never been trained on its classes, so its accuracy on it is about 0 whatever the algorithm."
  }
}
