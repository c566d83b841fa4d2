// Temporary reference GEMM (replaced by the blocked kernel).
#include "ContinualKernels.h"
static int force_generic = 0;
int ck_sgemm_uses_avx2(void) { return 0; }
void ck_sgemm_force_generic(int force) { force_generic = force; }
void ck_sgemm(int transA, int transB, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, float alpha,
              const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, float beta, float *C,
              ptrdiff_t ldc) {
  for (ptrdiff_t i = 0; i < M; i++)
    for (ptrdiff_t j = 0; j < N; j++) {
      float s = 0;
      for (ptrdiff_t k = 0; k < K; k++) {
        float a = transA ? A[k * lda + i] : A[i * lda + k];
        float b = transB ? B[j * ldb + k] : B[k * ldb + j];
        s += a * b;
      }
      C[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * C[i * ldc + j]);
    }
}
