import ContinualCore

extension Options {
  /// The options as a Markdown table, one row each, grouped as help groups them: the flag and its
  /// value, the `compare` default, the experiment-file key with its JSON type, the record keys it
  /// writes, and what it does. `Docs/CommandLine.md` holds this table between
  /// `<!-- options -->` markers, and a test keeps it equal to this text.
  static var markdownTable: String {
    var lines = ["| option | default | file key: JSON type | record key | meaning |", "|---|---|---|---|---|"]
    // Record keys as a run of a CIFAR benchmark with every option at its example writes them, so
    // keys written only for some values (`weight_decay` when not 0) show too.
    let benchmark = Benchmark(kind: .split, dataset: .cifar10)
    for group in OptionGroup.allCases {
      lines.append("| **\(group.title)** | | | | |")
      for declaration in declarations where declaration.group == group {
        var example = Options.initial
        try? declaration.assign(&example, declaration.example)
        let recordKeys = declaration.record(example, benchmark).keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
        let defaultValue = declaration.isSwitch ? "off" : declaration.spelling(Options.initial)
        let shown = declaration.flag + (declaration.placeholder.map { " " + $0 } ?? "")
        let key = declaration.flag == "--config" ? "—" : "`\(declaration.key)`: \(declaration.kind.name)"
        let commands =
          declaration.commands == OptionDeclaration.training
          ? "" : " (" + declaration.commands.map(\.rawValue).sorted().joined(separator: ", ") + ")"
        lines.append(
          "| `\(shown.replacingOccurrences(of: "|", with: "\\|"))` | "
            + "\(defaultValue.isEmpty ? "—" : "`\(defaultValue)`") | \(key) | "
            + "\(recordKeys.isEmpty ? "—" : recordKeys) | "
            + "\(declaration.summary.replacingOccurrences(of: "|", with: "\\|"))\(commands) |"
        )
      }
    }
    return lines.joined(separator: "\n")
  }
}
