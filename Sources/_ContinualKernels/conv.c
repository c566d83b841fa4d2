/*
 * Implicit-GEMM 2-D convolution over NCHW images: the GEMM driver of gemm.c with packers that read
 * the im2col matrix straight from the image, so no im2col buffer is written and read back.
 *
 *   forward          y_n[O, P] = W[O, K] · cols(x_n)[K, P]         K = C·kh·kw, P = Ho·Wo
 *   weight gradient  dW[O, K] += Σ_n dy_n[O, P] · cols(x_n)ᵀ[P, K]  (one GEMM, K dimension = images × P)
 *   input gradient   (stride 1) dx_n = conv(dy_n, W'), W'[c, o, ky, kx] = W[o, c, kh−1−ky, kw−1−kx],
 *                    padding kh−1−pad: a forward convolution, so no col2im either.
 *
 * The packed layouts, block sizes and micro-kernels are gemm.c's (ck_impl_at_level), so each
 * instruction set adds the products of one output in the same order as ck_sgemm on the explicit
 * im2col matrix: the forward pass gives bit-identical results to im2col + ck_sgemm.  The weights
 * are packed once per call and reused for every image of the call.
 *
 * Stride 1 (every convolution but ResNet's two downsampling ones) packs the im2col operand not at
 * all: in a zero-bordered copy of the image, row k = (c, ky, kx) of cols(x) at a run of output
 * positions inside one output row is a run of contiguous floats, so the implementations' indirect
 * kernels (ikernel for the forward pass and the input gradient, akernel for the weight gradient)
 * read it in place.  Strided convolutions, and implementations without those kernels, take the
 * packed path.
 *
 * The packers are plain C (the copies they do are memory-bound; clang vectorises them for the
 * baseline ISA), so every instruction set shares them.
 */

#include "ContinualKernels.h"
#include "ck_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(_MSC_VER) && !defined(__clang__)
#define CK_ALIGN64 __declspec(align(64))
#define CK_INLINE __forceinline
#else
#define CK_ALIGN64 __attribute__((aligned(64)))
#define CK_INLINE inline __attribute__((always_inline))
#endif

typedef struct {
    ptrdiff_t C, H, W, kh, kw, stride, pad, Ho, Wo;
} ck_geom;

static inline ptrdiff_t ck_cmin(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }
static inline ptrdiff_t ck_cmax(ptrdiff_t a, ptrdiff_t b) { return a > b ? a : b; }

static ck_geom ck_make_geom(ptrdiff_t C, ptrdiff_t H, ptrdiff_t W, ptrdiff_t kh, ptrdiff_t kw,
                            ptrdiff_t stride, ptrdiff_t pad)
{
    ck_geom g = {C, H, W, kh, kw, stride, pad, 0, 0};
    g.Ho = (H + 2 * pad - kh) / stride + 1;
    g.Wo = (W + 2 * pad - kw) / stride + 1;
    return g;
}

/* Row (ky, kx) of one channel's im2col matrix at count output positions from (oy, ox), written to
 * d[t · ds].  Runs within one output row are copied with their zero borders handled at the ends. */
static CK_INLINE void ck_im2col_run_at(const ck_geom *g, const float *plane, ptrdiff_t ky, ptrdiff_t kx,
                                       ptrdiff_t oy, ptrdiff_t ox, ptrdiff_t count, float *d,
                                       const ptrdiff_t ds)
{
    ptrdiff_t t = 0;
    while (t < count) {
        const ptrdiff_t seg = ck_cmin(count - t, g->Wo - ox);
        const ptrdiff_t y = oy * g->stride + ky - g->pad;
        float *o = d + t * ds;
        if (y < 0 || y >= g->H) {
            for (ptrdiff_t u = 0; u < seg; u++)
                o[u * ds] = 0.0f;
        } else {
            const float *row = plane + y * g->W;
            const ptrdiff_t x0 = ox * g->stride + kx - g->pad;
            if (g->stride == 1) {
                /* Columns x0 + u; inside the image for u in [first, last). */
                const ptrdiff_t first = ck_cmin(seg, ck_cmax(0, -x0));
                const ptrdiff_t last = ck_cmax(first, ck_cmin(seg, g->W - x0));
                for (ptrdiff_t u = 0; u < first; u++)
                    o[u * ds] = 0.0f;
                const float *s = row + x0;
                for (ptrdiff_t u = first; u < last; u++)
                    o[u * ds] = s[u];
                for (ptrdiff_t u = last; u < seg; u++)
                    o[u * ds] = 0.0f;
            } else {
                for (ptrdiff_t u = 0; u < seg; u++) {
                    const ptrdiff_t xx = x0 + u * g->stride;
                    o[u * ds] = (xx >= 0 && xx < g->W) ? row[xx] : 0.0f;
                }
            }
        }
        t += seg;
        ox = 0;
        oy++;
    }
}

