import ContinualCore

extension ComparisonTable {
  /// What makes records one row: benchmark, scenario, algorithm and the `config` without the seed.
  struct ConfigurationKey: Hashable {
    var benchmark: String
    var scenario: String
    var algorithm: String
    var configuration: [String: String]
  }

  /// The keys that can never tell two rows of one algorithm apart: the seed is not part of a
  /// configuration, and the others are the row's own columns.
  static let nonDistinguishingKeys: Set<String> = ["seed", "benchmark", "scenario", "algorithm"]

  /// `rows` with the label of every row that shares its algorithm with another row of its benchmark
  /// and scenario extended by the settings in which those rows differ.
  ///
  /// Every such row shows every key whose value is not the same in all of them, so labels are
  /// unique. The algorithm's own hyperparameters come first, in the stack's order and then by name,
  /// without their component prefix when that leaves the name unambiguous (`lambda` for
  /// `ewc.lambda`); the other settings follow by name (`lr`, `memory.size`). A key a row's records
  /// lack shows as `no key`.
  static func labelled(_ rows: [Row]) -> [Row] {
    var rows = rows
    let groups = Dictionary(grouping: rows.indices) { [rows[$0].benchmark, rows[$0].scenario, rows[$0].algorithm] }
    for indices in groups.values where indices.count > 1 {
      let configurations = indices.map { rows[$0].configuration }
      let allKeys = Set(configurations.flatMap(\.keys))
      var differing = allKeys.subtracting(nonDistinguishingKeys).filter { key in
        Set(configurations.map { $0[key] }).count > 1
      }
      // Only hand-made records can disagree with their own columns (a `config` algorithm other than
      // the record's); show that key rather than nothing.
      if differing.isEmpty { differing = allKeys.filter { key in Set(configurations.map { $0[key] }).count > 1 } }
      let components = rows[indices[0]].algorithm.split(separator: "+").map(String.init)
      let keys = ordered(differing, components: components)
      let names = shortNames(keys, components: components)
      for index in indices {
        let settings = zip(keys, names).map { key, name in
          rows[index].configuration[key].map { "\(name)=\($0)" } ?? "no \(name)"
        }
        rows[index].label = "\(rows[index].algorithm) (\(settings.joined(separator: ", ")))"
        rows[index].distinguishingKeys = keys
      }
    }
    return rows
  }

  /// The component a key belongs to (`ewc` for `ewc.lambda`), as its index in the stack.
  static func componentIndex(of key: String, in components: [String]) -> Int? {
    components.firstIndex { key.hasPrefix($0 + ".") }
  }

  /// The stack's own keys first, in component order and then by name; then the other keys by name.
  static func ordered(_ keys: Set<String>, components: [String]) -> [String] {
    keys.sorted {
      let (a, b) = (
        componentIndex(of: $0, in: components) ?? components.count,
        componentIndex(of: $1, in: components) ?? components.count
      )
      return (a, $0) < (b, $1)
    }
  }

  /// Each key as shown in a label: without its component prefix when no other shown key has the
  /// same short name.
  static func shortNames(_ keys: [String], components: [String]) -> [String] {
    let short = keys.map { key in
      componentIndex(of: key, in: components).map { String(key.dropFirst(components[$0].count + 1)) } ?? key
    }
    return zip(keys, short).map { key, name in
      short.filter { $0 == name }.count == 1 && (name == key || !keys.contains(name)) ? name : key
    }
  }
}

extension ComparisonTable.ConfigurationKey {
  /// The configuration of `record`.
  init(_ record: RunRecord) {
    self.init(
      benchmark: record.benchmark, scenario: record.scenario, algorithm: record.algorithm,
      configuration: record.config.filter { $0.key != "seed" })
  }
}
