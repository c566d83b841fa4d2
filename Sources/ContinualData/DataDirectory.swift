import Foundation

/// Finds the directory that holds a dataset's files.
///
/// The places, in order of precedence:
///
/// 1. the directory given explicitly (the command line's `--data-dir`),
/// 2. the directory named by the `CONTINUAL_DATA` environment variable,
/// 3. the per-user cache: `$XDG_CACHE_HOME/continualkit` or `~/.cache/continualkit`
///    (on macOS `~/Library/Caches/ContinualKit`),
/// 4. for Fashion-MNIST, Debian's `/usr/share/datasets/fashion-mnist`
///    (from `apt-get install dataset-fashion-mnist`).
///
/// A directory the user named is the only place searched: with `--data-dir`, only that directory;
/// else with `CONTINUAL_DATA`, only that one. A named directory that lacks the dataset is an error,
/// never a silent fall-back to another copy elsewhere (which could be different data). Only when
/// neither is given are the user cache and the system locations searched, in that order.
///
/// A place holds the dataset when its dataset folder (`mnist/`, `fashion-mnist/`, `cifar-10/` or
/// `cifar-100/`) holds the files, or when the place itself does — unless the place is the folder of
/// another dataset with the same file names, as MNIST and Fashion-MNIST have. So a shared directory
/// laid out as `data/mnist/…`, `data/fashion-mnist/…` and `data/cifar-10/…` serves all of them:
///
/// ```swift
/// let directory = try DataDirectory.resolve(dataset: .mnist, explicit: URL(fileURLWithPath: "../shared/data"))
/// // …/shared/data/mnist
/// ```
public enum DataDirectory {
  /// The environment variable naming a data directory.
  public static let environmentVariable = "CONTINUAL_DATA"

  /// Where Debian's `dataset-fashion-mnist` package puts its files.
  public static let debianFashionMNISTDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

  /// A place searched for a dataset, and why it is searched.
  public struct Candidate: Sendable, Equatable, CustomStringConvertible {
    /// Why a place is searched.
    public enum Origin: String, Sendable, Equatable {
      /// Given explicitly, as `--data-dir`.
      case explicit = "--data-dir"
      /// Named by the `CONTINUAL_DATA` environment variable.
      case environment = "CONTINUAL_DATA"
      /// The per-user cache directory.
      case userCache = "user cache"
      /// A system-wide location where a package manager installs the dataset.
      case system = "system package"
    }

    /// Why the place is searched.
    public var origin: Origin
    /// The directory searched (itself and its dataset subfolder).
    public var directory: URL

    /// The directory's path and origin, for example `/home/me/.cache/continualkit (user cache)`.
    public var description: String { "\(directory.path) (\(origin.rawValue))" }
  }