/* Row (c, ky, kx) of the image's im2col matrix at output positions pos ..< pos + count, to d[t · ds]. */
static CK_INLINE void ck_im2col_run(const ck_geom *g, const float *x, ptrdiff_t c, ptrdiff_t ky,
                                    ptrdiff_t kx, ptrdiff_t pos, ptrdiff_t count, float *d,
                                    const ptrdiff_t ds)
{
    const ptrdiff_t oy = pos / g->Wo;
    ck_im2col_run_at(g, x + c * g->H * g->W, ky, kx, oy, pos - oy * g->Wo, count, d, ds);
}

/* Copies n floats (n = 8, 16 or 32, the panel widths: constant lengths become plain vector moves). */
static CK_INLINE void ck_copy_panel_row(float *restrict d, const float *restrict s, ptrdiff_t n)
{
    if (n == 16)
        memcpy(d, s, 16 * sizeof(float));
    else if (n == 32)
        memcpy(d, s, 32 * sizeof(float));
    else if (n == 8)
        memcpy(d, s, 8 * sizeof(float));
    else
        memcpy(d, s, (size_t)n * sizeof(float));
}

static CK_INLINE void ck_copy(float *restrict d, const float *restrict s, ptrdiff_t n)
{
    for (ptrdiff_t t = 0; t < n; t++)
        d[t] = s[t];
}

/* The padded layout [C, H + 2·pad, W + 2·pad] in which, for stride 1, every im2col run is a plain
 * copy: element (oy, ox) of row (c, ky, kx) is at xp[c][oy + ky][ox + kx].  Its borders are the same
 * zeros for every image, so a buffer is cleared once per call (ck_clear_padded) and each image then
 * only writes its interior (ck_pad_image). */
static ptrdiff_t ck_padded_size(const ck_geom *g) { return g->C * (g->H + 2 * g->pad) * (g->W + 2 * g->pad); }

/* `count` padded images' worth of zeros, and `extra` floats after them. */
static void ck_clear_padded(const ck_geom *g, float *xp, ptrdiff_t count, ptrdiff_t extra)
{
    memset(xp, 0, sizeof(float) * (size_t)(count * ck_padded_size(g) + extra));
}

/* One image [C, H, W] copied into the interior of a padded buffer whose borders are zero. */
static void ck_pad_image(const ck_geom *g, const float *x, float *xp)
{
    const ptrdiff_t pad = g->pad, Wp = g->W + 2 * pad, Hp = g->H + 2 * pad;
    for (ptrdiff_t c = 0; c < g->C; c++) {
        float *dst = xp + c * Hp * Wp + pad * Wp + pad;
        const float *src = x + c * g->H * g->W;
        for (ptrdiff_t y = 0; y < g->H; y++)
            ck_copy(dst + y * Wp, src + y * g->W, g->W);
    }
}

/* Copies n floats from every stride-th of s. */
static CK_INLINE void ck_copy_strided(float *restrict d, const float *restrict s, ptrdiff_t n, ptrdiff_t stride)
{
    for (ptrdiff_t t = 0; t < n; t++)
        d[t] = s[t * stride];
}

/* Row (c, ky, kx) of the im2col matrix at count output positions from (oy, ox), from the padded
 * image, contiguous at d. */
static CK_INLINE void ck_padded_run(const ck_geom *g, const float *xp, ptrdiff_t c, ptrdiff_t ky, ptrdiff_t kx,
                                    ptrdiff_t oy, ptrdiff_t ox, ptrdiff_t count, float *d)
{
    const ptrdiff_t Wp = g->W + 2 * g->pad, Hp = g->H + 2 * g->pad, s = g->stride;
    const float *plane = xp + c * Hp * Wp + ky * Wp + kx;
    ptrdiff_t t = 0;
    while (t < count) {
        const ptrdiff_t seg = ck_cmin(count - t, g->Wo - ox);
        if (s == 1)
            ck_copy(d + t, plane + oy * Wp + ox, seg);
        else
            ck_copy_strided(d + t, plane + oy * s * Wp + ox * s, seg, s);
        t += seg;
        ox = 0;
        oy++;
    }
}

/* Forward B: rows p0 ..< p0 + kc of cols(x), columns (output positions) j0 ..< j0 + nc, into panels
 * of nr columns (element (p, j) of a panel at [p·nr + j]), the last one zero padded.  Row by row.
 * xp is the padded image (ck_pad_image); for stride 1 a panel inside one output row is one copy of
 * nr contiguous floats. */
static void ck_pack_cols(const ck_geom *g, const float *xp, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0,
                         ptrdiff_t nc, ptrdiff_t nr, float *dst)
{
    const ptrdiff_t taps = g->kh * g->kw, Wo = g->Wo;
    const ptrdiff_t Wp = g->W + 2 * g->pad, Hp = g->H + 2 * g->pad;
    const ptrdiff_t oy0 = j0 / Wo, ox0 = j0 - oy0 * Wo;
    const int unit = g->stride == 1;
    for (ptrdiff_t p = 0; p < kc; p++) {
        const ptrdiff_t k = p0 + p, c = k / taps, r = k - c * taps, ky = r / g->kw, kx = r - ky * g->kw;
        const float *plane = xp + c * Hp * Wp + ky * Wp + kx;
        ptrdiff_t oy = oy0, ox = ox0;
        for (ptrdiff_t jr = 0; jr < nc; jr += nr) {
            const ptrdiff_t nb = ck_cmin(nr, nc - jr);
            float *d = dst + jr * kc + p * nr;
            if (unit && nb == nr && ox + nr <= Wo) {
                ck_copy_panel_row(d, plane + oy * Wp + ox, nr);
            } else {
                ck_padded_run(g, xp, c, ky, kx, oy, ox, nb, d);
                for (ptrdiff_t j = nb; j < nr; j++)
                    d[j] = 0.0f;
            }
            ox += nr;
            while (ox >= Wo) {
                ox -= Wo;
                oy++;
            }
        }
    }
}

