import ContinualCore

extension RecordFile {
  /// What reading one or more results files yields: the records, and warnings about what was skipped.
  ///
  /// ```swift
  /// let contents = try RecordFile.readAll(shardURLs)
  /// contents.warnings.forEach { print("warning:", $0) }
  /// let table = ComparisonTable(records: contents.records)
  /// ```
  public struct Contents: Sendable, Equatable {
    /// The records, in the order they were read.
    public var records: [RunRecord]
    /// Human-readable notes about torn lines skipped and duplicate runs dropped, each naming the file
    /// and line.
    public var warnings: [String]

    /// Creates contents from records and warnings.
    ///
    /// - Parameters:
    ///   - records: The records, in the order they were read.
    ///   - warnings: Notes about what was skipped.
    public init(records: [RunRecord], warnings: [String] = []) {
      self.records = records
      self.warnings = warnings
    }
  }
}
