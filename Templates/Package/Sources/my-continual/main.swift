// `continual` with your algorithms, benchmark, network and preset beside the built-in ones:
// `swift build -c release --build-tests && .build/release/my-continual list`.
import ContinualCommand
import MyBenchmarks
import MyPenalty

ContinualCommand.main(
  algorithms: BuiltInAlgorithms.all + [MyPenalty.self], benchmarks: [MyBenchmarks.stripes],
  networks: [MyBenchmarks.narrow], presets: [MyBenchmarks.quick])
