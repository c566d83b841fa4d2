/*
 * Micro-benchmark of the convolution kernels: the im2col path that Tensor+Convolution.swift used up
 * to c3e1fdc (im2col, ck_sgemm and col2im per image; im2col/col2im ported line for line from the Swift
 * loops) against the implicit-GEMM kernels of conv.c, on the layers of ResNet-32 and zenke, 64 images
 * (one thread's half of a batch of 128), one thread.  Old and new alternate, so both see the same load.
 *
 *   clang -O2 -ISources/_ContinualKernels/include Sources/continual-bench/Kernels/conv_kernels.c \
 *       Sources/_ContinualKernels/gemm.c Sources/_ContinualKernels/conv.c -lpthread -o /tmp/conv_kernels
 *   /tmp/conv_kernels [rounds] [old|new|both]
 *   valgrind --tool=callgrind /tmp/conv_kernels 1 old   # instruction counts: 1 round of one side
 */
#include "ContinualKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { const char *name; int n, c, h, w, o, k, s, p, count; } layer;

/* Per network: each distinct convolution and how many times one training step runs it. */
static const layer layers[] = {
    {"resnet32 3→16 32²", 64, 3, 32, 32, 16, 3, 1, 1, 1},
    {"resnet32 16→16 32²", 64, 16, 32, 32, 16, 3, 1, 1, 10},
    {"resnet32 16→32 s2", 64, 16, 32, 32, 32, 3, 2, 1, 1},
    {"resnet32 32→32 16²", 64, 32, 16, 16, 32, 3, 1, 1, 9},
    {"resnet32 32→64 s2", 64, 32, 16, 16, 64, 3, 2, 1, 1},
    {"resnet32 64→64 8²", 64, 64, 8, 8, 64, 3, 1, 1, 9},
    {"zenke 3→32 same", 64, 3, 32, 32, 32, 3, 1, 1, 1},
    {"zenke 32→32 valid", 64, 32, 32, 32, 32, 3, 1, 0, 1},
    {"zenke 32→64 same", 64, 32, 15, 15, 64, 3, 1, 1, 1},
    {"zenke 64→64 valid", 64, 64, 15, 15, 64, 3, 1, 0, 1},
};

static int out_size(int in, int k, int s, int p) { return (in + 2 * p - k) / s + 1; }

/* im2col (`gather`: image to columns) and col2im (columns added back into the image) walk the same
 * lines; inlined with `gather` a constant, each caller compiles to its own old loop. */
static inline __attribute__((always_inline)) void columns(const layer *L, float *img, float *cols, int gather)
{
    const int oh = out_size(L->h, L->k, L->s, L->p), ow = out_size(L->w, L->k, L->s, L->p), plane = oh * ow;
    int row = 0;
    for (int c = 0; c < L->c; c++)
        for (int ky = 0; ky < L->k; ky++)
            for (int kx = 0; kx < L->k; kx++, row++) {
                float *column = cols + (size_t)row * plane;
                for (int oy = 0; oy < oh; oy++) {
                    const int y = oy * L->s - L->p + ky;
                    float *line = column + oy * ow;
                    if (y < 0 || y >= L->h) {
                        if (gather) memset(line, 0, sizeof(float) * ow);
                        continue;
                    }
                    float *pixels = img + ((size_t)c * L->h + y) * L->w;
                    for (int ox = 0; ox < ow; ox++) {
                        const int x = ox * L->s - L->p + kx;
                        if (gather) line[ox] = x >= 0 && x < L->w ? pixels[x] : 0;
                        else if (x >= 0 && x < L->w) pixels[x] += line[ox];
                    }
                }
            }
}

static void im2col(const layer *L, const float *img, float *cols) { columns(L, (float *)img, cols, 1); }

