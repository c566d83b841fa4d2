import ContinualCore

extension ComparisonTable {
  /// A row's seed-paired differences from the baseline row of its benchmark and scenario (this row
  /// minus the baseline), as fractions.
  ///
  /// ```swift
  /// let table = try ComparisonTable(records: records).comparing(toBaseline: "finetune")
  /// if let difference = table.rows[1].baselineComparison?.averageAccuracy, difference.excludesZero {
  ///   print("\(table.rows[1].label) beats finetune by \(difference.mean * 100) points")
  /// }
  /// ```
  public struct BaselineComparison: Sendable, Equatable, Codable {
    /// The baseline row's label.
    public var baseline: String
    /// The difference in final average accuracy, `nil` when the rows share no finished seed.
    public var averageAccuracy: PairedDifference?
    /// The difference in backward transfer, `nil` when the rows share no seed that has it.
    public var backwardTransfer: PairedDifference?

    enum CodingKeys: String, CodingKey {
      case baseline, averageAccuracy = "average_accuracy", backwardTransfer = "bwt"
    }

    /// Creates a comparison from its parts.
    ///
    /// - Parameters:
    ///   - baseline: The baseline row's label.
    ///   - averageAccuracy: The paired difference in final average accuracy.
    ///   - backwardTransfer: The paired difference in backward transfer.
    public init(baseline: String, averageAccuracy: PairedDifference?, backwardTransfer: PairedDifference?) {
      self.baseline = baseline
      self.averageAccuracy = averageAccuracy
      self.backwardTransfer = backwardTransfer
    }
  }

  /// Why a baseline name cannot be used.
  ///
  /// ```swift
  /// do {
  ///   table = try table.comparing(toBaseline: "ewc")
  /// } catch let error as ComparisonTable.BaselineError {
  ///   print(error)  // 'ewc' names 2 rows of split-mnist, task: ewc (lambda=1e4), ewc (lambda=1e6); …
  /// }
  /// ```
  public enum BaselineError: Error, Equatable, CustomStringConvertible {
    /// No row of any benchmark and scenario has this label or algorithm; `labels` are the table's
    /// row labels.
    case noMatch(name: String, labels: [String])
    /// Several rows of one benchmark and scenario match (one algorithm in several configurations).
    case ambiguous(name: String, benchmark: String, scenario: String, labels: [String])

    /// The message, naming the valid choices and the nearest one.
    public var description: String {
      switch self {
      case .noMatch(let name, let labels):
        let quoted = labels.map { "'\($0)'" }
        let suggestion = nearest(name, in: labels).map { "; did you mean '\($0)'?" } ?? ""
        return
          "the baseline '\(name)' matches no row\(suggestion) (a row label or an "
          + "algorithm: \(quoted.joined(separator: ", ")))"
      case .ambiguous(let name, let benchmark, let scenario, let labels):
        return "the baseline '\(name)' matches \(labels.count) rows of \(benchmark), \(scenario): "
          + labels.map { "'\($0)'" }.joined(separator: ", ") + "; give one row's label"
      }
    }
  }

  /// How the tables explain the difference columns, for the notes under them.
  func baselineNote(_ name: String) -> String {
    "ΔACC and ΔBWT: seed-paired difference from the baseline row '\(name)' of the same benchmark and scenario (this "
      + "row minus the baseline), in percentage points: mean ± standard error [95 % confidence interval, Student's t "
      + "with n − 1 degrees of freedom] over the n seeds both rows finished."
  }

  /// This table with every row compared seed by seed with the baseline row of its benchmark and
  /// scenario: the row whose ``Row/label`` or ``Row/algorithm`` is `name`.
  ///
  /// Only seeds both rows finished are paired. A benchmark and scenario without such a row get no
  /// comparison (`—` in the tables). Works on any table whose rows have ``Row/seedResults``, such
  /// as one computed from records or decoded from ``json()``.
  ///
  /// ```swift
  /// let table = try ComparisonTable(records: records).comparing(toBaseline: "ewc (lambda=1e4)")
  /// print(table.markdown())   // adds the columns ΔACC vs ewc (lambda=1e4) (%) and ΔBWT …
  /// ```
  ///
  /// - Parameter name: A row label, such as `ewc (lambda=1e4)`, or an algorithm with one row per
  ///   benchmark and scenario, such as `finetune`.
  /// - Returns: The table with ``baseline`` and every ``Row/baselineComparison`` set.
  /// - Throws: ``BaselineError/noMatch(name:labels:)`` when no row matches, and
  ///   ``BaselineError/ambiguous(name:benchmark:scenario:labels:)`` when several rows of one benchmark
  ///   and scenario do.
  public func comparing(toBaseline name: String) throws -> ComparisonTable {
    var table = self
    table.baseline = name
    var matched = false
    var groupOrder: [[String]] = []
    let groups = Dictionary(grouping: rows.indices) { [rows[$0].benchmark, rows[$0].scenario] }
    for index in rows.indices where !groupOrder.contains([rows[index].benchmark, rows[index].scenario]) {
      groupOrder.append([rows[index].benchmark, rows[index].scenario])
    }
    for group in groupOrder {
      let indices = groups[group] ?? []
      let matches = indices.filter { rows[$0].label == name || rows[$0].algorithm == name }
      guard matches.count <= 1 else {
        throw BaselineError.ambiguous(
          name: name, benchmark: group[0], scenario: group[1], labels: matches.map { rows[$0].label })
      }
      for index in indices { table.rows[index].baselineComparison = nil }
      guard let baselineIndex = matches.first else { continue }
      matched = true
      let baseline = rows[baselineIndex]
      for index in indices {
        table.rows[index].baselineComparison = BaselineComparison(
          baseline: baseline.label,
          averageAccuracy: PairedDifference(
            pairing: rows[index].values(of: .averageAccuracy), with: baseline.values(of: .averageAccuracy)),
          backwardTransfer: PairedDifference(
            pairing: rows[index].values(of: .backwardTransfer), with: baseline.values(of: .backwardTransfer)))
      }
    }
    guard matched else {
      var seen = Set<String>()
      let labels = (rows.map(\.label) + rows.map(\.algorithm)).filter { seen.insert($0).inserted }
      throw BaselineError.noMatch(name: name, labels: labels)
    }
    return table
  }
}
