import _ContinualKernels

/// Multiplies row-major matrices with the blocked C kernel, splitting the output across threads.
///
/// Computes `C = alpha · op(A) · op(B) + beta · C` where `op(A)` is `m × k` and `op(B)` is `k × n`,
/// all row-major with leading dimensions `lda`, `ldb`, `ldc` (see `ck_sgemm`). With `parallel`, the
/// work is split across ``EngineThreads/count`` threads; kernels that already run per thread
/// (convolution over a batch) pass `false`.
func gemm(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool = true
) {
  guard m > 0, n > 0 else { return }
  let flops = 2 * m * n * k
  let threads = parallel && flops >= 1 << 20 ? EngineThreads.count : 1
  if threads == 1 {
    ck_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    return
  }
  let ta = transposeA, tb = transposeB
  let pa = SendableConstPointer(a), pb = SendableConstPointer(b), pc = SendablePointer(c)
  if n >= m {
    // Split columns of C: each thread reads all of op(A) and its own columns of op(B).
    let ranges = chunkRanges(n, parts: threads, granule: 16)
    parallelForEach(ranges.count) { part in
      let r = ranges[part]
      let bOffset = tb ? r.lowerBound * ldb : r.lowerBound
      ck_sgemm(
        ta ? 1 : 0, tb ? 1 : 0, m, r.count, k, alpha, pa.base, lda, pb.base + bOffset, ldb, beta,
        pc.base + r.lowerBound, ldc)
    }
  } else {
    // Split rows of C: each thread reads its own rows of op(A) and all of op(B).
    let ranges = chunkRanges(m, parts: threads, granule: 6)
    parallelForEach(ranges.count) { part in
      let r = ranges[part]
      let aOffset = ta ? r.lowerBound : r.lowerBound * lda
      ck_sgemm(
        ta ? 1 : 0, tb ? 1 : 0, r.count, n, k, alpha, pa.base + aOffset, lda, pb.base, ldb, beta,
        pc.base + r.lowerBound * ldc, ldc)
    }
  }
}

/// Whether the GEMM kernel runs a vector path (AVX2/FMA or AVX-512) on this CPU (otherwise the
/// portable path).
public var gemmUsesAVX2: Bool { ck_sgemm_uses_avx2() != 0 }

/// The GEMM kernel in use on this CPU: `avx512`, `avx2+fma` or `portable`.
public var gemmKernelName: String { ["portable", "avx2+fma", "avx512"][Int(ck_sgemm_isa())] }
