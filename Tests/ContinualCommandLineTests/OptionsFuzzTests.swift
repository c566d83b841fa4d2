import ContinualCore
import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import ContinualCommand

/// Bad command-line values: targeted cases, then seeded random argument lists. Each must be rejected
/// with a typed error naming the option or value, or be accepted only with every value in range.
@Suite struct OptionsFuzzTests {
  @Test(arguments: [
    (["--algorithms", "ewc,nope"], "unknown algorithm 'nope'"),
    (["--algorithms", "ewcc"], "did you mean 'ewc'?"),
    (["--algorithms", "ewc+ewc"], "name each component once"),
    (["--algorithms", ","], "--algorithms needs at least one name"),
    (["--benchmark", "split-mnst"], "unknown benchmark 'split-mnst'; did you mean 'split-mnist'?"),
    (["--scenario", "tasks"], "unknown scenario 'tasks'"),
    (["--set", "ewc.lambda=-1"], "invalid value '-1' for ewc.lambda"),
    (["--set", "ewc.lambda=nan"], "invalid value 'nan' for ewc.lambda"),
    (["--set", "ewc.lambda=inf"], "invalid value 'inf' for ewc.lambda"),
    (["--set", "ewc.lamda=1"], "did you mean 'ewc.lambda'?"),
    (["--set", "memory.size=-5"], "invalid value '-5' for memory.size"),
    (["--set", "galaxy:ewc.lambda=1"], "a scenario prefix must be task, domain or class"),
    (["--set", "lambda"], "--set takes [scenario:]component.name=value"),
    (["--seeds", "-3"], "--seeds takes a whole number from 1 to 10000, not '-3'"),
    (["--seeds", "1000000000000"], "--seeds takes a whole number from 1 to 10000"),
    (["--batch-size", "0"], "--batch-size takes a whole number from 1 to 65536, not '0'"),
    (["--iterations", "9223372036854775807"], "--iterations takes a whole number from 1 to 1000000000"),
    (["--iterations", "99999999999999999999"], "--iterations takes a whole number"),
    (["--epochs", "1.5"], "--epochs takes a whole number"),
    (["--tasks", "-1"], "--tasks takes a whole number from 1 to 1000"),
    (["--hidden", "400,-1"], "--hidden takes a whole number from 1 to 65536, not '-1'"),
    (["--hidden", "65536,65536"], "would need about"),
    (["--train-per-task", "-10"], "--train-per-task takes a whole number from 0"),
    (["--lr", "NaN"], "--lr takes a non-negative number, not 'NaN'"),
    (["--lr", "1e39"], "--lr takes a non-negative number, not '1e39'"),
    (["--lr", "0"], "--lr must be positive"),
    (["--momentum", "1"], "--momentum must be below 1"),
    (["--momentum", "-0.5"], "--momentum takes a non-negative number"),
    (["--optimiser", "adamw"], "--optimiser takes adam or sgd, not 'adamw'"),
    (["--eval-split", "validation"], "--eval-split takes test or train"),
    (["--format", "pdf"], "unknown format 'pdf'"),
    (["--shard", "0/4"], "--shard takes i/n with 1 ≤ i ≤ n"),
    (["--shard", "5/4"], "--shard takes i/n with 1 ≤ i ≤ n"),
    (["--shard", "1/0"], "--shard takes i/n"),
    (["--shard", "-1/4"], "--shard takes i/n"),
    (["--shard", "1/2/3"], "--shard takes i/n"),
    (["--shard", "a/b"], "--shard takes i/n"),
    (["--shard", "2"], "--shard takes i/n"),
    // Extra or empty parts were dropped, so these were accepted as 1/2.
    (["--shard", "x/1/2"], "--shard takes i/n"),
    (["--shard", "1//2"], "--shard takes i/n"),
    (["--output", ""], "--output needs a directory"),
    // A repeated entry trained the same runs again and showed n = 4 ± 0.00.
    (["--algorithms", "ewc,si,ewc"], "--algorithms lists 'ewc' more than once"),
    (["--scenario", "task,task"], "--scenario lists 'task' more than once"),
    (["--benchmark", "split-builtin,split-builtin"], "--benchmark lists 'split-builtin' more than once"),
    (["--seedz", "3"], "unknown option '--seedz'"),
    (["--seeds"], "--seeds needs a value"),
    (["--preset", "vdv2019"], "unknown preset 'vdv2019'"),
    (["--config", "/nonexistent/experiment.json"], "/nonexistent/experiment.json: cannot read the experiment file"),
  ])
  func badValuesAreNamed(arguments: [String], message: String) {
    let description = Parsing.error(arguments) ?? ""
    #expect(description.contains(message), "\(arguments): \(description)")
  }

  @Test func goodValuesStillParse() throws {
    let options = try Parsing.options([
      "--benchmark", "split-builtin", "--scenario", "task,class", "--algorithms", "ewc+si,finetune", "--seeds", "2",
      "--shard", "2/3", "--momentum", "0.9", "--optimiser", "sgd", "--set", "class:ewc.lambda=1e8", "--hidden", "",
    ])
    #expect(Parsing.violations(options).isEmpty)
    #expect(options.shard?.index == 1 && options.shard?.count == 3)
    #expect(options.hidden.isEmpty)
    #expect(options.settings(for: .class)["ewc.lambda"] == "1e8")
  }

  /// Values that stress parsers: signs, overflow, NaN, infinity, empty and odd separators.
  static let values = [
    "0", "1", "-1", "3", "2.5", "1e3", "nan", "NaN", "inf", "-inf", "1e400", "0x10", "", " ", "99999999999999999999",
    "9223372036854775807", "-9223372036854775808", "1/0", "0/0", "2/1", "1/2", "3/2", "a/b", "1/2/3", "/", "ewc",
    "ewc+si",
    "ewc+ewc", "+", "nope", "split-builtin", "permuted-mnist", "rotated-fashion", "task", "class,domain", ",",
    "ewc.lambda=1",
    "ewc.lambda=nan", "class:ewc.lambda=-1", "memory.size=-5", "memory.size=100", "si.c=1e400", "x.y=z", "=", ":",
    "adam", "sgd",
    "test", "train", "markdown,html", "pdf", "400,400", "0,1", "-3", "65536", "vdv2019-split-mnist", "λ", "--seeds",
  ]

  @Test func randomArgumentListsAreRejectedOrInRange() {
    var rng = SeededGenerator(seed: 77)
    let flags =
      Options.declarations.map(\.flag).sorted().filter { $0 != "--config" && $0 != "--data-dir" && $0 != "--output" }
      + ["--seedz", "-x", ""]
    var tally = FuzzTally("command-line arguments")
    for _ in 0..<600 {
      var arguments: [String] = []
      for _ in 0..<(1 + rng.nextInt(below: 5)) {
        let flag = flags[rng.nextInt(below: flags.count)]
        arguments.append(flag)
        if !(Options.declaration(flag)?.isSwitch ?? false) || rng.nextInt(below: 8) == 0 {
          let value = Self.values[rng.nextInt(below: Self.values.count)]
          if rng.nextInt(below: 4) == 0 && flag.hasPrefix("--") {
            arguments[arguments.count - 1] = flag + "=" + value
          } else {
            arguments.append(value)
          }
        }
      }
      let clear = { (error: CLIError) in !error.description.isEmpty }
      tally.count("\(arguments)", isClear: clear) {
        let options = try Parsing.options(arguments)
        #expect(Parsing.violations(options).isEmpty, "\(arguments) gave \(Parsing.violations(options))")
      }
    }
    tally.report()
    #expect(tally.tried == 600 && tally.rejectedCount > 300)
  }
}
