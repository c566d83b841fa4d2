import ContinualCore
import ContinualData
import ContinualEngine
import Foundation

/// The benchmarks the tool builds: `<kind>-<dataset>`.
enum BenchmarkCatalogue {
  static let kinds = ["split", "permuted", "rotated"]
  /// The grey 28×28 datasets, for every kind.
  static let datasets = ["builtin", "mnist", "fashion"]
  /// The colour 32×32 datasets, split by classes only.
  static let cifarDatasets = ["cifar10", "cifar100", "cifar10-100"]
  static var names: [String] { kinds.flatMap { k in datasets.map { "\(k)-\($0)" } } + cifarDatasets.map { "split-\($0)" } }

  static func describe(_ name: String) -> String {
    let (kind, dataset) = parts(name)!
    switch dataset {
    case "cifar10": return "CIFAR-10, classes split into tasks (default 5 tasks of 2 classes); crop-and-flip augmentation by default"
    case "cifar100": return "CIFAR-100, classes split into tasks (default 10 tasks of 10 classes); crop-and-flip augmentation by default"
    case "cifar10-100":
      return "all of CIFAR-10 as task 1, then CIFAR-100 classes 0–49 in tasks of 10 (6 tasks; the SI and HNet protocol); crop-and-flip by default"
    default: break
    }
    let data = ["builtin": "the built-in synthetic glyphs (no download)", "mnist": "MNIST", "fashion": "Fashion-MNIST"][dataset]!
    switch kind {
    case "split": return "\(data), classes split into tasks (default 5 tasks of 2 classes)"
    case "permuted": return "\(data), a fixed pixel permutation per task (default 5 tasks; first unpermuted unless --permute-first-task)"
    default: return "\(data), a rotation per task (default 5 tasks, evenly spaced angles)"
    }
  }

  static func parts(_ name: String) -> (String, String)? {
    guard let dash = name.firstIndex(of: "-") else { return nil }
    let kind = String(name[..<dash]), dataset = String(name[name.index(after: dash)...])
    if kind == "split" && cifarDatasets.contains(dataset) { return (kind, dataset) }
    return kinds.contains(kind) && datasets.contains(dataset) ? (kind, dataset) : nil
  }

  /// Whether a benchmark is made of CIFAR images (colour, normalised, augmented by default).
  static func isCIFAR(_ name: String) -> Bool { parts(name).map { cifarDatasets.contains($0.1) } ?? false }

  /// The kind and dataset of a valid benchmark name.
  ///
  /// - Throws: ``CLIError`` naming the valid benchmarks and the nearest one.
  @discardableResult
  static func validate(_ name: String) throws -> (kind: String, dataset: String) {
    guard let found = parts(name) else {
      let suggestion = nearest(name, in: names).map { "; did you mean '\($0)'?" } ?? ""
      throw CLIError("unknown benchmark '\(name)'\(suggestion) (valid: \(names.joined(separator: ", ")))")
    }
    return found
  }
}

/// Loads base datasets once per process and builds task sequences from them.
final class BenchmarkFactory {
  typealias Sets = (train: LabelledImages, test: LabelledImages)
  var cache: [String: Sets] = [:]
  /// Each loaded dataset's identity, computed once from the data as read (before normalisation).
  var identities: [String: DataIdentity] = [:]
  let dataDirectory: URL?
  /// Whether to keep quiet about which folder each dataset is read from.
  let quiet: Bool

  init(dataDirectory: URL?, quiet: Bool = true) {
    self.dataDirectory = dataDirectory
    self.quiet = quiet
  }

  /// `folder`, once said on standard error, so a run never uses data from an unexpected place unnoticed.
  func announced(_ folder: URL, holding name: String) -> URL {
    if !quiet { printError("data: \(name) from \(folder.path)") }
    return folder
  }

