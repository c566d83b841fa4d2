import ContinualCore
import ContinualData
import ContinualEngine
import Foundation

/// The benchmarks the tool builds: `<kind>-<dataset>`.
enum BenchmarkCatalogue {
  static let kinds = ["split", "permuted", "rotated"]
  static let datasets = ["builtin", "mnist", "fashion"]
  static var names: [String] { kinds.flatMap { k in datasets.map { "\(k)-\($0)" } } }

  static func describe(_ name: String) -> String {
    let (kind, dataset) = parts(name)!
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
    return kinds.contains(kind) && datasets.contains(dataset) ? (kind, dataset) : nil
  }

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
  var cache: [String: (train: LabelledImages, test: LabelledImages)] = [:]
  let dataDirectory: URL?

  init(dataDirectory: URL?) { self.dataDirectory = dataDirectory }

  func base(_ dataset: String) throws -> (train: LabelledImages, test: LabelledImages) {
    if let cached = cache[dataset] { return cached }
    let data: (train: LabelledImages, test: LabelledImages)
    switch dataset {
    case "builtin": data = SyntheticGlyphs.generate(trainCount: 30_000, testCount: 5_000, seed: 2026)
    case "mnist": data = try IDXDataset.load(.mnist, from: DataDirectory.resolve(dataset: .mnist, explicit: dataDirectory))
    default: data = try IDXDataset.load(.fashionMNIST, from: DataDirectory.resolve(dataset: .fashionMNIST, explicit: dataDirectory))
    }
    cache[dataset] = data
    return data
  }

  /// The task sequence for a benchmark name and seed.
  func sequence(_ name: String, options: Options, seed: UInt64) throws -> TaskSequence {
    let (kind, dataset) = try BenchmarkCatalogue.validate(name)
    let data = try base(dataset)
    if options.pad && kind != "permuted" { throw CLIError("--pad applies to permuted benchmarks only") }
    let tasks = options.tasks ?? 5
    var sequence: TaskSequence
    switch kind {
    case "split":
      sequence = try .split(data, tasks: tasks, randomGroupingSeed: options.shuffleClasses ? seed : nil)
    case "permuted":
      sequence = try .permuted(data, tasks: tasks, permuteFirstTask: options.permuteFirstTask, padTo32: options.pad, seed: seed)
    default:
      sequence = try .rotated(data, tasks: tasks)
    }
    if options.trainPerTask != nil || options.testPerTask != nil {
      sequence = try sequence.subsample(trainPerTask: options.trainPerTask, testPerTask: options.testPerTask, seed: seed)
    }
    return sequence
  }
}
