import ContinualCore

/// `--grid KEY=V1,V2,…`: one variant per value of an algorithm's setting (`ewc.lambda`), of the
/// replay memory's (`memory.size`) or of an option (`lr`, `batch-size`, `network`, `hidden`, …).
/// Several axes multiply. Values are kept as typed and given to the setting or option they vary,
/// never pasted into stack text, so no value can change which stacks run.
struct GridAxis: Equatable, Sendable {
  /// What an axis varies.
  enum Target: Equatable, Sendable {
    /// A setting of a stack component: `ewc.lambda`.
    case setting(component: String, name: String)
    /// A setting of the replay memory: `memory.size`.
    case memory(name: String)
    /// An option, by flag: `--lr`.
    case option(flag: String)
  }

  /// `ewc.lambda`, `memory.size` or `lr`.
  var key: String
  /// The values, in the order given.
  var values: [String]
  /// What the axis varies.
  var target: Target
  /// How the values were separated: `;` when a value holds commas (`hnet.hidden=10,10;20,20`).
  var separator: String

  /// Parses `KEY=V1,V2,…` (or `KEY=A;B` when values hold commas).
  ///
  /// - Throws: ``CLIError`` naming the text when it is not of that form, a value repeats or the
  ///   key is neither a setting nor an option a grid can vary.
  init(_ text: String) throws {
    guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
      throw CLIError(
        "--grid takes component.key=v1,v2,… or option=v1,v2,… "
          + "(for example ewc.lambda=1e2,1e4,1e6 or lr=1e-3,1e-4), "
          + "not '\(text)'"
      )
    }
    let list = text[text.index(after: eq)...]
    let separator = list.contains(";") ? ";" : ","
    let values = list.split(separator: Character(separator)).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
      !$0.isEmpty
    }
    try self.init(key: String(text[..<eq]), values: values, separator: separator)
  }

  /// An axis from its key and values (an experiment file's `grid` object).
  ///
  /// - Throws: ``CLIError`` as ``init(_:)``.
  init(key: String, values: [String], separator: String = ",") throws {
    self.key = key
    self.values = values
    self.separator = separator
    if let dot = key.firstIndex(of: ".") {
      let component = String(key[..<dot]), name = String(key[key.index(after: dot)...])
      guard !component.isEmpty, !name.isEmpty else {
        throw CLIError("--grid takes component.key=v1,v2,… (for example ewc.lambda=1e2,1e4,1e6), not '\(key)'")
      }
      target = component == "memory" ? .memory(name: name) : .setting(component: component, name: name)
    } else {
      guard let declaration = GridAxis.variableOptions.first(where: { $0.key == key }) else {
        let names = GridAxis.variableOptions.map(\.key)
        let suggestion = nearest(key, in: names).map { "; did you mean '\($0)'?" } ?? ""
        throw CLIError(
          "--grid \(key): not a setting (component.key=v1,v2,…) or an option a grid can vary\(suggestion) (options: "
            + "\(names.joined(separator: ", ")))"
        )
      }
      target = .option(flag: declaration.flag)
    }
    guard !values.isEmpty else { throw CLIError("--grid \(key) needs at least one value") }
    var seen = Set<String>()
    if let repeated = values.first(where: { !seen.insert($0).inserted }) {
      throw CLIError("--grid \(key) lists '\(repeated)' more than once; each grid point must be different")
    }
  }

  /// The options a grid may vary: those that shape the data, the network, training or the
  /// optimiser and take a value (not the data folder, which is where data is, not what it is).
  static let variableOptions: [OptionDeclaration] = Options.declarations.filter {
    [.data, .network, .training, .optimiser].contains($0.group) && !$0.isSwitch && $0.flag != "--data-dir"
  }
}
