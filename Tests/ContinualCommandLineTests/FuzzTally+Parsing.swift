import ContinualCore
import ContinualTesting
import Testing

@testable import ContinualCommand

extension FuzzTally {
  /// Counts how parsing one fuzzed input ended: it parsed (and `parse` checked the result), or it was
  /// rejected with a `CLIError` that `isClear` accepts or with a `SettingsError` that names its
  /// setting (`component.name`). Any other error is recorded as an issue naming `input`.
  ///
  /// - Parameters:
  ///   - input: The input, as the issue should name it.
  ///   - isClear: Whether a `CLIError`'s message says what is wrong.
  ///   - parse: Parses the input and checks what it gives.
  mutating func count(
    _ input: String, isClear: (CLIError) -> Bool, parsing parse: () throws -> Void
  ) {
    do {
      try parse()
      stillValid()
    } catch let error as CLIError {
      #expect(isClear(error), "\(input): \(error)")
      rejected()
    } catch let error as SettingsError {
      #expect(error.description.contains("."), "\(input): \(error)")
      rejected()
    } catch {
      Issue.record("\(input): an untyped error \(error)")
    }
  }
}
