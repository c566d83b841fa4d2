import ContinualTesting
import Testing
import _ContinualKernels

@testable import ContinualEngine

@Suite struct MatmulTests {
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

  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 13, 5), (6, 16, 1), (100, 37, 250), (65, 129, 33), (128, 200, 64), (12, 32, 32), (37, 700, 70),
  ]

  /// op(A)·op(B) computed by the kernel of `level` (0 portable, 1 AVX2, 2 AVX-512, capped at
  /// the CPU's), without touching the global kernel choice that tests running alongside use.
  static func product(level: Int32, _ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> [Float] {
    let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = tb ? b.shape[0] : b.shape[1]
    var c = [Float](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          ck_sgemm_at(
            level, ta ? 1 : 0, tb ? 1 : 0, m, n, k, 1, pa.baseAddress!, a.shape[1], pb.baseAddress!, b.shape[1], 0,
            pc.baseAddress!, n)
        }
      }
    }
    return c
  }

  /// Every kernel level (portable, AVX2, AVX-512; capped at what the CPU has), and the default
  /// threaded path of `matmul`.
  @Test(arguments: [0, 1, 2])
  func matchesTheReferenceForEveryTransposeAndShape(level: Int32) throws {
    for (m, k, n) in Self.shapes {
      for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = TestData.uniform(ta ? [k, m] : [m, k], seed: UInt64(m * 31 + k))
        let b = TestData.uniform(tb ? [n, k] : [k, n], seed: UInt64(n * 17 + k))
        let expected = Self.reference(a, b, ta, tb)
        for (path, c) in [
          ("level \(level)", Self.product(level: level, a, b, ta, tb)),
          ("matmul", try a.matmul(b, transposingSelf: ta, transposingOther: tb).scalars),
        ] {
          let worst = zip(c, expected).map { Swift.abs(Double($0) - $1) }.max() ?? 0
          #expect(worst < 1e-5 * Double(k) + 1e-6, "\(path) m=\(m) k=\(k) n=\(n) ta=\(ta) tb=\(tb): max error \(worst)")
        }
      }
    }
  }

  @Test func avx512AndAVX2GiveBitIdenticalResults() throws {
    guard ck_sgemm_isa() == 2 else { return }  // this CPU has no AVX-512: nothing to compare
    // Edges in M (12- and 6-row tiles), N (32- and 16-wide panels) and K (several KC blocks).
    for (m, k, n) in Self.shapes + [(13, 600, 47), (64, 576, 64), (16, 144, 1024), (25, 257, 33)] {
      for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = TestData.uniform(ta ? [k, m] : [m, k], seed: UInt64(m * 31 + k))
        let b = TestData.uniform(tb ? [n, k] : [k, n], seed: UInt64(n * 17 + k))
        #expect(
          Self.product(level: 1, a, b, ta, tb) == Self.product(level: 2, a, b, ta, tb),
          "m=\(m) k=\(k) n=\(n) ta=\(ta) tb=\(tb)")
      }
    }
  }

  @Test func emptyInnerDimensionGivesZeros() throws {
    let c = try Tensor.zeros([3, 0]).matmul(Tensor.zeros([0, 2]))
    #expect(c == Tensor.zeros([3, 2]))
  }
}
