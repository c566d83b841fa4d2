import ContinualCore
import ContinualEngine

/// SS-IL, separated softmax for incremental learning (Ahn, Kwak, Lim, Bang, Kim and Moon, ICCV 2021):
/// exemplar replay scored by a ``SeparatedSoftmaxHead``, task-wise distillation
/// (``LogitDistillation`` with ``LogitDistillation/Grouping/perTask``) against the model of the
/// previous task, and the learning rate `lr/(t+1)` for task `t`.
///
/// Objective while training task `t ≥ 1` on `B` current samples joined by `R` replayed exemplars
/// (`memory.batch`, drawn from the core's ``ReplayMemory`` of `memory.size` exemplars):
///
/// ```
/// L = (Σ_current CE(z[new]) + Σ_replayed CE(z[old])) / (B + R)
///   + λ T² Σ_{s<t} KL(softmax(z_old[task s]/T) ‖ softmax(z[task s]/T))   (batchmean over B + R)
/// ```
///
/// Defaults are the official code's [hongjoon0805/SS-IL-Official@8c32381]: `T = 2`, `λ = 1`,
/// `lr/(t+1)`, replay batch 32, exemplars "first q per class" (`memory.selection=first`).
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario class --algorithms er,er+gkd,ssil --set memory.size=500
/// ```
///
/// SS-IL is a class-incremental method. In the task-incremental scenario every sample is already
/// scored over its own task's classes, so `ssil` keeps the ``MultiHead`` (and is replay + TKD + the
/// learning-rate rule); the domain-incremental scenario, whose outputs are shared by every task, has
/// no old and new classes to separate and is refused (``SSILError/unsupportedScenario(_:)``).
public enum SSIL: Algorithm {
  /// λ, the task-wise distillation weight (the official code has no weight; 0 switches it off).
  public static let lambda = Setting<Float>(
    "lambda", default: 1, "task-wise distillation weight λ (0 = off)", in: 0...1e6)
  /// `T`, the distillation temperature.
  public static let temperature = Setting<Float>(
    "temperature", default: 2, "distillation temperature T", in: 0.01...100)
  /// Whether task `t` trains at `lr/(t+1)`.
  public static let learningRateRule = Setting<Bool>(
    "lr-rule", default: true, "learning rate lr/(t+1) for task t (official); false = constant")
  /// The prediction rule: the official arg-max over every seen class's logit, or `centred`
  /// (``SeparatedSoftmaxHead/Prediction/taskCentred``, an experiment, not in the paper).
  public static let prediction = Setting<SeparatedSoftmaxHead.Prediction>(
    "prediction", default: .raw,
    "raw: arg-max of the logits (official); centred: minus each task's mean logit (not in the paper)")
  /// `ssil`: the distillation weight and temperature, the learning-rate rule and the prediction rule.
  public static let configuration = AlgorithmConfiguration(
    name: "ssil",
    summary:
      "SS-IL (Ahn et al. 2021): replay with a separated softmax (new classes vs old), task-wise distillation, "
      + "lr/(t+1). Class-IL.",
    settings: [lambda, temperature, learningRateRule, prediction], scenarios: [.class])

  /// The separated-softmax head, the task-wise distillation, replay and (by default) the `lr/(t+1)` rule.
  ///
  /// - Parameter settings: Validated `ssil.*` values.
  /// - Returns: The components; the head closure throws ``SSILError/unsupportedScenario(_:)`` for
  ///   the domain-incremental scenario.
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(
      regularisers: [
        LogitDistillation(grouping: .perTask, temperature: settings[temperature], strength: settings[lambda])
      ],
      usesReplay: true,
      head: { [prediction = settings[prediction]] layout, scenario in
        try head(layout: layout, scenario: scenario, prediction: prediction)
      },
      learningRateScale: settings[learningRateRule] ? learningRateScale(forTask:) : nil)
  }

  /// SS-IL's learning-rate factor for task `t`: `1/(t+1)` [SS-IL-Official main.py:59-64].
  ///
  /// - Parameter task: The task's index from 0.
  /// - Returns: `1 / (task + 1)`.
  @Sendable public static func learningRateScale(forTask task: Int) -> Float { 1 / Float(task + 1) }

  /// The head SS-IL trains with in a scenario.
  ///
  /// - Parameters:
  ///   - layout: The classes of each task.
  ///   - scenario: The continual-learning scenario.
  ///   - prediction: How the class-incremental head picks a class at evaluation.
  /// - Returns: A ``SeparatedSoftmaxHead`` (class-incremental) or a ``MultiHead`` (task-incremental).
  /// - Throws: ``SSILError/unsupportedScenario(_:)`` for the domain-incremental scenario.
  public static func head(
    layout: TaskLayout, scenario: Scenario, prediction: SeparatedSoftmaxHead.Prediction = .raw
  ) throws -> any Head {
    switch scenario {
    case .class: return SeparatedSoftmaxHead(layout: layout, prediction: prediction)
    case .task: return MultiHead(layout: layout)
    case .domain: throw SSILError.unsupportedScenario(scenario)
    }
  }
}

