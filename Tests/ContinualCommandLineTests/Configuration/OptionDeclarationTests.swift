import ContinualCore
import ContinualReport
import Foundation
import Testing

@testable import ContinualCommand

/// Each option is declared once (``Options/declarations``): the command line, experiment files,
/// help, records and the documentation's table all follow from that declaration.
@Suite struct OptionDeclarationTests {
  /// The JSON an experiment file writes for a declaration's example value.
  static func json(_ declaration: OptionDeclaration) throws -> String {
    let example = declaration.example
    switch declaration.kind {
    case .boolean: return "true"
    case .integer, .number: return example
    case .integers, .numbers: return "[\(example)]"
    case .text: return "\"\(example)\""
    case .names:
      return "[" + (try StackSpecification.list(example).map(\.text)).map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    case .settings, .grid:
      let eq = try #require(example.firstIndex(of: "="))
      let (key, values) = (example[..<eq], example[example.index(after: eq)...])
      if declaration.kind == .settings { return "{\"\(key)\": \(values)}" }
      return "{\"\(key)\": [\(values.split(separator: ",").joined(separator: ", "))]}"
    }
  }

  /// Every declared option reads its example the same from the command line and from an
  /// experiment file (as its JSON type), and the example differs from the default.
  @Test(arguments: Options.declarations.filter { !["--preset", "--config"].contains($0.flag) }.map(\.flag))
  func everyOptionRoundTripsThroughTheCommandLineAndAFile(_ flag: String) throws {
    let declaration = try #require(Options.declaration(flag))
    // Per-task BatchNorm needs a network with BatchNorm in the task scenario.
    let base =
      ["--algorithms", "ewc,mas"] + (flag == "--batchnorm" ? ["--network", "resnet32", "--scenario", "task"] : [])
    // An option of another command only (`--model` of evaluate) is read as that command reads it.
    let command = declaration.commands.contains(.compare) ? Command.compare : try #require(declaration.commands.first)
    let typed = try Options(base + [flag] + (declaration.isSwitch ? [] : [declaration.example]), for: command)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ck-roundtrip-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("experiment.json")
    try Data("{\"\(declaration.key)\": \(try Self.json(declaration))}".utf8).write(to: file)
    let fromFile = try Options(base + ["--config", file.path], for: command)
    #expect(declaration.spelling(typed) == declaration.spelling(fromFile), "\(flag)")
    #expect(
      declaration.spelling(typed) != declaration.spelling(try Options(base, for: command)),
      "\(flag): the example is the default")
    #expect(ExperimentFile.keys[declaration.key] == declaration.kind, "\(flag)")
  }

  /// `Docs/CommandLine.md` holds the generated table of every option, unchanged.
  @Test func theDocumentationTableIsGenerated() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../../Docs/CommandLine.md")
    let text = try String(contentsOf: url, encoding: .utf8)
    let (open, close) = ("<!-- options: generated from Options.declarations -->\n", "\n<!-- end of options -->")
    let start = try #require(text.range(of: open), "no options marker in Docs/CommandLine.md")
    let end = try #require(text.range(of: close, range: start.upperBound..<text.endIndex))
    let table = String(text[start.upperBound..<end.lowerBound])
    if ProcessInfo.processInfo.environment["CONTINUAL_UPDATE_DOCS"] == "1", table != Options.markdownTable {
      try Data((text[..<start.upperBound] + Options.markdownTable + text[end.lowerBound...]).utf8).write(to: url)
    }
    #expect(table == Options.markdownTable, "run the suite with CONTINUAL_UPDATE_DOCS=1 to regenerate the table")
    for declaration in Options.declarations { #expect(table.contains("`\(declaration.flag)"), "\(declaration.flag)") }
  }

  /// An experiment file's `"validation": 0.1` is a number, as the option's declaration says (the
  /// file once guessed a string from the flag's name).
  @Test func validationIsANumberInAFile() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ck-validation-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("experiment.json")
    try Data(#"{"validation": 0.1, "adam-betas": [0.5, 0.999]}"#.utf8).write(to: file)
    let options = try Options(["--config", file.path])
    #expect(options.validation == 0.1 && options.adamBetas == AdamBetas(beta1: 0.5, beta2: 0.999))
  }

  /// Per-task BatchNorm is refused for a stack whose component replaces the network, however the
  /// component is written: bracketed, varied by a grid, or plain.
  @Test(arguments: [
    ["--algorithms", "hnet[beta=0.1]"], ["--algorithms", "hnet", "--grid", "hnet.beta=0.1,1"],
    ["--algorithms", "ewc,hnet"],
  ])
  func perTaskBatchNormIsRefusedForNetworkReplacingStacks(_ stack: [String]) throws {
    let message = try #require(
      Parsing.error(["--network", "resnet32", "--batchnorm", "per-task", "--scenario", "task"] + stack), "\(stack)")
    #expect(message.contains("replaces the network"), "\(message)")
    _ = try Parsing.options([
      "--network", "resnet32", "--batchnorm", "per-task", "--scenario", "task", "--algorithms", "ewc[lambda=5]",
    ])
  }

  /// A stack run outside the scenarios a part was made for is warned about, brackets or not.
  @Test func ssilWithSettingsInTheTaskScenarioWarns() throws {
    let warnings = try Sweep(try Parsing.options(["--algorithms", "ssil[lambda=2],ewc", "--scenario", "task,class"]))
      .warnings
    #expect(
      warnings.count == 1 && warnings[0].hasPrefix("ssil[lambda=2] in the task scenario: ssil was made for the class"),
      "\(warnings)")
  }

  /// A grid value is given to the setting it varies, never pasted into stack text: a value that
  /// looks like stack syntax is an invalid value, and no other component is trained.
  @Test func gridValuesCannotRewriteTheStack() throws {
    let message = try #require(Parsing.error(["--algorithms", "ewc", "--grid", "ewc.lambda=1]+si[c=2"]))
    #expect(message.contains("invalid value '1]+si[c=2' for ewc.lambda"), "\(message)")
  }

  /// A grid key given twice is an error, not the later values silently replacing the earlier ones.
  @Test func aRepeatedGridKeyIsAnError() throws {
    let message = try #require(
      Parsing.error(["--algorithms", "ewc", "--grid", "ewc.lambda=1,2", "--grid", "ewc.lambda=3,4"]))
    #expect(message.contains("--grid ewc.lambda is given twice"), "\(message)")
  }

  /// Grids vary options and the replay memory as well as algorithm settings, list values
  /// included; each point is its own configuration.
  @Test func gridsVaryOptionsMemoryAndListSettings() throws {
    let sweep = try Sweep(
      try Parsing.options([
        "--algorithms", "er,ewc", "--grid", "lr=0.001,0.0001", "--grid", "memory.size=200,500", "--scenario", "class",
      ]))
    #expect(
      sweep.points.map(\.label) == [
        "er (memory.size=200) (lr=0.001)", "er (memory.size=500) (lr=0.001)", "ewc (lr=0.001)",
        "er (memory.size=200) (lr=0.0001)", "er (memory.size=500) (lr=0.0001)", "ewc (lr=0.0001)",
      ], "\(sweep.points.map(\.label))")
    #expect(sweep.points.map(\.options.learningRate) == [0.001, 0.001, 0.001, 0.0001, 0.0001, 0.0001])
    let hidden = try Sweep(try Parsing.options(["--algorithms", "hnet", "--grid", "hnet.hidden=10,10;20,20,20"]))
    let stacks = try hidden.points.map { try hidden.resolved($0, in: .domain).config()["hnet.hidden"] }
    #expect(stacks == ["10,10", "20,20,20"])
    #expect(Parsing.error(["--algorithms", "ewc", "--grid", "memory.size=200,500"])?.contains("replays") == true)
    #expect(Parsing.error(["--grid", "lr=0.1,-1"])?.contains("--grid lr=-1: --lr takes a non-negative number") == true)
    #expect(Parsing.error(["--grid", "seeds=1,2"])?.contains("an option a grid can vary") == true)
  }

  /// Adam's rates reach the optimiser and the record; the default rates are not recorded, so
  /// earlier runs keep their identity.
  @Test func adamBetasReachTheOptimiserAndTheRecord() throws {
    let options = try Parsing.options(["--adam-betas", "0.5,0.99"])
    let benchmark = Benchmark.permutedBuiltin
    guard case .adam(_, let beta1, let beta2, _) = options.trainingConfiguration(for: benchmark).optimiser else {
      Issue.record("not Adam")
      return
    }
    #expect(beta1 == 0.5 && beta2 == 0.99)
    #expect(options.protocolConfig(benchmark: benchmark, scenario: .task)["adam_betas"] == "0.5,0.99")
    #expect(try Parsing.options([]).protocolConfig(benchmark: benchmark, scenario: .task)["adam_betas"] == nil)
    #expect(Parsing.error(["--adam-betas", "0.9"])?.contains("two rates") == true)
    #expect(Parsing.error(["--adam-betas", "0.9,1"])?.contains("two rates") == true)
  }

  /// `--lr-steps` reaches the training configuration (sorted by epoch) and the record; no schedule
  /// is recorded by default, so earlier runs keep their identity; bad steps are named.
  @Test func learningRateStepsReachTheConfigurationAndTheRecord() throws {
    let options = try Parsing.options(["--lr-steps", "121:0.01,81:0.1"])
    let benchmark = Benchmark.permutedBuiltin
    let schedule = options.trainingConfiguration(for: benchmark).learningRateSchedule
    #expect(schedule.epochs == [81, 121] && schedule.factors == [0.1, 0.01])
    #expect(options.protocolConfig(benchmark: benchmark, scenario: .task)["lr_steps"] == "81:0.1,121:0.01")
    let plain = try Parsing.options([])
    #expect(plain.protocolConfig(benchmark: benchmark, scenario: .task)["lr_steps"] == nil)
    #expect(plain.trainingConfiguration(for: benchmark).learningRateSchedule == .constant)
    for bad in ["81", "0:0.1", "81:0", "81:-1", "81:0.1,81:0.2", "x:0.1", "81:0.1,"] {
      #expect(Parsing.error(["--lr-steps", bad])?.contains("epoch:factor steps") == true, "\(bad)")
    }
  }

  /// `--grid lr=… --grid memory.size=… --validation 0.1` with `er` trains every point, chooses one
  /// per algorithm on validation data, and labels the chosen row with what it varied.
  @Test func validationChoosesALearningRateAndAMemoryBudget() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ck-grid-options-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let options = try Parsing.options([
      "--benchmark", "split-builtin", "--scenario", "class", "--algorithms", "er", "--grid", "lr=0.001,0.0001",
      "--grid",
      "memory.size=20,40", "--validation", "0.1", "--seeds", "1", "--iterations", "4", "--train-per-task", "60",
      "--test-per-task",
      "30", "--quiet", "--output", root.path, "--format", "json",
    ])
    let records = try runGrid(options)
    #expect(records.count == 4 && Set(records.map(\.runID)).count == 4)
    #expect(
      Set(records.map { $0.config["lr"]! + "/" + $0.config["memory.size"]! }) == [
        "0.001/20", "0.001/40", "0.0001/20", "0.0001/40",
      ])
    let selection = ValidationSelection(records: records)
    #expect(selection.points.count == 4 && selection.points.filter(\.chosen).count == 1)
    let chosen = try #require(selection.table.rows.first)
    #expect(
      chosen.label.contains("lr=") && chosen.label.contains("memory.size=")
        && chosen.label.contains("chosen on validation"), "\(chosen.label)")
  }
}