  /// The per-user cache directory for ContinualKit's data.
  ///
  /// - Parameter environment: The environment variables to consult (`XDG_CACHE_HOME`, `HOME`).
  /// - Returns: `$XDG_CACHE_HOME/continualkit` when that variable holds an absolute path, otherwise
  ///   `$HOME/.cache/continualkit`; on macOS `$HOME/Library/Caches/ContinualKit`.
  public static func userCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
    let home =
      environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
      ?? FileManager.default.homeDirectoryForCurrentUser
    #if os(macOS)
      return home.appendingPathComponent("Library/Caches/ContinualKit", isDirectory: true)
    #else
      if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
        return URL(fileURLWithPath: cache, isDirectory: true).appendingPathComponent("continualkit", isDirectory: true)
      }
      return home.appendingPathComponent(".cache/continualkit", isDirectory: true)
    #endif
  }

  /// The places searched for a dataset, in search order.
  ///
  /// - Parameters:
  ///   - dataset: The dataset looked for (only Fashion-MNIST has a system location).
  ///   - explicit: A directory given explicitly, searched first.
  ///   - environment: The environment variables to consult.
  /// - Returns: The candidates, first to last; an unset environment variable contributes none.
  public static func candidates(
    for dataset: IDXDataset, explicit: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [Candidate] {
    candidates(forFiles: dataset, explicit: explicit, environment: environment)
  }

  /// The places searched for any dataset, in search order (see ``candidates(for:explicit:environment:)``).
  ///
  /// - Parameters:
  ///   - dataset: The dataset looked for.
  ///   - explicit: A directory given explicitly, searched first.
  ///   - environment: The environment variables to consult.
  /// - Returns: The candidates, first to last.
  public static func candidates(
    forFiles dataset: some DatasetFiles, explicit: URL?,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [Candidate] {
    var result: [Candidate] = []
    if let explicit {
      result.append(Candidate(origin: .explicit, directory: explicit))
    }
    if let value = environment[environmentVariable], !value.isEmpty {
      result.append(Candidate(origin: .environment, directory: expandingTilde(value, environment: environment)))
    }
    result.append(Candidate(origin: .userCache, directory: userCacheDirectory(environment: environment)))
    result += dataset.systemDirectories.map { Candidate(origin: .system, directory: $0) }
    return result
  }

  /// The directory holding a dataset's four files: the first match among ``candidates(for:explicit:environment:)``.
  ///
  /// - Parameters:
  ///   - dataset: The dataset looked for.
  ///   - explicit: A directory given explicitly (`--data-dir`), searched first.
  ///   - environment: The environment variables to consult (`CONTINUAL_DATA`, `XDG_CACHE_HOME`, `HOME`).
  /// - Returns: The directory to pass to ``IDXDataset/load(_:from:)``.
  /// - Throws: ``DatasetError/dataNotFound(dataset:searched:)``, listing every place looked and what
  ///   was wrong with it, and how to get the data.
  public static func resolve(
    dataset: IDXDataset, explicit: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> URL {
    try resolve(files: dataset, explicit: explicit, environment: environment)
  }

  /// The directory holding CIFAR-10's or CIFAR-100's files, found by the same rules as MNIST's.
  ///
  /// ```swift
  /// let folder = try DataDirectory.resolve(dataset: .cifar10, explicit: URL(fileURLWithPath: "../shared/data"))
  /// // …/shared/data/cifar-10
  /// ```
  /// - Parameters:
  ///   - dataset: The dataset looked for.
  ///   - explicit: A directory given explicitly (`--data-dir`), searched first.
  ///   - environment: The environment variables to consult.
  /// - Returns: The directory to pass to ``CIFARDataset/load(_:from:labels:)``.
  /// - Throws: ``DatasetError/cifarNotFound(dataset:searched:)``, listing every place looked and
  ///   where to get the official archive.
  public static func resolve(
    dataset: CIFARDataset, explicit: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> URL {
    try resolve(files: dataset, explicit: explicit, environment: environment)
  }

  /// The first place among the candidates that holds `dataset`'s files.
  private static func resolve(files dataset: some DatasetFiles, explicit: URL?, environment: [String: String]) throws
    -> URL
  {
    let all = candidates(forFiles: dataset, explicit: explicit, environment: environment)
    // A directory the user named is the only one searched.
    let named = all.first.flatMap { [.explicit, .environment].contains($0.origin) ? $0 : nil }
    let places = named.map { [$0] } ?? all
    // Only when no directory was named are the places that were not given worth a line.
    var searched =
      named == nil
      ? ["\(Candidate.Origin.explicit.rawValue): not given", "\(Candidate.Origin.environment.rawValue): not set"] : []
    for candidate in places {
      switch inspect(candidate.directory, for: dataset) {
      case .found(let directory):
        return directory
      case .notFound(let reason):
        let only = named == nil ? "" : " (a directory named by \(candidate.origin.rawValue) is the only place searched)"
        searched.append("\(candidate): \(reason)\(only)")
      }
    }
    throw dataset.notFoundError(searched: searched)
  }

  /// The outcome of looking for a dataset in one place.
  private enum Inspection {
    case found(URL)
    case notFound(String)
  }

  /// Looks for the dataset in `base`'s dataset folder, then in `base` itself.
  private static func inspect(_ base: URL, for dataset: some DatasetFiles) -> Inspection {
    guard isDirectory(base) else { return .notFound("does not exist") }
    let folder = base.appendingPathComponent(dataset.folderName, isDirectory: true)
    let folderMissing = dataset.missingFileNames(in: folder)
    if isDirectory(folder) && folderMissing.isEmpty { return .found(folder) }
    let isOtherDatasetsFolder = dataset.foldersSharingFileNames.contains(base.standardizedFileURL.lastPathComponent)
    let directMissing = dataset.missingFileNames(in: base)
    if directMissing.isEmpty && !isOtherDatasetsFolder { return .found(base) }

    if isDirectory(folder) {
      return .notFound("has a '\(dataset.folderName)' folder, but it lacks \(names(folderMissing))")
    }
    if isOtherDatasetsFolder {
      return .notFound("is the folder of another dataset, and has no '\(dataset.folderName)' folder")
    }
    return .notFound("has no '\(dataset.folderName)' folder and lacks \(names(directMissing))")
  }

  private static func names(_ files: [String]) -> String {
    files.joined(separator: ", ")
  }

  private static func isDirectory(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// `value` as a directory URL, with a leading `~` replaced by `$HOME`.
  private static func expandingTilde(_ value: String, environment: [String: String]) -> URL {
    if value == "~" || value.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
      return URL(fileURLWithPath: home + value.dropFirst(), isDirectory: true)
    }
    return URL(fileURLWithPath: value, isDirectory: true)
  }
}
