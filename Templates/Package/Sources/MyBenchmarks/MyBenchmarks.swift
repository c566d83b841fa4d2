import ContinualCommand
import ContinualCore
import ContinualEngine

/// What this package adds to `my-continual` besides algorithms: a benchmark on its own data, a
/// network and a preset. `Sources/my-continual/main.swift` passes them to `ContinualCommand.main`;
/// `list`, `compare`, records, resume and shards treat them like the built-in ones.
public enum MyBenchmarks {
  /// `split-stripes`: ``Stripes`` (300 training and 100 test images a class) split into 2 tasks of 2
  /// classes.
  public static let stripes = BenchmarkDefinition(
    name: "split-stripes", summary: "bars on 8×8 noise, 4 classes (this package's Stripes); 2 tasks of 2 classes",
    defaultTasks: 2
  ) { _ in
    (try Stripes.images(perClass: 300, seed: 1), try Stripes.images(perClass: 100, seed: 2))
  }

  /// `narrow`: one hidden layer of 32 units with a tanh, for samples of any shape.
  public static let narrow = NetworkDefinition(name: "narrow", summary: "one tanh layer of 32 units (this package)") {
    input, outputs in
    Sequential([Flatten(), Linear(input.reduce(1, *), 32), Tanh(), Linear(32, outputs)])
  }

  /// `stripes-quick`: EWC and MyPenalty alone and stacked on `split-stripes` with `narrow`, in seconds.
  public static let quick = PresetDefinition(
    name: "stripes-quick", summary: "ewc, my-penalty and ewc+my-penalty on split-stripes with narrow, 2 seeds",
    arguments: [
      "--benchmark", "split-stripes", "--scenario", "task", "--network", "narrow", "--algorithms",
      "ewc,my-penalty,ewc+my-penalty", "--seeds", "2", "--iterations", "50", "--output", "results/stripes-quick",
    ])
}