/// Experience replay (ER): every mini-batch of the current task is joined by `memory.batch`
/// exemplars of earlier tasks from the core's fixed-budget ``ReplayMemory``, all scored by the
/// scenario's standard head (in class-incremental learning one joint softmax over every class seen).
///
/// The baseline SS-IL is compared against: the same memory and replay ratio, no separation, no
/// distillation, a constant learning rate. Stack it with ``GlobalDistillation`` for ER + GKD
/// (`er+gkd`). The memory is configured by the `memory.*` settings (`memory.size`,
/// `memory.selection`, `memory.batch`).
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario class --algorithms er,er+gkd --set memory.size=200
/// ```
public enum ExperienceReplay: Algorithm {
  /// `er`: no settings of its own (the memory is configured by `memory.*`).
  public static let configuration = AlgorithmConfiguration(
    name: "er",
    summary: "Experience replay: current batch + replayed exemplars (memory.*), one joint softmax. Baseline for SS-IL.")
  /// Replay only.
  ///
  /// - Parameter settings: Validated (empty) `er.*` values.
  /// - Returns: Components that only switch replay on.
  public static func components(_ settings: Settings) -> AlgorithmComponents { AlgorithmComponents(usesReplay: true) }
}

/// Global knowledge distillation (GKD): one KL over every old class's logits against the model of
/// the previous task (``LogitDistillation`` with ``LogitDistillation/Grouping/global``), the
/// distillation SS-IL argues against.
///
/// On its own it is LwF-style distillation without replay (in class-incremental learning, over the
/// old classes only); `er+gkd` is the ER + GKD baseline of the SS-IL comparison.
///
/// ```sh
/// continual compare --benchmark split-mnist --scenario class --algorithms er+gkd --set gkd.temperature=2
/// ```
public enum GlobalDistillation: Algorithm {
  /// λ, the distillation weight.
  public static let lambda = Setting<Float>(
    "lambda", default: 1, "global distillation weight λ (0 = off)", in: 0...1e6)
  /// `T`, the temperature.
  public static let temperature = Setting<Float>(
    "temperature", default: 2, "distillation temperature T", in: 0.01...100)
  /// `gkd`: the weight and the temperature.
  public static let configuration = AlgorithmConfiguration(
    name: "gkd",
    summary:
      "Global distillation: KL over all old classes' logits vs the previous model (T², batchmean). Stack as er+gkd.",
    settings: [lambda, temperature])
  /// One global distillation regulariser.
  ///
  /// - Parameter settings: Validated `gkd.*` values.
  /// - Returns: The regulariser (no replay: stack with `er`).
  public static func components(_ settings: Settings) -> AlgorithmComponents {
    AlgorithmComponents(regularisers: [
      LogitDistillation(grouping: .global, temperature: settings[temperature], strength: settings[lambda])
    ])
  }
}

/// A configuration SS-IL cannot run.
public enum SSILError: Error, Equatable, CustomStringConvertible {
  /// The scenario has no old and new output columns to separate.
  case unsupportedScenario(Scenario)

  /// Names the scenario and the valid ones.
  public var description: String {
    switch self {
    case .unsupportedScenario(let scenario):
      "ssil needs outputs laid out task after task: use --scenario class (or task); the \(scenario.rawValue) "
        + "scenario shares one set of outputs"
    }
  }
}
