import ContinualCore
import ContinualData
import ContinualEngine
import Foundation

/// Loads base datasets once per process and builds task sequences from them.
final class BenchmarkFactory {
  typealias Sets = (train: LabelledImages, test: LabelledImages)
  /// Each dataset as read (bytes / 255).
  var cache: [Benchmark.Dataset: Sets] = [:]
  /// Each dataset normalised per channel by its training set's statistics.
  var channelNormalised: [Benchmark.Dataset: Sets] = [:]
  /// Each loaded dataset's identity, computed once from the data as read (before normalisation).
  var identities: [Benchmark.Dataset: DataIdentity] = [:]
  /// The data of the package's benchmarks, by name, loaded once.
  var defined: [String: Sets] = [:]
  /// The identity of each package's benchmark's data, by name.
  var definedIdentities: [String: DataIdentity] = [:]
  let dataDirectory: URL?
  /// Where it says which folder each dataset is read from; `nil` keeps quiet.
  let console: Console?

  init(dataDirectory: URL?, console: Console? = nil) {
    self.dataDirectory = dataDirectory
    self.console = console
  }

  /// `folder`, once said on the console, so a run never uses data from an unexpected place unnoticed.
  func announced(_ folder: URL, holding name: String) -> URL {
    console?.note("data: \(name) from \(folder.path)")
    return folder
  }

  /// A dataset's training and test sets, as read (`none`: bytes / 255) or normalised per channel by
  /// the training set's mean and standard deviation (`channel`; `auto` is the benchmark's default).
  func base(_ dataset: Benchmark.Dataset, _ normalise: ImageNormalisation) throws -> Sets {
    guard normalise.resolved(for: dataset) == .channel else { return try read(dataset) }
    if let cached = channelNormalised[dataset] { return cached }
    let raw = try read(dataset)
    let statistics = raw.train.channelStatistics()
    let data = (try raw.train.normalised(statistics), try raw.test.normalised(statistics))
    channelNormalised[dataset] = data
    return data
  }

  /// A dataset's training and test sets as stored, read once per process; its identity is taken here.
  func read(_ dataset: Benchmark.Dataset) throws -> Sets {
    if let cached = cache[dataset] { return cached }
    let data: Sets
    switch dataset {
    case .builtin: data = SyntheticGlyphs.generate(trainCount: 30_000, testCount: 5_000, seed: 2026)
    case .mnist, .fashion:
      let which: IDXDataset = dataset == .mnist ? .mnist : .fashionMNIST
      data = try IDXDataset.load(
        which,
        from: announced(DataDirectory.resolve(dataset: which, explicit: dataDirectory), holding: which.displayName))
    case .cifar10, .cifar100:
      let which: CIFARDataset = dataset == .cifar10 ? .cifar10 : .cifar100
      data = try CIFARDataset.load(
        which,
        from: announced(DataDirectory.resolve(dataset: which, explicit: dataDirectory), holding: which.displayName))
    case .cifar10And100:
      // Made of two datasets, each loaded on its own (``Benchmark/Dataset/sources``).
      throw CLIError("cifar10-100 is read as cifar10 and cifar100")
    }
    identities[dataset] = DataIdentity(name: dataset.rawValue, train: data.train, test: data.test)
    cache[dataset] = data
    return data
  }

  /// The data of a package's benchmark, loaded once per process.
  ///
  /// - Throws: ``CLIError`` naming the benchmark when its loader fails.
  func data(of definition: BenchmarkDefinition) throws -> Sets {
    if let cached = defined[definition.name] { return cached }
    let directory =
      dataDirectory ?? ProcessInfo.processInfo.environment["CONTINUAL_DATA"].map { URL(fileURLWithPath: $0) }
    let data: Sets
    do {
      data = try definition.load(directory)
    } catch {
      throw CLIError("the benchmark '\(definition.name)' could not load its data: \(error)")
    }
    console?.note("data: \(definition.name) from this package's definition")
    defined[definition.name] = data
    return data
  }

