import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The workloads that run whole protocols (`memory`, `cifar`, `sweep`) measure child processes:
// wall time from spawn to exit and `wait4`'s peak resident set size. A child's own progress and
// tables are not part of the benchmark's output, so its standard output and error go to /dev/null.

/// A command to run as a child process: an executable and its arguments.
struct ChildCommand {
  /// The executable's path.
  var executable: String
  /// Its arguments, without the executable.
  var arguments: [String]

  /// The command as one line, for the output.
  var line: String { ([executable] + arguments).joined(separator: " ") }
}

/// The data folder of the whole-protocol workloads: `$CONTINUAL_DATA`, else `../shared/data`.
var benchmarkData: String { ProcessInfo.processInfo.environment["CONTINUAL_DATA"] ?? "../shared/data" }

/// The `continual` executable built beside this benchmark, or an error saying to build it.
func builtContinual(for workload: String) throws -> String {
  let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
  let continual = directory.appendingPathComponent("continual").path
  guard FileManager.default.isExecutableFile(atPath: continual) else {
    throw BenchError.usage("the \(workload) workload runs \(continual); build it first (swift build -c release)")
  }
  return continual
}

/// Starts `command` with its output discarded and returns its process id.
private func spawn(_ command: ChildCommand) throws -> pid_t {
  var pid: pid_t = 0
  let argv = ([command.executable] + command.arguments).map { strdup($0) } + [nil]
  defer { for argument in argv { free(argument) } }
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
  let status = posix_spawn(&pid, command.executable, &actions, nil, argv, environ)
  guard status == 0 else {
    throw BenchError.usage("cannot start \(command.executable): \(String(cString: strerror(status)))")
  }
  return pid
}

/// Runs `commands`, at most `width` at once (the next starts as soon as one ends, as `xargs -P`
/// does), and returns the wall time of the whole set and the largest peak RSS of any of them.
/// A command that fails is an error naming it.
func measureChildren(_ commands: [ChildCommand], width: Int = 1) throws -> (seconds: Double, peakBytes: Int) {
  let start = DispatchTime.now().uptimeNanoseconds
  var running: [pid_t: ChildCommand] = [:]
  var waiting = commands[...]
  var peak = 0
  while !running.isEmpty || !waiting.isEmpty {
    while running.count < width, let next = waiting.popFirst() { running[try spawn(next)] = next }
    var exitStatus: Int32 = 0
    var usage = rusage()
    let pid = wait4(-1, &exitStatus, 0, &usage)
    guard let command = running.removeValue(forKey: pid) else { throw BenchError.usage("wait4 failed") }
    guard exitStatus == 0 else { throw BenchError.usage("\(command.line) failed with status \(exitStatus)") }
    peak = max(peak, usage.ru_maxrss * 1024)
  }
  return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, peak)
}

/// Runs `executable` with `arguments` and returns its wall time and peak resident set size.
func measureChild(_ executable: String, _ arguments: [String]) throws -> (seconds: Double, peakBytes: Int) {
  try measureChildren([ChildCommand(executable: executable, arguments: arguments)])
}

/// The one-minute load average, so that every wall time is read beside the machine's load.
func loadAverage() -> Double {
  var loads = [Double](repeating: 0, count: 3)
  return getloadavg(&loads, 3) > 0 ? loads[0] : -1
}

/// Runs `body` with a fresh temporary folder's path (not created; `continual` creates its
/// `--output`) and removes the folder however `body` ends.
func withScratchFolder<Result>(_ body: (String) throws -> Result) rethrows -> Result {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continual-bench-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: folder) }
  return try body(folder.path)
}
