import ContinualEngine
import Foundation

/// `--jobs N`: a sweep trained by N worker processes at once, on one `--output` folder.
///
/// The parent starts N copies of the running executable with the same arguments (each a worker:
/// one job, `--threads` set so that jobs × threads does not exceed the cores unless given), waits
/// for them, and then runs the sweep itself, which finds every run's record and writes the tables.
/// The workers share the folder as any processes do: each run is claimed before it trains
/// (``SweepFolder``), so it is trained once, a worker that dies leaves its run to be resumed from
/// its checkpoint, and a killed sweep continues where it stopped when the command is repeated.
/// Processes rather than threads keep runs apart: one run's failure, memory or signal cannot take
/// another down, and the engine's thread count is a per-process setting.
enum Jobs {
  /// The environment variable that tells a worker its number (and that it is a worker).
  static let workerVariable = "CONTINUAL_JOB"

  /// The worker number of this process, when it is a worker.
  static var worker: Int? { ProcessInfo.processInfo.environment[workerVariable].flatMap(Int.init) }

  /// The threads each run uses: `--threads`, else the cores shared among the jobs.
  static func threads(_ options: Options) -> Int {
    options.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / options.jobs)
  }

  /// Sets this process's kernel threads from `--threads` when the engine has not started yet.
  static func applyThreads(_ options: Options) {
    guard let threads = options.threads ?? (worker == nil ? nil : threads(options)) else { return }
    setenv("CONTINUAL_THREADS", String(threads), 1)
  }

  /// Starts the workers with `arguments` (the command and its options) and waits for them.
  ///
  /// - Throws: ``CLIError`` naming a worker that failed and how; runs it finished keep their records.
  static func runWorkers(_ arguments: [String], options: Options) throws {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let threads = threads(options)
    options.console.note("jobs: \(options.jobs) worker processes, \(threads) thread(s) each, on \(options.output.path)")
    var workers: [Process] = []
    for job in 1...options.jobs {
      let process = Process()
      process.executableURL =
        FileManager.default.isExecutableFile(atPath: executable.path)
        ? executable : URL(fileURLWithPath: CommandLine.arguments[0])
      process.arguments = arguments + ["--jobs", "1", "--threads", String(threads)]
      var environment = ProcessInfo.processInfo.environment
      environment[workerVariable] = String(job)
      process.environment = environment
      try process.run()
      workers.append(process)
    }
    var failures: [String] = []
    for (index, worker) in workers.enumerated() {
      worker.waitUntilExit()
      if worker.terminationStatus != 0 {
        let how =
          worker.terminationReason == .uncaughtSignal
          ? "signal \(worker.terminationStatus)" : "status \(worker.terminationStatus)"
        failures.append("job \(index + 1) stopped with \(how)")
      }
    }
    guard failures.isEmpty else {
      throw CLIError(
        "\(failures.joined(separator: "; ")); the runs the workers finished keep their records: repeat the command "
          + "to continue"
      )
    }
  }
}
