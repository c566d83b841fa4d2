import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

/// The process's peak resident memory in bytes.
func peakResidentBytes() -> Int {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  #if os(Linux)
    return Int(usage.ru_maxrss) * 1024
  #else
    return Int(usage.ru_maxrss)
  #endif
}

/// A stable hash (FNV-1a, 64-bit) of a configuration, as hex.
func stableHash(_ config: [String: String]) -> String {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in config.keys.sorted().map({ "\($0)=\(config[$0]!)\n" }).joined().utf8 {
    hash ^= UInt64(byte)
    hash &*= 0x100_0000_01b3
  }
  return String(hash, radix: 16)
}

/// Formats seconds as `1h02m`, `3m05s` or `12s`.
func duration(_ seconds: Double) -> String {
  let s = Int(seconds.rounded())
  if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
  if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
  return "\(s)s"
}
