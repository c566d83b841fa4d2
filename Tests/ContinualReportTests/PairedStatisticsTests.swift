import ContinualCore
import ContinualReport
import Foundation
import Testing

/// Seed-paired differences from a baseline, and the best value of each column
/// marked only when it is significantly better than the runner-up.
@Suite struct PairedStatisticsTests {
  /// Two tasks; ACC = (R[1][0] + R[1][1]) / 2 and BWT = R[1][0] − R[0][0].
  static func twoTasks(_ id: String, _ algorithm: String, seed: UInt64, after: Double) -> RunRecord {
    Fixture.record(
      id: id, algorithm: algorithm, seed: seed, matrix: [[0.90, 0.10], [after, 0.90]], config: ["algorithm": algorithm])
  }

  /// finetune, seeds 1–3: R[1][0] = 0.50, 0.60, 0.40 → ACC 0.70, 0.75, 0.65; BWT −0.40, −0.30, −0.50.
  /// ewc, seeds 1–4: R[1][0] = 0.80, 0.86, 0.76, 0.90 → ACC 0.85, 0.88, 0.83, 0.90; BWT −0.10, −0.04,
  /// −0.14, 0.
  static let records: [RunRecord] = [
    twoTasks("f1", "finetune", seed: 1, after: 0.50), twoTasks("f2", "finetune", seed: 2, after: 0.60),
    twoTasks("f3", "finetune", seed: 3, after: 0.40),
    twoTasks("e1", "ewc", seed: 1, after: 0.80), twoTasks("e2", "ewc", seed: 2, after: 0.86),
    twoTasks("e3", "ewc", seed: 3, after: 0.76), twoTasks("e4", "ewc", seed: 4, after: 0.90),
  ]

  @Test func differencesFromTheBaselineByHand() throws {
    let table = try ComparisonTable(records: Self.records).comparing(toBaseline: "finetune")
    let ewc = try #require(table.rows.first { $0.algorithm == "ewc" }?.baselineComparison)
    #expect(ewc.baseline == "finetune")
    // Seed 4 has no finetune run, so n = 3 pairs. ACC differences 0.15, 0.13, 0.18:
    // mean 0.46 / 3 = 0.153333; deviations −0.003333, −0.023333, 0.026667; squares sum to
    // 0.0000111 + 0.0005444 + 0.0007111 = 0.0012667; variance / 2 = 0.00063333; SE = √0.00063333 / √3
    // = 0.0145297. t(0.975, 2) = 4.302653, half-width 0.0625168: interval [0.0908172, 0.2158494].
    let accuracy = try #require(ewc.averageAccuracy)
    #expect(accuracy.count == 3)
    #expect(abs(accuracy.mean - 0.1533333333) < 1e-9)
    #expect(abs(accuracy.standardError - 0.0145296631) < 1e-9)
    let interval = try #require(accuracy.confidenceInterval)
    #expect(abs(interval.lowerBound - 0.0908172385) < 1e-8)
    #expect(abs(interval.upperBound - 0.2158494281) < 1e-8)
    #expect(accuracy.excludesZero)
    // BWT differences 0.30, 0.26, 0.36: mean 0.306667; squares of deviations 0.0000444 + 0.0021778
    // + 0.0028444 = 0.0050667; variance 0.0025333; SE = 0.0290593; half-width 4.302653 · SE = 0.1250322.
    let bwt = try #require(ewc.backwardTransfer)
    #expect(abs(bwt.mean - 0.3066666667) < 1e-9)
    #expect(abs(bwt.standardError - 0.0290593263) < 1e-9)
    #expect(abs((bwt.confidenceInterval?.lowerBound ?? 0) - 0.1816344771) < 1e-8)
    #expect(abs((bwt.confidenceInterval?.upperBound ?? 0) - 0.4316988563) < 1e-8)
    // The baseline compared with itself: zero.
    let finetune = try #require(table.rows.first { $0.algorithm == "finetune" }?.baselineComparison)
    #expect(finetune.averageAccuracy?.mean == 0 && finetune.averageAccuracy?.count == 3)
  }

