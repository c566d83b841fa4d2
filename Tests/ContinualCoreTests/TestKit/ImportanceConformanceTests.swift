import ContinualCore
import ContinualEngine
import ContinualTesting
import Testing

/// The importance-estimator checker itself: a correct estimator passes, and each planted bug is
/// reported by the check meant for it.
@Suite struct ImportanceConformanceTests {
  /// The squared parameters scaled by a draw from the context's generator, with switchable bugs.
  struct Planted: ImportanceEstimator {
    enum Bug: Sendable { case none, dropsLastParameter, flattensFirstParameter, signed, notANumber, zero, unseeded }
    var bug: Bug
    var name: String { "planted" }

    func importance(after context: TaskContext) throws -> NamedTensors {
      var rng = context.rng
      let scale = 1 + rng.nextUniform()
      let parameters = context.model.parameters
      var importances = parameters.mapTensors { tensor in tensor.map { $0 * $0 * scale } }
      switch bug {
      case .none: break
      case .dropsLastParameter:
        importances = try NamedTensors(names: parameters.names.dropLast(), tensors: importances.tensors.dropLast())
      case .flattensFirstParameter:
        importances.tensors[0] = try Tensor(
          shape: [importances.tensors[0].count], scalars: importances.tensors[0].scalars)
      case .signed: importances = parameters
      case .notANumber: importances.tensors[1] = importances.tensors[1].map { _ in .nan }
      case .zero: importances = parameters.mapTensors { $0.map { _ in 0 } }
      case .unseeded: importances = importances.mapTensors { $0 * Float.random(in: 1...2) }
      }
      return importances
    }
  }

  static func failures(_ bug: Planted.Bug) throws -> [String] { try ImportanceConformance.check { Planted(bug: bug) } }

  @Test func aSeededEstimatorPasses() throws {
    try ImportanceConformance.expectConformance { Planted(bug: .none) }
  }

  @Test func missingOrMisshapenImportancesAreCaught() throws {
    let dropped = try Self.failures(.dropsLastParameter)
    #expect(dropped.count == 2 && dropped.allSatisfy { $0.hasPrefix("names:") && $0.contains("2.bias") }, "\(dropped)")
    let flattened = try Self.failures(.flattensFirstParameter)
    #expect(
      flattened
        == ["after task 1", "after task 2"].map {
          "shapes: importance '0.weight' \($0) has shape [24], expected [6, 4]"
        })
    try withKnownIssue {
      try ImportanceConformance.expectConformance { Planted(bug: .flattensFirstParameter) }
    } matching: {
      $0.mentions("shapes:", "'0.weight'", "[24]", "[6, 4]")
    }
  }

  @Test func negativeAndNonFiniteImportancesAreCaught() throws {
    try withKnownIssue {
      try ImportanceConformance.expectConformance { Planted(bug: .signed) }
    } matching: {
      $0.mentions("values:", "is -", "expected finite and non-negative")
    }
    let nan = try Self.failures(.notANumber)
    #expect(
      nan.count == 2 && nan.allSatisfy { $0.hasPrefix("values: importance '0.bias'[0]") && $0.contains("nan") },
      "\(nan)")
  }

  @Test func allZeroImportancesAreCaught() throws {
    #expect(
      try Self.failures(.zero) == [
        "values: every importance after task 1 is zero", "values: every importance after task 2 is zero",
      ])
  }

  @Test func importancesThatIgnoreTheSeedAreCaught() throws {
    try withKnownIssue {
      try ImportanceConformance.expectConformance { Planted(bug: .unseeded) }
    } matching: {
      $0.mentions("same seed", "after task 1")
    }
  }
}
