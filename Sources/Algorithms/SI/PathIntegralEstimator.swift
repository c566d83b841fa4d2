import ContinualCore
import ContinualEngine

/// Synaptic intelligence's importance (Zenke, Poole & Ganguli, ICML 2017): the path integral of
/// each parameter's contribution to the loss decrease, normalised by how far it moved.
///
/// Over a task, `ω_i = −Σ_steps g_i Δθ_i` with `Δθ` the change the optimiser actually applied and `g`
/// the gradient before the step; at the end `Ω_i = ω_i / ((θ_i,end − θ_i,start)² + ξ)`.
public struct PathIntegralEstimator: ImportanceEstimator {
  /// Which gradient enters the path integral.
  public enum GradientSource: String, Sendable, CaseIterable {
    /// The task loss alone (the official code).
    case task
    /// The whole objective, regularisers included (van de Ven's code).
    case total
  }

  /// The damping ξ.
  public var damping: Float
  /// Which gradient enters the path integral.
  public var gradientSource: GradientSource
  var start: NamedTensors?
  var integral: NamedTensors?

  /// Creates the estimator.
  public init(damping: Float = 0.1, gradientSource: GradientSource = .task) {
    self.damping = damping
    self.gradientSource = gradientSource
  }

  /// `path-integral`.
  public var name: String { "path-integral" }
  /// The official code integrates the task-loss gradient.
  public var needsTaskGradients: Bool { gradientSource == .task }
  /// Every step contributes.
  public var observesSteps: Bool { true }

  /// Remembers the parameters at the start of the task and clears the integral.
  public mutating func taskWillStart(_ context: TaskContext) throws {
    start = context.model.parameters
    integral = NamedTensors.zeros(like: context.model.parameters)
  }

  /// Adds `−g ⊙ Δθ` to the integral.
  public mutating func stepDidFinish(_ step: StepObservation) throws {
    guard var sum = integral else { return }
    let gradients: NamedTensors
    switch gradientSource {
    case .total: gradients = step.totalGradients
    case .task:
      guard let task = step.taskGradients else {
        throw TensorError.invalidArgument(
          operation: "SI path integral",
          reason: "the step carries no task-loss gradient although needsTaskGradients is true")
      }
      gradients = task
    }
    try sum.requireSameNames(gradients, operation: "SI path integral")
    for k in 0..<sum.count {
      gradients.tensors[k].withUnsafeBufferPointer { g in
        step.change.tensors[k].withUnsafeBufferPointer { d in
          sum.tensors[k].withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count { w[i] -= g[i] * d[i] }
          }
        }
      }
    }
    integral = sum
  }

  /// `ω / (Δ² + ξ)`.
  public mutating func importance(after context: TaskContext) throws -> NamedTensors {
    guard let start, let integral else { return NamedTensors.zeros(like: context.model.parameters) }
    let delta = try context.model.parameters - start
    let xi = damping
    return try integral.zipTensors(delta) { w, d in try w / (d.squared() + xi) }
  }
}

/// The path integral and its starting point are reset by `taskWillStart`; at a task boundary they
/// hold nothing the next task reads.
extension PathIntegralEstimator: StatelessBetweenTasks {}
