// Fused optimiser update kernels. The AVX2/FMA path is chosen at run time; the portable loop is
// what other CPUs run (and is vectorised by the compiler at its baseline width).
#include "ContinualKernels.h"
#include <math.h>

/// The scalar Adam update of elements [start, n): the portable path, and the AVX2 path's tail.
static void adam_scalar(float *theta, const float *g, float *m, float *v, ptrdiff_t start, ptrdiff_t n, float beta1,
                        float beta2, float step_size, float inverse_root_correction2, float epsilon, float weight_decay) {
  for (ptrdiff_t i = start; i < n; i++) {
    float gi = g[i] + weight_decay * theta[i];
    float mi = beta1 * m[i] + (1 - beta1) * gi;
    float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= step_size * mi / (sqrtf(vi) * inverse_root_correction2 + epsilon);
  }
}

#if defined(__x86_64__)
#include <immintrin.h>
int ck_sgemm_uses_avx2(void);

__attribute__((target("avx2,fma"))) static void adam_avx2(float *theta, const float *g, float *m, float *v, ptrdiff_t n,
                                                          float beta1, float beta2, float step_size,
                                                          float inverse_root_correction2, float epsilon, float weight_decay) {
  const __m256 b1 = _mm256_set1_ps(beta1), b2 = _mm256_set1_ps(beta2);
  const __m256 one_b1 = _mm256_set1_ps(1 - beta1), one_b2 = _mm256_set1_ps(1 - beta2);
  const __m256 lr = _mm256_set1_ps(step_size), irc = _mm256_set1_ps(inverse_root_correction2);
  const __m256 eps = _mm256_set1_ps(epsilon), wd = _mm256_set1_ps(weight_decay);
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 t = _mm256_loadu_ps(theta + i);
    __m256 gi = _mm256_fmadd_ps(wd, t, _mm256_loadu_ps(g + i));
    __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(one_b1, gi));
    __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(one_b2, _mm256_mul_ps(gi, gi)));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    __m256 denominator = _mm256_fmadd_ps(_mm256_sqrt_ps(vi), irc, eps);
    _mm256_storeu_ps(theta + i, _mm256_sub_ps(t, _mm256_div_ps(_mm256_mul_ps(lr, mi), denominator)));
  }
  adam_scalar(theta, g, m, v, i, n, beta1, beta2, step_size, inverse_root_correction2, epsilon, weight_decay);
}
#endif

void ck_adam_update(float *theta, const float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                    float step_size, float inverse_root_correction2, float epsilon, float weight_decay) {
#if defined(__x86_64__)
  if (ck_sgemm_uses_avx2()) {
    adam_avx2(theta, g, m, v, n, beta1, beta2, step_size, inverse_root_correction2, epsilon, weight_decay);
    return;
  }
#endif
  adam_scalar(theta, g, m, v, 0, n, beta1, beta2, step_size, inverse_root_correction2, epsilon, weight_decay);
}