  /// What a benchmark's data is, for the run's identity: the ``DataIdentity/fingerprint`` of each
  /// dataset it is built from (CIFAR-10 and CIFAR-100 for `split-cifar10-100`), joined by `; `.
  /// Loads the datasets (once per process) and checksums them (once per dataset).
  ///
  /// - Throws: The errors of loading the data.
  func dataIdentity(_ benchmark: Benchmark) throws -> String {
    if let definition = benchmark.definition {
      if let known = definedIdentities[definition.name] { return known.fingerprint }
      let sets = try data(of: definition)
      let identity = DataIdentity(name: definition.name, train: sets.train, test: sets.test)
      definedIdentities[definition.name] = identity
      return identity.fingerprint
    }
    return try benchmark.dataset.sources.map { part in
      if identities[part] == nil { _ = try read(part) }  // the identity is taken as the data is read
      return identities[part]!.fingerprint
    }.joined(separator: "; ")
  }

  /// Facts about a benchmark's data for the run record: the normalisation of CIFAR datasets, and
  /// of any other dataset normalised per channel.
  func notes(_ benchmark: Benchmark, normalise: ImageNormalisation) throws -> [String: String] {
    guard benchmark.definition == nil, benchmark.isCIFAR || normalise == .channel else { return [:] }
    var notes: [String: String] = [:]
    for part in benchmark.dataset.sources {
      let statistics = try base(part, normalise).train.normalisationStatistics
      notes["normalisation.\(part.rawValue)"] = statistics.map(\.description) ?? "none"
    }
    return notes
  }

  /// The task sequence for a benchmark and seed.
  func sequence(_ benchmark: Benchmark, options: Options, seed: UInt64) throws -> TaskSequence {
    var sequence: TaskSequence
    let tasks = options.tasks ?? benchmark.defaultTaskCount
    if let definition = benchmark.definition {
      guard options.normalise.resolved(for: benchmark) == .none else {
        throw CLIError(
          "--normalise \(options.normalise.rawValue): the package's benchmark '\(definition.name)' brings its own "
            + "data; normalise it in its loader")
      }
      sequence = try .split(
        try data(of: definition), tasks: tasks, randomGroupingSeed: options.shuffleClasses ? seed : nil)
    } else {
      sequence = try builtInSequence(benchmark, tasks: tasks, options: options, seed: seed)
    }
    if options.trainPerTask != nil || options.testPerTask != nil {
      sequence = try sequence.subsample(
        trainPerTask: options.trainPerTask, testPerTask: options.testPerTask, seed: seed)
    }
    if let fraction = options.validation {
      do {
        sequence = try sequence.holdingOut(fraction, seed: seed)
      } catch {
        throw CLIError("--validation \(fraction) on \(benchmark.name): \(error)")
      }
    }
    return sequence
  }

  /// The tasks of a built-in benchmark, before subsampling and validation.
  private func builtInSequence(_ benchmark: Benchmark, tasks: Int, options: Options, seed: UInt64) throws
    -> TaskSequence
  {
    let normalise = options.normalise
    switch (benchmark.kind, benchmark.dataset) {
    case (.split, .cifar10And100):
      guard (2...11).contains(tasks) else {
        throw CLIError(
          "split-cifar10-100 has 2 to 11 tasks (CIFAR-10, then tasks of 10 CIFAR-100 classes), not \(tasks)")
      }
      let first = try TaskSequence.split(try base(.cifar10, normalise), groups: [Array(0..<10)])
      let rest = try TaskSequence.split(
        try base(.cifar100, normalise), groups: (0..<(tasks - 1)).map { Array((10 * $0)..<(10 * $0 + 10)) })
      return try TaskSequence.concatenating([first, rest], name: "split-cifar10-100")
    case (.split, let dataset):
      return try .split(
        try base(dataset, normalise), tasks: tasks, randomGroupingSeed: options.shuffleClasses ? seed : nil)
    case (.permuted, let dataset):
      return try .permuted(
        try base(dataset, normalise), tasks: tasks, permuteFirstTask: options.permuteFirstTask, padTo32: options.pad,
        seed: seed)
    case (.rotated, let dataset):
      return try .rotated(try base(dataset, normalise), tasks: tasks)
    }
  }
}
