/// A preset a package of yours adds to the command: a name for a list of options, as the built-in
/// presets of published protocols are (`--preset NAME`; flags after it override).
///
/// ```swift
/// let quick = PresetDefinition(name: "stripes-quick", summary: "a one-minute look at split-stripes",
///   arguments: ["--benchmark", "split-stripes", "--algorithms", "ewc,my-penalty", "--iterations", "50"])
/// ```
public struct PresetDefinition: Sendable {
  /// The name `--preset` takes: lower-case letters, digits and hyphens, not a built-in preset's.
  public var name: String
  /// One line for `list`.
  public var summary: String
  /// The options it stands for, as typed after `continual compare`.
  public var arguments: [String]

  /// A preset of your own.
  ///
  /// - Parameters:
  ///   - name: The name `--preset` takes.
  ///   - summary: One line for `list`.
  ///   - arguments: The options it stands for.
  public init(name: String, summary: String, arguments: [String]) {
    self.name = name
    self.summary = summary
    self.arguments = arguments
  }
}
