import ContinualCore
import ContinualEngine
import Foundation
import Testing

/// Checks that record their failures at the calling test's line, as `#expect` does.
///
/// ```swift
/// @Test func conformance() throws {
///   try RegulariserConformance.expectConformance { MyPenalty(strength: 1) }
/// }
/// ```
extension RegulariserConformance {
  /// Runs every check of ``check(_:except:problem:seed:displacement:)`` but the exempt ones, records
  /// each failure as an issue at the caller's source location, and prints each exemption with its
  /// reason.
  ///
  /// ```swift
  /// try RegulariserConformance.expectConformance(
  ///   { OutputDistillation(strength: 1, temperature: 2) },
  ///   except: [.stateSurvivesTaskBoundaries: "LwF remembers only the latest model"])
  /// ```
  ///
  /// - Parameters:
  ///   - make: Creates a fresh regulariser in its initial state.
  ///   - exemptions: The checks not to run, each with the reason it does not apply (shown in the
  ///     test's output; an empty reason is an issue); none by default.
  ///   - problem: The tasks, network and head; a two-task ``ToyProblem`` by default.
  ///   - seed: Seeds the harness and the trainer.
  ///   - displacement: The largest distance of each weight from its anchor in the gradient and state
  ///     checks.
  ///   - sourceLocation: Where failures are reported; the calling line by default.
  /// - Throws: Whatever the regulariser, the harness or the trainer throws.
  public static func expectConformance(
    _ make: () throws -> any Regulariser, except exemptions: [Check: String] = [:], problem: ToyProblem? = nil,
    seed: UInt64 = 1, displacement: Float = 0.5, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    for check in Check.allCases {
      guard let reason = exemptions[check] else { continue }
      if reason.trimmingCharacters(in: .whitespaces).isEmpty {
        Issue.record("conformance: the exemption from '\(check)' gives no reason", sourceLocation: sourceLocation)
      }
      print("\(sourceLocation): conformance check '\(check)' skipped: \(reason)")
    }
    let failures = try check(make, except: exemptions, problem: problem, seed: seed, displacement: displacement)
    expectNoFailures(failures, sourceLocation: sourceLocation)
  }

  /// Records each message of a check (one of the `check…` functions) as an issue at the caller's
  /// source location.
  ///
  /// ```swift
  /// RegulariserConformance.expectNoFailures(
  ///   try RegulariserConformance.checkSameSeedSameResult(make, problem: problem))
  /// ```
  ///
  /// - Parameters:
  ///   - failures: The messages a check returned; none when it passed.
  ///   - sourceLocation: Where failures are reported; the calling line by default.
  public static func expectNoFailures(_ failures: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for failure in failures { Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation) }
  }
}

extension GradientCheck {
  /// Runs ``run(inputs:step:absoluteTolerance:relativeTolerance:_:)`` and records a failure, naming
  /// the worst element, at the caller's source location.
  ///
  /// ```swift
  /// try GradientCheck.expectMatch(inputs: [x, w]) { tape, v in try v[0].matmul(v[1]).relu().sum() }
  /// ```
  ///
  /// - Parameters:
  ///   - inputs: The points at which to check; avoid kinks closer than `step`.
  ///   - step: The finite-difference step.
  ///   - absoluteTolerance: The absolute part of the tolerance.
  ///   - relativeTolerance: The relative part of the tolerance.
  ///   - sourceLocation: Where a failure is reported; the calling line by default.
  ///   - function: Builds a one-element output from the inputs recorded on the tape.
  /// - Returns: The comparison, for further expectations.
  /// - Throws: Whatever `function` or the tape throws.
  @discardableResult
  public static func expectMatch(
    inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation, _ function: (Tape, [Variable]) throws -> Variable
  ) throws -> GradientCheck {
    let report = try run(
      inputs: inputs, step: step, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance, function)
    if !report.passed { Issue.record(Comment(rawValue: report.description), sourceLocation: sourceLocation) }
    return report
  }
}