/* All of the weights w [M, K], packed once: block (pc, ic) at ap + pc·mpad + ic·kc. */
static void ck_pack_weights(const ck_impl *im, const float *w, ptrdiff_t M, ptrdiff_t K, ptrdiff_t kc_max,
                            ptrdiff_t mpad, float *ap)
{
    const ptrdiff_t MC = ck_block_mc();
    for (ptrdiff_t pc = 0; pc < K; pc += kc_max) {
        const ptrdiff_t kc = ck_cmin(kc_max, K - pc);
        for (ptrdiff_t ic = 0; ic < M; ic += MC)
            im->pack_a(0, w + ic * K + pc, K, ck_cmin(MC, M - ic), kc, ap + pc * mpad + ic * kc);
    }
}

/* off[k] for every im2col row k = (c, ky, kx): where the row starts in a padded image (ck_pad_image),
 * (c·Hp + ky)·Wp + kx. */
static void ck_patch_offsets(const ck_geom *g, ptrdiff_t *off)
{
    const ptrdiff_t Wp = g->W + 2 * g->pad, Hp = g->H + 2 * g->pad, taps = g->kh * g->kw;
    for (ptrdiff_t k = 0; k < g->C * taps; k++) {
        const ptrdiff_t c = k / taps, r = k - c * taps, ky = r / g->kw;
        off[k] = (c * Hp + ky) * Wp + (r - ky * g->kw);
    }
}

/* The image the weight-gradient packer last padded, so each is padded once per call. */
typedef struct {
    float *buffer;
    ptrdiff_t image;
} ck_pad_cache;

/* Weight-gradient B = cols(x_n)ᵀ over the K dimension k = n·P + position: rows p0 ..< p0 + kc,
 * columns (patch rows) j0 ..< j0 + nc, into the implementation's B panels.  Per image and panel,
 * the nr patch rows are unfolded into `rows` (contiguous runs) and packed by the implementation's
 * transposing packer (8×8 register transposes on x86). */
static void ck_pack_cols_t(const ck_impl *im, const ck_geom *g, const float *x, ptrdiff_t image_size,
                           ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t nc, float *rows,
                           ck_pad_cache *cache, float *dst)
{
    const ptrdiff_t taps = g->kh * g->kw, P = g->Ho * g->Wo, nr = im->nr;
    ptrdiff_t p = 0;
    while (p < kc) {
        const ptrdiff_t n = (p0 + p) / P, pos = (p0 + p) - n * P;
        const ptrdiff_t count = ck_cmin(kc - p, P - pos);
        const ptrdiff_t oy = pos / g->Wo, ox = pos - oy * g->Wo;
        if (cache->image != n) {
            ck_pad_image(g, x + n * image_size, cache->buffer);
            cache->image = n;
        }
        for (ptrdiff_t jr = 0; jr < nc; jr += nr) {
            const ptrdiff_t nb = ck_cmin(nr, nc - jr);
            for (ptrdiff_t j = 0; j < nb; j++) {
                const ptrdiff_t k = j0 + jr + j, c = k / taps, r = k - c * taps, ky = r / g->kw,
                                kx = r - ky * g->kw;
                ck_padded_run(g, cache->buffer, c, ky, kx, oy, ox, count, rows + j * count);
            }
            im->pack_b(1, rows, count, count, nb, dst + jr * kc + p * nr);
        }
        p += count;
    }
}

/* Weight-gradient A = dy over k = n·P + position: rows (output channels) i0 ..< i0 + mc, columns
 * p0 ..< p0 + kc, into the implementation's A panels (one packer call per panel and image). */
static void ck_pack_dy(const ck_impl *im, const float *dy, ptrdiff_t O, ptrdiff_t P, ptrdiff_t i0,
                       ptrdiff_t mc, ptrdiff_t p0, ptrdiff_t kc, float *dst)
{
    const ptrdiff_t mr = im->mr;
    for (ptrdiff_t ir = 0; ir < mc; ir += mr) {
        const ptrdiff_t mb = ck_cmin(mr, mc - ir);
        ptrdiff_t p = 0;
        while (p < kc) {
            const ptrdiff_t n = (p0 + p) / P, pos = (p0 + p) - n * P;
            const ptrdiff_t count = ck_cmin(kc - p, P - pos);
            im->pack_a(0, dy + (n * O + i0 + ir) * P + pos, P, mb, count, dst + ir * kc + p * mr);
            p += count;
        }
    }
}

