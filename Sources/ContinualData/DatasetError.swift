/// An error raised while loading a dataset or building a benchmark from it.
///
/// Every case names the offending file, index or argument, and what was expected:
///
/// ```swift
/// do { _ = try IDXDataset.load(.mnist, from: directory) } catch { print(error) }
/// // /data/mnist/train-labels-idx1-ubyte.gz: label 12 at index 4031 is outside 0..<10
/// ```
public enum DatasetError: Error, Equatable, CustomStringConvertible {
  /// Some of a dataset's files are missing from a directory.
  case missingFiles(dataset: String, directory: String, files: [String])
  /// A file's dimensions are not what the dataset needs.
  case unexpectedDimensions(file: String, expected: String, dimensions: [Int])
  /// A label lies outside the dataset's classes.
  case labelOutOfRange(file: String, index: Int, value: Int, classCount: Int)
  /// An image file and its label file hold different numbers of samples.
  case countMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
  /// No data directory holds the dataset; `searched` says where ContinualKit looked and what it found.
  case dataNotFound(dataset: IDXDataset, searched: [String])
  /// An argument outside its valid range.
  case invalidArgument(operation: String, reason: String)
  /// No data directory holds a CIFAR dataset; `searched` says where ContinualKit looked and what it found.
  case cifarNotFound(dataset: CIFARDataset, searched: [String])
  /// A file's contents do not have the layout its dataset needs (a CIFAR file whose size is not a
  /// whole number of records, a class-name file with the wrong number of names).
  case malformedFile(file: String, reason: String)

  /// A human-readable explanation naming the offending thing.
  public var description: String {
    switch self {
    case .missingFiles(let dataset, let directory, let files):
      return
        "\(directory): the \(dataset) files \(files.joined(separator: ", ")) are missing (each may be gzipped, "
        + "with a .gz suffix)"
    case .unexpectedDimensions(let file, let expected, let dimensions):
      return "\(file): expected \(expected), found dimensions \(dimensions)"
    case .labelOutOfRange(let file, let index, let value, let classCount):
      return "\(file): label \(value) at index \(index) is outside 0..<\(classCount)"
    case .countMismatch(let imagesFile, let imageCount, let labelsFile, let labelCount):
      return "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels"
    case .dataNotFound(let dataset, let searched):
      return dataNotFoundMessage(dataset, searched: searched)
    case .invalidArgument(let operation, let reason):
      return "\(operation): \(reason)"
    case .cifarNotFound(let dataset, let searched):
      return cifarNotFoundMessage(dataset, searched: searched)
    case .malformedFile(let file, let reason):
      return "\(file): \(reason)"
    }
  }

  private func cifarNotFoundMessage(_ dataset: CIFARDataset, searched: [String]) -> String {
    Self.notFoundMessage(
      dataset: dataset.displayName,
      files: "\(dataset.fileNames.joined(separator: ", ")); each .bin may be gzipped as .bin.gz",
      folder: dataset.folderName, searched: searched,
      sources: [
        "download the official binary version, \(dataset.archiveURL), and unpack it (tar xzf); its folder "
          + "'\(dataset.archiveFolder)' holds the files"
      ])
  }

  private func dataNotFoundMessage(_ dataset: IDXDataset, searched: [String]) -> String {
    Self.notFoundMessage(
      dataset: dataset.displayName,
      files: IDXDataset.File.allCases.map(\.fileName).joined(separator: ", ") + ", each optionally gzipped as .gz",
      folder: dataset.folderName, searched: searched,
      sources: dataset.downloadURLs.map { "download the four .gz files from \($0)" }
        + (dataset.debianPackage.map { ["or, on Debian or Ubuntu, run `apt-get install \($0)`"] } ?? []))
  }

  /// The message of a dataset found nowhere: what was looked for, every place searched, how to get
  /// the files and where to put them.
  private static func notFoundMessage(
    dataset: String, files: String, folder: String, searched: [String], sources: [String]
  ) -> String {
    var lines = [
      "Cannot find the \(dataset) dataset: no directory holds its files (\(files)), either directly or in a "
        + "'\(folder)' subfolder.",
      "Looked in, in this order:",
    ]
    lines += searched.enumerated().map { "  \($0.offset + 1). \($0.element)" }
    lines.append("To get the data:")
    lines += sources.map { "  - \($0)" }
    lines.append(
      "Then pass --data-dir <directory> or set \(DataDirectory.environmentVariable)=<directory>, where the directory "
        + "holds the files or a '\(folder)' folder with them (or, naming no directory, put them in \(folder)/ under "
        + "the user cache \(DataDirectory.userCacheDirectory().path)).")
    return lines.joined(separator: "\n")
  }
}
