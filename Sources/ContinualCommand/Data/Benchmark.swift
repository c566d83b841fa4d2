import ContinualCore
import ContinualData

/// A benchmark: a dataset and how it becomes a sequence of tasks, named `<kind>-<dataset>`
/// (`split-mnist`, `permuted-builtin`, `split-cifar10-100`), or one a package of yours defines
/// (``BenchmarkDefinition``, found by name in the ``Catalog``). Two benchmarks are equal when their
/// names are.
struct Benchmark: Hashable, Sendable, CustomStringConvertible {
  /// How a dataset becomes tasks.
  enum Kind: String, CaseIterable, Sendable {
    /// Classes split into groups, one group a task.
    case split
    /// A fixed pixel permutation per task.
    case permuted
    /// A rotation per task.
    case rotated
  }

  /// The data a benchmark is made of.
  enum Dataset: String, CaseIterable, Sendable {
    /// The built-in synthetic glyphs (no download).
    case builtin
    /// MNIST.
    case mnist
    /// Fashion-MNIST.
    case fashion
    /// CIFAR-10.
    case cifar10
    /// CIFAR-100.
    case cifar100
    /// All of CIFAR-10 as task 1, then CIFAR-100 classes in tasks of 10.
    case cifar10And100 = "cifar10-100"

    /// Whether its images are CIFAR's colour 32×32 ones (normalised per channel, augmented by default).
    var isCIFAR: Bool { ![.builtin, .mnist, .fashion].contains(self) }

    /// The datasets whose files it is read from (`cifar10-100` reads both CIFARs).
    var sources: [Dataset] { self == .cifar10And100 ? [.cifar10, .cifar100] : [self] }

    /// The kinds it comes in: colour images are split by classes only.
    var kinds: [Kind] { isCIFAR ? [.split] : Kind.allCases }

    /// The number of tasks without `--tasks`.
    var defaultTaskCount: Int {
      switch self {
      case .cifar100: 10
      case .cifar10And100: 6
      default: 5
      }
    }
  }

  /// How the dataset becomes tasks (`split` for a package's benchmark).
  var kind: Kind
  /// The data (unused for a package's benchmark, whose ``definition`` loads it).
  var dataset: Dataset
  /// A package's benchmark: its name, summary, task count and data; `nil` for a built-in one.
  var definition: BenchmarkDefinition?

  /// The name, `split-mnist`.
  var name: String { definition?.name ?? "\(kind.rawValue)-\(dataset.rawValue)" }
  /// The name.
  var description: String { name }
  /// Whether it is made of CIFAR images.
  var isCIFAR: Bool { definition == nil && dataset.isCIFAR }
  /// The number of tasks without `--tasks`.
  var defaultTaskCount: Int { definition?.defaultTasks ?? dataset.defaultTaskCount }

  /// Whether two benchmarks have the same name.
  static func == (lhs: Benchmark, rhs: Benchmark) -> Bool { lhs.name == rhs.name }

  /// Hashes the name.
  func hash(into hasher: inout Hasher) { hasher.combine(name) }
  /// The augmentation its training images get without `--augment`: crop and flip for CIFAR.
  var defaultAugmentation: Augmentation { isCIFAR ? .standard : .none }

  /// Every benchmark, in the order `continual list` shows them.
  static let all: [Benchmark] =
    Kind.allCases.flatMap { kind in Dataset.allCases.filter { !$0.isCIFAR }.map { Benchmark(kind: kind, dataset: $0) } }
    + Dataset.allCases.filter(\.isCIFAR).map { Benchmark(kind: .split, dataset: $0) }

  /// The default benchmark of `continual compare`.
  static let permutedBuiltin = Benchmark(kind: .permuted, dataset: .builtin)

  /// The benchmark a name names: a built-in one, else one of the package's in ``Catalog/current``.
  ///
  /// - Throws: ``CLIError`` naming the valid benchmarks and the nearest one.
  init(named name: String) throws {
    let defined = Catalog.current.benchmarks.map(Benchmark.init(definition:))
    guard let found = (Benchmark.all + defined).first(where: { $0.name == name }) else {
      let names = (Benchmark.all + defined).map(\.name)
      let suggestion = nearest(name, in: names).map { "; did you mean '\($0)'?" } ?? ""
      throw CLIError("unknown benchmark '\(name)'\(suggestion) (valid: \(names.joined(separator: ", ")))")
    }
    self = found
  }

  /// A benchmark of a kind and dataset.
  init(kind: Kind, dataset: Dataset) {
    self.kind = kind
    self.dataset = dataset
  }

  /// A package's benchmark: its classes split into tasks.
  init(definition: BenchmarkDefinition) {
    self.init(kind: .split, dataset: .builtin)
    self.definition = definition
  }

  /// One line on what it is, for `continual list`.
  var summary: String {
    if let definition { return definition.summary }
    switch dataset {
    case .cifar10:
      return "CIFAR-10, classes split into tasks (default 5 tasks of 2 classes); crop-and-flip augmentation by default"
    case .cifar100:
      return
        "CIFAR-100, classes split into tasks (default 10 tasks of 10 classes); crop-and-flip augmentation by default"
    case .cifar10And100:
      return
        "all of CIFAR-10 as task 1, then CIFAR-100 classes 0–49 in tasks of 10 (6 tasks; the SI and HNet protocol); "
        + "crop-and-flip by default"
    case .builtin, .mnist, .fashion: break
    }
    let data = [
      "builtin": "the built-in synthetic glyphs (no download)", "mnist": "MNIST", "fashion": "Fashion-MNIST",
    ][dataset.rawValue]!
    switch kind {
    case .split: return "\(data), classes split into tasks (default 5 tasks of 2 classes)"
    case .permuted:
      return
        "\(data), a fixed pixel permutation per task (default 5 tasks; first unpermuted unless --permute-first-task)"
    case .rotated: return "\(data), a rotation per task (default 5 tasks, evenly spaced angles)"
    }
  }
}
