/*
 * Two versions of the convolution kernels side by side: an earlier commit's conv.c and gemm.c, with its
 * three entry points renamed to old_*, against the working tree's, on the stride-1 layers of ResNet-32
 * and zenke (64 images, one thread's half of a batch of 128, one thread).  Old and new alternate
 * within every round, so both see the same load; every output of the two is compared.
 *
 * The old side is the earlier commit's conv.c and gemm.c linked into one object in which only the
 * three renamed entry points stay global, so it keeps its own ck_impl layout and kernels:
 *
 *   C=<commit>; I=-ISources/_ContinualKernels/include; mkdir -p /tmp/old && cd /tmp/old
 *   for f in conv.c gemm.c ck_internal.h; do git -C "$OLDPWD" show $C:Sources/_ContinualKernels/$f > $f; done
 *   clang -O2 -c "-I$OLDPWD/Sources/_ContinualKernels/include" -I. -Dck_conv2d_forward_at=old_fwd \
 *       -Dck_conv2d_input_gradient_at=old_igrad -Dck_conv2d_weight_gradient_at=old_wgrad conv.c -o c.o
 *   clang -O2 -c "-I$OLDPWD/Sources/_ContinualKernels/include" -I. gemm.c -o g.o
 *   ld -r -o pair.o c.o g.o
 *   objcopy --keep-global-symbol=old_fwd --keep-global-symbol=old_igrad --keep-global-symbol=old_wgrad pair.o old.o
 *   cd "$OLDPWD"
 *   clang -O2 $I Sources/continual-bench/Kernels/conv_versions.c /tmp/old/old.o Sources/_ContinualKernels/gemm.c \
 *       Sources/_ContinualKernels/conv.c -lpthread -lm -o /tmp/conv_versions
 *   /tmp/conv_versions [rounds] [level]     # level 0 portable, 1 AVX2, 2 AVX-512 (capped at the CPU's)
 */
#include "ContinualKernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void old_fwd(int, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t,
             const float *, ptrdiff_t, ptrdiff_t, float *);
void old_igrad(int, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t,
               const float *, ptrdiff_t, float *);
void old_wgrad(int, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t,
               const float *, ptrdiff_t, ptrdiff_t, float, float *);

typedef struct { const char *name; int n, c, h, w, o, k, p, count; } layer;

/* Each stride-1 convolution and how many times one training step runs it. */
static const layer layers[] = {
    {"resnet32 3→16 32²", 64, 3, 32, 32, 16, 3, 1, 1},
    {"resnet32 16→16 32²", 64, 16, 32, 32, 16, 3, 1, 10},
    {"resnet32 32→32 16²", 64, 32, 16, 16, 32, 3, 1, 9},
    {"resnet32 64→64 8²", 64, 64, 8, 8, 64, 3, 1, 9},
    {"zenke 3→32 same", 64, 3, 32, 32, 32, 3, 1, 1},
    {"zenke 32→32 valid", 64, 32, 32, 32, 32, 3, 0, 1},
    {"zenke 32→64 same", 64, 32, 15, 15, 64, 3, 1, 1},
    {"zenke 64→64 valid", 64, 64, 15, 15, 64, 3, 0, 1},
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return v[n / 2];
}

/* The largest |a − b| relative to the largest |a|, 0 when bit-identical. */
static double difference(const float *a, const float *b, size_t n)
{
    if (!memcmp(a, b, n * sizeof *a))
        return 0;
    double worst = 0, largest = 0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, fabs((double)a[i] - (double)b[i]));
        largest = fmax(largest, fabs((double)a[i]));
    }
    return worst / largest;
}

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? atoi(argv[1]) : 5, level = argc > 2 ? atoi(argv[2]) : 1;
    if (rounds < 1 || rounds > 64)
        return fprintf(stderr, "rounds: 1 to 64\n"), 2;
    double weighted_old = 0, weighted_new = 0;
    for (size_t l = 0; l < sizeof layers / sizeof *layers; l++) {
        const layer *L = &layers[l];
        const int ho = L->h + 2 * L->p - L->k + 1, wo = L->w + 2 * L->p - L->k + 1;
        const size_t xs = (size_t)L->n * L->c * L->h * L->w, ys = (size_t)L->n * L->o * ho * wo,
                     ws = (size_t)L->o * L->c * L->k * L->k;
        float *x = malloc(xs * 4), *w = malloc(ws * 4), *y[2], *dx[2], *dw[2];
        for (int v = 0; v < 2; v++)
            y[v] = malloc(ys * 4), dx[v] = malloc(xs * 4), dw[v] = malloc(ws * 4);
        srand(1);
        for (size_t i = 0; i < xs; i++)
            x[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        for (size_t i = 0; i < ws; i++)
            w[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        double total[2][64], weight[2][64], ratio[64], weight_ratio[64];
        for (int r = 0; r < rounds; r++) {
            for (int v = 0; v < 2; v++) {
                const double t0 = now();
                if (v == 0) {
                    old_fwd(level, L->n, L->c, L->h, L->w, x, L->o, L->k, L->k, w, 1, L->p, y[0]);
                    old_igrad(level, L->n, L->c, L->h, L->w, y[0], L->o, L->k, L->k, w, L->p, dx[0]);
                } else {
                    ck_conv2d_forward_at(level, L->n, L->c, L->h, L->w, x, L->o, L->k, L->k, w, 1, L->p, y[1]);
                    ck_conv2d_input_gradient_at(level, L->n, L->c, L->h, L->w, y[1], L->o, L->k, L->k, w, L->p, dx[1]);
                }
                const double t1 = now();
                if (v == 0)
                    old_wgrad(level, L->n, L->c, L->h, L->w, x, L->o, L->k, L->k, y[0], 1, L->p, 0.0f, dw[0]);
                else
                    ck_conv2d_weight_gradient_at(level, L->n, L->c, L->h, L->w, x, L->o, L->k, L->k, y[1], 1, L->p,
                                                 0.0f, dw[1]);
                const double t2 = now();
                total[v][r] = t2 - t0;
                weight[v][r] = t2 - t1;
            }
            ratio[r] = total[0][r] / total[1][r];
            weight_ratio[r] = weight[0][r] / weight[1][r];
        }
        const double old_ms = 1e3 * median(total[0], rounds), new_ms = 1e3 * median(total[1], rounds);
        printf("%-20s all three: old %7.2f ms new %7.2f ms, old/new %.2f | weight gradient old/new %.2f | "
               "differences: y %.2g, dx %.2g, dw %.2g\n",
               L->name, old_ms, new_ms, median(ratio, rounds), median(weight_ratio, rounds),
               difference(y[0], y[1], ys), difference(dx[0], dx[1], xs), difference(dw[0], dw[1], ws));
        weighted_old += L->count * old_ms;
        weighted_new += L->count * new_ms;
        free(x), free(w);
        for (int v = 0; v < 2; v++)
            free(y[v]), free(dx[v]), free(dw[v]);
    }
    printf("weighted by uses per step: old %.1f ms, new %.1f ms, old/new %.2f\n", weighted_old, weighted_new,
           weighted_old / weighted_new);
    return 0;
}
