import ContinualEngine

/// A network a package of yours adds to the command: a name, one line for `list`, and how to build
/// its layers for a sample shape and a head's output count. `--network NAME` picks it as it picks a
/// built-in one (``Network/defined(_:)``); two definitions are equal when their names are.
///
/// ```swift
/// let narrow = NetworkDefinition(name: "narrow", summary: "one tanh layer of 32 units") { input, outputs in
///   Sequential([Flatten(), Linear(input.reduce(1, *), 32), Tanh(), Linear(32, outputs)])
/// }
/// ```
public struct NetworkDefinition: Sendable, Equatable {
  /// The name `--network` takes: lower-case letters, digits and hyphens, not a built-in network's.
  public var name: String
  /// One line for `list`.
  public var summary: String
  /// The layers for samples of `input` shape and `outputs` logits (no weights: a `Model`
  /// initialises them).
  public var build: @Sendable (_ input: [Int], _ outputs: Int) throws -> Sequential

  /// A network of your own.
  ///
  /// - Parameters:
  ///   - name: The name `--network` takes.
  ///   - summary: One line for `list`.
  ///   - build: The layers for a sample shape and an output count.
  public init(
    name: String, summary: String, build: @escaping @Sendable (_ input: [Int], _ outputs: Int) throws -> Sequential
  ) {
    self.name = name
    self.summary = summary
    self.build = build
  }

  /// Whether two definitions have the same name.
  public static func == (lhs: NetworkDefinition, rhs: NetworkDefinition) -> Bool { lhs.name == rhs.name }
}
