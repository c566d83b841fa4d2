/// An optimiser's saved state: its step count and its per-parameter buffers (Adam's moment
/// estimates, SGD's momentum), so a checkpointed run continues exactly where it stopped.
///
/// Buffers are named `<slot>/<parameter>`: Adam's are `m/0.weight`, `v/0.weight`, …; SGD's
/// `momentum/0.weight`, …. An optimiser that has not taken a step yet has no buffers.
///
/// ```swift
/// let saved = adam.savedState()
/// var resumed = Adam(learningRate: 1e-3)
/// try resumed.restore(saved)   // resumed now steps exactly like adam
/// ```
public struct OptimiserState: Sendable, Equatable {
  /// The number of steps taken since creation or the last reset.
  public var step: Int
  /// The buffers, named `<slot>/<parameter>`, slot by slot.
  public var buffers: NamedTensors

  /// Creates a state.
  public init(step: Int, buffers: NamedTensors) {
    self.step = step
    self.buffers = buffers
  }
}

extension SlotState {
  /// The buffers named `<slot>/<parameter>`, slot after slot.
  func saved(slotNames: [String]) -> NamedTensors {
    var names: [String] = [], tensors: [Tensor] = []
    for (s, slot) in slotNames.enumerated() {
      for (k, name) in self.names.enumerated() where s < slots[k].count {
        names.append("\(slot)/\(name)")
        tensors.append(slots[k][s])
      }
    }
    // Parameter names are unique, so `<slot>/<name>` is too.
    return (try? NamedTensors(names: names, tensors: tensors)) ?? NamedTensors()
  }

  /// The slot state that `saved(slotNames:)` wrote, checked: every slot has a buffer for the same
  /// parameters, in the same order, with finite values.
  init(restoring buffers: NamedTensors, slotNames: [String], operation: String) throws {
    self.init()
    guard buffers.count > 0 else { return }
    guard !slotNames.isEmpty, buffers.count % slotNames.count == 0 else {
      throw TensorError.invalidArgument(
        operation: operation,
        reason: "\(buffers.count) buffers do not divide into the slots \(slotNames.joined(separator: ", "))")
    }
    let perSlot = buffers.count / slotNames.count
    for (s, slot) in slotNames.enumerated() {
      for k in 0..<perSlot {
        let full = buffers.names[s * perSlot + k]
        let prefix = "\(slot)/"
        guard full.hasPrefix(prefix) else {
          throw TensorError.invalidArgument(
            operation: operation, reason: "buffer '\(full)' is not a '\(slot)' buffer in position \(s * perSlot + k)")
        }
        let name = String(full.dropFirst(prefix.count))
        let tensor = buffers.tensors[s * perSlot + k]
        guard tensor.isFinite else {
          throw TensorError.invalidArgument(operation: operation, reason: "buffer '\(full)' holds a NaN or infinity")
        }
        if s == 0 {
          names.append(name)
          shapes.append(tensor.shape)
          slots.append([tensor])
        } else {
          guard names[k] == name, shapes[k] == tensor.shape else {
            throw TensorError.invalidArgument(
              operation: operation, reason: "buffer '\(full)' does not match '\(slotNames[0])/\(names[k])' \(shapes[k])"
            )
          }
          slots[k].append(tensor)
        }
      }
    }
  }
}