  @Test func theDifferencesInEveryFormat() throws {
    let table = try ComparisonTable(records: Self.records).comparing(toBaseline: "finetune")
    let markdown = try table.rendered(as: .markdown)
    #expect(markdown.contains("ΔACC vs finetune (%)") && markdown.contains("ΔBWT vs finetune (%)"))
    #expect(markdown.contains("| +15.33 ± 1.45 [9.08, 21.58] (n = 3) | +30.67 ± 2.91 [18.16, 43.17] (n = 3) |"))
    let finetune = try #require(markdown.split(separator: "\n").first { $0.contains("| finetune ") })
    #expect(finetune.contains(" baseline | ") && finetune.components(separatedBy: "baseline").count == 3)
    #expect(markdown.contains("ΔACC and ΔBWT: seed-paired difference from the baseline row 'finetune'"))
    let csv = table.csv().split(separator: "\n")
    #expect(
      csv[0].hasSuffix(
        ",significantly_best,baseline,delta_acc_pct,delta_acc_pct_se,delta_acc_ci_low_pct,delta_acc_ci_high_pct,"
          + "delta_acc_n,delta_bwt_pct,delta_bwt_pct_se,delta_bwt_ci_low_pct,delta_bwt_ci_high_pct,delta_bwt_n,"
          + "la_pct,la_pct_se,int_pct,int_pct_se,int_reference"))
    #expect(csv[2].hasSuffix(",finetune,15.33,1.45,9.08,21.58,3,30.67,2.91,18.16,43.17,3,90.00,0.00,,,"))
    #expect(table.latex().contains("$+15.33 \\pm 1.45$ [9.08, 21.58] ($n = 3$)"))
    #expect(
      table.latex().contains(
        #" & Time (s) & $\Delta$ACC vs finetune (\%) & $\Delta$BWT vs finetune (\%) & $n$ & Failed \\"#))
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(try table.json().utf8)) as? [[String: Any]])
    let comparison = try #require(objects[1]["vs_baseline"] as? [String: Any])
    let accuracy = try #require(comparison["average_accuracy"] as? [String: Any])
    #expect(abs((accuracy["ci95_lower"] as? Double ?? 0) - 0.0908172385) < 1e-8)
    #expect(accuracy["n"] as? Int == 3)
    #expect(try JSONDecoder().decode([ComparisonTable.Row].self, from: Data(try table.json().utf8)) == table.rows)
    let html = HTMLReport(table: table, generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(html.contains("<td class=\"num\">+15.33 ± 1.45 [9.08, 21.58] (n = 3)</td>"))
    #expect(try XMLElements(parsing: html).named("table", class: "results").count == 2)
  }

  @Test func theBestIsMarkedWhenItsPairedDifferenceFromTheRunnerUpIsSignificant() throws {
    let table = ComparisonTable(records: Self.records)
    // ewc beats finetune in ACC, Inc. ACC, BWT and forgetting on every shared seed (above).
    let ewc = try #require(table.rows.first { $0.algorithm == "ewc" })
    #expect(ewc.significantlyBest == [.averageAccuracy, .incrementalAccuracy, .backwardTransfer, .forgetting])
    #expect(table.rows.first { $0.algorithm == "finetune" }?.significantlyBest == [])
    let markdown = try table.rendered(as: .markdown)
    #expect(markdown.contains("| **86.50 ± 1.55** |"))
    #expect(markdown.contains("Bold: the best value of a column within its benchmark and scenario"))
    #expect(table.latex().contains("$\\mathbf{86.50 \\pm 1.55}$"))
    #expect(table.csv().contains(",acc;inc_acc;bwt;forgetting,"))
    let html = HTMLReport(table: table, generatedAt: Date(timeIntervalSince1970: 0)).render()
    #expect(html.contains("<td class=\"num\"><strong>86.50 ± 1.55</strong></td>"))
  }

  @Test func aBestThatIsNotSignificantlyBetterIsNotMarked() throws {
    func oneTask(_ id: String, _ algorithm: String, _ seed: UInt64, _ accuracy: Double) -> RunRecord {
      Fixture.record(id: id, algorithm: algorithm, seed: seed, matrix: [[accuracy]], config: ["algorithm": algorithm])
    }
    // a − b per seed: 0.02, 0.01, 0.04 → mean 0.023333, SE 0.0088192, interval
    // 0.023333 ± 4.302653 · 0.0088192 = [−0.01461, 0.06128], which holds 0: no mark.
    let close =
      [0.90, 0.92, 0.97].enumerated().map { oneTask("a\($0)", "a", UInt64($0 + 1), $1) }
      + [0.88, 0.91, 0.93].enumerated().map { oneTask("b\($0)", "b", UInt64($0 + 1), $1) }
    #expect(ComparisonTable(records: close).rows.allSatisfy { $0.significantlyBest.isEmpty })
    // a − c is 0.02 on every seed: SE 0, interval [0.02, 0.02], which excludes 0: marked (with one
    // task, ACC, Inc. ACC and LA are all R[0][0]).
    let steady =
      [0.90, 0.92, 0.97].enumerated().map { oneTask("a\($0)", "a", UInt64($0 + 1), $1) }
      + [0.88, 0.90, 0.95].enumerated().map { oneTask("c\($0)", "c", UInt64($0 + 1), $1) }
    #expect(
      ComparisonTable(records: steady).rows.map(\.significantlyBest) == [
        [.averageAccuracy, .incrementalAccuracy, .learningAccuracy], [],
      ])
    // One shared seed gives no interval and no mark.
    let single = [oneTask("a", "a", 1, 0.9), oneTask("c", "c", 1, 0.5)]
    #expect(ComparisonTable(records: single).rows.allSatisfy { $0.significantlyBest.isEmpty })
  }

  @Test func theBaselineMayBeARowLabel() throws {
    let records =
      ConfigurationRowsTests.sweep(lambda: "1e4", accuracies: [0.80, 0.90])
      + ConfigurationRowsTests.sweep(lambda: "1e6", accuracies: [0.60, 0.75])
    let table = try ComparisonTable(records: records).comparing(toBaseline: "ewc (lambda=1e6)")
    // Seed 1: 0.80 − 0.60 = 0.20; seed 2: 0.90 − 0.75 = 0.15; mean 0.175, SE = 0.025.
    let difference = try #require(table.rows[0].baselineComparison?.averageAccuracy)
    #expect(abs(difference.mean - 0.175) < 1e-12 && abs(difference.standardError - 0.025) < 1e-12)
    #expect(table.markdown().contains("ΔACC vs ewc (lambda=1e6) (%)"))
  }

  @Test func aBaselineThatMatchesNoRowOrSeveralIsAnError() throws {
    let table = ComparisonTable(
      records: ConfigurationRowsTests.sweep(lambda: "1e4", accuracies: [0.8])
        + ConfigurationRowsTests.sweep(lambda: "1e6", accuracies: [0.6]) + [Fixture.siSeed])
    #expect(
      throws: ComparisonTable.BaselineError.noMatch(
        name: "sj", labels: ["ewc (lambda=1e4)", "ewc (lambda=1e6)", "si", "ewc"])
    ) {
      try table.comparing(toBaseline: "sj")
    }
    let ambiguous = ComparisonTable.BaselineError.ambiguous(
      name: "ewc", benchmark: "split-mnist", scenario: "task", labels: ["ewc (lambda=1e4)", "ewc (lambda=1e6)"])
    #expect(throws: ambiguous) { try table.comparing(toBaseline: "ewc") }
    #expect(
      ambiguous.description.contains("matches 2 rows of split-mnist, task: 'ewc (lambda=1e4)', 'ewc (lambda=1e6)'"))
    let noMatch = ComparisonTable.BaselineError.noMatch(name: "sj", labels: ["si", "ewc"]).description
    #expect(noMatch.contains("did you mean 'si'?"))
  }

  @Test func pairingUsesOnlySharedSeeds() throws {
    let difference = try #require(
      PairedDifference(pairing: [1: 0.90, 2: 0.92, 3: 0.97], with: [2: 0.91, 3: 0.93, 4: 0.5]))
    // Seeds 2 and 3: 0.01 and 0.04, mean 0.025, SE = 0.015; t(0.975, 1) = 12.7062 → ±0.190593.
    #expect(difference.count == 2)
    #expect(abs(difference.mean - 0.025) < 1e-12)
    #expect(abs(difference.standardError - 0.015) < 1e-12)
    #expect(abs((difference.confidenceInterval?.upperBound ?? 0) - (0.025 + 12.706204736 * 0.015)) < 1e-8)
    #expect(PairedDifference(pairing: [1: 0.5], with: [2: 0.5]) == nil)
    #expect(PairedDifference(differences: [0.1])?.confidenceInterval == nil)
  }
}

