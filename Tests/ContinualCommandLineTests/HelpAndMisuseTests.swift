import ContinualCore
import Foundation
import Testing

@testable import ContinualCommand

/// Help on every command, and the common misuses that used to pass silently.
@Suite struct HelpAndMisuseTests {
  /// `continual COMMAND --help`, `-h` and `continual help COMMAND` succeed for every command.
  @Test(arguments: Command.allCases)
  func everyCommandHasHelp(_ command: Command) throws {
    for arguments in [[command.rawValue, "--help"], [command.rawValue, "-h"], ["help", command.rawValue]] {
      #expect(throws: Never.self, "\(arguments)") { try ContinualCommand.run(arguments) }
    }
    let text = command.help
    #expect(text.hasPrefix("usage: \(command.usage)"))
    // Every option the command accepts is in its help, and no other.
    for option in Options.declarations {
      #expect(text.contains("  \(option.flag) ") == option.commands.contains(command), "\(command): \(option.flag)")
    }
  }

  /// `report`'s help lists its three options; `compare`'s lists the grid's.
  @Test func helpListsTheCommandsOwnOptions() {
    let report = Command.report.help
    #expect(report.contains("--baseline NAME") && report.contains("--format") && !report.contains("--seeds"))
    #expect(Command.compare.help.contains("--algorithms STACK[,STACK…]"))
  }

  /// An option typed for a command that does not take it is an error naming the option and the
  /// commands that do.
  @Test func anOptionOfAnotherCommandIsAnError() {
    #expect(throws: CLIError.self) { try Options(["--seeds", "3"], for: .report) }
    do {
      _ = try Options(["--format", "csv"], for: .run)
      Issue.record("--format was accepted by run")
    } catch {
      #expect(
        "\(error)".contains("--format does not apply to `continual run`; it is an option of compare and report"),
        "\(error)")
    }
  }

  /// `--iterations` and `--epochs` typed together contradict each other; a preset's length is
  /// overridden by a typed one, as before.
  @Test func iterationsWithEpochsIsAnError() throws {
    let message = try #require(Parsing.error(["--iterations", "10", "--epochs", "1"]))
    #expect(message.contains("give one of them"), "\(message)")
    let overridden = try Parsing.options(["--preset", "vdv2019-split-mnist", "--epochs", "1"])
    #expect(overridden.epochs == 1 && overridden.iterations == nil)
  }

  /// A typed setting for a component in no stack, or for the replay memory when nothing replays,
  /// is an error; a preset's settings for algorithms the user left out are not.
  @Test func aSettingForNoStackIsAnError() throws {
    let si = try #require(Parsing.error(["--set", "si.c=3", "--algorithms", "ewc"]))
    #expect(si.contains("si is in no stack of --algorithms (ewc)"), "\(si)")
    let scoped = try #require(Parsing.error(["--set", "class:si.c=3", "--algorithms", "ewc,mas"]))
    #expect(scoped.contains("si is in no stack"), "\(scoped)")
    let memory = try #require(Parsing.error(["--set", "memory.size=10", "--algorithms", "ewc"]))
    #expect(memory.contains("replay memory is unused"), "\(memory)")
    _ = try Parsing.options(["--set", "si.c=3", "--algorithms", "ewc+si"])
    _ = try Parsing.options(["--set", "memory.size=10", "--algorithms", "ewc,er"])
    _ = try Parsing.options(["--preset", "vdv2019-split-mnist", "--algorithms", "ewc"])
  }

  /// Stacks that run outside what their parts were made for are warned about, and sound ones are not.
  @Test func nonsenseStacksAreWarnedAbout() throws {
    let warnings = try Sweep(
      try Parsing.options(["--algorithms", "joint+ewc,joint+er,ssil,ewc", "--scenario", "task,class"])
    ).warnings
    #expect(warnings.count == 3, "\(warnings)")
    #expect(warnings.contains { $0.hasPrefix("joint+ewc: joint trains on the data of every task") })
    #expect(warnings.contains { $0.hasPrefix("joint+er: ") })
    #expect(warnings.contains { $0.hasPrefix("ssil in the task scenario") })
    #expect(
      try Sweep(try Parsing.options(["--algorithms", "joint,ssil,ewc+si", "--scenario", "class"])).warnings.isEmpty)
  }

  /// `continual list` shows long preset names whole and the replay memory's settings.
  @Test func listShowsWholeNamesAndTheReplayMemory() {
    let text = listText(known: BuiltInAlgorithms.all)
    for name in Preset.all.keys { #expect(text.contains("  \(name) "), "\(name)") }
    #expect(text.contains("used by stacks with er, ssil"), "\(text)")
    for h in ReplayConfiguration.hyperparameters {
      #expect(text.contains("      memory.\(h.name) = \(h.defaultValue)"))
    }
  }

  /// An unknown command and a help topic that is not a command are errors with a suggestion.
  @Test func unknownCommandsAreErrors() {
    #expect(throws: CLIError.self) { try ContinualCommand.run(["compar"]) }
    #expect(throws: CLIError.self) { try ContinualCommand.run(["help", "bogus"]) }
    #expect(throws: CLIError.self) { try ContinualCommand.run(["list", "--seeds", "3"]) }
  }
}
