import ContinualTesting
import Testing
import _ContinualKernels

@testable import ContinualEngine

@Suite(.serialized) struct MatmulTests {
  /// Naive double-precision reference of op(A)·op(B).
  static func reference(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> [Double] {
    let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = tb ? b.shape[0] : b.shape[1]
    let av = a.scalars, bv = b.scalars
    var out = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let x = ta ? av[p * m + i] : av[i * k + p]
          let y = tb ? bv[j * k + p] : bv[p * n + j]
          s += Double(x) * Double(y)
        }
        out[i * n + j] = s
      }
    }
    return out
  }

  static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (7, 13, 5), (6, 16, 1), (100, 37, 250), (65, 129, 33), (128, 200, 64)]

  @Test(arguments: [false, true])
  func matchesTheReferenceForEveryTransposeAndShape(forceGeneric: Bool) throws {
    ck_sgemm_force_generic(forceGeneric ? 1 : 0)
    defer { ck_sgemm_force_generic(0) }
    for (m, k, n) in Self.shapes {
      for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = TestData.uniform(ta ? [k, m] : [m, k], seed: UInt64(m * 31 + k))
        let b = TestData.uniform(tb ? [n, k] : [k, n], seed: UInt64(n * 17 + k))
        let c = try a.matmul(b, transposingSelf: ta, transposingOther: tb)
        let expected = Self.reference(a, b, ta, tb)
        let worst = zip(c.scalars, expected).map { Swift.abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-5 * Double(k) + 1e-6, "m=\(m) k=\(k) n=\(n) ta=\(ta) tb=\(tb): max error \(worst)")
      }
    }
  }

  @Test func emptyInnerDimensionGivesZeros() throws {
    let c = try Tensor.zeros([3, 0]).matmul(Tensor.zeros([0, 2]))
    #expect(c == Tensor.zeros([3, 2]))
  }
}
