import ContinualCore
import Foundation

/// Hyperparameter selection on held-out data (`--validation F`): for every benchmark, scenario and
/// algorithm, the configuration (grid point) with the best mean validation accuracy, and the test
/// results of that configuration only.
///
/// ```swift
/// let selection = ValidationSelection(records: records)
/// let table = selection.table          // one row per algorithm: the chosen configuration, on test
/// print(selection.markdown)            // every grid point: validation and test accuracy, the choice
/// ```
///
/// The choice reads only the validation matrices the runs recorded (accuracy on images held out
/// of each task's training set); the test set is measured for every point but never consulted. A
/// tie keeps the point that came first. Algorithms whose records hold no validation accuracy keep
/// every row, unselected.
public struct ValidationSelection: Sendable {
  /// One configuration of an algorithm and how it scored.
  public struct Point: Sendable, Equatable {
    /// The row's label in the table of every point (`ewc (lambda=10000)`).
    public var label: String
    /// Its benchmark, scenario and algorithm.
    public var benchmark: String, scenario: String, algorithm: String
    /// The settings that tell it from the other points of its algorithm (`lambda=10000`).
    public var settings: String
    /// Mean validation accuracy after the last task, over seeds.
    public var validation: MeanEstimate
    /// Mean test accuracy after the last task, over seeds (reported, never used to choose).
    public var test: MeanEstimate?
    /// Whether it was chosen for its algorithm.
    public var chosen: Bool
  }

  /// Every grid point with validation data, in table order.
  public var points: [Point]
  /// The comparison table of the chosen points (and of algorithms without validation data), each
  /// chosen row labelled with its settings and "chosen on validation".
  public var table: ComparisonTable

  /// Chooses, per benchmark, scenario and algorithm, the configuration with the best mean
  /// validation accuracy.
  ///
  /// - Parameter records: Run records of a sweep with `--validation`.
  public init(records: [RunRecord]) {
    let everything = ComparisonTable(records: records)
    var byKey: [ComparisonTable.ConfigurationKey: [RunRecord]] = [:]
    for record in records { byKey[ComparisonTable.ConfigurationKey(record), default: []].append(record) }
    func key(_ row: ComparisonTable.Row) -> ComparisonTable.ConfigurationKey {
      .init(
        benchmark: row.benchmark, scenario: row.scenario, algorithm: row.algorithm, configuration: row.configuration)
    }
    var points: [Point] = []
    var pointOfRow: [Int: Int] = [:]
    for (index, row) in everything.rows.enumerated() {
      let group = byKey[key(row)] ?? []
      guard let validation = MeanEstimate(group.compactMap(\.validationAverageAccuracy)) else { continue }
      let settings = row.label == row.algorithm ? "" : String(row.label.dropFirst(row.algorithm.count + 2).dropLast())
      pointOfRow[index] = points.count
      points.append(
        Point(
          label: row.label, benchmark: row.benchmark, scenario: row.scenario, algorithm: row.algorithm,
          settings: settings,
          validation: validation, test: row.averageAccuracy, chosen: false))
    }
    // The best mean per benchmark, scenario and algorithm; among equals, the first in table order.
    var best: [[String]: Int] = [:]
    for (index, point) in points.enumerated() {
      let group = [point.benchmark, point.scenario, point.algorithm]
      if let current = best[group], points[current].validation.mean >= point.validation.mean { continue }
      best[group] = index
    }
    for index in best.values { points[index].chosen = true }
    self.points = points

    let kept = everything.rows.indices.filter { pointOfRow[$0].map { points[$0].chosen } ?? true }
    var table = ComparisonTable(records: kept.flatMap { byKey[key(everything.rows[$0])] ?? [] })
    for index in table.rows.indices {
      let row = table.rows[index]
      guard
        let point = points.first(where: {
          $0.chosen && $0.benchmark == row.benchmark && $0.scenario == row.scenario && $0.algorithm == row.algorithm
        }
        )
      else { continue }
      table.rows[index].label =
        point.settings.isEmpty
        ? "\(point.algorithm) (chosen on validation)" : "\(point.algorithm) (\(point.settings); chosen on validation)"
    }
    self.table = table
  }

  /// Every grid point as a Markdown table: validation and test accuracy (mean ± SEM, %), the
  /// choice marked.
  public var markdown: String {
    var lines = [
      "| Benchmark | Scenario | Algorithm | Validation ACC (%) | Test ACC (%) | n | Chosen |",
      "|---|---|---|---:|---:|---:|---|",
    ]
    for p in points {
      let test = p.test.map { String(format: "%.2f ± %.2f", $0.mean * 100, $0.standardError * 100) } ?? "—"
      lines.append(
        "| \(p.benchmark) | \(p.scenario) | \(p.label) "
          + "| \(String(format: "%.2f ± %.2f", p.validation.mean * 100, p.validation.standardError * 100)) "
          + "| \(test) | \(p.validation.count) | \(p.chosen ? "yes" : "") |"
      )
    }
    lines.append("")
    lines.append(
      "Chosen: the point with the best mean validation accuracy after the last task, per benchmark, scenario and "
        + "algorithm (ties: the first); test accuracy is shown, never used to choose."
    )
    return lines.joined(separator: "\n") + "\n"
  }

  /// Every grid point as CSV:
  /// `benchmark,scenario,algorithm,label,validation_acc,validation_sem,test_acc,test_sem,n,chosen` (fractions).
  public var csv: String {
    var lines = ["benchmark,scenario,algorithm,label,validation_acc,validation_sem,test_acc,test_sem,n,chosen"]
    for p in points {
      // Text cells are neutralised against spreadsheet formulas and quoted as the comparison CSV's are.
      let text = [p.benchmark, p.scenario, p.algorithm, p.label].map {
        ComparisonTable.csvField(ComparisonTable.csvText($0))
      }
      let numbers = [
        String(p.validation.mean), String(p.validation.standardError), p.test.map { String($0.mean) } ?? "",
        p.test.map { String($0.standardError) } ?? "", String(p.validation.count), String(p.chosen),
      ]
      lines.append((text + numbers).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
