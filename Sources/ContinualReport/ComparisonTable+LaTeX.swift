extension ComparisonTable {
  /// The table as a LaTeX `tabular` in the booktabs style (`\toprule`, `\midrule`, `\bottomrule`).
  ///
  /// The cells are those of ``markdown()``, with each estimate in math mode (`$93.00 \pm 2.08$`, in
  /// `\mathbf` where the row is significantly best), a missing metric as `--`, and text escaped for
  /// LaTeX (`_ % & # $ { } ~ ^ \`). The notes that explain the bold values and the baseline columns
  /// follow the `tabular` as `%` comment lines, ready to be copied into a caption. Add
  /// `\usepackage{booktabs}` to the document.
  ///
  /// ```swift
  /// print(table.latex())
  /// // \begin{tabular}{lllrrrrrl}
  /// // \toprule
  /// // Benchmark & Scenario & Algorithm & ACC (\%) & … \\
  /// // \midrule
  /// // split-mnist & task & slnid+mas & $97.12 \pm 0.15$ & … \\
  /// // \bottomrule
  /// // \end{tabular}
  /// ```
  ///
  /// - Returns: The `tabular` environment, ending with a newline.
  public func latex() -> String {
    let titles =
      ["Benchmark", "Scenario", "Algorithm"] + displayedMetricTitles(percent: "\\%")
      + baselineTitles(percent: "\\%", delta: "$\\Delta$", name: Self.latexEscaped)
      + ["$n$", "Failed"]
    let columns = "lll" + String(repeating: "r", count: titles.count - 4) + "l"
    var lines = ["\\begin{tabular}{\(columns)}", "\\toprule", titles.joined(separator: " & ") + " \\\\", "\\midrule"]
    for row in rows {
      let names = [row.benchmark, row.scenario, row.label].map(Self.latexEscaped)
      let metrics = displayedMetrics(of: row).map { metric -> String in
        guard let estimate = metric.estimate else { return "--" }
        let (mean, error) = metric.isTime ? Cell.seconds(estimate) : Cell.percent(estimate)
        let count = Cell.unusualCount(estimate, in: row).map { " ($n = \($0)$)" } ?? ""
        return metric.isBest ? "$\\mathbf{\(mean) \\pm \(error)}$\(count)" : "$\(mean) \\pm \(error)$\(count)"
      }
      let differences = baselineCells(of: row, format: Self.latexDifference)
      let cells = names + metrics + differences + [String(row.finished), Self.latexEscaped(Cell.failures(of: row))]
      lines.append(cells.joined(separator: " & ") + " \\\\")
    }
    lines += ["\\bottomrule", "\\end{tabular}"]
    lines += notes().map { "% " + $0 }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A paired difference as `$+1.23 \pm 0.45$ [0.20, 2.26] ($n = 3$)`, or `--`.
  static func latexDifference(_ difference: PairedDifference?) -> String {
    guard let difference else { return "--" }
    let mean = Cell.signed(difference.mean * 100)
    guard let interval = difference.confidenceInterval else { return "$\(mean)$ ($n = \(difference.count)$)" }
    let (low, high) = (
      Cell.fixed(interval.lowerBound * 100, decimals: 2), Cell.fixed(interval.upperBound * 100, decimals: 2)
    )
    let error = Cell.fixed(difference.standardError * 100, decimals: 2)
    return "$\(mean) \\pm \(error)$ [\(low), \(high)] ($n = \(difference.count)$)"
  }

  /// Escapes the characters LaTeX treats specially in text mode.
  ///
  /// - Parameter text: Plain text, such as an algorithm name or a failure reason.
  /// - Returns: Text that typesets as `text`.
  public static func latexEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
      switch character {
      case "_", "%", "&", "#", "$", "{", "}": escaped += "\\\(character)"
      case "\\": escaped += "\\textbackslash{}"
      case "~": escaped += "\\textasciitilde{}"
      case "^": escaped += "\\textasciicircum{}"
      case "\n", "\r", "\r\n": escaped += " "
      default: escaped.append(character)
      }
    }
    return escaped
  }
}