/* One micro-tile (or edge tile) of C = alpha·Ap·Bp + beta·C. */
static CK_INLINE void ck_tile(const ck_impl *im, ptrdiff_t kc, const float *apanel, const float *bpanel,
                              ptrdiff_t mb, ptrdiff_t nb, float *c, ptrdiff_t ldc, float beta, float *tile)
{
    const ck_kernel_fn k = (nb == im->nr) ? im->kernel[mb] : NULL;
    if (k) {
        k(kc, apanel, bpanel, c, ldc, 1.0f, beta);
    } else {
        im->kernel[im->mr](kc, apanel, bpanel, tile, im->nr, 1.0f, 0.0f);
        ck_store_edge(tile, im->nr, mb, nb, 1.0f, beta, c, ldc);
    }
}

/* Forward convolution of `images` images with weights w [O, K] (K = C·kh·kw), geometry g:
 * y_n = w · cols(x_n), each y_n [O, Ho·Wo]. */
static int ck_conv_forward(const ck_impl *im, const ck_geom *g, ptrdiff_t images, const float *x,
                           const float *w, ptrdiff_t O, float *y)
{
    const ptrdiff_t mr = im->mr, nr = im->nr;
    const ptrdiff_t K = g->C * g->kh * g->kw, P = g->Ho * g->Wo, M = O;
    const ptrdiff_t KC = ck_block_kc(), MC = ck_block_mc(), NC = ck_block_nc();
    const ptrdiff_t kblocks = (K + KC - 1) / KC, kc_max = (K + kblocks - 1) / kblocks;
    const ptrdiff_t nc_max = (ck_cmin(P, NC) + nr - 1) / nr * nr;
    const ptrdiff_t mpad = (M + mr - 1) / mr * mr;
    float *ap = ck_thread_buffer(2, (size_t)(mpad * K));
    float *bp = ck_thread_buffer(1, (size_t)(kc_max * nc_max));
    float *xp = ck_thread_buffer(0, (size_t)ck_padded_size(g));
    if (!ap || !bp || !xp)
        return 0;
    ck_clear_padded(g, xp, 1, 0);
    ck_pack_weights(im, w, M, K, kc_max, mpad, ap);
    CK_ALIGN64 float tile[CK_MAX_MR * CK_MAX_NR];
    const ptrdiff_t image_size = g->C * g->H * g->W;
    for (ptrdiff_t n = 0; n < images; n++) {
        const float *xn = x + n * image_size;
        ck_pad_image(g, xn, xp);
        xn = xp;
        float *yn = y + n * O * P;
        for (ptrdiff_t jc = 0; jc < P; jc += NC) {
            const ptrdiff_t nc = ck_cmin(NC, P - jc);
            for (ptrdiff_t pc = 0; pc < K; pc += kc_max) {
                const ptrdiff_t kc = ck_cmin(kc_max, K - pc);
                const float beta = pc == 0 ? 0.0f : 1.0f;
                ck_pack_cols(g, xn, pc, kc, jc, nc, nr, bp);
                for (ptrdiff_t ic = 0; ic < M; ic += MC) {
                    const ptrdiff_t mc = ck_cmin(MC, M - ic);
                    const float *ablock = ap + pc * mpad + ic * kc;
                    for (ptrdiff_t jr = 0; jr < nc; jr += nr) {
                        const ptrdiff_t nb = ck_cmin(nr, nc - jr);
                        for (ptrdiff_t ir = 0; ir < mc; ir += mr) {
                            ck_tile(im, kc, ablock + ir * kc, bp + jr * kc, ck_cmin(mr, mc - ir), nb,
                                    yn + (ic + ir) * P + jc + jr, P, beta, tile);
                        }
                    }
                }
            }
        }
    }
    return 1;
}

/* A run of output positions inside one output row: where it starts in a padded image and in the
 * output plane, and how many positions it holds. */
typedef struct {
    ptrdiff_t source, output, length;
} ck_run;

/* Run t of an output plane cut into runs of h positions (a row is ceil(Wo/h) runs, the last one
 * possibly short). */
static ck_run ck_run_at(const ck_geom *g, ptrdiff_t h, ptrdiff_t t)
{
    const ptrdiff_t row_runs = (g->Wo + h - 1) / h, oy = t / row_runs, ox = (t - oy * row_runs) * h;
    const ck_run r = {oy * (g->W + 2 * g->pad) + ox, oy * g->Wo + ox, ck_cmin(h, g->Wo - ox)};
    return r;
}

/* Stride-1 forward without packing B.  Output positions are taken in runs of CK_RUN = 8 that stay
 * inside one output row (a row of Wo positions is ceil(Wo/8) runs, the last one short), nr / 8 runs
 * per micro-panel.  Row k = (c, ky, kx) of the im2col matrix at a run starting at output (oy, ox) is
 * the 8 contiguous floats at xp + off[k] + s, with off[k] = (c·Hp + ky)·Wp + kx and s = oy·Wp + ox,
 * so the indirect micro-kernel reads the panel straight from the padded image.  Lanes past the end
 * of a short run read the next padded row and are never stored.  The sums of every stored output
 * are the packed kernel's, in the same order: the result is bit-identical to ck_conv_forward. */