  /// A dataset's training and test sets as stored; CIFAR sets come normalised by their training
  /// set's per-channel mean and standard deviation.
  func base(_ dataset: String) throws -> Sets {
    if let cached = cache[dataset] { return cached }
    let data: Sets
    switch dataset {
    case "builtin": data = SyntheticGlyphs.generate(trainCount: 30_000, testCount: 5_000, seed: 2026)
    case "mnist", "fashion":
      let which: IDXDataset = dataset == "mnist" ? .mnist : .fashionMNIST
      data = try IDXDataset.load(which, from: announced(DataDirectory.resolve(dataset: which, explicit: dataDirectory), holding: which.displayName))
    case "cifar10", "cifar100":
      let which: CIFARDataset = dataset == "cifar10" ? .cifar10 : .cifar100
      let raw = try CIFARDataset.load(
        which, from: announced(DataDirectory.resolve(dataset: which, explicit: dataDirectory), holding: which.displayName))
      identities[dataset] = DataIdentity(name: dataset, train: raw.train, test: raw.test)
      let statistics = raw.train.channelStatistics()
      data = (try raw.train.normalised(statistics), try raw.test.normalised(statistics))
    default: preconditionFailure("unknown dataset \(dataset)")
    }
    cache[dataset] = data
    return data
  }

  /// What a benchmark's data is, for the run's identity: the ``DataIdentity/fingerprint`` of each
  /// dataset it is built from (CIFAR-10 and CIFAR-100 for `split-cifar10-100`), joined by `; `.
  /// Loads the datasets (once per process) and checksums them (once per dataset).
  ///
  /// - Throws: The errors of loading the data.
  func dataIdentity(_ benchmark: String) throws -> String {
    let (_, dataset) = try BenchmarkCatalogue.validate(benchmark)
    let parts = dataset == "cifar10-100" ? ["cifar10", "cifar100"] : [dataset]
    return try parts.map { part in
      if let known = identities[part] { return known.fingerprint }
      let sets = try base(part)
      // CIFAR sets are kept normalised; the identity is taken before, in `base`.
      let identity = identities[part] ?? DataIdentity(name: part, train: sets.train, test: sets.test)
      identities[part] = identity
      return identity.fingerprint
    }.joined(separator: "; ")
  }

  /// Facts about a benchmark's data for the run record: the normalisation of CIFAR datasets.
  func notes(_ name: String) throws -> [String: String] {
    guard BenchmarkCatalogue.isCIFAR(name) else { return [:] }
    let (_, dataset) = try BenchmarkCatalogue.validate(name)
    let parts = dataset == "cifar10-100" ? ["cifar10", "cifar100"] : [dataset]
    var notes: [String: String] = [:]
    for part in parts {
      let statistics = try base(part).train.normalisationStatistics
      notes["normalisation.\(part)"] = statistics.map(\.description) ?? "none"
    }
    return notes
  }

  /// The task sequence for a benchmark name and seed.
  func sequence(_ name: String, options: Options, seed: UInt64) throws -> TaskSequence {
    let (kind, dataset) = try BenchmarkCatalogue.validate(name)
    if options.pad && kind != "permuted" { throw CLIError("--pad applies to permuted benchmarks only") }
    var sequence: TaskSequence
    switch (kind, dataset) {
    case ("split", "cifar10-100"):
      let tasks = options.tasks ?? 6
      guard (2...11).contains(tasks) else {
        throw CLIError("split-cifar10-100 has 2 to 11 tasks (CIFAR-10, then tasks of 10 CIFAR-100 classes), not \(tasks)")
      }
      let first = try TaskSequence.split(try base("cifar10"), groups: [Array(0..<10)])
      let rest = try TaskSequence.split(try base("cifar100"), groups: (0..<(tasks - 1)).map { Array((10 * $0)..<(10 * $0 + 10)) })
      sequence = try TaskSequence.concatenating([first, rest], name: "split-cifar10-100")
    case ("split", _):
      let data = try base(dataset)
      let tasks = options.tasks ?? (dataset == "cifar100" ? 10 : 5)
      sequence = try .split(data, tasks: tasks, randomGroupingSeed: options.shuffleClasses ? seed : nil)
    case ("permuted", _):
      sequence = try .permuted(
        try base(dataset), tasks: options.tasks ?? 5, permuteFirstTask: options.permuteFirstTask, padTo32: options.pad, seed: seed)
    default:
      sequence = try .rotated(try base(dataset), tasks: options.tasks ?? 5)
    }
    if options.trainPerTask != nil || options.testPerTask != nil {
      sequence = try sequence.subsample(trainPerTask: options.trainPerTask, testPerTask: options.testPerTask, seed: seed)
    }
    if let fraction = options.validation {
      do {
        sequence = try sequence.holdingOut(fraction, seed: seed)
      } catch {
        throw CLIError("--validation \(fraction) on \(name): \(error)")
      }
    }
    return sequence
  }
}
