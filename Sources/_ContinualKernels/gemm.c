/*
 * ck_sgemm — single-precision GEMM (row-major), Goto/BLIS-style blocking.
 *
 * Blocking scheme, loops from outermost to innermost:
 *
 *   for jc in [0,N) step NC             column block of C and op(B)
 *     for pc in [0,K) step KC           one rank-KC update
 *       pack op(B)[pc:+KC, jc:+NC] -> Bp  (KC×NR micro-panels; lives in L3/L2)
 *       for ic in [0,M) step MC
 *         pack op(A)[ic:+MC, pc:+KC] -> Ap  (MR×KC micro-panels; lives in L2)
 *         for jr in [0,NC) step NR      one KC×NR micro-panel of Bp stays in L1
 *           for ir in [0,MC) step MR    MR×KC micro-panels of Ap stream from L2
 *             micro-kernel: C[ir:+MR, jr:+NR] = alpha·Ap_ir·Bp_jr + beta'·C
 *
 * beta' is the caller's beta for the first KC block and 1 afterwards, so C is
 * only read when it must be (beta == 0 never reads C).  Transposes of A and B
 * are absorbed by the packing routines; the micro-kernel only ever sees the
 * packed layouts:
 *   Ap panel: element (i,p) at [p*MR + i]     (MR rows, contiguous per k)
 *   Bp panel: element (p,j) at [p*NR + j]     (NR cols, contiguous per k)
 * KC is balanced (K is cut into equal blocks of at most KC) so no block is
 * a thin remainder.  Partial panels at the M/N edges are zero-padded.
 * The two vector paths add the K products of one C element in the same
 * order, one fused multiply-add at a time, so they give bit-identical
 * results (the portable path may round differently: it need not fuse).  A
 * full-width tile with fewer than MR rows uses a row-reduced kernel straight
 * into C when the implementation has one (AVX2: 1..5 × 16); otherwise, and
 * for tiles narrower than NR, the full micro-tile is computed into a small
 * temporary tile and copied out with alpha/beta.
 *
 * Three implementations share the driver:
 *   - x86-64 with AVX-512F (selected at run time via CPUID): 12×32 kernel,
 *     24 zmm accumulators; packing shares the AVX2 code (8×8 transposes,
 *     B panels of any multiple of 8 columns).  On
 *     cores with full-width 512-bit units (Zen 5) it doubles the FLOPs per
 *     cycle of the AVX2 kernel.
 *   - x86-64 with AVX2+FMA (selected at run time via CPUID): 6×16 kernel,
 *     12 ymm accumulators, vectorised packing with 8×8 transposes.  All AVX2
 *     code is compiled with per-function target attributes, so no global
 *     compiler flags are needed.
 *   - portable C (everything else, or when forced): a small register-tile
 *     kernel written in plain C which the compiler auto-vectorises
 *     (SSE2 on x86-64, NEON on arm64).
 *
 * Packing buffers are thread-local, 64-byte aligned and grown on demand;
 * they are released at thread exit (POSIX) through a pthread key destructor.
 * ck_sgemm itself is single-threaded and re-entrant across threads.
 */

#include "ContinualKernels.h"
#include "ck_internal.h"

#include <stdint.h>
#include <stdlib.h>

#if !defined(_WIN32)
#include <pthread.h>
#define CK_HAVE_PTHREAD 1
#else
#define CK_HAVE_PTHREAD 0
#endif

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define CK_X86_64 1
#define CK_AVX2 __attribute__((target("avx,avx2,fma")))
#define CK_AVX512 __attribute__((target("avx,avx2,fma,avx512f")))
#else
#define CK_X86_64 0
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define CK_THREAD_LOCAL __declspec(thread)
#define CK_ALIGN64 __declspec(align(64))
#else
#define CK_THREAD_LOCAL _Thread_local
#define CK_ALIGN64 __attribute__((aligned(64)))
#endif

/* ------------------------------------------------------------------------ */
/* Blocking parameters                                                      */
/* ------------------------------------------------------------------------ */

/* Tuned on Zen 3 (32 KB L1d, 512 KB L2 per core); sweeps over KC 192..512
 * and MC 72..144 were all within a few percent of each other.
 * KC: maximum depth of one rank-k update (K is split into equal blocks of at
 *     most KC).  A KC×16 B micro-panel is 16 KB, half of the L1d, leaving
 *     room for the streaming A micro-panels and the C tile.
 * MC: rows of A packed per block; MC×KC×4 = 72 KB stays resident in L2
 *     together with the B micro-panels streaming through it.  Must be a
 *     multiple of every MR used below (6, 12).
 * NC: columns of B packed per block (KC×NC×4 ≈ 4 MB, an L3-sized block; the
 *     buffer only grows to what N actually needs).  Must be a multiple of
 *     every NR used below (8, 16, 32).
 * The #ifndef guards only exist so the values can be swept with -D. */
#ifndef CK_KC
#define CK_KC 256
#endif
#ifndef CK_MC
#define CK_MC 72
#endif
#ifndef CK_NC
#define CK_NC 4064
#endif

/* Register tile of the portable kernel.  arm64 has 32 vector registers, so a
 * 6×16 tile (24 accumulators) fits; SSE2 has only 16, so use 6×8. */
#if defined(__aarch64__) || defined(_M_ARM64)
#define CK_GMR 6
#define CK_GNR 16
#else
#define CK_GMR 6
#define CK_GNR 8
#endif

static inline ptrdiff_t ck_min(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }

/* ------------------------------------------------------------------------ */
/* Thread-local packing buffers                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    void *raw;    /* pointer returned by malloc */
    float *ptr;   /* 64-byte aligned view into raw */
    size_t cap;   /* capacity in floats */
} ck_buf;

typedef struct {
    ck_buf a, b, c, d;
} ck_tls;

static CK_THREAD_LOCAL ck_tls *ck_tls_state;

#if CK_HAVE_PTHREAD
static pthread_key_t ck_tls_key;
static pthread_once_t ck_tls_once = PTHREAD_ONCE_INIT;
static int ck_tls_key_ok;

static void ck_tls_destroy(void *p)
{
    ck_tls *t = (ck_tls *)p;
    free(t->a.raw);
    free(t->b.raw);
    free(t->c.raw);
    free(t->d.raw);
    free(t);
}

static void ck_tls_make_key(void)
{
    ck_tls_key_ok = (pthread_key_create(&ck_tls_key, ck_tls_destroy) == 0);
}
#endif

static ck_tls *ck_get_tls(void)
{
    ck_tls *t = ck_tls_state;
    if (t)
        return t;
    t = (ck_tls *)calloc(1, sizeof *t);
    if (!t)
        return NULL;
#if CK_HAVE_PTHREAD
    /* Register for cleanup at thread exit. */
    pthread_once(&ck_tls_once, ck_tls_make_key);
    if (ck_tls_key_ok)
        pthread_setspecific(ck_tls_key, t);
#endif
    ck_tls_state = t;
    return t;
}

/* Make sure buf holds at least n floats (64-byte aligned); NULL on failure.
 * The old contents are not preserved. */