static int ck_conv_forward_indirect(const ck_impl *im, const ck_geom *g, ptrdiff_t images, const float *x,
                                    const float *w, ptrdiff_t O, float *y)
{
    const ptrdiff_t mr = im->mr, nr = im->nr, group = nr / CK_RUN;
    const ptrdiff_t K = g->C * g->kh * g->kw, P = g->Ho * g->Wo, M = O;
    const ptrdiff_t Wp = g->W + 2 * g->pad, Hp = g->H + 2 * g->pad, plane = g->C * Hp * Wp;
    const ptrdiff_t KC = ck_block_kc(), MC = ck_block_mc();
    const ptrdiff_t kblocks = (K + KC - 1) / KC, kc_max = (K + kblocks - 1) / kblocks;
    const ptrdiff_t mpad = (M + mr - 1) / mr * mr;
    const ptrdiff_t row_runs = (g->Wo + CK_RUN - 1) / CK_RUN, runs = g->Ho * row_runs;
    float *ap = ck_thread_buffer(2, (size_t)(mpad * K));
    /* The last run of the last row reads up to CK_RUN − 1 floats past the plane. */
    float *xp = ck_thread_buffer(0, (size_t)(plane + CK_RUN));
    ptrdiff_t *off = (ptrdiff_t *)malloc(sizeof(ptrdiff_t) * (size_t)K);
    ck_run *run = (ck_run *)malloc(sizeof(ck_run) * (size_t)(runs + group));
    if (!ap || !xp || !off || !run) {
        free(off);
        free(run);
        return 0;
    }
    ck_patch_offsets(g, off);
    for (ptrdiff_t t = 0; t < runs; t++)
        run[t] = ck_run_at(g, CK_RUN, t);
    /* Runs past the last fill the last panel: empty, never stored. */
    const ck_run empty = {0, 0, 0};
    for (ptrdiff_t t = runs; t < runs + group; t++)
        run[t] = empty;
    ck_clear_padded(g, xp, 1, CK_RUN);
    ck_pack_weights(im, w, M, K, kc_max, mpad, ap);
    CK_ALIGN64 float tile[CK_MAX_MR * CK_MAX_NR];
    const float *xs[CK_MAX_NR / CK_RUN];
    const ptrdiff_t image_size = g->C * g->H * g->W;
    for (ptrdiff_t n = 0; n < images; n++) {
        ck_pad_image(g, x + n * image_size, xp);
        float *yn = y + n * O * P;
        for (ptrdiff_t pc = 0; pc < K; pc += kc_max) {
            const ptrdiff_t kc = ck_cmin(kc_max, K - pc);
            const float beta = pc == 0 ? 0.0f : 1.0f;
            for (ptrdiff_t ic = 0; ic < M; ic += MC) {
                const ptrdiff_t mc = ck_cmin(MC, M - ic);
                const float *ablock = ap + pc * mpad + ic * kc;
                for (ptrdiff_t t = 0; t < runs; t += group) {
                    const ck_run *r = run + t, *last = r + group - 1;
                    /* Every run but the last full, and each right after the one before in y (the
                     * last one possibly short or empty): the kernel stores straight into y,
                     * nr − 8 + last->length columns. */
                    int direct = 1;
                    for (ptrdiff_t i = 0; i < group; i++) {
                        xs[i] = xp + r[i].source;
                        if (i > 0 && r[i].length > 0 && r[i].output != r[i - 1].output + CK_RUN)
                            direct = 0;
                        if (i < group - 1 && r[i].length != CK_RUN)
                            direct = 0;
                    }
                    for (ptrdiff_t ir = 0; ir < mc; ir += mr) {
                        const ptrdiff_t mb = ck_cmin(mr, mc - ir);
                        float *c = yn + (ic + ir) * P;
                        const ck_ikernel_fn k = im->ikernel[mb];
                        if (direct && k) {
                            k(kc, ablock + ir * kc, xs, off + pc, c + r->output, P, beta, last->length);
                            continue;
                        }
                        im->ikernel[mr](kc, ablock + ir * kc, xs, off + pc, tile, nr, 0.0f, CK_RUN);
                        for (ptrdiff_t i = 0; i < group; i++)
                            if (r[i].length > 0)
                                ck_store_edge(tile + i * CK_RUN, nr, mb, r[i].length, 1.0f, beta,
                                              c + r[i].output, P);
                    }
                }
            }
        }
    }
    free(off);
    free(run);
    return 1;
}

