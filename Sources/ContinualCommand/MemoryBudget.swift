import ContinualCore
import ContinualData
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The memory a grid cell needs, estimated before it trains and checked against the memory the
/// process may use, so that a run too large for the machine (`--tasks 1000` with large tasks, a
/// network of a billion weights) is an error naming what to lower, not `failed to allocate` an hour
/// in.
///
/// The estimate counts what the tool knows the size of before training:
///
/// - the data: ``TaskSequence/memoryFootprint`` — each dataset once, plus each task's own rows,
///   labels and permutation or rotation tables;
/// - the network: its weights and state, times ``networkCopies`` (the weights, a gradient, the
///   task-loss gradient some regularisers ask for, Adam's two moments, and an anchor and an
///   importance per regulariser).
///
/// It leaves out what depends on an algorithm's own choices (EWC keeps an anchor and a Fisher per
/// task; a replay memory keeps indices, not images) and activations, so it is a lower bound: a
/// cell refused by it cannot fit, and one it accepts may still not.
///
/// The limit is the smallest of the machine's physical memory (`sysconf`), the memory limit of
/// the process's control group (cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`), which a
/// cluster's scheduler (Slurm, Kubernetes) sets to what the job asked for, and what the
/// address-space limit (`RLIMIT_AS`: `ulimit -v`, which some schedulers set) leaves beyond the
/// address space the process already uses.
enum MemoryBudget {
  /// How many copies of the network's weights a run holds at least, besides one per regulariser.
  static let networkCopies = 5

  /// A cell's estimated memory, by part.
  struct Estimate {
    /// The task sequence's bytes.
    var data: Int
    /// The network's bytes, all copies.
    var network: Int
    /// The number of tasks.
    var tasks: Int

    /// The whole estimate.
    var total: Int { data + network }
  }

  /// The estimate for a prepared cell.
  static func estimate(_ prepared: PreparedRun) -> Estimate {
    let weights = prepared.architecture.parameterSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let state = prepared.architecture.stateSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let copies = networkCopies + 2 * prepared.plan.regularisers.count
    return Estimate(
      data: prepared.sequence.memoryFootprint, network: (weights * copies + state) * MemoryLayout<Float>.size,
      tasks: prepared.sequence.count)
  }

  /// Refuses a cell whose estimate exceeds the memory available.
  ///
  /// - Parameters:
  ///   - prepared: The cell, built but not trained.
  ///   - label: The cell's progress label, for the message.
  ///   - available: The memory the process may use and where that limit comes from; `nil` when it
  ///     is unknown (nothing is checked).
  /// - Throws: ``CLIError`` naming the estimate by part, the limit, and `--tasks` and the other
  ///   options that size a run.
  static func check(
    _ prepared: PreparedRun, label: String, available: (bytes: Int, source: String)? = MemoryBudget.available()
  ) throws {
    guard let available else { return }
    let estimate = estimate(prepared)
    guard estimate.total > available.bytes else { return }
    let perTask = estimate.tasks > 0 ? " (\(size(estimate.data / estimate.tasks)) per task)" : ""
    throw CLIError(
      "\(label): the run needs at least \(size(estimate.total)) — data \(size(estimate.data)) for --tasks "
        + "\(estimate.tasks)\(perTask), "
        + "network \(size(estimate.network)) — more than the \(size(available.bytes)) of memory \(available.source); "
        + "lower --tasks, --train-per-task/--test-per-task, --hidden or --network")
  }

  /// A limit on the memory a process may use: its bytes, and a phrase saying where it comes from.
  typealias Limit = (bytes: Int, source: String)

  /// The memory this process may use, and where the limit comes from: the smallest of the physical
  /// memory, the control group's limit and what the address-space limit leaves; `nil` when none is
  /// known.
  static func available() -> (bytes: Int, source: String)? {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
    return available(
      physical: pages > 0 && pageSize > 0 ? pages * pageSize : nil, controlGroup: controlGroupLimit(),
      addressSpace: addressSpaceLimit().map { (limit: $0, used: virtualSize() ?? 0) })
  }

  /// The smallest of the limits that are known, with where it comes from.
  ///
  /// - Parameters:
  ///   - physical: The machine's physical memory.
  ///   - controlGroup: The control group's memory limit.
  ///   - addressSpace: The address-space limit (`RLIMIT_AS`, set by `ulimit -v` and some
  ///     schedulers) and the address space the process already uses; the run has the difference.
  /// - Returns: The smallest limit in bytes and the phrase that names it, or `nil` when none is known.
  static func available(physical: Int?, controlGroup: Int?, addressSpace: (limit: Int, used: Int)?) -> Limit? {
    var limits: [(Int, String)] = []
    if let physical { limits.append((physical, "this machine has")) }
    if let controlGroup { limits.append((controlGroup, "this job's control group allows")) }
    if let addressSpace {
      let left = max(0, addressSpace.limit - addressSpace.used)
      limits.append(
        (left, "the address-space limit (ulimit -v, RLIMIT_AS, \(size(addressSpace.limit))) leaves this process"))
    }
    return limits.min { $0.0 < $1.0 }.map { (bytes: $0.0, source: $0.1) }
  }

  /// The process's address-space limit (`getrlimit(RLIMIT_AS)`), or `nil` when there is none.
  static func addressSpaceLimit() -> Int? {
    var limit = rlimit()
    // RLIM_INFINITY is the largest value, so it fails the comparison too.
    guard getrlimit(addressSpaceResource, &limit) == 0, limit.rlim_cur < UInt64(Int.max) else {
      return nil
    }
    return Int(limit.rlim_cur)
  }

  /// `RLIMIT_AS` as `getrlimit` takes it on this platform.
  #if canImport(Glibc)
    static let addressSpaceResource = __rlimit_resource_t(UInt32(RLIMIT_AS.rawValue))
  #else
    static let addressSpaceResource = RLIMIT_AS
  #endif

  /// The address space this process already uses (`/proc/self/statm`'s first field), or `nil`.
  static func virtualSize() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
      let pages = text.split(separator: " ").first.flatMap({ Int($0) })
    else { return nil }
    return pages * sysconf(Int32(_SC_PAGESIZE))
  }

  /// The memory limit of the process's control group (v2, else v1), or `nil` when there is none.
  static func controlGroupLimit() -> Int? {
    guard let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
    for line in membership.split(separator: "\n") {
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3 else { continue }
      let path = String(fields[2])
      let file =
        fields[1].isEmpty
        ? "/sys/fs/cgroup\(path)/memory.max"
        : fields[1].split(separator: ",").contains("memory")
          ? "/sys/fs/cgroup/memory\(path)/memory.limit_in_bytes" : nil
      guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8),
        let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
        limit < Int.max / 2  // v1 reports "no limit" as a huge number, v2 as "max"
      else { continue }
      return limit
    }
    return nil
  }

  /// `1.5 GB`, `310 MB`, `12 kB`.
  static func size(_ bytes: Int) -> String {
    let value = Double(bytes)
    if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
    if value >= 1e6 { return String(format: "%.0f MB", value / 1e6) }
    return String(format: "%.0f kB", value / 1e3)
  }
}
