/* gemm.c - the GEMM frame: BLIS loops JC/PC/IC/JR/IR, packing of A and B into
 * MR/NR-wide k-major micro-panels (the packing absorbs op(A), op(B), so NN, TN
 * and NT share one micro-kernel), edge tiles, fused epilogues, OpenMP
 * partitioning over (JR, IR) tiles. Not here: the micro-kernels (ukernel_*.c),
 * the choice of blocking (sys/). The K loop is never split across threads. */
#include "kernels/kernels.h"
#include "kernels/ref.h"
#include "kernels/vec_inl.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

struct mlpb_ctx {
    mlpb_kcfg cfg;
    const mlpb_ukr *ukr;   /* effective micro-kernel */
    float **apack;         /* per thread: (MC, KC) as MC/MR micro-panels */
    unsigned char **apacked; /* per thread: which micro-panels of the block are packed */
    float *bpack;          /* shared: (KC, NC) as NC/NR micro-panels */
};

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

static void *alloc64(size_t bytes) {
    return aligned_alloc(64, round_up(bytes ? bytes : 64, 64));
}

mlpb_ctx *mlpb_ctx_new(const mlpb_kcfg *cfg) {
    if (!cfg || cfg->threads < 1 || cfg->mc < 1 || cfg->kc < 1 || cfg->nc < 1) return NULL;
    mlpb_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->cfg = *cfg;
    int n;
    const mlpb_ukr *const *tab = mlpb_ukr_table(&n);
    c->ukr = (cfg->kernel == MLPB_KERNEL_SIMD && cfg->ukr) ? cfg->ukr : tab[n - 1];
    c->cfg.ukr = c->ukr;
    c->cfg.mc = (int)round_up((size_t)cfg->mc, (size_t)c->ukr->mr);
    c->cfg.nc = (int)round_up((size_t)cfg->nc, (size_t)c->ukr->nr);
    int T = cfg->threads;
    c->apack = calloc((size_t)T, sizeof *c->apack);
    c->apacked = calloc((size_t)T, sizeof *c->apacked);
    c->bpack = alloc64((size_t)c->cfg.kc * (size_t)c->cfg.nc * sizeof(float));
    int ok = c->apack && c->apacked && c->bpack;
    for (int t = 0; ok && t < T; t++) {
        c->apack[t] = alloc64((size_t)c->cfg.mc * (size_t)c->cfg.kc * sizeof(float));
        c->apacked[t] = malloc((size_t)(c->cfg.mc / c->ukr->mr));
        ok = c->apack[t] && c->apacked[t];
    }
    if (!ok) { mlpb_ctx_free(c); return NULL; }
    return c;
}

void mlpb_ctx_free(mlpb_ctx *c) {
    if (!c) return;
    for (int t = 0; t < c->cfg.threads; t++) {
        if (c->apack) free(c->apack[t]);
        if (c->apacked) free(c->apacked[t]);
    }
    free(c->apack);
    free(c->apacked);
    free(c->bpack);
    free(c);
}

const mlpb_kcfg *mlpb_ctx_cfg(const mlpb_ctx *c) { return &c->cfg; }

/* Ap(kc, MR) <- op(A)(i0 : i0+mr, p0 : p0+kc), rows past mr zero-filled. */
static void pack_a(float *restrict ap, int MR, mlpb_op ta, const float *A, ptrdiff_t lda,
                   int i0, int mr, int p0, int kc) {
    for (int i = 0; i < mr; i++) {
        if (ta == MLPB_N) {
            const float *a = A + (size_t)(i0 + i) * lda + p0;
            for (int p = 0; p < kc; p++) ap[(size_t)p * MR + i] = a[p];
        } else {
            const float *a = A + (size_t)p0 * lda + (i0 + i);
            for (int p = 0; p < kc; p++) ap[(size_t)p * MR + i] = a[(size_t)p * lda];
        }
    }
    for (int i = mr; i < MR; i++)
        for (int p = 0; p < kc; p++) ap[(size_t)p * MR + i] = 0.0f;
}

/* Bp(kc, NR) <- op(B)(p0 : p0+kc, j0 : j0+nr), columns past nr zero-filled. */
static void pack_b(float *restrict bp, int NR, mlpb_op tb, const float *B, ptrdiff_t ldb,
                   int p0, int kc, int j0, int nr) {
    for (int p = 0; p < kc; p++) {
        float *dst = bp + (size_t)p * NR;
        if (tb == MLPB_N) {
            const float *b = B + (size_t)(p0 + p) * ldb + j0;
            for (int j = 0; j < nr; j++) dst[j] = b[j];
        } else {
            const float *b = B + (size_t)j0 * ldb + (p0 + p);
            for (int j = 0; j < nr; j++) dst[j] = b[(size_t)j * ldb];
        }
        for (int j = nr; j < NR; j++) dst[j] = 0.0f;
    }
}

