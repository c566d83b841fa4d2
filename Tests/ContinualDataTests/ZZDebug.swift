import ContinualEngine
import Testing
@testable import ContinualData

@Suite struct ZZDebug {
  @Test func dump() {
    let set = SyntheticGlyphs.generate(trainCount: 30, testCount: 0, seed: 3).train
    let p = set.inputs.scalars
    for image in 4..<7 {
      var s = "label \(set.labels[image])\n"
      for r in 0..<28 { s += (0..<28).map { c in let v = p[image*784 + r*28 + c]; return v > 0.66 ? "#" : v > 0.33 ? "+" : v > 0.05 ? "." : " " }.joined() + "\n" }
      print(s)
    }
  }
}
