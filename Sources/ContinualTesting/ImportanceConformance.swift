import ContinualCore
import ContinualEngine
import Testing

/// Checks every `ImportanceEstimator` must pass, whatever it measures.
///
/// The estimator is driven through two tasks of a ``ToyProblem`` by a ``RegulariserHarness`` (task
/// start, full-batch SGD steps it may observe, task end), and its importances after each task must:
/// - be named and shaped like the model's parameters (or, for a unit-level estimator, like the
///   layers it measures, see `Layout`);
/// - be finite and non-negative, and not all zero (a trained task matters somewhere);
/// - be identical when a fresh estimator is driven again with the same seed.
///
/// ```swift
/// @Test func estimatorConformance() throws {
///   try ImportanceConformance.expectConformance { FisherEstimator(labelMode: .sampled) }
/// }
/// ```
public enum ImportanceConformance {
  /// What an estimator's importances are named and shaped like.
  public enum Layout: Sendable {
    /// One tensor per parameter, named and shaped like the model's parameters.
    case parameters
    /// One tensor per measured layer: these names (layer indices), with these shapes.
    case units(names: [String], shapes: [[Int]])
  }

  /// Runs every check.
  ///
  /// - Parameters:
  ///   - make: Creates a fresh estimator in its initial state.
  ///   - layout: What the importances are named and shaped like; the parameters by default.
  ///   - problem: The tasks, network and head; a two-task ``ToyProblem`` by default.
  ///   - seed: Seeds the harness (initial weights and the contexts' generators).
  /// - Returns: One message per failure; empty when the estimator conforms.
  /// - Throws: Whatever the estimator or the harness throws.
  public static func check(
    _ make: () throws -> any ImportanceEstimator, layout: Layout = .parameters, problem: ToyProblem? = nil,
    seed: UInt64 = 1
  ) throws -> [String] {
    let problem = try problem ?? ToyProblem()
    let (first, parameters) = try importances(of: make(), problem: problem, seed: seed)
    let (second, _) = try importances(of: make(), problem: problem, seed: seed)
    let (names, shapes): ([String], [[Int]]) =
      switch layout {
      case .parameters: (parameters.names, parameters.tensors.map(\.shape))
      case .units(let names, let shapes): (names, shapes)
      }
    var failures: [String] = []
    for (task, importances) in first.enumerated() {
      let after = "after task \(task + 1)"
      if importances.names != names {
        failures.append("names: the importances \(after) are named \(importances.names), expected \(names)")
      } else if let k = shapes.indices.first(where: { importances.tensors[$0].shape != shapes[$0] }) {
        failures.append(
          "shapes: importance '\(names[k])' \(after) has shape \(importances.tensors[k].shape), expected \(shapes[k])")
      }
      if let (name, index, value) = firstValue(in: importances, where: { !($0.isFinite && $0 >= 0) }) {
        failures.append("values: importance '\(name)'[\(index)] \(after) is \(value), expected finite and non-negative")
      } else if firstValue(in: importances, where: { $0 > 0 }) == nil {
        failures.append("values: every importance \(after) is zero")
      }
    }
    if let task = first.indices.first(where: { !second.indices.contains($0) || !identical(first[$0], second[$0]) }) {
      failures.append("same seed: the importances after task \(task + 1) differ between two runs with seed \(seed)")
    }
    return failures
  }

  /// The importances a fresh estimator returns after each task of `problem`, and the model's final
  /// parameters.
  ///
  /// - Parameters:
  ///   - estimator: The estimator, in its initial state.
  ///   - problem: The tasks (the first two are trained), network and head.
  ///   - seed: Seeds the harness.
  /// - Returns: The importances after each task, and the parameters at the end.
  /// - Throws: Whatever the estimator or the harness throws.
  public static func importances(
    of estimator: any ImportanceEstimator, problem: ToyProblem, seed: UInt64 = 1
  ) throws -> (importances: [NamedTensors], parameters: NamedTensors) {
    var harness = RegulariserHarness(regulariser: Observer(estimator: estimator), problem: problem, seed: seed)
    for task in 0..<min(2, problem.sequence.count) { try harness.train(task: task) }
    let importances = (harness.regulariser as? Observer)?.importances ?? []
    return (importances, harness.model.parameters)
  }

  /// Same names, shapes and bit patterns (so NaNs compare equal to themselves).
  private static func identical(_ a: NamedTensors, _ b: NamedTensors) -> Bool {
    a.names == b.names
      && zip(a.tensors, b.tensors).allSatisfy { x, y in
        x.shape == y.shape && x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern)
      }
  }

  private static func firstValue(
    in tensors: NamedTensors, where predicate: (Float) -> Bool
  ) -> (name: String, index: Int, value: Float)? {
    for (name, tensor) in zip(tensors.names, tensors.tensors) {
      if let index = tensor.scalars.firstIndex(where: predicate) { return (name, index, tensor.scalars[index]) }
    }
    return nil
  }

  /// A regulariser without a penalty that passes the harness's hook calls to an estimator and keeps
  /// its importances.
  private struct Observer: Regulariser {
    var estimator: any ImportanceEstimator
    var importances: [NamedTensors] = []

    var name: String { estimator.name }
    var needsTaskGradients: Bool { estimator.needsTaskGradients }
    var observesSteps: Bool { estimator.observesSteps }

    func penalty(_ step: StepContext) throws -> Variable? { nil }
    mutating func taskWillStart(_ context: TaskContext) throws { try estimator.taskWillStart(context) }
    mutating func stepDidFinish(_ step: StepObservation) throws { try estimator.stepDidFinish(step) }
    mutating func taskDidFinish(_ context: TaskContext) throws {
      importances.append(try estimator.importance(after: context))
    }
  }
}

extension ImportanceConformance {
  /// Runs every check of ``check(_:layout:problem:seed:)`` and records each failure as an issue at
  /// the caller's source location.
  ///
  /// ```swift
  /// try ImportanceConformance.expectConformance { PathIntegralEstimator() }
  /// ```
  ///
  /// - Parameters:
  ///   - make: Creates a fresh estimator in its initial state.
  ///   - layout: What the importances are named and shaped like; the parameters by default.
  ///   - problem: The tasks, network and head; a two-task ``ToyProblem`` by default.
  ///   - seed: Seeds the harness.
  ///   - sourceLocation: Where failures are reported; the calling line by default.
  /// - Throws: Whatever the estimator or the harness throws.
  public static func expectConformance(
    _ make: () throws -> any ImportanceEstimator, layout: Layout = .parameters, problem: ToyProblem? = nil,
    seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    for failure in try check(make, layout: layout, problem: problem, seed: seed) {
      Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation)
    }
  }
}
