extension ComparisonTable.Row {
  /// The row's estimate of `metric` over its finished seeds.
  ///
  /// - Parameter metric: The metric.
  /// - Returns: The estimate, or `nil` when no finished seed has the metric.
  public func estimate(of metric: ComparisonTable.Metric) -> MeanEstimate? {
    self[keyPath: metric.places.row]
  }
}

extension ComparisonTable {
  /// How the tables explain the marked values, for the notes under them.
  static let significanceNote =
    "Bold: the best value of a column within its benchmark and scenario, marked only when its seed-paired difference "
    + "from the runner-up has a 95 % confidence interval (Student's t, n − 1 degrees of freedom, n the seeds both "
    + "rows finished) that excludes 0."

  /// `rows` with ``Row/significantlyBest`` set: for each benchmark and scenario and each ``Metric``,
  /// the row with the best mean, when it differs from the runner-up's and the seed-paired difference
  /// between the two (over the seeds both finished, at least two) has a 95 % interval that excludes 0
  /// on the better side. Ties keep the earlier row as the best and are never marked.
  static func markingSignificantBests(_ rows: [Row]) -> [Row] {
    var rows = rows
    for index in rows.indices { rows[index].significantlyBest = [] }
    let groups = Dictionary(grouping: rows.indices) { [rows[$0].benchmark, rows[$0].scenario] }
    for indices in groups.values where indices.count > 1 {
      for metric in Metric.allCases {
        let ranked = indices.compactMap { index in rows[index].estimate(of: metric).map { (index, $0.mean) } }
          .sorted { metric.higherIsBetter ? $0.1 > $1.1 : $0.1 < $1.1 }
        guard ranked.count > 1, ranked[0].1 != ranked[1].1 else { continue }
        let (best, runnerUp) = (rows[ranked[0].0], rows[ranked[1].0])
        guard
          let difference = PairedDifference(pairing: best.values(of: metric), with: runnerUp.values(of: metric)),
          difference.excludesZero, metric.higherIsBetter == (difference.mean > 0)
        else { continue }
        rows[ranked[0].0].significantlyBest.append(metric)
      }
    }
    return rows
  }
}
