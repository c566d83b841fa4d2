import ContinualData
import Foundation

/// Which build of the command trained a run: the size and CRC-32 of the running executable's bytes,
/// such as `exe 48213576 crc 9c0e51d2`.
///
/// Every record carries it (``ContinualCore/RunRecord/build``), and `compare` retrains a run whose
/// record was made by another build instead of reusing it (`--reuse-other-builds` keeps such records;
/// either way the sweep says how many there were). The executable contains the code of every
/// algorithm, the framework and the user's package, so any change that reaches the binary — a line
/// of your algorithm, a ContinualKit update, another compiler — gives another fingerprint, while
/// rebuilding unchanged code with the same toolchain gives the same bytes and the same fingerprint.
/// `Docs/CommandLine.md` ("Results follow the code") explains the choice over a per-algorithm
/// fingerprint or a declared revision.
///
/// The fingerprint is not part of a run's id: ids (and the golden plans that pin them) depend on
/// settings and data only, so the same run made by two builds has one id and the newer record wins.
enum BuildFingerprint {
  /// The running executable's fingerprint, computed once per process (reading the file once:
  /// about 50 ms for a 50 MB executable); `nil` when the executable cannot be read.
  static let current: String? = executable.flatMap(of(file:))

  /// The running executable: `/proc/self/exe` on Linux, the main bundle's executable elsewhere.
  static var executable: URL? {
    #if os(Linux)
      URL(fileURLWithPath: "/proc/self/exe")
    #else
      Bundle.main.executableURL
    #endif
  }

  /// The fingerprint of a file's bytes.
  ///
  /// - Parameter file: The executable.
  /// - Returns: `exe <bytes> crc <CRC-32 in hexadecimal>`, or `nil` when the file cannot be read.
  static func of(file: URL) -> String? {
    guard let data = try? Data(contentsOf: file, options: .alwaysMapped) else { return nil }
    return "exe \(data.count) crc \(String(format: "%08x", Checksum.crc32(data)))"
  }
}
