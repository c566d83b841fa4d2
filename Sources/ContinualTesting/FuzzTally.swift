/// Counts the corrupt inputs a fuzz-style test fed to a reader and how each ended, and prints the
/// count so a test log shows how many were tried.
///
/// ```swift
/// var tally = FuzzTally("IDX (raw)")
/// for corruption in Corruption.mutants(of: file, seed: 1) {
///   do { _ = try IDXFile.decode(Data(corruption.bytes), source: "m"); tally.stillValid() } catch { tally.rejected() }
/// }
/// tally.report()   // fuzz: IDX (raw): 612 corrupt inputs, 598 rejected with a typed error, 14 still valid and checked
/// ```
public struct FuzzTally: Sendable, CustomStringConvertible {
  /// The format under test, as it should appear in the log.
  public var format: String
  /// Inputs rejected with the reader's typed error.
  public private(set) var rejectedCount = 0
  /// Inputs that the corruption left valid and that parsed to the checked result.
  public private(set) var stillValidCount = 0

  /// Starts a tally for one format.
  ///
  /// - Parameter format: The format's name, as it should appear in the log.
  public init(_ format: String) { self.format = format }

  /// Every input counted.
  public var tried: Int { rejectedCount + stillValidCount }

  /// Counts an input rejected with the reader's typed error.
  public mutating func rejected() { rejectedCount += 1 }

  /// Counts an input that parsed (and whose result the test checked).
  public mutating func stillValid() { stillValidCount += 1 }

  /// `fuzz: <format>: N corrupt inputs, R rejected with a typed error, V still valid and checked`.
  public var description: String {
    "fuzz: \(format): \(tried) corrupt inputs, \(rejectedCount) rejected with a typed error, \(stillValidCount) "
      + "still valid and checked"
  }

  /// Prints ``description`` to standard output.
  public func report() { print(description) }
}
