/* Internals of the kernel target shared between gemm.c and conv.c (not exported to Swift). */
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H
#include <stddef.h>

/* Largest register tile of any implementation (size of the edge temp tile). */
#define CK_MAX_MR 12
#define CK_MAX_NR 32

/* Micro-kernel: C[0:MR, 0:NR] = alpha · Σ_p a[p*MR+i]·b[p*NR+j] + beta·C,
 * C not read when beta == 0.  b is 64-byte aligned. */
typedef void (*ck_kernel_fn)(ptrdiff_t kc, const float *a, const float *b, float *c,
                             ptrdiff_t ldc, float alpha, float beta);
/* Pack an mc×kc block of op(A) into MR-row panels (last one zero padded). */
typedef void (*ck_pack_a_fn)(int trans, const float *src, ptrdiff_t ld, ptrdiff_t mc,
                             ptrdiff_t kc, float *dst);
/* Pack a kc×nc block of op(B) into NR-column panels (last one zero padded). */
typedef void (*ck_pack_b_fn)(int trans, const float *src, ptrdiff_t ld, ptrdiff_t kc,
                             ptrdiff_t nc, float *dst);

/* Output positions of a stride-1 convolution are taken in runs of this many, each inside one output
 * row; an indirect micro-kernel's panel of nr columns is nr / CK_RUN runs. */
#define CK_RUN 8

/* Indirect micro-kernel for stride-1 convolutions (alpha = 1): the B panel is not packed but read
 * from a zero-bordered image, row p of the panel being, run after run, the CK_RUN floats at
 * x[r] + off[p] for each of the nr / CK_RUN runs r.  Only the first nr − CK_RUN + tail columns of C
 * are stored (tail ≤ CK_RUN: the last run may be short), and C is not read when beta == 0.  Same
 * order of operations as the packed kernel of the same implementation. */
typedef void (*ck_ikernel_fn)(ptrdiff_t kc, const float *a, const float *const *x, const ptrdiff_t *off,
                              float *c, ptrdiff_t ldc, float beta, ptrdiff_t tail);

/* Indirect-A micro-kernel for the convolution weight gradient (alpha = 1): kc (a multiple of 8) is
 * kc / 8 runs of CK_RUN = 8, and element (p, i) of the A panel, p = 8u + q, is rows[i][s[u] + q].
 * B is a packed panel.  C is not read when beta == 0. */
typedef void (*ck_akernel_fn)(ptrdiff_t kc, const float *const *rows, const ptrdiff_t *s, const float *b,
                              float *c, ptrdiff_t ldc, float beta);

/* Eight rows of a B panel of nr columns gathered from nb (≤ nr) runs of floats:
 * dst[q·nr + j] = src[j][q] for j < nb and q < v (v ≤ 8), zero for the other j < nr and q < 8. */
typedef void (*ck_pack_bt8_fn)(const float *const *src, ptrdiff_t nb, ptrdiff_t v, ptrdiff_t nr,
                               float *dst);

typedef struct {
    ptrdiff_t mr, nr;
    /* kernel[r] computes the top r rows of a full-width (NR) tile directly in
     * C; kernel[mr] is the main micro-kernel and must exist.  Missing entries
     * (NULL) fall back to the main kernel + temporary tile. */
    ck_kernel_fn kernel[CK_MAX_MR + 1];
    ck_pack_a_fn pack_a;
    ck_pack_b_fn pack_b;
    /* ikernel[r]: the indirect kernel for r rows (NULL where the implementation has none). */
    ck_ikernel_fn ikernel[CK_MAX_MR + 1];
    /* akernel[r]: the indirect-A kernel for r rows, and the packer of its B panels (NULL where the
     * implementation has none). */
    ck_akernel_fn akernel[CK_MAX_MR + 1];
    /* akernel_half[r]: the same for panels of nr / 2 columns, where a layer has at most that many
     * output channels (NULL where the implementation has none: its full panels are used). */
    ck_akernel_fn akernel_half[CK_MAX_MR + 1];
    ck_pack_bt8_fn pack_bt8;
} ck_impl;

/* The implementation of `level` (0 portable, 1 AVX2, 2 AVX-512), capped at what the CPU has. */
const ck_impl *ck_impl_at_level(int level);

/* The blocking parameters of the GEMM driver (see gemm.c). */
ptrdiff_t ck_block_kc(void);
ptrdiff_t ck_block_mc(void);
ptrdiff_t ck_block_nc(void);

/* A thread-local 64-byte-aligned scratch buffer of at least n floats (slot 0 to 3; slots 0 and 1
 * are ck_sgemm's packing buffers, so a caller must not hold them across a ck_sgemm call).  Contents
 * are not preserved when it grows.  NULL when out of memory. */
float *ck_thread_buffer(int slot, size_t n);

/* Copy an mb×nb block of a full micro-tile (row stride ts) to C with alpha/beta. */
void ck_store_edge(const float *tile, ptrdiff_t ts, ptrdiff_t mb, ptrdiff_t nb, float alpha, float beta,
                   float *C, ptrdiff_t ldc);

#endif
