import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// What `continual list` prints: algorithms with their settings, the replay memory's settings,
/// networks, benchmarks, presets and scenarios.
func listText(known: [any Algorithm.Type]) -> String {
  var lines: [String] = []
  lines.append("Algorithms (stack with +, e.g. ewc+si; set hyperparameters with --set name.key=value):")
  for algorithm in known {
    lines.append("  \(column(algorithm.name, 12)) \(algorithm.summary)")
    for h in algorithm.hyperparameters {
      lines.append("      \(algorithm.name).\(h.name) = \(h.defaultValue)  — \(h.summary); \(h.validValues)")
    }
  }
  var replaying: [String] = []
  for algorithm in known where usesReplay(algorithm) { replaying.append(algorithm.name) }
  lines.append("\nReplay memory (--set memory.key=value; used by stacks with \(replaying.joined(separator: ", "))):")
  for h in ReplayConfiguration.hyperparameters {
    lines.append("      memory.\(h.name) = \(h.defaultValue)  — \(h.summary); \(h.validValues)")
  }
  lines.append("\nNetworks (--network NAME):")
  for name in Network.names { lines.append("  \(column(name, 12)) \(Network.summary(name))") }
  for network in Catalog.current.networks { lines.append("  \(column(network.name, 12)) \(network.summary)") }
  lines.append("\nBenchmarks:")
  let defined = Catalog.current.benchmarks.map(Benchmark.init(definition:))
  for benchmark in Benchmark.all + defined { lines.append("  \(column(benchmark.name, 18)) \(benchmark.summary)") }
  lines.append("\nPresets (--preset NAME; flags after it override):")
  let presets = Preset.names.compactMap { name in Preset.named(name).map { (name, $0) } }
  let width = max(22, presets.map(\.0.count).max() ?? 0)
  for (name, preset) in presets { lines.append("  \(column(name, width)) \(preset.summary)") }
  lines.append("\nScenarios (van de Ven & Tolias 2019):")
  lines.append("  task     task-incremental: one output head per task, the task id is given")
  lines.append("  domain   domain-incremental: one shared head, no task id")
  lines.append("  class    class-incremental: every class seen so far is active, no task id")
  return lines.joined(separator: "\n")
}

/// Whether an algorithm, with its default settings, replays exemplars from the replay memory.
func usesReplay(_ algorithm: any Algorithm.Type) -> Bool {
  guard let defaults = try? Settings(component: algorithm.name, declared: algorithm.hyperparameters, given: [:]),
    let components = try? algorithm.components(defaults)
  else { return false }
  return components.usesReplay
}

/// `text` padded with spaces to `width`; longer text is kept whole, never cut.
func column(_ text: String, _ width: Int) -> String {
  text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
}