/* Reference (unblocked) forward, used only when scratch memory cannot be allocated. */
static void ck_conv_forward_naive(const ck_geom *g, ptrdiff_t images, const float *x, const float *w,
                                  ptrdiff_t O, float *y)
{
    const ptrdiff_t K = g->C * g->kh * g->kw, P = g->Ho * g->Wo, image_size = g->C * g->H * g->W;
    const ptrdiff_t taps = g->kh * g->kw;
    for (ptrdiff_t n = 0; n < images; n++)
        for (ptrdiff_t o = 0; o < O; o++)
            for (ptrdiff_t j = 0; j < P; j++) {
                float s = 0.0f;
                for (ptrdiff_t k = 0; k < K; k++) {
                    float v;
                    const ptrdiff_t c = k / taps, r = k - c * taps, ky = r / g->kw, kx = r - ky * g->kw;
                    ck_im2col_run(g, x + n * image_size, c, ky, kx, j, 1, &v, 1);
                    s += w[o * K + k] * v;
                }
                y[(n * O + o) * P + j] = s;
            }
}

void ck_conv2d_forward_at(int level, ptrdiff_t images, ptrdiff_t C, ptrdiff_t H, ptrdiff_t W, const float *x,
                          ptrdiff_t O, ptrdiff_t kh, ptrdiff_t kw, const float *w, ptrdiff_t stride,
                          ptrdiff_t pad, float *y)
{
    const ck_geom g = ck_make_geom(C, H, W, kh, kw, stride, pad);
    if (images <= 0 || O <= 0 || g.Ho <= 0 || g.Wo <= 0)
        return;
    if (C * kh * kw == 0) {
        memset(y, 0, sizeof(float) * (size_t)(images * O * g.Ho * g.Wo));
        return;
    }
    const ck_impl *im = ck_impl_at_level(level);
    if (stride == 1 && im->ikernel[im->mr] && ck_conv_forward_indirect(im, &g, images, x, w, O, y))
        return;
    if (!ck_conv_forward(im, &g, images, x, w, O, y))
        ck_conv_forward_naive(&g, images, x, w, O, y);
}

void ck_conv2d_input_gradient_at(int level, ptrdiff_t images, ptrdiff_t C, ptrdiff_t H, ptrdiff_t W,
                                 const float *dy, ptrdiff_t O, ptrdiff_t kh, ptrdiff_t kw, const float *w,
                                 ptrdiff_t pad, float *dx)
{
    if (images <= 0 || C <= 0)
        return;
    const ptrdiff_t Ho = H + 2 * pad - kh + 1, Wo = W + 2 * pad - kw + 1;
    /* W'[c, o, ky, kx] = W[o, c, kh−1−ky, kw−1−kx]. */
    const ptrdiff_t taps = kh * kw;
    float *flipped = (float *)malloc(sizeof(float) * (size_t)(C * O * taps + 1));
    if (!flipped) {
        /* Scatter form, unblocked: only when out of memory. */
        memset(dx, 0, sizeof(float) * (size_t)(images * C * H * W));
        for (ptrdiff_t n = 0; n < images; n++)
            for (ptrdiff_t o = 0; o < O; o++)
                for (ptrdiff_t c = 0; c < C; c++)
                    for (ptrdiff_t ky = 0; ky < kh; ky++)
                        for (ptrdiff_t kx = 0; kx < kw; kx++)
                            for (ptrdiff_t oy = 0; oy < Ho; oy++)
                                for (ptrdiff_t ox = 0; ox < Wo; ox++) {
                                    const ptrdiff_t yy = oy + ky - pad, xx = ox + kx - pad;
                                    if (yy < 0 || yy >= H || xx < 0 || xx >= W)
                                        continue;
                                    dx[((n * C + c) * H + yy) * W + xx] +=
                                        w[((o * C + c) * kh + ky) * kw + kx] * dy[((n * O + o) * Ho + oy) * Wo + ox];
                                }
        return;
    }
    for (ptrdiff_t o = 0; o < O; o++)
        for (ptrdiff_t c = 0; c < C; c++)
            for (ptrdiff_t t = 0; t < taps; t++)
                flipped[(c * O + o) * taps + t] = w[(o * C + c) * taps + (taps - 1 - t)];
    ck_conv2d_forward_at(level, images, O, Ho, Wo, dy, C, kh, kw, flipped, 1, kh - 1 - pad, dx);
    free(flipped);
}

/* Stride-1 weight gradient with neither operand unfolded: dWᵀ[K, O] = Σ_n cols(x_n) · dy_nᵀ, the
 * GEMM's depth being every image's output positions in runs of 8 inside one output row (a row of
 * Wo positions is ceil(Wo/8) runs, the last one padded with zero lanes of dy).  Row k = (c, ky, kx)
 * of cols(x_n) at a run is 8 contiguous floats of the padded image, so the indirect-A kernel reads
 * A straight from it (see ck_conv_forward_indirect); B = dyᵀ is packed with 8×8 transposes and is
 * the smaller operand (O against K = C·kh·kw rows).  dWᵀ goes to a scratch buffer and is
 * transposed into dw at the end.  The products and their order over the depth are the packed
 * path's when Wo is a multiple of 8, so the sums are too wherever the depth blocks agree.  When it
 * is not, the zero lanes of dy meet pixels of the next padded row: an infinite or NaN pixel there
 * makes 0·inf = NaN, where the packed path would not read that pixel for that patch row. */
