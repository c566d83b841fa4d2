import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// Writes the tables of `records` in the requested formats, compared with `--baseline` when given,
/// and prints the Markdown table; with `writingFiles: false`, only prints it.
func writeTables(_ records: [RunRecord], options: Options, baseName: String = "comparison", writingFiles: Bool = true)
  throws
{
  var table = ComparisonTable(records: records)
  // Runs that held out validation data are chosen on it: the tables show each algorithm's best
  // point, and selection.{md,csv} every point with its validation and test accuracy.
  if records.contains(where: { $0.validationAccuracyMatrix != nil }) {
    let selection = ValidationSelection(records: records)
    table = selection.table
    if writingFiles { try? FileManager.default.createDirectory(at: options.output, withIntermediateDirectories: true) }
    for (name, text) in [("selection.md", selection.markdown), ("selection.csv", selection.csv)] where writingFiles {
      let url = options.output.appendingPathComponent(name)
      do {
        try Data(text.utf8).write(to: url, options: .atomic)
      } catch {
        throw CLIError("cannot write \(url.path): \(error.localizedDescription)")
      }
    }
    if writingFiles {
      options.console.note(
        "selection on validation data: \(options.output.appendingPathComponent("selection.md").path)")
    }
  }
  table = table.labellingSettings(differingFrom: defaultSettings(options.known))
  if let baseline = options.baseline {
    do {
      table = try table.comparing(toBaseline: baseline)
    } catch let error as ComparisonTable.BaselineError {
      throw CLIError("--baseline: \(error)")
    }
  }
  guard writingFiles else { return options.console.output(try table.rendered(as: .markdown)) }
  let urls = try ComparisonTable.write(table, formats: options.formats, to: options.output, baseName: baseName)
  options.console.output(try table.rendered(as: .markdown))
  options.console.note("tables written: " + urls.map(\.path).joined(separator: ", "))
}

/// Every declared setting's default, keyed like a record's `config` (`ewc.lambda`), in the
/// canonical form records hold: how a table knows which settings of a row are not the defaults.
func defaultSettings(_ algorithms: [any Algorithm.Type]) -> [String: String] {
  var defaults: [String: String] = [:]
  for algorithm in algorithms {
    for setting in algorithm.hyperparameters {
      defaults["\(algorithm.name).\(setting.name)"] = setting.canonical(setting.defaultValue)
    }
  }
  return defaults
}
