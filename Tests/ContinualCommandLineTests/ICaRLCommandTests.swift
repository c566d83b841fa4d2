import ContinualCore
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// `icarl` through `continual compare` on the built-in split benchmark in the class-incremental
/// scenario, with the confusion matrices in its records and report, and its stacking rules with the
/// real algorithms.
@Suite struct ICaRLCommandTests {
  @Test func icarlRunsThroughCompareAndTheReportShowsConfusionMatrices() throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("ck-cli-icarl-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    try ContinualCommand.run(
      [
        "compare", "--benchmark", "split-builtin", "--scenario", "class", "--algorithms", "finetune,icarl",
        "--seeds", "1", "--iterations", "20", "--train-per-task", "40", "--test-per-task", "20", "--hidden", "16",
        "--set", "memory.size=20", "--quiet", "--output", output.path, "--format", "html,json",
      ],
      console: Console(output: { _ in }, diagnostics: { _ in }))
    let records = try RecordFile.readAll([output.appendingPathComponent("records.jsonl")]).records
    #expect(records.map(\.algorithm).sorted() == ["finetune", "icarl"])
    for record in records {
      let confusion = try #require(record.confusionMatrix, "\(record.algorithm)")
      #expect(confusion.count == 10 && confusion.joined().reduce(0, +) == 5 * 20)
      #expect(record.classAccuracies?.count == 10)
    }
    let icarl = try #require(records.first { $0.algorithm == "icarl" })
    #expect(icarl.config["memory.selection"] == "herding")
    #expect(icarl.lossTerms?.last?["icarl"] != nil)
    let html = try String(contentsOf: output.appendingPathComponent("comparison.html"), encoding: .utf8)
    #expect(html.components(separatedBy: "<svg class=\"confusion\"").count - 1 == 2)
  }

  @Test(arguments: [
    ("icarl+ssil", "two components replace the head"),
    ("icarl+der", "two components need different memory policies (herding and reservoir)"),
    ("icarl+agem", "agem draws replayed samples itself, so the replay icarl joins to each batch would be switched off"),
  ])
  func icarlRefusesStacksThatCannotWork(stack: String, reason: String) {
    let message = Parsing.error(["--benchmark", "split-builtin", "--scenario", "class", "--algorithms", stack])
    #expect(message?.contains(reason) == true, "\(message ?? "")")
  }

  @Test func icarlStacksWithAParameterPenalty() throws {
    let options = try Parsing.options(
      ["--benchmark", "split-builtin", "--scenario", "class", "--algorithms", "icarl+ewc"])
    #expect(options.algorithms.count == 1)
  }
}