static int ck_conv_weight_gradient_indirect(const ck_impl *im, const ck_geom *g, ptrdiff_t images,
                                            const float *x, ptrdiff_t O, const float *dy, float beta, float *dw)
{
    /* At most nr / 2 output channels: panels of nr / 2 columns where the implementation has kernels
     * for them, so that half of every B panel is not zeros. */
    const int half = O <= im->nr / 2 && im->akernel_half[im->mr];
    const ck_akernel_fn *akernel = half ? im->akernel_half : im->akernel;
    const ptrdiff_t mr = im->mr, nr = half ? im->nr / 2 : im->nr, K = g->C * g->kh * g->kw, P = g->Ho * g->Wo;
    const ptrdiff_t Wp = g->W + 2 * g->pad, Hp = g->H + 2 * g->pad, plane = g->C * Hp * Wp;
    const ptrdiff_t row_runs = (g->Wo + CK_RUN - 1) / CK_RUN, R = g->Ho * row_runs, D = images * R * CK_RUN;
    const ptrdiff_t KC = ck_block_kc();
    const ptrdiff_t kblocks = (D + KC - 1) / KC, kc_max = ((D + kblocks - 1) / kblocks + 7) / 8 * 8;
    const ptrdiff_t opad = (O + nr - 1) / nr * nr;
    /* Padded images in a ring of `span` slots (image n in slot n % span, tag[slot] = n): one depth
     * block is at most B = kc_max / 8 consecutive runs of R per image, so it touches at most
     * (B − 1) / R + 2 consecutive images, each in a slot of its own. */
    const ptrdiff_t span = ck_cmin(images, (kc_max / 8 - 1) / R + 2);
    float *bp = ck_thread_buffer(1, (size_t)(kc_max * opad));
    float *dwt = ck_thread_buffer(2, (size_t)(K * O));
    float *xp = ck_thread_buffer(3, (size_t)(span * plane + CK_RUN));
    /* off: the patch rows' offsets; then per run of the current block its offset in the ring (the
     * indirect-A kernel's s), its offset in dy and its length; then the ring's tags. */
    const ptrdiff_t block_runs = kc_max / 8;
    ptrdiff_t *off = (ptrdiff_t *)malloc(sizeof(ptrdiff_t) * (size_t)(K + 3 * block_runs + span));
    const float **src = (const float **)malloc(sizeof(float *) * (size_t)(nr + mr));
    if (!bp || !dwt || !xp || !off || !src) {
        free(off);
        free(src);
        return 0;
    }
    ptrdiff_t *run = off + K, *run_dy = run + block_runs, *run_length = run_dy + block_runs;
    ptrdiff_t *tag = run_length + block_runs;
    const float **rows = src + nr;
    ck_patch_offsets(g, off);
    for (ptrdiff_t t = 0; t < span; t++)
        tag[t] = -1;
    ck_clear_padded(g, xp, span, CK_RUN);
    /* beta·dw goes in first, so every block after adds to it as the packed path's first block does. */
    float beta_eff = beta;
    if (beta != 0.0f) {
        for (ptrdiff_t o = 0; o < O; o++)
            for (ptrdiff_t k = 0; k < K; k++)
                dwt[k * O + o] = beta * dw[o * K + k];
        beta_eff = 1.0f;
    }
    const ptrdiff_t image_size = g->C * g->H * g->W;
    CK_ALIGN64 float tile[CK_MAX_MR * CK_MAX_NR];
    for (ptrdiff_t pc = 0; pc < D; pc += kc_max) {
        const ptrdiff_t kc = ck_cmin(kc_max, D - pc), run0 = pc / 8, runs = kc / 8;
        /* The block's runs: pad the images they read, note each run's offset in the ring. */
        for (ptrdiff_t u = 0; u < runs; u++) {
            const ptrdiff_t n = (run0 + u) / R;
            const ck_run r = ck_run_at(g, CK_RUN, run0 + u - n * R);
            if (tag[n % span] != n) {
                ck_pad_image(g, x + n * image_size, xp + n % span * plane);
                tag[n % span] = n;
            }
            run[u] = n % span * plane + r.source;
            run_dy[u] = n * O * P + r.output;
            run_length[u] = r.length;
        }
        /* B = dyᵀ: per panel of nr output channels and per run, 8 depth rows. */
        for (ptrdiff_t jr = 0; jr < O; jr += nr) {
            const ptrdiff_t nb = ck_cmin(nr, O - jr);
            for (ptrdiff_t u = 0; u < runs; u++) {
                const float *base = dy + run_dy[u] + jr * P;
                for (ptrdiff_t j = 0; j < nb; j++)
                    src[j] = base + j * P;
                im->pack_bt8(src, nb, run_length[u], nr, bp + jr * kc + u * 8 * nr);
            }
        }
        for (ptrdiff_t ir = 0; ir < K; ir += mr) {
            const ptrdiff_t mb = ck_cmin(mr, K - ir);
            for (ptrdiff_t i = 0; i < mr; i++)
                rows[i] = xp + off[ir + (i < mb ? i : 0)];
            for (ptrdiff_t jr = 0; jr < O; jr += nr) {
                const ptrdiff_t nb = ck_cmin(nr, O - jr);
                float *c = dwt + ir * O + jr;
                const ck_akernel_fn k = nb == nr ? akernel[mb] : NULL;
                if (k) {
                    k(kc, rows, run, bp + jr * kc, c, O, beta_eff);
                } else {
                    akernel[mr](kc, rows, run, bp + jr * kc, tile, nr, 0.0f);
                    ck_store_edge(tile, nr, mb, nb, 1.0f, beta_eff, c, O);
                }
            }
        }
        beta_eff = 1.0f;
    }
    for (ptrdiff_t o = 0; o < O; o++)
        for (ptrdiff_t k = 0; k < K; k++)
            dw[o * K + k] = dwt[k * O + o];
    free(off);
    free(src);
    return 1;
}

