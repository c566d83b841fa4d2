import ContinualData
import Foundation

/// A benchmark a package of yours adds to the command: a name, one line for `list`, and the data as
/// training and test `LabelledImages`, whose classes are split into tasks as `split-mnist`'s are
/// (`--tasks`, `--shuffle-classes`, `--train-per-task` and `--validation` apply).
///
/// Pass it to ``ContinualCommand/main(algorithms:benchmarks:networks:presets:)``; `list`, `compare`, `run`,
/// records, resume, shards and `--jobs` treat it like a built-in benchmark. Its runs' identity
/// holds the data's `DataIdentity` (a checksum of every pixel and label, as for
/// the built-in datasets), so changing the data makes new runs rather than reusing old records.
///
/// ```swift
/// let stripes = BenchmarkDefinition(name: "split-stripes", summary: "bars on 8×8 images, 4 classes",
///   defaultTasks: 2) { _ in (try Stripes.images(perClass: 200, seed: 1), try Stripes.images(perClass: 50, seed: 2)) }
/// ContinualCommand.main(algorithms: BuiltInAlgorithms.all, benchmarks: [stripes])
/// ```
public struct BenchmarkDefinition: Sendable {
  /// The name `--benchmark` takes, such as `split-stripes`: lower-case letters, digits and hyphens,
  /// and not a built-in benchmark's.
  public var name: String
  /// One line for `list`.
  public var summary: String
  /// The number of tasks without `--tasks`.
  public var defaultTasks: Int
  /// Loads the training and test sets; given `--data-dir` (else `$CONTINUAL_DATA`, else `nil`), for
  /// data read from files. Called once per process.
  public var load: @Sendable (_ dataDirectory: URL?) throws -> (train: LabelledImages, test: LabelledImages)

  /// A benchmark of your own.
  ///
  /// - Parameters:
  ///   - name: The name `--benchmark` takes.
  ///   - summary: One line for `list`.
  ///   - defaultTasks: The number of tasks without `--tasks`.
  ///   - load: Loads the training and test sets.
  public init(
    name: String, summary: String, defaultTasks: Int = 5,
    load: @escaping @Sendable (_ dataDirectory: URL?) throws -> (train: LabelledImages, test: LabelledImages)
  ) {
    self.name = name
    self.summary = summary
    self.defaultTasks = defaultTasks
    self.load = load
  }
}
