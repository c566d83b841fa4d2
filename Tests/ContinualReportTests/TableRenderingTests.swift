import ContinualCore
import ContinualReport
import Foundation
import Testing

@Suite struct TableRenderingTests {
  let table = ComparisonTable(records: Fixture.ewcSeeds + [Fixture.siSeed])

  @Test func markdown() {
    #expect(
      table.markdown() == """
        | Benchmark   | Scenario | Algorithm |      ACC (%) | Inc. ACC (%) |       BWT (%) | Forgetting (%) |\
               LA (%) | Intransigence (%) |   Time (s) |   n | Failed                                 |
        |-------------|----------|-----------|-------------:|-------------:|--------------:|---------------:|\
        -------------:|------------------:|-----------:|----:|----------------------------------------|
        | split-mnist | task     | ewc       | 93.00 ± 2.08 | 94.17 ± 1.20 |  -5.33 ± 2.91 |    5.33 ± 2.91 |\
         95.67 ± 0.67 |                 — | 12.0 ± 1.2 |   3 | 1 of 4 failed: loss diverged at task 2 |
        | split-mnist | task     | si        | 85.00 ± 0.00 | 87.50 ± 0.00 | -10.00 ± 0.00 |   10.00 ± 0.00 |\
         90.00 ± 0.00 |                 — |  5.0 ± 0.0 |   1 | none                                   |

        """)
  }

  @Test func csv() {
    #expect(
      table.csv() == """
        benchmark,scenario,algorithm,label,distinguishing_config,acc_pct,acc_pct_se,inc_acc_pct,inc_acc_pct_se,\
        bwt_pct,bwt_pct_se,forgetting_pct,forgetting_pct_se,fwt_pct,fwt_pct_se,time_s,time_s_se,n,runs,failed,\
        first_failure,significantly_best,baseline,delta_acc_pct,delta_acc_pct_se,delta_acc_ci_low_pct,\
        delta_acc_ci_high_pct,delta_acc_n,delta_bwt_pct,delta_bwt_pct_se,delta_bwt_ci_low_pct,\
        delta_bwt_ci_high_pct,delta_bwt_n,la_pct,la_pct_se,int_pct,int_pct_se,int_reference
        split-mnist,task,ewc,ewc,,93.00,2.08,94.17,1.20,-5.33,2.91,5.33,2.91,,,12.0,1.2,3,4,1,\
        loss diverged at task 2,,,,,,,,,,,,,95.67,0.67,,,
        split-mnist,task,si,si,,85.00,0.00,87.50,0.00,-10.00,0.00,10.00,0.00,,,5.0,0.0,1,1,0,,,,,,,,,,,,,,90.00,0.00,,,

        """)
  }

  @Test func latex() {
    #expect(
      table.latex() == #"""
        \begin{tabular}{lllrrrrrrrrl}
        \toprule
        Benchmark & Scenario & Algorithm & ACC (\%) & Inc. ACC (\%) & BWT (\%) & Forgetting (\%) & LA (\%) &\#
         Intransigence (\%) & Time (s) & $n$ & Failed \\
        \midrule
        split-mnist & task & ewc & $93.00 \pm 2.08$ & $94.17 \pm 1.20$ & $-5.33 \pm 2.91$ & $5.33 \pm 2.91$ &\#
         $95.67 \pm 0.67$ & -- & $12.0 \pm 1.2$ & 3 & 1 of 4 failed: loss diverged at task 2 \\
        split-mnist & task & si & $85.00 \pm 0.00$ & $87.50 \pm 0.00$ & $-10.00 \pm 0.00$ & $10.00 \pm 0.00$ &\#
         $90.00 \pm 0.00$ & -- & $5.0 \pm 0.0$ & 1 & none \\
        \bottomrule
        \end{tabular}
        % Bold: the best value of a column within its benchmark and scenario,\#
         marked only when its seed-paired difference from the runner-up has a 95 % confidence interval (Student's \#
        t, n − 1 degrees of freedom, n the seeds both rows finished) that excludes 0.
        % Intransigence: — because no 'joint' row of the same benchmark,\#
         scenario and protocol settings is in the table to serve as the reference (add joint to the algorithms). \#
        LA: learning accuracy, the mean over tasks k of R[k][k], the accuracy on task k right after training it.

        """#)
  }

  @Test func latexEscapesSpecialCharacters() {
    #expect(ComparisonTable.latexEscaped("slnid_mas 50% & #1") == ##"slnid\_mas 50\% \& \#1"##)
    #expect(ComparisonTable.latexEscaped(#"a\b{c}$"#) == #"a\textbackslash{}b\{c\}\$"#)
    let record = Fixture.record(
      id: "x", benchmark: "perm_mnist", algorithm: "ewc#2", matrix: [[0.5]], failure: "100% & gone")
    let latex = ComparisonTable(records: [record]).latex()
    #expect(
      latex.contains(
        ##"perm\_mnist & task & ewc\#2 & -- & -- & -- & -- & -- & -- & -- & 0 & 1 of 1 failed: 100\% \& gone \\"##))
  }

  @Test func markdownEscapesPipesAndShowsMissingAsDash() {
    let record = Fixture.record(id: "x", matrix: [[0.5]], failure: "bad | worse\nworst")
    let markdown = ComparisonTable(records: [record]).markdown()
    #expect(markdown.contains(#"| 1 of 1 failed: bad \| worse worst |"#))
    #expect(markdown.contains("|       — |"))
  }

  @Test func forwardTransferColumnAppearsWhenPresent() throws {
    // FWT = R[0][1] − b[1] = 0.30 − 0.10 = 0.20 for the first seed only.
    let records = [
      Fixture.record(id: "a", matrix: [[0.9, 0.3], [0.8, 0.9]], initial: [0.1, 0.1], wallSeconds: 2),
      Fixture.record(id: "b", seed: 2, matrix: [[0.9, 0.3], [0.8, 0.9]], wallSeconds: 2),
    ]
    let markdown = ComparisonTable(records: records).markdown()
    #expect(markdown.contains(" FWT (%) |"))
    #expect(markdown.contains("| 20.00 ± 0.00 (n = 1) |"))
    #expect(ComparisonTable(records: records).latex().contains(#"$20.00 \pm 0.00$ ($n = 1$)"#))
  }

  @Test func json() throws {
    let text = try table.json()
    let rows = try JSONDecoder().decode([ComparisonTable.Row].self, from: Data(text.utf8))
    #expect(rows == table.rows)
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    let ewc = try #require(objects.first)
    #expect(ewc["algorithm"] as? String == "ewc")
    #expect(ewc["runs"] as? Int == 4)
    #expect(ewc["finished"] as? Int == 3)
    #expect(ewc["failed"] as? Int == 1)
    #expect(ewc["fwt"] is NSNull)
    let accuracy = try #require(ewc["average_accuracy"] as? [String: Any])
    #expect(abs((accuracy["mean"] as? Double ?? 0) - 0.93) < 1e-12)
    #expect(abs((accuracy["standard_error"] as? Double ?? 0) - 0.020816660) < 1e-9)
    #expect(accuracy["n"] as? Int == 3)
  }

  @Test func perTaskMarkdown() {
    // EWC task 1: 0.85, 0.89, 0.96 → 90.00, SE √0.0031 / √3 = 3.21 %; task 2: 0.95, 0.95, 0.98 → 96.00 ± 1.00.
    #expect(
      table.perTaskMarkdown() == """
        | Benchmark   | Scenario | Algorithm |       Task 1 |       Task 2 |
        |-------------|----------|-----------|-------------:|-------------:|
        | split-mnist | task     | ewc       | 90.00 ± 3.21 | 96.00 ± 1.00 |
        | split-mnist | task     | si        | 80.00 ± 0.00 | 90.00 ± 0.00 |

        """)
  }

  @Test func writesEveryFormatAtomically() throws {
    let directory = try Fixture.scratchDirectory().appendingPathComponent("tables")
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let urls = try ComparisonTable.write(table, formats: TableFormat.allCases, to: directory, baseName: "split")
    #expect(urls.map(\.lastPathComponent) == ["split.md", "split.csv", "split.tex", "split.json", "split.html"])
    // The HTML report shows the time it was generated, so it is checked in HTMLReportTests.
    for (url, format) in zip(urls, TableFormat.allCases) where format != .html {
      #expect(try String(contentsOf: url, encoding: .utf8) == table.rendered(as: format))
    }
    #expect(try table.rendered(as: .markdown).contains(table.perTaskMarkdown()))
  }
}

/// A CSV text cell starting with `=`, `+`, `-` or `@` would run as a formula
/// in a spreadsheet; it gets a leading `'`. Numbers, negative ones included, are left alone.
@Suite struct CSVFormulaTests {
  @Test func textCellsThatLookLikeFormulasAreNeutralised() {
    var record = Fixture.siSeed
    record.algorithm = "=HYPERLINK(\"x\")"
    record.benchmark = "@sum"
    let csv = ComparisonTable(records: [record]).csv()
    let row = csv.split(separator: "\n")[1]
    #expect(row.hasPrefix("'@sum,task,\"'=HYPERLINK(\"\"x\"\")\","), "\(row)")
    #expect(row.contains(",-10.00,"), "negative numbers keep their sign: \(row)")
    var plain = Fixture.siSeed
    plain.algorithm = "ewc+si"
    #expect(ComparisonTable(records: [plain]).csv().contains("\nsplit-mnist,task,ewc+si,"))
  }
}
