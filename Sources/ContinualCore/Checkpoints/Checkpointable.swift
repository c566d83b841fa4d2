import ContinualEngine

/// What a component keeps between tasks, in a form a checkpoint can store: named tensors and
/// named lists of numbers.
///
/// Tensors hold anything large (anchors, importances, stored outputs); `numbers` hold counts,
/// indices and flags. Both are validated when a checkpoint is read, and a component's
/// ``Checkpointable/restore(from:model:)`` checks that they fit it before using them.
///
/// ```swift
/// var state = CheckpointState()
/// state.tensors["anchor/0.weight"] = anchor
/// state.numbers["tasks"] = [3]
/// ```
public struct CheckpointState: Sendable, Equatable {
  /// Named tensors.
  public var tensors: NamedTensors
  /// Named lists of finite numbers (whole numbers are exact up to 2⁵³).
  public var numbers: [String: [Double]]

  /// Creates a state.
  public init(tensors: NamedTensors = NamedTensors(), numbers: [String: [Double]] = [:]) {
    self.tensors = tensors
    self.numbers = numbers
  }

  /// Nothing to keep.
  public static let empty = CheckpointState()

  /// The whole number stored under `key`, checked to lie in `range`.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when it is missing, not a single
  ///   whole number, or out of range.
  public func integer(_ key: String, in range: ClosedRange<Int>, component: String) throws -> Int {
    let values = try integers(key, in: range, component: component)
    guard values.count == 1 else {
      throw CheckpointError.invalidState(
        component: component, reason: "'\(key)' holds \(values.count) numbers, not one")
    }
    return values[0]
  }

  /// The whole numbers stored under `key`, each checked to lie in `range`.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the key is missing or a
  ///   value is not a whole number in range.
  public func integers(_ key: String, in range: ClosedRange<Int>, component: String) throws -> [Int] {
    guard let values = numbers[key] else {
      throw CheckpointError.invalidState(component: component, reason: "'\(key)' is missing")
    }
    return try values.map { v in
      guard v.isFinite, v == v.rounded(), v >= Double(range.lowerBound), v <= Double(range.upperBound) else {
        throw CheckpointError.invalidState(
          component: component, reason: "'\(key)' holds \(v), not a whole number in \(range)")
      }
      return Int(v)
    }
  }

  /// The tensor named `name`, checked to have `shape` (when given) and finite values.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when it is missing, misshapen or
  ///   not finite.
  public func tensor(_ name: String, shape: [Int]? = nil, component: String) throws -> Tensor {
    guard let t = tensors[name] else {
      throw CheckpointError.invalidState(component: component, reason: "tensor '\(name)' is missing")
    }
    if let shape, t.shape != shape {
      throw CheckpointError.invalidState(
        component: component, reason: "tensor '\(name)' has shape \(t.shape), expected \(shape)")
    }
    guard t.isFinite else {
      throw CheckpointError.invalidState(component: component, reason: "tensor '\(name)' holds a NaN or infinity")
    }
    return t
  }

  /// The tensors whose names start with `prefix/`, the prefix removed, in stored order, each checked
  /// against `reference` (same names in the same order, same shapes) and for finite values.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` on any mismatch.
  public func tensors(under prefix: String, like reference: NamedTensors, component: String) throws -> NamedTensors {
    let found = try zip(reference.names, reference.tensors).map { name, t in
      try tensor("\(prefix)/\(name)", shape: t.shape, component: component)
    }
    return try NamedTensors(names: reference.names, tensors: found)
  }

  /// Stores `values` under `prefix/<name>` for every name.
  public mutating func store(_ values: NamedTensors, under prefix: String) {
    for (name, t) in zip(values.names, values.tensors) { tensors["\(prefix)/\(name)"] = t }
  }

  /// Stores a part's state (an estimator's inside its regulariser's) under `prefix:`.
  public mutating func embed(_ part: CheckpointState, as prefix: String) {
    store(part.tensors, under: prefix + ":")
    for (key, values) in part.numbers { numbers["\(prefix):/\(key)"] = values }
  }

  /// The part that ``embed(_:as:)`` stored under `prefix`.
  public func embedded(_ prefix: String) -> CheckpointState {
    let marker = "\(prefix):/"
    var part = CheckpointState()
    for (name, t) in zip(tensors.names, tensors.tensors) where name.hasPrefix(marker) {
      part.tensors[String(name.dropFirst(marker.count))] = t
    }
    for (key, values) in numbers where key.hasPrefix(marker) {
      part.numbers[String(key.dropFirst(marker.count))] = values
    }
    return part
  }
}

/// A component whose state between tasks can be saved in a checkpoint and restored, so that a run
/// resumed at a task boundary gives exactly the numbers of an uninterrupted one.
///
/// The trainer writes checkpoints only when every regulariser of the plan conforms; otherwise it
/// says which one does not and trains without them. Save what ``Regulariser/taskWillStart(_:)``
/// and later hooks read that earlier tasks produced (anchors, importances, teachers, counters);
/// state that `taskWillStart` rebuilds need not be saved.
///
/// ```swift
/// extension L2ToAnchor: Checkpointable {
///   func checkpointState() throws -> CheckpointState {
///     var state = CheckpointState()
///     if let anchor { state.store(anchor, under: "anchor") }
///     return state
///   }
///   mutating func restore(from state: CheckpointState, model: Model) throws {
///     anchor = state.tensors.count == 0
///       ? nil : try state.tensors(under: "anchor", like: model.parameters, component: name)
///   }
/// }
/// ```
public protocol Checkpointable {
  /// The state to save at a task boundary.
  ///
  /// - Throws: Any error that should stop the checkpoint (the run goes on without it).
  func checkpointState() throws -> CheckpointState

  /// Restores what ``checkpointState()`` saved, after checking it fits.
  ///
  /// - Parameters:
  ///   - state: The saved state, from a validated checkpoint file.
  ///   - model: The model as restored (its parameters give the expected names and shapes).
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the state does not fit.
  mutating func restore(from state: CheckpointState, model: Model) throws
}

/// A component that keeps nothing between tasks that its `taskWillStart` does not rebuild from
/// the model and the data (an estimator that starts afresh each task, a penalty that only reads
/// the current activations). Its checkpoint state is empty; declaring the conformance is the
/// author's statement that this is so.
///
/// ```swift
/// extension FisherEstimator: StatelessBetweenTasks {}
/// ```
public protocol StatelessBetweenTasks: Checkpointable {}

extension StatelessBetweenTasks {
  /// Nothing to save.
  public func checkpointState() throws -> CheckpointState { .empty }
  /// Checks that nothing was saved.
  ///
  /// - Throws: ``CheckpointError/invalidState(component:reason:)`` when the state is not empty.
  public func restore(from state: CheckpointState, model: Model) throws {
    guard state == .empty else {
      throw CheckpointError.invalidState(
        component: "\(Self.self)", reason: "it keeps no state between tasks, yet the checkpoint holds some")
    }
  }
}