void ck_conv2d_weight_gradient_at(int level, ptrdiff_t images, ptrdiff_t C, ptrdiff_t H, ptrdiff_t W,
                                  const float *x, ptrdiff_t O, ptrdiff_t kh, ptrdiff_t kw, const float *dy,
                                  ptrdiff_t stride, ptrdiff_t pad, float beta, float *dw)
{
    const ck_geom g = ck_make_geom(C, H, W, kh, kw, stride, pad);
    const ptrdiff_t M = O, N = C * kh * kw, P = g.Ho * g.Wo, K = images * P;
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        for (ptrdiff_t i = 0; i < M * N; i++)
            dw[i] = beta == 0.0f ? 0.0f : beta * dw[i];
        return;
    }
    const ck_impl *im = ck_impl_at_level(level);
    if (stride == 1 && im->akernel[im->mr] && im->pack_bt8 &&
        ck_conv_weight_gradient_indirect(im, &g, images, x, O, dy, beta, dw))
        return;
    const ptrdiff_t mr = im->mr, nr = im->nr;
    const ptrdiff_t KC = ck_block_kc(), MC = ck_block_mc(), NC = ck_block_nc();
    const ptrdiff_t kblocks = (K + KC - 1) / KC, kc_max = (K + kblocks - 1) / kblocks;
    const ptrdiff_t nc_max = (ck_cmin(N, NC) + nr - 1) / nr * nr;
    const ptrdiff_t mc_max = (ck_cmin(M, MC) + mr - 1) / mr * mr;
    float *ap = ck_thread_buffer(0, (size_t)(kc_max * mc_max));
    float *bp = ck_thread_buffer(1, (size_t)(kc_max * nc_max));
    float *rows = ck_thread_buffer(2, (size_t)(kc_max * nr));
    ck_pad_cache cache = {ck_thread_buffer(3, (size_t)ck_padded_size(&g)), -1};
    if (cache.buffer)
        ck_clear_padded(&g, cache.buffer, 1, 0);
    const ptrdiff_t image_size = C * H * W;
    if (!ap || !bp || !rows || !cache.buffer) {
        for (ptrdiff_t o = 0; o < M; o++)
            for (ptrdiff_t k = 0; k < N; k++) {
                const ptrdiff_t c = k / (kh * kw), r = k - c * kh * kw, ky = r / kw, kx = r - ky * kw;
                float s = 0.0f;
                for (ptrdiff_t n = 0; n < images; n++)
                    for (ptrdiff_t j = 0; j < P; j++) {
                        float v;
                        ck_im2col_run(&g, x + n * image_size, c, ky, kx, j, 1, &v, 1);
                        s += dy[(n * O + o) * P + j] * v;
                    }
                dw[o * N + k] = beta == 0.0f ? s : s + beta * dw[o * N + k];
            }
        return;
    }
    CK_ALIGN64 float tile[CK_MAX_MR * CK_MAX_NR];
    for (ptrdiff_t jc = 0; jc < N; jc += NC) {
        const ptrdiff_t nc = ck_cmin(NC, N - jc);
        for (ptrdiff_t pc = 0; pc < K; pc += kc_max) {
            const ptrdiff_t kc = ck_cmin(kc_max, K - pc);
            const float beta_eff = pc == 0 ? beta : 1.0f;
            ck_pack_cols_t(im, &g, x, image_size, pc, kc, jc, nc, rows, &cache, bp);
            for (ptrdiff_t ic = 0; ic < M; ic += MC) {
                const ptrdiff_t mc = ck_cmin(MC, M - ic);
                ck_pack_dy(im, dy, O, P, ic, mc, pc, kc, ap);
                for (ptrdiff_t jr = 0; jr < nc; jr += nr) {
                    const ptrdiff_t nb = ck_cmin(nr, nc - jr);
                    for (ptrdiff_t ir = 0; ir < mc; ir += mr) {
                        ck_tile(im, kc, ap + ir * kc, bp + jr * kc, ck_cmin(mr, mc - ir), nb,
                                dw + (ic + ir) * N + jc + jr, N, beta_eff, tile);
                    }
                }
            }
        }
    }
}