/// Student's t quantiles against printed tables (four decimals) and closed forms.
@Suite struct StudentTTests {
  /// (p, ν, the table's value), from the standard two-sided critical-value table.
  static let table: [(Double, Int, Double)] = [
    (0.975, 1, 12.7062), (0.975, 2, 4.3027), (0.975, 3, 3.1824), (0.975, 4, 2.7764), (0.975, 5, 2.5706),
    (0.975, 9, 2.2622), (0.975, 10, 2.2281), (0.975, 20, 2.0860), (0.975, 30, 2.0423), (0.975, 60, 2.0003),
    (0.975, 120, 1.9799), (0.95, 1, 6.3138), (0.95, 5, 2.0150), (0.95, 10, 1.8125), (0.995, 1, 63.6567),
    (0.995, 10, 3.1693), (0.9, 3, 1.6377), (0.9995, 5, 6.8688),
  ]

  @Test(arguments: table) func matchesThePrintedTable(_ row: (Double, Int, Double)) {
    let (p, nu, expected) = row
    #expect(abs(StudentT.quantile(p, degreesOfFreedom: nu) - expected) < 5e-5, "t(\(p), \(nu))")
    #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: nu) + expected) < 5e-5, "symmetric")
  }

  @Test(arguments: [0.6, 0.8, 0.9, 0.975, 0.999]) func matchesTheClosedForms(_ p: Double) {
    // ν = 1 is the Cauchy distribution: tan(π(p − ½)). ν = 2: (2p − 1) / √(2p(1 − p)).
    #expect(
      abs(StudentT.quantile(p, degreesOfFreedom: 1) - tan(Double.pi * (p - 0.5))) < 1e-9
        * max(1, tan(Double.pi * (p - 0.5))))
    #expect(abs(StudentT.quantile(p, degreesOfFreedom: 2) - (2 * p - 1) / (2 * p * (1 - p)).squareRoot()) < 1e-10)
  }

  @Test func theDistributionFunctionInvertsTheQuantile() {
    for nu in [1, 2, 7, 50, 1000] {
      for p in [0.01, 0.3, 0.5, 0.9, 0.975] {
        let t = StudentT.quantile(p, degreesOfFreedom: nu)
        #expect(abs(StudentT.cumulativeProbability(t, degreesOfFreedom: nu) - p) < 1e-12)
      }
    }
    // A large ν approaches the normal distribution: z(0.975) = 1.959964.
    #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 100_000) - 1.959964) < 1e-4)
  }
}
