import Foundation

/// Where the command reports: tables and summaries to ``output``, progress, notes, warnings and
/// errors to ``diagnostics``. The command never writes to the process's streams itself, so a
/// program that embeds it, or a test, captures everything by passing its own console.
///
/// ```swift
/// let lines = Lines()                                     // any thread-safe collector
/// let console = Console(output: { lines.append($0) }, diagnostics: { lines.append($0) })
/// try ContinualCommand.run(["run", "--quiet"], console: console)
/// ```
public struct Console: Sendable {
  /// Receives results: tables and run summaries, one line or block at a time.
  public var output: @Sendable (String) -> Void
  /// Receives progress, notes, warnings and errors, one line at a time.
  public var diagnostics: @Sendable (String) -> Void

  /// A console that hands each text to the given closures.
  ///
  /// - Parameters:
  ///   - output: Receives results.
  ///   - diagnostics: Receives progress, warnings and errors.
  public init(output: @escaping @Sendable (String) -> Void, diagnostics: @escaping @Sendable (String) -> Void) {
    self.output = output
    self.diagnostics = diagnostics
  }

  /// Standard output for results, standard error for the rest.
  public static let standard = Console(
    output: { print($0) }, diagnostics: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })

  /// Says something on ``diagnostics``.
  func note(_ text: String) { diagnostics(text) }

  /// A warning on ``diagnostics``: `warning: …`.
  func warn(_ text: String) { diagnostics("warning: \(text)") }

  /// This console for worker `job` of `--jobs`: each diagnostic line begins `[job 2] `, so the
  /// lines of runs in flight at once can be told apart.
  func worker(_ job: Int) -> Console {
    let diagnostics = self.diagnostics
    return Console(
      output: output,
      diagnostics: { text in
        diagnostics(
          text.split(separator: "\n", omittingEmptySubsequences: false).map { "[job \(job)] \($0)" }.joined(
            separator: "\n"))
      })
  }
}