static void col2im(const layer *L, const float *cols, float *img) { columns(L, img, (float *)cols, 0); }

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* One forward + backward (input and weight gradients) of layer L; returns seconds. */
static double run(const layer *L, int new_path, float *x, float *w, float *y, float *dy, float *dx, float *dw,
                  float *cols)
{
    const int oh = out_size(L->h, L->k, L->s, L->p), ow = out_size(L->w, L->k, L->s, L->p), P = oh * ow;
    const int K = L->c * L->k * L->k, img = L->c * L->h * L->w;
    const double t0 = now();
    if (new_path) {
        ck_conv2d_forward_at(1, L->n, L->c, L->h, L->w, x, L->o, L->k, L->k, w, L->s, L->p, y);
        ck_conv2d_weight_gradient_at(1, L->n, L->c, L->h, L->w, x, L->o, L->k, L->k, dy, L->s, L->p, 0, dw);
        if (L->s == 1) {
            ck_conv2d_input_gradient_at(1, L->n, L->c, L->h, L->w, dy, L->o, L->k, L->k, w, L->p, dx);
        } else {
            memset(dx, 0, sizeof(float) * (size_t)L->n * img);
            for (int n = 0; n < L->n; n++) {
                ck_sgemm_at(1, 1, 0, K, P, L->o, 1, w, K, dy + (size_t)n * L->o * P, P, 0, cols, P);
                col2im(L, cols, dx + (size_t)n * img);
            }
        }
    } else {
        memset(dw, 0, sizeof(float) * (size_t)L->o * K);
        memset(dx, 0, sizeof(float) * (size_t)L->n * img);
        for (int n = 0; n < L->n; n++) {
            im2col(L, x + (size_t)n * img, cols);
            ck_sgemm_at(1, 0, 0, L->o, P, K, 1, w, K, cols, P, 0, y + (size_t)n * L->o * P, P);
        }
        for (int n = 0; n < L->n; n++) {
            const float *dyn = dy + (size_t)n * L->o * P;
            im2col(L, x + (size_t)n * img, cols);
            ck_sgemm_at(1, 0, 1, L->o, K, P, 1, dyn, P, cols, P, 1, dw, K);
            ck_sgemm_at(1, 1, 0, K, P, L->o, 1, w, K, dyn, P, 0, cols, P);
            col2im(L, cols, dx + (size_t)n * img);
        }
    }
    return now() - t0;
}

static int cmp(const void *a, const void *b)
{
    const double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? atoi(argv[1]) : 7;
    const char *side = argc > 2 ? argv[2] : "both";
    const int do_old = strcmp(side, "new") != 0, do_new = strcmp(side, "old") != 0;
    double total_old = 0, total_new = 0;
    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
        const layer *L = &layers[i];
        const int oh = out_size(L->h, L->k, L->s, L->p), ow = out_size(L->w, L->k, L->s, L->p);
        const size_t nx = (size_t)L->n * L->c * L->h * L->w, ny = (size_t)L->n * L->o * oh * ow;
        const size_t nw = (size_t)L->o * L->c * L->k * L->k, ncols = (size_t)L->c * L->k * L->k * oh * ow;
        float *x = malloc(4 * nx), *dx = malloc(4 * nx), *y = malloc(4 * ny), *dy = malloc(4 * ny);
        float *w = malloc(4 * nw), *dw = malloc(4 * nw), *cols = malloc(4 * ncols);
        srand(1);
        for (size_t j = 0; j < nx; j++) x[j] = rand() / (float)RAND_MAX - 0.5f;
        for (size_t j = 0; j < ny; j++) dy[j] = rand() / (float)RAND_MAX - 0.5f;
        for (size_t j = 0; j < nw; j++) w[j] = rand() / (float)RAND_MAX - 0.5f;
        double old_t[64], new_t[64], ratio[64];
        const int r = rounds > 64 ? 64 : rounds;
        if (do_old) run(L, 0, x, w, y, dy, dx, dw, cols); /* warm-up */
        if (do_new) run(L, 1, x, w, y, dy, dx, dw, cols);
        for (int k = 0; k < r; k++) {
            old_t[k] = do_old ? run(L, 0, x, w, y, dy, dx, dw, cols) : 0;
            new_t[k] = do_new ? run(L, 1, x, w, y, dy, dx, dw, cols) : 0;
            ratio[k] = do_old && do_new ? old_t[k] / new_t[k] : 0;
        }
        qsort(old_t, r, sizeof(double), cmp);
        qsort(new_t, r, sizeof(double), cmp);
        qsort(ratio, r, sizeof(double), cmp);
        total_old += old_t[r / 2] * L->count;
        total_new += new_t[r / 2] * L->count;
        printf("%-22s old %8.2f ms  new %8.2f ms  (medians)  old/new per round: median %.2f, min %.2f, max %.2f\n",
               L->name, 1e3 * old_t[r / 2], 1e3 * new_t[r / 2], ratio[r / 2], ratio[0], ratio[r - 1]);
        free(x); free(dx); free(y); free(dy); free(w); free(dw); free(cols);
    }
    if (do_old && do_new)
        printf("all layers weighted by uses per step (resnet32 + zenke): old %.1f ms, new %.1f ms, ratio %.2f\n",
               1e3 * total_old, 1e3 * total_new, total_old / total_new);
    return 0;
}
