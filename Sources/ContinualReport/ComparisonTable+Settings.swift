import ContinualCore

extension ComparisonTable {
  /// The table with every row's algorithm settings that differ from their defaults shown in its
  /// label (and ``Row/distinguishingKeys``), so that every format — Markdown, LaTeX, CSV, HTML and
  /// JSON — says so, including for a row alone with its algorithm.
  ///
  /// Records do not carry defaults, so the caller, which knows the algorithms, gives them: a key
  /// of the row's own stack (`ewc.lambda` for `ewc`, `si.c` for `ewc+si`) is shown when its value
  /// differs from `defaults[key]`, or when `defaults` has no such key (an algorithm the caller does
  /// not know: its value cannot be shown to be the default). Protocol settings (`lr`,
  /// `batch_size`) are left to the table's notes. Keys already in a row's label stay; a label from
  /// validation selection keeps its "chosen on validation".
  ///
  /// ```swift
  /// let defaults = ["ewc.lambda": "500", "si.c": "0.1"]
  /// let table = ComparisonTable(records: records).labellingSettings(differingFrom: defaults)
  /// print(table.rows[0].label)   // ewc (lambda=10000)
  /// ```
  ///
  /// - Parameter defaults: Each setting's default, keyed like a record's `config` (`ewc.lambda`),
  ///   written as the algorithm's settings write it (canonical).
  /// - Returns: The relabelled table.
  public func labellingSettings(differingFrom defaults: [String: String]) -> ComparisonTable {
    var table = self
    for index in table.rows.indices {
      let row = table.rows[index]
      let components = row.algorithm.split(separator: "+").map(String.init)
      let shown = Set(row.distinguishingKeys)
      let changed = row.configuration.keys.filter { key in
        !shown.contains(key) && Self.componentIndex(of: key, in: components) != nil
          && defaults[key] != row.configuration[key]
      }
      guard !changed.isEmpty else { continue }
      let keys = Self.ordered(shown.union(changed), components: components)
      let names = Self.shortNames(keys, components: components)
      let settings = zip(keys, names).map { key, name in row.configuration[key].map { "\(name)=\($0)" } ?? "no \(name)"
      }
      let chosen = row.label.hasSuffix("chosen on validation)") ? "; chosen on validation" : ""
      table.rows[index].label = "\(row.algorithm) (\(settings.joined(separator: ", "))\(chosen))"
      table.rows[index].distinguishingKeys = keys
    }
    return table
  }
}
