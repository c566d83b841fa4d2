// This file is compiled twice: into ContinualCore and, through the symbolic link
// Plugins/NewAlgorithm/Nearest.swift, into the new-algorithm plugin, which cannot import a library
// target. It must therefore need nothing but the standard library.

/// The valid name closest to `name` by edit distance, if it is close enough to be a likely typo:
/// within `max(2, name.count / 3)` edits, ignoring case.
///
/// ```swift
/// nearest("ewx", in: ["ewc", "si", "mas"])   // "ewc"
/// nearest("lambda", in: ["ewc", "si"])       // nil
/// ```
///
/// - Parameters:
///   - name: What the user typed.
///   - candidates: The valid names.
/// - Returns: The nearest candidate, or `nil` when none is within the distance.
public func nearest(_ name: String, in candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
      var current = [i + 1]
      for (j, y) in b.enumerated() {
        current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
      }
      previous = current
    }
    return previous[b.count]
  }
  let scored = candidates.map { ($0, distance(Array(name.lowercased()), Array($0.lowercased()))) }
  guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, name.count / 3) else { return nil }
  return best.0
}
