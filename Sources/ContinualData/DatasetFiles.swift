import Foundation

/// A dataset distributed as a fixed set of files in one folder, which ``DataDirectory`` can look
/// for: MNIST and Fashion-MNIST (``IDXDataset``), CIFAR-10 and CIFAR-100 (``CIFARDataset``).
///
/// ```swift
/// let folder = try DataDirectory.resolve(dataset: CIFARDataset.cifar10, explicit: nil)
/// ```
public protocol DatasetFiles: Sendable {
  /// The dataset's usual name, for messages, for example `"CIFAR-10"`.
  var displayName: String { get }
  /// The folder that holds the dataset inside a shared data directory, for example `cifar-10`.
  var folderName: String { get }
  /// The files missing from `directory`, as shown in messages (`name[.gz]` where a gzipped form is
  /// accepted); empty when the directory holds the dataset.
  func missingFileNames(in directory: URL) -> [String]
  /// Folders of other datasets whose files have the same names, which must not be mistaken for this
  /// dataset's (MNIST's files are named like Fashion-MNIST's).
  var foldersSharingFileNames: [String] { get }
  /// System-wide places a package manager installs the dataset to, searched last.
  var systemDirectories: [URL] { get }
  /// The error for a dataset found nowhere, listing the places searched and how to get it.
  func notFoundError(searched: [String]) -> DatasetError
}

extension IDXDataset: DatasetFiles {
  /// The missing files, each as `name[.gz]`.
  public func missingFileNames(in directory: URL) -> [String] {
    Self.missingFiles(in: directory).map { "\($0.fileName)[.gz]" }
  }

  /// The other IDX datasets' folders (their files have the same names).
  public var foldersSharingFileNames: [String] { Self.allCases.filter { $0 != self }.map(\.folderName) }

  /// Debian's `/usr/share/datasets/fashion-mnist` for Fashion-MNIST; none for MNIST.
  public var systemDirectories: [URL] { self == .fashionMNIST ? [DataDirectory.debianFashionMNISTDirectory] : [] }

  /// ``DatasetError/dataNotFound(dataset:searched:)``.
  public func notFoundError(searched: [String]) -> DatasetError { .dataNotFound(dataset: self, searched: searched) }
}

/// The first of `names` that is a regular file in `directory` (a folder of that name does not
/// count), or `nil`; how the readers choose between a gzipped and a raw copy of a file.
func firstRegularFile(named names: [String], in directory: URL) -> URL? {
  for name in names {
    let url = directory.appendingPathComponent(name)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
      return url
    }
  }
  return nil
}