static float *ck_buf_reserve(ck_buf *buf, size_t n)
{
    if (n <= buf->cap)
        return buf->ptr;
    free(buf->raw);
    buf->raw = NULL;
    buf->ptr = NULL;
    buf->cap = 0;
    void *raw = malloc(n * sizeof(float) + 64);
    if (!raw)
        return NULL;
    buf->raw = raw;
    buf->ptr = (float *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
    buf->cap = n;
    return buf->ptr;
}

/* ------------------------------------------------------------------------ */
/* Helpers shared by both paths                                             */
/* ------------------------------------------------------------------------ */

/* C = beta·C (used for K == 0 or alpha == 0). beta == 0 writes zeros. */
static void ck_scale_c(ptrdiff_t M, ptrdiff_t N, float beta, float *C, ptrdiff_t ldc)
{
    if (beta == 1.0f)
        return;
    for (ptrdiff_t i = 0; i < M; i++) {
        float *c = C + i * ldc;
        if (beta == 0.0f) {
            for (ptrdiff_t j = 0; j < N; j++)
                c[j] = 0.0f;
        } else {
            for (ptrdiff_t j = 0; j < N; j++)
                c[j] *= beta;
        }
    }
}

/* Unblocked fallback, only used if the packing buffers cannot be allocated. */
static void ck_sgemm_naive(int tA, int tB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, float alpha,
                           const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                           float beta, float *C, ptrdiff_t ldc)
{
    for (ptrdiff_t i = 0; i < M; i++) {
        for (ptrdiff_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (ptrdiff_t p = 0; p < K; p++) {
                float a = tA ? A[p * lda + i] : A[i * lda + p];
                float b = tB ? B[j * ldb + p] : B[p * ldb + j];
                s += a * b;
            }
            float *c = C + i * ldc + j;
            *c = (beta == 0.0f) ? alpha * s : alpha * s + beta * *c;
        }
    }
}

/* Copy an mb×nb block of a full micro-tile (row stride ts) to C with
 * alpha/beta; used for edge tiles. */
void ck_store_edge(const float *tile, ptrdiff_t ts, ptrdiff_t mb, ptrdiff_t nb,
                          float alpha, float beta, float *C, ptrdiff_t ldc)
{
    for (ptrdiff_t i = 0; i < mb; i++) {
        float *c = C + i * ldc;
        const float *t = tile + i * ts;
        if (beta == 0.0f) {
            for (ptrdiff_t j = 0; j < nb; j++)
                c[j] = alpha * t[j];
        } else {
            for (ptrdiff_t j = 0; j < nb; j++)
                c[j] = alpha * t[j] + beta * c[j];
        }
    }
}

/* Reference packers for one (possibly partial) micro-panel, zero padded.
 * src points at op(A)(i0, p0) / op(B)(p0, j0) in the caller's storage. */
static void ck_pack_a_panel_ref(int trans, const float *src, ptrdiff_t ld, ptrdiff_t mb,
                                ptrdiff_t kc, ptrdiff_t mr, float *dst)
{
    for (ptrdiff_t p = 0; p < kc; p++) {
        float *d = dst + p * mr;
        ptrdiff_t i = 0;
        if (!trans) {
            for (; i < mb; i++)
                d[i] = src[i * ld + p];
        } else {
            const float *s = src + p * ld;
            for (; i < mb; i++)
                d[i] = s[i];
        }
        for (; i < mr; i++)
            d[i] = 0.0f;
    }
}

static void ck_pack_b_panel_ref(int trans, const float *src, ptrdiff_t ld, ptrdiff_t kc,
                                ptrdiff_t nb, ptrdiff_t nr, float *dst)
{
    for (ptrdiff_t p = 0; p < kc; p++) {
        float *d = dst + p * nr;
        ptrdiff_t j = 0;
        if (!trans) {
            const float *s = src + p * ld;
            for (; j < nb; j++)
                d[j] = s[j];
        } else {
            for (; j < nb; j++)
                d[j] = src[j * ld + p];
        }
        for (; j < nr; j++)
            d[j] = 0.0f;
    }
}

/* ------------------------------------------------------------------------ */
/* Implementation descriptor and the blocked driver                         */
/* ------------------------------------------------------------------------ */


static void ck_gemm_blocked(const ck_impl *im, int tA, int tB, ptrdiff_t M, ptrdiff_t N,
                            ptrdiff_t K, float alpha, const float *A, ptrdiff_t lda,
                            const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc)
{
    const ptrdiff_t mr = im->mr, nr = im->nr;
    /* Split K into equal-sized blocks of at most CK_KC (e.g. K=784 -> 4×196
     * rather than 3×256+16) so no rank-k update is too thin to amortise the
     * C tile load/store in the micro-kernel. */
    const ptrdiff_t kblocks = (K + CK_KC - 1) / CK_KC;
    const ptrdiff_t kc_max = (K + kblocks - 1) / kblocks;
    const ptrdiff_t nc_max = (ck_min(N, CK_NC) + nr - 1) / nr * nr;
    const ptrdiff_t mc_max = (ck_min(M, CK_MC) + mr - 1) / mr * mr;

    ck_tls *t = ck_get_tls();
    float *bp = t ? ck_buf_reserve(&t->b, (size_t)(kc_max * nc_max)) : NULL;
    float *ap = t ? ck_buf_reserve(&t->a, (size_t)(kc_max * mc_max)) : NULL;
    if (!ap || !bp) {
        ck_sgemm_naive(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }

    CK_ALIGN64 float tile[CK_MAX_MR * CK_MAX_NR];

    for (ptrdiff_t jc = 0; jc < N; jc += CK_NC) {
        const ptrdiff_t nc = ck_min(CK_NC, N - jc);
        for (ptrdiff_t pc = 0; pc < K; pc += kc_max) {
            const ptrdiff_t kc = ck_min(kc_max, K - pc);
            const float beta_eff = (pc == 0) ? beta : 1.0f;

            im->pack_b(tB, tB ? B + jc * ldb + pc : B + pc * ldb + jc, ldb, kc, nc, bp);

            for (ptrdiff_t ic = 0; ic < M; ic += CK_MC) {
                const ptrdiff_t mc = ck_min(CK_MC, M - ic);

                im->pack_a(tA, tA ? A + pc * lda + ic : A + ic * lda + pc, lda, mc, kc, ap);

                for (ptrdiff_t jr = 0; jr < nc; jr += nr) {
                    const ptrdiff_t nb = ck_min(nr, nc - jr);
                    const float *bpanel = bp + jr * kc;
                    for (ptrdiff_t ir = 0; ir < mc; ir += mr) {
                        const ptrdiff_t mb = ck_min(mr, mc - ir);
                        const float *apanel = ap + ir * kc;
                        float *c = C + (ic + ir) * ldc + (jc + jr);
                        const ck_kernel_fn k = (nb == nr) ? im->kernel[mb] : NULL;
                        if (k) {
                            k(kc, apanel, bpanel, c, ldc, alpha, beta_eff);
                        } else {
                            im->kernel[mr](kc, apanel, bpanel, tile, nr, 1.0f, 0.0f);
                            ck_store_edge(tile, nr, mb, nb, alpha, beta_eff, c, ldc);
                        }
                    }
                }
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Portable path                                                            */
/* ------------------------------------------------------------------------ */

/* The portable kernels' shared parts: acc += a ⊗ b for one step of the depth, and
 * C = alpha·acc + beta·C on the first `width` columns (C not read when beta == 0).  One copy of
 * each, so the packed and the indirect kernels round alike. */
static inline void ck_generic_step(float acc[CK_GMR][CK_GNR], const float *a, const float *b)
{
    for (int i = 0; i < CK_GMR; i++) {
        const float ai = a[i];
        for (int j = 0; j < CK_GNR; j++)
            acc[i][j] += ai * b[j];
    }
}

static inline void ck_generic_store(float acc[CK_GMR][CK_GNR], float *c, ptrdiff_t ldc, float alpha, float beta,
                                    int width)
{
    for (int i = 0; i < CK_GMR; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f) {
            for (int j = 0; j < width; j++)
                cr[j] = alpha * acc[i][j];
        } else {
            for (int j = 0; j < width; j++)
                cr[j] = alpha * acc[i][j] + beta * cr[j];
        }
    }
}

/* Plain C micro-kernel.  With the tile sizes fixed at compile time, clang and
 * gcc fully unroll the i/j loops, keep acc[][] in vector registers and
 * vectorise the j dimension. */
static void ck_kernel_generic(ptrdiff_t kc, const float *a, const float *b, float *c,
                              ptrdiff_t ldc, float alpha, float beta)
{
    float acc[CK_GMR][CK_GNR] = {{0.0f}};
    for (ptrdiff_t p = 0; p < kc; p++, a += CK_GMR, b += CK_GNR)
        ck_generic_step(acc, a, b);
    ck_generic_store(acc, c, ldc, alpha, beta, CK_GNR);
}

/* ck_pack_bt8_fn, element by element. */
static void ck_pack_bt8_generic(const float *const *src, ptrdiff_t nb, ptrdiff_t v, ptrdiff_t nr, float *dst)
{
    for (ptrdiff_t q = 0; q < 8; q++) {
        float *d = dst + q * nr;
        ptrdiff_t j = 0;
        if (q < v)
            for (; j < nb; j++)
                d[j] = src[j][q];
        for (; j < nr; j++)
            d[j] = 0.0f;
    }
}

/* Indirect-A twin of ck_kernel_generic (ck_akernel_fn): each A column is gathered from the rows. */
static void ck_akernel_generic(ptrdiff_t kc, const float *const *rows, const ptrdiff_t *s, const float *b,
                               float *c, ptrdiff_t ldc, float beta)
{
    float acc[CK_GMR][CK_GNR] = {{0.0f}};
    for (ptrdiff_t p = 0; p < kc; p++, b += CK_GNR) {
        float a[CK_GMR];
        for (int i = 0; i < CK_GMR; i++)
            a[i] = rows[i][s[p / 8] + p % 8];
        ck_generic_step(acc, a, b);
    }
    ck_generic_store(acc, c, ldc, 1.0f, beta, CK_GNR);
}

/* Indirect twin of ck_kernel_generic (ck_ikernel_fn): each row of B is gathered from CK_GNR / CK_RUN
 * runs. */
static void ck_ikernel_generic(ptrdiff_t kc, const float *a, const float *const *x, const ptrdiff_t *off,
                               float *c, ptrdiff_t ldc, float beta, ptrdiff_t tail)
{
    enum { runs = CK_GNR / CK_RUN };
    float acc[CK_GMR][CK_GNR] = {{0.0f}};
    for (ptrdiff_t p = 0; p < kc; p++, a += CK_GMR) {
        float b[CK_GNR];
        for (int r = 0; r < runs; r++)
            for (int j = 0; j < CK_RUN; j++)
                b[r * CK_RUN + j] = x[r][off[p] + j];
        ck_generic_step(acc, a, b);
    }
    ck_generic_store(acc, c, ldc, 1.0f, beta, CK_GNR - CK_RUN + (int)(tail < CK_RUN ? tail : CK_RUN));
}

static void ck_pack_a_generic(int trans, const float *src, ptrdiff_t ld, ptrdiff_t mc,
                              ptrdiff_t kc, float *dst)
{
    for (ptrdiff_t ir = 0; ir < mc; ir += CK_GMR, dst += CK_GMR * kc) {
        const ptrdiff_t mb = ck_min(CK_GMR, mc - ir);
        const float *s = trans ? src + ir : src + ir * ld;
        if (mb == CK_GMR && !trans) {
            for (ptrdiff_t p = 0; p < kc; p++)
                for (int i = 0; i < CK_GMR; i++)
                    dst[p * CK_GMR + i] = s[i * ld + p];
        } else if (mb == CK_GMR) {
            for (ptrdiff_t p = 0; p < kc; p++)
                for (int i = 0; i < CK_GMR; i++)
                    dst[p * CK_GMR + i] = s[p * ld + i];
        } else {
            ck_pack_a_panel_ref(trans, s, ld, mb, kc, CK_GMR, dst);
        }
    }
}

static void ck_pack_b_generic(int trans, const float *src, ptrdiff_t ld, ptrdiff_t kc,
                              ptrdiff_t nc, float *dst)
{
    for (ptrdiff_t jr = 0; jr < nc; jr += CK_GNR, dst += CK_GNR * kc) {
        const ptrdiff_t nb = ck_min(CK_GNR, nc - jr);
        const float *s = trans ? src + jr * ld : src + jr;
        if (nb == CK_GNR && !trans) {
            for (ptrdiff_t p = 0; p < kc; p++)
                for (int j = 0; j < CK_GNR; j++)
                    dst[p * CK_GNR + j] = s[p * ld + j];
        } else if (nb == CK_GNR) {
            for (ptrdiff_t p = 0; p < kc; p++)
                for (int j = 0; j < CK_GNR; j++)
                    dst[p * CK_GNR + j] = s[j * ld + p];
        } else {
            ck_pack_b_panel_ref(trans, s, ld, kc, nb, CK_GNR, dst);
        }
    }
}

static const ck_impl ck_impl_generic = {
    .mr = CK_GMR,
    .nr = CK_GNR,
    .kernel = {[CK_GMR] = ck_kernel_generic},
    .pack_a = ck_pack_a_generic,
    .pack_b = ck_pack_b_generic,
    .ikernel = {[CK_GMR] = ck_ikernel_generic},
    .akernel = {[CK_GMR] = ck_akernel_generic},
    .pack_bt8 = ck_pack_bt8_generic,
};

/* ------------------------------------------------------------------------ */
/* AVX2 + FMA path (x86-64 only)                                            */
/* ------------------------------------------------------------------------ */

#if CK_X86_64

#define CK_AMR 6
#define CK_ANR 16

/* Shared by the indirect-A kernels of both instruction sets, inside their run loops: row i's
 * pointer into the run at offset s (row 0's where the kernel has fewer rows, never read), and the
 * run's eight steps (CK_STEP is each kernel's own). */
#define CK_RUN_ROW(i) q##i = rows > (i) ? arows[i] + s : q0
#define CK_RUN_STEPS()                                                              \
    do {                                                                            \
        CK_STEP(0);                                                                 \
        CK_STEP(1);                                                                 \
        CK_STEP(2);                                                                 \
        CK_STEP(3);                                                                 \
        CK_STEP(4);                                                                 \
        CK_STEP(5);                                                                 \
        CK_STEP(6);                                                                 \
        CK_STEP(7);                                                                 \
    } while (0)

/* ROWS×16 micro-kernel body.  ROWS (1..6) is a compile-time constant at every
 * call site; the accumulators are individual variables and rows beyond ROWS
 * sit behind `if (rows > i)` tests on that constant, so the unused ones are
 * removed even at -O1/-Os without relying on loop unrolling.
 * For ROWS = 6: 12 ymm accumulators, 2 ymm for the B row and 1 for the
 * broadcast A element; per k step 2 aligned loads, 6 broadcasts, 12 FMAs.
 * The A panel always has stride 6 (CK_AMR) per k, even when fewer rows are
 * used (M-edge panels are zero padded). */
CK_AVX2 static inline __attribute__((always_inline)) void
ck_kernel_avx2_rows(const int rows, const int indirect, ptrdiff_t kc, const float *a, const float *b,
                    const float *x0, const float *x1, const ptrdiff_t *off, const float *const *arows,
                    float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t tail)
{
    /* indirect == 2: the A rows of the current run (ck_akernel_fn). */
    const float *q0 = NULL, *q1 = NULL, *q2 = NULL, *q3 = NULL, *q4 = NULL, *q5 = NULL;
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

    /* Start pulling the C tile into cache while the k loop runs. */
    for (int i = 0; i < rows; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
    }

#define CK_FMA_ROW(i, o)                                                            \
    if (rows > (i)) {                                                               \
        const __m256 av = _mm256_broadcast_ss(indirect == 2 ? q##i + (o)            \
                                                            : a + CK_AMR * (o) + (i)); \
        c##i##0 = _mm256_fmadd_ps(av, b0, c##i##0);                                 \
        c##i##1 = _mm256_fmadd_ps(av, b1, c##i##1);                                 \
    }
#define CK_STEP(o)                                                                  \
    do {                                                                            \
        const __m256 b0 = indirect == 1 ? _mm256_loadu_ps(x0 + off[o])              \
                                        : _mm256_load_ps(b + 16 * (o));             \
        const __m256 b1 = indirect == 1 ? _mm256_loadu_ps(x1 + off[o])              \
                                        : _mm256_load_ps(b + 16 * (o) + 8);         \
        CK_FMA_ROW(0, o)                                                            \
        CK_FMA_ROW(1, o)                                                            \
        CK_FMA_ROW(2, o)                                                            \
        CK_FMA_ROW(3, o)                                                            \
        CK_FMA_ROW(4, o)                                                            \
        CK_FMA_ROW(5, o)                                                            \
    } while (0)

    ptrdiff_t p = 0;
    if (indirect == 2) {
        /* off holds the runs' offsets; each run is 8 steps down the rows. */
        for (; p + 8 <= kc; p += 8) {
            const ptrdiff_t s = *off++;
            q0 = arows[0] + s;
            CK_RUN_ROW(1);
            CK_RUN_ROW(2);
            CK_RUN_ROW(3);
            CK_RUN_ROW(4);
            CK_RUN_ROW(5);
            CK_RUN_STEPS();
            b += 8 * 16;
        }
    }
    for (; p + 4 <= kc; p += 4) {
        CK_STEP(0);
        CK_STEP(1);
        CK_STEP(2);
        CK_STEP(3);
        a += 4 * CK_AMR;
        if (indirect)
            off += 4;
        else
            b += 4 * 16;
    }
    for (; p < kc; p++) {
        CK_STEP(0);
        a += CK_AMR;
        if (indirect)
            off += 1;
        else
            b += 16;
    }
#undef CK_STEP
#undef CK_FMA_ROW

    /* C = alpha·acc + beta·C; C is not read when beta == 0. */
    const __m256 va = _mm256_set1_ps(alpha);
    const __m256 vb = _mm256_set1_ps(beta);
    const int mode = (beta == 0.0f) ? 0 : (beta == 1.0f) ? 1 : 2;
    /* Columns 8 + t of C exist only for t < tail (tail = 8: all of them). */
    const int whole = tail >= 8;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(whole ? 8 : tail)),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
#define CK_STORE_HIGH(cr, v)                                                        \
    if (whole)                                                                      \
        _mm256_storeu_ps((cr) + 8, v);                                              \
    else                                                                            \
        _mm256_maskstore_ps((cr) + 8, mask, v);
#define CK_STORE_ROW(i)                                                             \
    if (rows > (i)) {                                                               \
        float *cr = c + (i) * ldc;                                                  \
        if (mode == 0) {                                                            \
            _mm256_storeu_ps(cr, _mm256_mul_ps(va, c##i##0));                       \
            CK_STORE_HIGH(cr, _mm256_mul_ps(va, c##i##1))                           \
        } else {                                                                    \
            __m256 x0 = _mm256_loadu_ps(cr);                                        \
            __m256 x1 = whole ? _mm256_loadu_ps(cr + 8) : _mm256_maskload_ps(cr + 8, mask); \
            if (mode == 2) {                                                        \
                x0 = _mm256_mul_ps(vb, x0);                                         \
                x1 = _mm256_mul_ps(vb, x1);                                         \
            }                                                                       \
            _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, c##i##0, x0));                 \
            CK_STORE_HIGH(cr, _mm256_fmadd_ps(va, c##i##1, x1))                     \
        }                                                                           \
    }
    CK_STORE_ROW(0)
    CK_STORE_ROW(1)
    CK_STORE_ROW(2)
    CK_STORE_ROW(3)
    CK_STORE_ROW(4)
    CK_STORE_ROW(5)
#undef CK_STORE_ROW
#undef CK_STORE_HIGH
}

/* One instantiation per row count: 6×16 is the main kernel, 1..5 rows serve
 * full-width tiles at the bottom edge of M (no temp tile, no wasted FMAs).  Each
 * has an indirect twin (ck_ikernel_fn) for stride-1 convolutions. */
#define CK_DEFINE_AVX2_KERNEL(R)                                                    \
    CK_AVX2 static void ck_kernel_avx2_##R##x16(ptrdiff_t kc, const float *a, const float *b, \
                                                float *c, ptrdiff_t ldc, float alpha,       \
                                                float beta)                                 \
    {                                                                               \
        ck_kernel_avx2_rows(R, 0, kc, a, b, NULL, NULL, NULL, NULL, c, ldc, alpha, beta, 8); \
    }                                                                               \
    CK_AVX2 static void ck_ikernel_avx2_##R##x16(ptrdiff_t kc, const float *a, const float *const *x, \
                                                 const ptrdiff_t *off, float *c, ptrdiff_t ldc, \
                                                 float beta, ptrdiff_t tail)                \
    {                                                                               \
        ck_kernel_avx2_rows(R, 1, kc, a, NULL, x[0], x[1], off, NULL, c, ldc, 1.0f, beta, tail); \
    }                                                                               \
    CK_AVX2 static void ck_akernel_avx2_##R##x16(ptrdiff_t kc, const float *const *rows,      \
                                                 const ptrdiff_t *s, const float *b, float *c, \
                                                 ptrdiff_t ldc, float beta)                  \
    {                                                                               \
        ck_kernel_avx2_rows(R, 2, kc, NULL, b, NULL, NULL, s, rows, c, ldc, 1.0f, beta, 8); \
    }
CK_DEFINE_AVX2_KERNEL(1)
CK_DEFINE_AVX2_KERNEL(2)
CK_DEFINE_AVX2_KERNEL(3)
CK_DEFINE_AVX2_KERNEL(4)
CK_DEFINE_AVX2_KERNEL(5)
CK_DEFINE_AVX2_KERNEL(6)
#undef CK_DEFINE_AVX2_KERNEL

/* In-register transpose of an 8×8 block: on return r[q] holds old column q. */
CK_AVX2 static inline void ck_transpose8(__m256 r[8])
{
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* ck_pack_bt8_fn with one 8×8 register transpose per 8 full runs (nr a multiple of 8). */
CK_AVX2 static void ck_pack_bt8_avx2(const float *const *src, ptrdiff_t nb, ptrdiff_t v, ptrdiff_t nr, float *dst)
{
    if (v != 8 || nb % 8 != 0) {
        ck_pack_bt8_generic(src, nb, v, nr, dst);
        return;
    }
    ptrdiff_t j = 0;
    for (; j < nb; j += 8) {
        __m256 r[8];
        for (int t = 0; t < 8; t++)
            r[t] = _mm256_loadu_ps(src[j + t]);
        ck_transpose8(r);
        for (int q = 0; q < 8; q++)
            _mm256_store_ps(dst + q * nr + j, r[q]);
    }
    for (; j < nr; j += 8)
        for (int q = 0; q < 8; q++)
            _mm256_store_ps(dst + q * nr + j, _mm256_setzero_ps());
}

/* Store the low 6 floats of v to d (d unaligned). */
CK_AVX2 static inline void ck_store6(float *d, __m256 v)
{
    _mm_storeu_ps(d, _mm256_castps256_ps128(v));
    _mm_storel_pi((__m64 *)(void *)(d + 4), _mm256_extractf128_ps(v, 1));
}

CK_AVX2 static void ck_pack_a_avx2(int trans, const float *src, ptrdiff_t ld, ptrdiff_t mc,
                                   ptrdiff_t kc, float *dst)
{
    for (ptrdiff_t ir = 0; ir < mc; ir += CK_AMR, dst += CK_AMR * kc) {
        const ptrdiff_t mb = ck_min(CK_AMR, mc - ir);
        if (mb < CK_AMR) {
            ck_pack_a_panel_ref(trans, trans ? src + ir : src + ir * ld, ld, mb, kc, CK_AMR, dst);
            continue;
        }
        if (!trans) {
            /* op(A) rows are contiguous in k: transpose 6(+2 zero)×8 blocks. */
            const float *s = src + ir * ld;
            ptrdiff_t p = 0;
            for (; p + 8 <= kc; p += 8) {
                __m256 r[8];
                for (int i = 0; i < 6; i++)
                    r[i] = _mm256_loadu_ps(s + i * ld + p);
                r[6] = _mm256_setzero_ps();
                r[7] = _mm256_setzero_ps();
                ck_transpose8(r);
                for (int q = 0; q < 8; q++)
                    ck_store6(dst + (p + q) * CK_AMR, r[q]);
            }
            for (; p < kc; p++)
                for (int i = 0; i < 6; i++)
                    dst[p * CK_AMR + i] = s[i * ld + p];
        } else {
            /* op(A) columns are contiguous: copy 6 floats per k. */
            const float *s = src + ir;
            for (ptrdiff_t p = 0; p < kc; p++) {
                const float *sp = s + p * ld;
                float *d = dst + p * CK_AMR;
                _mm_storeu_ps(d, _mm_loadu_ps(sp));
                d[4] = sp[4];
                d[5] = sp[5];
            }
        }
    }
}

/* Pack a kc×nc block of op(B) into panels of nr columns (nr a multiple of 8:
 * 16 for the AVX2 kernel, 32 for the AVX-512 one), the last zero padded. */
CK_AVX2 static inline __attribute__((always_inline)) void
ck_pack_b_x86(int trans, const float *src, ptrdiff_t ld, ptrdiff_t kc, ptrdiff_t nc, float *dst,
              const ptrdiff_t nr)
{
    const ptrdiff_t nfull = nc / nr * nr;
    if (!trans) {
        /* op(B) rows are contiguous: walk each source row once, sequentially,
         * scattering nr-float pieces into the panels.  This streams through
         * B in memory order, which the hardware prefetchers handle far better
         * than walking down one column strip at a time. */
        for (ptrdiff_t p = 0; p < kc; p++) {
            const float *s = src + p * ld;
            float *d = dst + p * nr;
            for (ptrdiff_t jr = 0; jr < nfull; jr += nr, d += nr * kc)
                for (ptrdiff_t q = 0; q < nr; q += 8)
                    _mm256_store_ps(d + q, _mm256_loadu_ps(s + jr + q));
        }
    } else {
        /* op(B) columns are contiguous in k: transpose 8×8 blocks. */
        for (ptrdiff_t jr = 0; jr < nfull; jr += nr) {
            const float *s = src + jr * ld;
            float *d = dst + jr * kc;
            ptrdiff_t p = 0;
            for (; p + 8 <= kc; p += 8) {
                /* nr source rows advance together, 8 floats per step; the
                 * prefetches keep all nr streams a few lines ahead. */
                for (ptrdiff_t h = 0; h < nr / 8; h++) {
                    __m256 r[8];
                    for (int t = 0; t < 8; t++) {
                        const float *row = s + (8 * h + t) * ld + p;
                        _mm_prefetch((const char *)(row + 32), _MM_HINT_T0);
                        r[t] = _mm256_loadu_ps(row);
                    }
                    ck_transpose8(r);
                    for (int q = 0; q < 8; q++)
                        _mm256_store_ps(d + (p + q) * nr + 8 * h, r[q]);
                }
            }
            for (; p < kc; p++)
                for (ptrdiff_t t = 0; t < nr; t++)
                    d[p * nr + t] = s[t * ld + p];
        }
    }
    if (nfull < nc) /* zero-padded last panel */
        ck_pack_b_panel_ref(trans, trans ? src + nfull * ld : src + nfull, ld, kc, nc - nfull, nr,
                            dst + nfull * kc);
}

CK_AVX2 static void ck_pack_b_avx2(int trans, const float *src, ptrdiff_t ld, ptrdiff_t kc,
                                   ptrdiff_t nc, float *dst)
{
    ck_pack_b_x86(trans, src, ld, kc, nc, dst, CK_ANR);
}

static const ck_impl ck_impl_avx2 = {
    .mr = CK_AMR,
    .nr = CK_ANR,
    .kernel = {NULL, ck_kernel_avx2_1x16, ck_kernel_avx2_2x16, ck_kernel_avx2_3x16,
               ck_kernel_avx2_4x16, ck_kernel_avx2_5x16, ck_kernel_avx2_6x16},
    .pack_a = ck_pack_a_avx2,
    .pack_b = ck_pack_b_avx2,
    .ikernel = {NULL, ck_ikernel_avx2_1x16, ck_ikernel_avx2_2x16, ck_ikernel_avx2_3x16,
                ck_ikernel_avx2_4x16, ck_ikernel_avx2_5x16, ck_ikernel_avx2_6x16},
    .akernel = {NULL, ck_akernel_avx2_1x16, ck_akernel_avx2_2x16, ck_akernel_avx2_3x16,
                ck_akernel_avx2_4x16, ck_akernel_avx2_5x16, ck_akernel_avx2_6x16},
    .pack_bt8 = ck_pack_bt8_avx2,
};

/* AVX2 + FMA usable: CPU flags plus OS support for saving YMM state. */
static int ck_detect_avx2_fma(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!(fma && osxsave && avx))
        return 0;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    if ((xlo & 6u) != 6u) /* XMM and YMM state enabled by the OS */
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 5) & 1; /* AVX2 */
}

/* ------------------------------------------------------------------------ */
/* AVX-512F path (x86-64 only)                                              */
/* ------------------------------------------------------------------------ */

#define CK_XMR 12
#define CK_XNR 32

/* Sixteen floats: eight at lo, then eight at hi (AVX-512F has no 256-bit float insert, so the halves
 * travel as doubles). */
CK_AVX512 static inline __m512 ck_load_8_8(const float *lo, const float *hi)
{
    const __m512d l = _mm512_castps_pd(_mm512_castps256_ps512(_mm256_loadu_ps(lo)));
    return _mm512_castpd_ps(_mm512_insertf64x4(l, _mm256_castps_pd(_mm256_loadu_ps(hi)), 1));
}

/* How a ROWS×32 kernel reads its operands: packed A and B (ck_kernel_fn); B from four runs of 8 in
 * a padded image (ck_ikernel_fn), or from two runs of 16 where runs 0–1 and 2–3 are contiguous; A
 * from the rows of the current run (ck_akernel_fn). */
enum { CK_X_PACKED, CK_X_RUNS8, CK_X_RUNS16, CK_X_AROWS };

/* ROWS×32 micro-kernel body (ROWS 1..12, a compile-time constant at every
 * call site, as in the AVX2 kernel).  For ROWS = 12: 24 zmm accumulators,
 * 2 zmm for the B row, 1 for the broadcast A element; per k step 2 aligned
 * loads, 12 broadcasts, 24 FMAs.  The A panel has stride 12 per k.  `mode`
 * (a constant too) says where A and B come from; every mode adds the products
 * of one output in the same order. */
CK_AVX512 static inline __attribute__((always_inline)) void
ck_kernel_avx512_rows(const int rows, const int mode, const int half, ptrdiff_t kc, const float *a,
                      const float *b, const float *const *x, const ptrdiff_t *off, const float *const *arows,
                      float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t tail)
{
    /* half (CK_X_AROWS only): a panel of 16 columns, B rows of 16 floats, one zmm per row of C. */
    const ptrdiff_t bw = half ? 16 : 32;
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
    __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
    __m512 c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps();
    __m512 c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
    __m512 cA0 = _mm512_setzero_ps(), cA1 = _mm512_setzero_ps();
    __m512 cB0 = _mm512_setzero_ps(), cB1 = _mm512_setzero_ps();
    const float *x0 = NULL, *x1 = NULL, *x2 = NULL, *x3 = NULL;
    if (mode == CK_X_RUNS8 || mode == CK_X_RUNS16) {
        x0 = x[0];
        x1 = x[1];
        x2 = x[2];
        x3 = x[3];
    }
    /* mode == CK_X_AROWS: the A rows of the current run. */
    const float *q0 = NULL, *q1 = NULL, *q2 = NULL, *q3 = NULL, *q4 = NULL, *q5 = NULL;
    const float *q6 = NULL, *q7 = NULL, *q8 = NULL, *q9 = NULL, *q10 = NULL, *q11 = NULL;

    for (int i = 0; i < rows; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
    }

#define CK_FMA_ROW(i, n, o)                                                         \
    if (rows > (n)) {                                                               \
        const __m512 av = _mm512_set1_ps(mode == CK_X_AROWS ? q##n[o] : a[CK_XMR * (o) + (n)]); \
        c##i##0 = _mm512_fmadd_ps(av, b0, c##i##0);                                 \
        if (!half)                                                                  \
            c##i##1 = _mm512_fmadd_ps(av, b1, c##i##1);                             \
    }
#define CK_STEP(o)                                                                  \
    do {                                                                            \
        __m512 b0, b1 = _mm512_setzero_ps();                                        \
        if (mode == CK_X_RUNS8) {                                                   \
            b0 = ck_load_8_8(x0 + off[o], x1 + off[o]);                             \
            b1 = ck_load_8_8(x2 + off[o], x3 + off[o]);                             \
        } else if (mode == CK_X_RUNS16) {                                           \
            b0 = _mm512_loadu_ps(x0 + off[o]);                                      \
            b1 = _mm512_loadu_ps(x2 + off[o]);                                      \
        } else {                                                                    \
            b0 = _mm512_load_ps(b + bw * (o));                                      \
            if (!half)                                                              \
                b1 = _mm512_load_ps(b + 32 * (o) + 16);                             \
        }                                                                           \
        CK_FMA_ROW(0, 0, o)                                                         \
        CK_FMA_ROW(1, 1, o)                                                         \
        CK_FMA_ROW(2, 2, o)                                                         \
        CK_FMA_ROW(3, 3, o)                                                         \
        CK_FMA_ROW(4, 4, o)                                                         \
        CK_FMA_ROW(5, 5, o)                                                         \
        CK_FMA_ROW(6, 6, o)                                                         \
        CK_FMA_ROW(7, 7, o)                                                         \
        CK_FMA_ROW(8, 8, o)                                                         \
        CK_FMA_ROW(9, 9, o)                                                         \
        CK_FMA_ROW(A, 10, o)                                                        \
        CK_FMA_ROW(B, 11, o)                                                        \
    } while (0)

    ptrdiff_t p = 0;
    if (mode == CK_X_AROWS) {
        /* off holds the runs' offsets; each run is 8 steps down the rows (rows past ROWS unused). */
        for (; p + 8 <= kc; p += 8) {
            const ptrdiff_t s = *off++;
            q0 = arows[0] + s;
            CK_RUN_ROW(1);
            CK_RUN_ROW(2);
            CK_RUN_ROW(3);
            CK_RUN_ROW(4);
            CK_RUN_ROW(5);
            CK_RUN_ROW(6);
            CK_RUN_ROW(7);
            CK_RUN_ROW(8);
            CK_RUN_ROW(9);
            CK_RUN_ROW(10);
            CK_RUN_ROW(11);
            CK_RUN_STEPS();
            b += 8 * bw;
        }
    }
    for (; p + 4 <= kc; p += 4) {
        CK_STEP(0);
        CK_STEP(1);
        CK_STEP(2);
        CK_STEP(3);
        a += 4 * CK_XMR;
        if (mode == CK_X_RUNS8 || mode == CK_X_RUNS16)
            off += 4;
        else
            b += 4 * bw;
    }
    for (; p < kc; p++) {
        CK_STEP(0);
        a += CK_XMR;
        if (mode == CK_X_RUNS8 || mode == CK_X_RUNS16)
            off += 1;
        else
            b += bw;
    }
#undef CK_STEP
#undef CK_FMA_ROW

    const __m512 va = _mm512_set1_ps(alpha);
    const __m512 vb = _mm512_set1_ps(beta);
    const int bmode = (beta == 0.0f) ? 0 : (beta == 1.0f) ? 1 : 2;
    /* Columns 24 + t of C exist only for t < tail (tail = 8: all of them). */
    const int whole = tail >= 8;
    const __mmask16 high = (__mmask16)(whole ? 0xFFFFu : 0xFFu | ((1u << tail) - 1u) << 8);
#define CK_STORE_ROW(i, n)                                                          \
    if (rows > (n)) {                                                               \
        float *cr = c + (n) * ldc;                                                  \
        if (half) {                                                                 \
            const __m512 y0 = bmode == 0 ? _mm512_setzero_ps() : _mm512_loadu_ps(cr); \
            _mm512_storeu_ps(cr, bmode == 0 ? _mm512_mul_ps(va, c##i##0)            \
                                 : _mm512_fmadd_ps(va, c##i##0, bmode == 2 ? _mm512_mul_ps(vb, y0) : y0)); \
        } else if (bmode == 0) {                                                    \
            _mm512_storeu_ps(cr, _mm512_mul_ps(va, c##i##0));                       \
            _mm512_mask_storeu_ps(cr + 16, high, _mm512_mul_ps(va, c##i##1));       \
        } else {                                                                    \
            __m512 y0 = _mm512_loadu_ps(cr), y1 = _mm512_maskz_loadu_ps(high, cr + 16); \
            if (bmode == 2) {                                                       \
                y0 = _mm512_mul_ps(vb, y0);                                         \
                y1 = _mm512_mul_ps(vb, y1);                                         \
            }                                                                       \
            _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, c##i##0, y0));                 \
            _mm512_mask_storeu_ps(cr + 16, high, _mm512_fmadd_ps(va, c##i##1, y1)); \
        }                                                                           \
    }
    CK_STORE_ROW(0, 0)
    CK_STORE_ROW(1, 1)
    CK_STORE_ROW(2, 2)
    CK_STORE_ROW(3, 3)
    CK_STORE_ROW(4, 4)
    CK_STORE_ROW(5, 5)
    CK_STORE_ROW(6, 6)
    CK_STORE_ROW(7, 7)
    CK_STORE_ROW(8, 8)
    CK_STORE_ROW(9, 9)
    CK_STORE_ROW(A, 10)
    CK_STORE_ROW(B, 11)
#undef CK_STORE_ROW
}

/* One instantiation per row count, as for AVX2, each with its indirect twins: the ikernel picks the
 * two-run loads when runs 0–1 and 2–3 lie next to each other in the image (a row of 16 or more
 * positions), the four-run loads otherwise. */
#define CK_DEFINE_AVX512_KERNEL(R)                                                  \
    CK_AVX512 static void ck_kernel_avx512_##R##x32(ptrdiff_t kc, const float *a, const float *b, \
                                                    float *c, ptrdiff_t ldc, float alpha,       \
                                                    float beta)                                 \
    {                                                                               \
        ck_kernel_avx512_rows(R, CK_X_PACKED, 0, kc, a, b, NULL, NULL, NULL, c, ldc, alpha, beta, 8); \
    }                                                                               \
    CK_AVX512 static void ck_ikernel_avx512_##R##x32(ptrdiff_t kc, const float *a, const float *const *x, \
                                                     const ptrdiff_t *off, float *c, ptrdiff_t ldc, \
                                                     float beta, ptrdiff_t tail)            \
    {                                                                               \
        if (x[1] == x[0] + 8 && x[3] == x[2] + 8)                                   \
            ck_kernel_avx512_rows(R, CK_X_RUNS16, 0, kc, a, NULL, x, off, NULL, c, ldc, 1.0f, beta, tail); \
        else                                                                        \
            ck_kernel_avx512_rows(R, CK_X_RUNS8, 0, kc, a, NULL, x, off, NULL, c, ldc, 1.0f, beta, tail); \
    }                                                                               \
    CK_AVX512 static void ck_akernel_avx512_##R##x32(ptrdiff_t kc, const float *const *rows,  \
                                                     const ptrdiff_t *s, const float *b, float *c, \
                                                     ptrdiff_t ldc, float beta)              \
    {                                                                               \
        ck_kernel_avx512_rows(R, CK_X_AROWS, 0, kc, NULL, b, NULL, s, rows, c, ldc, 1.0f, beta, 8); \
    }                                                                               \
    CK_AVX512 static void ck_akernel_avx512_##R##x16(ptrdiff_t kc, const float *const *rows,  \
                                                     const ptrdiff_t *s, const float *b, float *c, \
                                                     ptrdiff_t ldc, float beta)              \
    {                                                                               \
        ck_kernel_avx512_rows(R, CK_X_AROWS, 1, kc, NULL, b, NULL, s, rows, c, ldc, 1.0f, beta, 8); \
    }
CK_DEFINE_AVX512_KERNEL(1)
CK_DEFINE_AVX512_KERNEL(2)
CK_DEFINE_AVX512_KERNEL(3)
CK_DEFINE_AVX512_KERNEL(4)
CK_DEFINE_AVX512_KERNEL(5)
CK_DEFINE_AVX512_KERNEL(6)
CK_DEFINE_AVX512_KERNEL(7)
CK_DEFINE_AVX512_KERNEL(8)
CK_DEFINE_AVX512_KERNEL(9)
CK_DEFINE_AVX512_KERNEL(10)
CK_DEFINE_AVX512_KERNEL(11)
CK_DEFINE_AVX512_KERNEL(12)
#undef CK_DEFINE_AVX512_KERNEL

CK_AVX2 static void ck_pack_a_avx512(int trans, const float *src, ptrdiff_t ld, ptrdiff_t mc,
                                     ptrdiff_t kc, float *dst)
{
    for (ptrdiff_t ir = 0; ir < mc; ir += CK_XMR, dst += CK_XMR * kc) {
        const ptrdiff_t mb = ck_min(CK_XMR, mc - ir);
        if (mb < CK_XMR) {
            ck_pack_a_panel_ref(trans, trans ? src + ir : src + ir * ld, ld, mb, kc, CK_XMR, dst);
            continue;
        }
        if (!trans) {
            /* Rows 0–7 and 8–11 (+4 zero rows) as two 8×8 transposes per 8 k. */
            const float *s = src + ir * ld;
            ptrdiff_t p = 0;
            for (; p + 8 <= kc; p += 8) {
                __m256 r[8], t[8];
                for (int i = 0; i < 8; i++)
                    r[i] = _mm256_loadu_ps(s + i * ld + p);
                for (int i = 0; i < 4; i++)
                    t[i] = _mm256_loadu_ps(s + (8 + i) * ld + p);
                for (int i = 4; i < 8; i++)
                    t[i] = _mm256_setzero_ps();
                ck_transpose8(r);
                ck_transpose8(t);
                for (int q = 0; q < 8; q++) {
                    float *d = dst + (p + q) * CK_XMR;
                    _mm256_storeu_ps(d, r[q]);
                    _mm_storeu_ps(d + 8, _mm256_castps256_ps128(t[q]));
                }
            }
            for (; p < kc; p++)
                for (int i = 0; i < CK_XMR; i++)
                    dst[p * CK_XMR + i] = s[i * ld + p];
        } else {
            const float *s = src + ir;
            for (ptrdiff_t p = 0; p < kc; p++) {
                const float *sp = s + p * ld;
                float *d = dst + p * CK_XMR;
                _mm256_storeu_ps(d, _mm256_loadu_ps(sp));
                _mm_storeu_ps(d + 8, _mm_loadu_ps(sp + 8));
            }
        }
    }
}

CK_AVX2 static void ck_pack_b_avx512(int trans, const float *src, ptrdiff_t ld, ptrdiff_t kc,
                                     ptrdiff_t nc, float *dst)
{
    ck_pack_b_x86(trans, src, ld, kc, nc, dst, CK_XNR);
}

static const ck_impl ck_impl_avx512 = {
    .mr = CK_XMR,
    .nr = CK_XNR,
    .kernel = {NULL, ck_kernel_avx512_1x32, ck_kernel_avx512_2x32, ck_kernel_avx512_3x32,
               ck_kernel_avx512_4x32, ck_kernel_avx512_5x32, ck_kernel_avx512_6x32,
               ck_kernel_avx512_7x32, ck_kernel_avx512_8x32, ck_kernel_avx512_9x32,
               ck_kernel_avx512_10x32, ck_kernel_avx512_11x32, ck_kernel_avx512_12x32},
    .pack_a = ck_pack_a_avx512,
    .pack_b = ck_pack_b_avx512,
    .ikernel = {NULL, ck_ikernel_avx512_1x32, ck_ikernel_avx512_2x32, ck_ikernel_avx512_3x32,
                ck_ikernel_avx512_4x32, ck_ikernel_avx512_5x32, ck_ikernel_avx512_6x32,
                ck_ikernel_avx512_7x32, ck_ikernel_avx512_8x32, ck_ikernel_avx512_9x32,
                ck_ikernel_avx512_10x32, ck_ikernel_avx512_11x32, ck_ikernel_avx512_12x32},
    .akernel = {NULL, ck_akernel_avx512_1x32, ck_akernel_avx512_2x32, ck_akernel_avx512_3x32,
                ck_akernel_avx512_4x32, ck_akernel_avx512_5x32, ck_akernel_avx512_6x32,
                ck_akernel_avx512_7x32, ck_akernel_avx512_8x32, ck_akernel_avx512_9x32,
                ck_akernel_avx512_10x32, ck_akernel_avx512_11x32, ck_akernel_avx512_12x32},
    .akernel_half = {NULL, ck_akernel_avx512_1x16, ck_akernel_avx512_2x16, ck_akernel_avx512_3x16,
                     ck_akernel_avx512_4x16, ck_akernel_avx512_5x16, ck_akernel_avx512_6x16,
                     ck_akernel_avx512_7x16, ck_akernel_avx512_8x16, ck_akernel_avx512_9x16,
                     ck_akernel_avx512_10x16, ck_akernel_avx512_11x16, ck_akernel_avx512_12x16},
    .pack_bt8 = ck_pack_bt8_avx2,
};

/* AVX-512F usable: AVX2+FMA, the CPU flag, and OS support for opmask and
 * ZMM state (XCR0 bits 5–7). */
static int ck_detect_avx512(void)
{
    if (!ck_detect_avx2_fma())
        return 0;
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    if (!((b >> 16) & 1)) /* AVX-512F */
        return 0;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    return (xlo & 0xE6u) == 0xE6u;
}

#endif /* CK_X86_64 */

/* ------------------------------------------------------------------------ */
/* Dispatch and public API                                                  */
/* ------------------------------------------------------------------------ */

/* The flags are plain ints read/written with relaxed atomics; races only
 * ever store identical values (cpu level) or a user-chosen limit. */
static int ck_isa_limit = 2;  /* 0 portable, 1 up to AVX2, 2 anything */
static int ck_cpu_level = -1; /* -1 = not yet detected, else 0/1/2 as above */

static int ck_cpu_isa(void)
{
    int v = __atomic_load_n(&ck_cpu_level, __ATOMIC_RELAXED);
    if (v < 0) {
#if CK_X86_64
        v = ck_detect_avx512() ? 2 : ck_detect_avx2_fma() ? 1 : 0;
#else
        v = 0;
#endif
        __atomic_store_n(&ck_cpu_level, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* The instruction set in use: the CPU's, capped by the limit. */
static int ck_isa(void)
{
    const int cpu = ck_cpu_isa(), limit = __atomic_load_n(&ck_isa_limit, __ATOMIC_RELAXED);
    return cpu < limit ? cpu : limit;
}

int ck_sgemm_uses_avx2(void) { return ck_isa() >= 1; }

const ck_impl *ck_impl_at_level(int level)
{
    const int cpu = ck_cpu_isa();
    const int isa = level < cpu ? level : cpu;
#if CK_X86_64
    if (isa >= 2)
        return &ck_impl_avx512;
    if (isa == 1)
        return &ck_impl_avx2;
#else
    (void)isa;
#endif
    return &ck_impl_generic;
}

ptrdiff_t ck_block_kc(void) { return CK_KC; }
ptrdiff_t ck_block_mc(void) { return CK_MC; }
ptrdiff_t ck_block_nc(void) { return CK_NC; }

float *ck_thread_buffer(int slot, size_t n)
{
    ck_tls *t = ck_get_tls();
    if (!t)
        return NULL;
    ck_buf *b = slot == 0 ? &t->a : slot == 1 ? &t->b : slot == 2 ? &t->c : &t->d;
    return ck_buf_reserve(b, n);
}

int ck_sgemm_isa(void) { return ck_isa(); }

void ck_sgemm_force_generic(int force)
{
    __atomic_store_n(&ck_isa_limit, force ? 0 : 2, __ATOMIC_RELAXED);
}

void ck_sgemm_limit_isa(int level)
{
    __atomic_store_n(&ck_isa_limit, level < 0 ? 0 : level > 2 ? 2 : level, __ATOMIC_RELAXED);
}

/* The blocked GEMM with the kernel of one level (0 portable, 1 AVX2, 2 AVX-512), capped at the
 * CPU's. */
static void ck_sgemm_level(int level, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                           float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                           float beta, float *C, ptrdiff_t ldc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0 || alpha == 0.0f) {
        ck_scale_c(M, N, beta, C, ldc);
        return;
    }
    const int cpu = ck_cpu_isa();
    const int isa = level < cpu ? level : cpu;
    const ck_impl *im = &ck_impl_generic;
#if CK_X86_64
    if (isa == 2)
        im = &ck_impl_avx512;
    else if (isa == 1)
        im = &ck_impl_avx2;
#else
    (void)isa;
#endif
    ck_gemm_blocked(im, transA != 0, transB != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void ck_sgemm(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, float alpha,
              const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, float beta,
              float *C, ptrdiff_t ldc)
{
    ck_sgemm_level(ck_isa(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void ck_sgemm_at(int level, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K,
                 float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                 float beta, float *C, ptrdiff_t ldc)
{
    ck_sgemm_level(level < 0 ? 0 : level, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
