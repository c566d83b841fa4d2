import Foundation

extension ComparisonTable {
  /// The contents of the file for `format`.
  ///
  /// For ``TableFormat/markdown`` this is ``markdown()``, the notes that explain its bold values and
  /// baseline columns (when the table has several rows per benchmark and scenario, or a baseline),
  /// and a section with ``perTaskMarkdown()``; for ``TableFormat/html`` it is ``HTMLReport/render()`` of this table
  /// (with figures when the table has ``records``, dated now); for the other formats it is
  /// ``csv()``, ``latex()`` or ``json()``.
  ///
  /// - Parameter format: The file format.
  /// - Returns: The file's text.
  /// - Throws: The error of ``json()`` for ``TableFormat/json``.
  public func rendered(as format: TableFormat) throws -> String {
    switch format {
    case .markdown:
      markdown() + notes().map { "\n" + $0 + "\n" }.joined()
        + "\nFinal accuracy per task (%), mean ± standard error over seeds:\n\n" + perTaskMarkdown()
    case .csv: csv()
    case .latex: latex()
    case .json: try json()
    case .html: HTMLReport(table: self).render()
    }
  }

  /// Writes `table` once per format, as `<baseName>.<extension>` in `directory`, each file atomically.
  ///
  /// Each file is written to a temporary file and renamed over the destination, so a reader never sees
  /// a half-written table. The directory is created when missing.
  ///
  /// ```swift
  /// let urls = try ComparisonTable.write(
  ///   table, formats: TableFormat.allCases, to: URL(filePath: "results"), baseName: "split-mnist")
  /// // results/split-mnist.md, .csv, .tex, .json, .html
  /// ```
  ///
  /// - Parameters:
  ///   - table: The table to write.
  ///   - formats: The formats, in the order the files are written.
  ///   - directory: The directory to write into.
  ///   - baseName: The file name without extension.
  /// - Returns: The written files, in the order of `formats`.
  /// - Throws: An error naming the file when the directory cannot be created or a file cannot be
  ///   written, or the error of ``json()``.
  public static func write(
    _ table: ComparisonTable, formats: [TableFormat], to directory: URL, baseName: String
  ) throws -> [URL] {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return try formats.map { format in
      let url = directory.appendingPathComponent("\(baseName).\(format.fileExtension)")
      try Data(try table.rendered(as: format).utf8).write(to: url, options: .atomic)
      return url
    }
  }
}
