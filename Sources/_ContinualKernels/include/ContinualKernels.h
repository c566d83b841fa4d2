// Portable C kernels behind ContinualEngine. Fast paths (AVX-512, AVX2 + FMA) are chosen at run time, so the
// same binary runs on x86-64 without AVX2 and on arm64.
#ifndef CONTINUAL_KERNELS_H
#define CONTINUAL_KERNELS_H
#include <stddef.h>

/// C[M×N] = alpha · op(A) · op(B) + beta · C, row-major. op(A) is M×K: if transA == 0, A is M×K with
/// row stride lda; otherwise A is stored K×M and op(A) = Aᵀ. op(B) is K×N: if transB == 0, B is K×N
/// with row stride ldb; otherwise B is stored N×K and op(B) = Bᵀ. C has row stride ldc. When
/// beta == 0, C's prior contents are not read. Single-threaded; callers split M or N across threads.
void ck_sgemm(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, float alpha,
              const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, float beta, float *C,
              ptrdiff_t ldc);

/// 1 when a vector kernel (AVX2 + FMA or AVX-512) is in use on this CPU, else 0.
int ck_sgemm_uses_avx2(void);

/// The kernel in use: 0 portable C, 1 AVX2 + FMA, 2 AVX-512F.
int ck_sgemm_isa(void);

/// Forces the portable path (1) or restores automatic selection (0); for testing both paths.
void ck_sgemm_force_generic(int force);

/// Caps the kernel at a level (0 portable, 1 AVX2, 2 anything the CPU has); for testing and
/// benchmarking every path on one machine.
void ck_sgemm_limit_isa(int level);

/// ck_sgemm with the kernel of `level` (0 portable, 1 AVX2, 2 AVX-512), capped at what the CPU
/// has, whatever the global setting: for tests that compare paths while other code runs GEMMs.
void ck_sgemm_at(int level, int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, float alpha,
                 const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, float beta, float *C,
                 ptrdiff_t ldc);

/// Convolution of `images` NCHW images x [images, C, H, W] with weights w [O, C, kh, kw] (cross-correlation,
/// zero padding `pad` on every border, `stride` ≥ 1) into y [images, O, Ho, Wo] (overwritten), with
/// Ho = (H + 2·pad − kh) / stride + 1 and likewise Wo. Implicit GEMM: the im2col matrix is packed
/// straight from the image into the GEMM's panels, the weights once per call. With the kernel of
/// `level` (0 portable, 1 AVX2, 2 AVX-512, capped at the CPU's); per instruction set the result is
/// bit-identical to im2col followed by ck_sgemm. Single-threaded.
void ck_conv2d_forward_at(int level, ptrdiff_t images, ptrdiff_t C, ptrdiff_t H, ptrdiff_t W, const float *x,
                          ptrdiff_t O, ptrdiff_t kh, ptrdiff_t kw, const float *w, ptrdiff_t stride,
                          ptrdiff_t pad, float *y);

/// The input gradient of a stride-1 convolution: dx [images, C, H, W] (overwritten) from
/// dy [images, O, Ho, Wo], as the forward convolution of dy with the flipped, transposed weights and
/// padding kh − 1 − pad. Requires kh == kw and pad ≤ kh − 1. Single-threaded.
void ck_conv2d_input_gradient_at(int level, ptrdiff_t images, ptrdiff_t C, ptrdiff_t H, ptrdiff_t W,
                                 const float *dy, ptrdiff_t O, ptrdiff_t kh, ptrdiff_t kw, const float *w,
                                 ptrdiff_t pad, float *dx);

/// The weight gradient of a convolution over `images` images: dw [O, C·kh·kw] = Σ_n dy_n · cols(x_n)ᵀ
/// + beta · dw, one GEMM whose depth runs over every image's output positions. Single-threaded.
void ck_conv2d_weight_gradient_at(int level, ptrdiff_t images, ptrdiff_t C, ptrdiff_t H, ptrdiff_t W,
                                  const float *x, ptrdiff_t O, ptrdiff_t kh, ptrdiff_t kw, const float *dy,
                                  ptrdiff_t stride, ptrdiff_t pad, float beta, float *dw);

/// One Adam step over n parameters (PyTorch's formula, bias corrections precomputed by the caller):
/// g ← g + weight_decay·θ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// θ ← θ − step_size · m / (√v · inverse_root_correction2 + ε).
void ck_adam_update(float *theta, const float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                    float step_size, float inverse_root_correction2, float epsilon, float weight_decay);

#endif