/* The epilogue on the finished tile C(i0 : i0+mr, j0 : j0+nr). */
static void epi_tile(const mlpb_epi *epi, float *C, ptrdiff_t ldc, int i0, int j0, int mr, int nr) {
    for (int i = 0; i < mr; i++) {
        float *c = C + (size_t)(i0 + i) * ldc + j0;
        switch (epi->kind) {
        case MLPB_EPI_BIAS:
            for (int j = 0; j < nr; j++) c[j] += epi->bias[j0 + j];                 /* (1)(3)(5) */
            break;
        case MLPB_EPI_BIAS_SIGMOID:
            for (int j = 0; j < nr; j++) c[j] = mlpb_sigmoidf(c[j] + epi->bias[j0 + j]); /* (1)-(4) */
            break;
        case MLPB_EPI_DSIGMOID: {
            const float *h = epi->h + (size_t)(i0 + i) * epi->ldh + j0;
            for (int j = 0; j < nr; j++) c[j] = c[j] * h[j] * (1.0f - h[j]);        /* (11)(15) */
            break;
        }
        default: break;
        }
    }
}

/* k == 0: C = beta C (beta == 0 writes zeros), then the epilogue. */
static void scale_c(int m, int n, float beta, float *C, ptrdiff_t ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *c = C + (size_t)i * ldc + j;
            *c = beta == 0.0f ? 0.0f : beta * *c;
        }
}

static void gemm_ref_rows(mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k, float alpha,
                          const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, float beta,
                          float *C, ptrdiff_t ldc, const mlpb_epi *epi) {
    /* the naive loops, rows of C split over threads (each row is one thread's) */
    #pragma omp parallel for num_threads(ctx->cfg.threads) schedule(static)
    for (int i = 0; i < m; i++) {
        const float *Ai = ta == MLPB_N ? A + (size_t)i * lda : A + i;
        ref_gemm(ta, tb, 1, n, k, alpha, Ai, lda, B, ldb, beta, C + (size_t)i * ldc, ldc);
        if (epi && epi->kind != MLPB_EPI_NONE) epi_tile(epi, C, ldc, i, 0, 1, n);
    }
}

void mlpb_gemm(mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k,
               float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
               float beta, float *C, ptrdiff_t ldc, const mlpb_epi *epi) {
    if (m <= 0 || n <= 0) return;
    int has_epi = epi && epi->kind != MLPB_EPI_NONE;
    if (k <= 0) {
        scale_c(m, n, beta, C, ldc);
        if (has_epi) epi_tile(epi, C, ldc, 0, 0, m, n);
        return;
    }
    if (ctx->cfg.kernel == MLPB_KERNEL_REF) {
        gemm_ref_rows(ctx, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, epi);
        return;
    }
    const int MR = ctx->ukr->mr, NR = ctx->ukr->nr;
    const int MC = ctx->cfg.mc, KC = ctx->cfg.kc, NC = ctx->cfg.nc;
    const mlpb_ukr_fn ukr = ctx->ukr->fn;

    #pragma omp parallel num_threads(ctx->cfg.threads)
    {
        const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
        float *ap = ctx->apack[tid];
        unsigned char *packed = ctx->apacked[tid];
        float tmp[MLPB_UKR_MAX_MR * MLPB_UKR_MAX_NR] __attribute__((aligned(64)));
        for (int jc = 0; jc < n; jc += NC) {                       /* JC loop */
            const int nc = n - jc < NC ? n - jc : NC;
            const int npan = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {                   /* PC loop */
                const int kc = k - pc < KC ? k - pc : KC;
                const float beta_p = pc == 0 ? beta : 1.0f;
                const int last = pc + kc >= k;
                #pragma omp for schedule(static)
                for (int jp = 0; jp < npan; jp++) {
                    const int j0 = jp * NR, nr = nc - j0 < NR ? nc - j0 : NR;
                    pack_b(ctx->bpack + (size_t)jp * kc * NR, NR, tb, B, ldb, pc, kc, jc + j0, nr);
                }                                                  /* implicit barrier: B packed */
                for (int ic = 0; ic < m; ic += MC) {               /* IC loop */
                    const int mc = m - ic < MC ? m - ic : MC;
                    const int nir = (mc + MR - 1) / MR;
                    const long ntiles = (long)nir * npan;
                    const long t0 = ntiles * tid / nt, t1 = ntiles * (tid + 1) / nt;
                    memset(packed, 0, (size_t)nir);
                    for (long t = t0; t < t1; t++) {               /* JR loop, then IR loop */
                        const int jr = (int)(t / nir), ir = (int)(t % nir);
                        const int i0 = ir * MR, mr = mc - i0 < MR ? mc - i0 : MR;
                        const int j0 = jr * NR, nr = nc - j0 < NR ? nc - j0 : NR;
                        float *a = ap + (size_t)ir * MR * kc;
                        if (!packed[ir]) {
                            pack_a(a, MR, ta, A, lda, ic + i0, mr, pc, kc);
                            packed[ir] = 1;
                        }
                        const float *b = ctx->bpack + (size_t)jr * kc * NR;
                        float *c = C + (size_t)(ic + i0) * ldc + (jc + j0);
                        if (mr == MR && nr == NR) {
                            ukr(kc, a, b, c, ldc, alpha, beta_p);
                        } else {                                   /* edge tile through tmp */
                            ukr(kc, a, b, tmp, NR, alpha, 0.0f);
                            for (int i = 0; i < mr; i++)
                                for (int j = 0; j < nr; j++) {
                                    float *cij = c + (size_t)i * ldc + j;
                                    *cij = beta_p == 0.0f ? tmp[i * NR + j] : tmp[i * NR + j] + beta_p * *cij;
                                }
                        }
                        if (last && has_epi) epi_tile(epi, C, ldc, ic + i0, jc + j0, mr, nr);
                    }
                }
                #pragma omp barrier                                /* B buffer reused next */
            }
        }
    }
}
