/* gemm.c - the GEMM frame: BLIS loops JC/PC/IC/JR/IR (PC/JC/IC/JR/IR when A is
 * packed once per K block: a_once_rule), packing of A and B into
 * MR/NR-wide k-major micro-panels (the packing absorbs op(A), op(B), so NN, TN
 * and NT share one micro-kernel), the cut of rows into MR- and edge panels,
 * partial tiles, fused epilogues, OpenMP partitioning over (JR, IR) tiles;
 * beside it, with a SIMD table, a small-M path (m <= MR: no packing, B
 * streamed once, parallel over N, or op(A) = op(B) = N over K's two fixed
 * halves) and narrow paths for n <= 12 or k <= 16 (the output layer:
 * unpacked, parallel over M). Not here: the micro-kernels (ukernel_*.c), the
 * SIMD element-wise / pack / small-M / narrow kernels (vec_inl.h,
 * vec_<isa>.c), the choice of blocking (sys/). No K loop is split where the
 * split follows the threads (only the small-M halves, which k alone sets, and
 * whose sums one thread makes in the same order), and no result depends on
 * the number of threads. A GEMM too small for two threads never enters
 * OpenMP (run()).
 *
 * Threads split each (JC, PC, IC) block's tiles into contiguous runs (ROWS:
 * all of M's rows, so each thread's rows are one run through the IC blocks), and
 * packed_split() chooses who packs what: each thread what its own run reads
 * (its rows' A panels and B's block, or its columns' B panels and the A
 * block), with no barrier at all, since panels another core just wrote cost
 * more to read here than packing them twice; or, when that duplicate packing
 * would be a large share of a small GEMM's work (SHARED), every thread a share
 * of both into shared, double-buffered buffers, one barrier per block. */
#include "kernels/kernels.h"
#include "kernels/ref.h"
#include "kernels/vec_inl.h"

#include <math.h>
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The threads held by mlpb_team_run: thread 0 posts a job (fn, arg) by
 * bumping gen; the others spin on gen, run their part and count down left.
 * bar_*: a spin barrier for jobs that need one (packed_part SHARED). Each
 * field another core writes has its own cache line. */
typedef struct mlpb_team {
    _Alignas(64) atomic_uint gen;
    _Alignas(64) atomic_int left;
    _Alignas(64) atomic_uint bar_gen;
    _Alignas(64) atomic_int bar_left;
    _Alignas(64) mlpb_job fn;
    const void *arg;
    int nt;                  /* the team's threads (what OpenMP gave) */
    int active;              /* thread 0 is inside mlpb_team_run */
    int stop;
    int spin;                /* pauses a waiting thread spins before it yields its core */
} mlpb_team;

struct mlpb_ctx {
    mlpb_kcfg cfg;
    const mlpb_ukr *ukr;     /* effective micro-kernel */
    const mlpb_vec_isa *vx;  /* SIMD element-wise/pack/small-M table; NULL: plain C */
    long par_min_flops;      /* 0: defaults; < 0: always split (mlpb_ctx_set_par_min_flops) */
    mlpb_split split;        /* MLPB_SPLIT_AUTO: packed_split() chooses */
    int prefetch;            /* the narrow paths' prefetch (next K block, next row block): 0 auto, < 0 never, > 0 always */
    int stream;              /* narrow row blocks' streaming stores of C: 0 auto, < 0 never, > 0 always */
    int walk;                /* row splits' walk: 0 even threads back (packed_split), < 0 all forward */
    int aonce;               /* the packed frame's A packed once per K block (a_once_rule): 0 by the rule, < 0 never, > 0 also for A read in place */
    int balance_k;           /* equal K blocks (not the scalar micro-kernel: its K blocks stay as they were) */
    size_t narrow_cap;       /* floats of op(B) the narrow paths may put in bpack[0] (narrow_cap_of) */
    double region_us;        /* measured cost of one empty parallel region of cfg.threads (0: one thread) */
    double par_scale;        /* the one-thread thresholds' factor (par_min) */
    int nbuf;                /* max(2, threads) buffers of each kind: */
    float **apack;           /* (MC, KC) as MC/MR micro-panels; shared: [0], [1] double-buffered; private: [tid] */
    float **bpack;           /* (KC, NC) as NC/NR micro-panels; likewise */
    float **apack_all;       /* [tid]: the A panels of one K block thread tid's tiles meet (a_once), grown by it */
    size_t *apack_all_cap;   /* [tid]: their floats */
    mlpb_team team;          /* mlpb_team_run's waiting threads (gemm.c, "team") */
    double team_us;          /* measured cost of posting an empty job to the team (0: not yet) */
};

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

void *mlpb_alloc64(size_t bytes) {
    return aligned_alloc(64, round_up(bytes ? bytes : 64, 64));
}

const mlpb_vec_isa *mlpb_vec_find(const char *isa) {
#ifdef MLPB_HAVE_AVX512
    if (!strcmp(isa, "avx512") && mlpb_isa_available("avx512")) return &mlpb_vec_avx512;
#endif
#ifdef MLPB_HAVE_AVX2
    if (!strcmp(isa, "avx2") && mlpb_isa_available("avx2")) return &mlpb_vec_avx2;
#endif
    (void)isa;
    return NULL;
}

/* Below this many flops a GEMM runs on one thread: the fork/join (and, packed,
 * the barriers and the operands crossing between cores) cost more than the
 * second core brings. The crossovers, where 2 threads first beat 1, measured
 * on the 2-vCPU Zen 5 VM (AVX-512, threads pinned, an empty parallel region
 * 2.9 us there as empty_region times it: libgomp wakes its workers
 * through futex calls),
 *   mlpbench gemm --isa avx512 --kernel simd --threads 1,2 --par-min -1 \
 *     --sizes none --net 256x128x10 --batches 2,4,16,32,64,128,256,512
 * (2 threads over 1): packed 1.05M flops 0.62-0.75, 2.1M 1.26-1.30, 4.2M
 * 1.31-1.52; narrow 655K 0.51-0.68, 1.31M 0.78-1.01; small-M 65K 0.30,
 * 401K 1.04-1.06 (1x256x784, split over N), 1.05M 1.6-1.7 (1x1024x1024).
 * The narrow path's small k up to MR (rank1, smallk or the small-M kernel on
 * row blocks: batch 1-MR's update) takes the small-M threshold: a forward
 * GEMM of batch 1-MR and its update each stream W once, and must split
 * together or not at all, each core then keeping its half of W's rows
 * (w_half); one split alone moves W's lines between the cores every step
 * (SGD 0.3x). (Batch MR+1-16's forward is packed: its update keeps the
 * narrow threshold.)
 * Inside a team (training), that one threshold is team_par_min's instead;
 * the others stay the region's.
 * Elsewhere they scale with the region's measured cost and the vector width (the
 * second core saves work of that many flops per microsecond; the plain-C
 * rungs count one lane: 1/16 of AVX-512's). The cost is measured anew for
 * each context (2.4-3.2 us across runs on that VM), so a GEMM near a
 * crossover may run on 1 thread in one run and on 2 in the next. On the 2-vCPU
 * Zen 3 VM (AVX2) they were measured at 200K / 400K / 48K with a region put
 * at ~1 us (timed another way); this rule gives 280K / 240K / 78K there. A
 * loaded machine moves them up. Which thread computes what never changes a
 * result: speed knobs only. */
#define PAR_ANCHOR_US 2.9
#define PAR_ANCHOR_LANES 16
#define PAR_MIN_FLOPS 1.6e6
#define NARROW_PAR_MIN_FLOPS 1.4e6
#define SMALLM_PAR_MIN_FLOPS 4.5e5
static const double par_dflt[] = { PAR_MIN_FLOPS, NARROW_PAR_MIN_FLOPS, SMALLM_PAR_MIN_FLOPS }; /* by mlpb_gemm_path */
static double par_scale(double region_us, int lanes) {
    const double s = region_us / PAR_ANCHOR_US * lanes / PAR_ANCHOR_LANES;
    return s < 1.0 / 64 ? 1.0 / 64 : s > 4.0 ? 4.0 : s;
}
static double par_min(const mlpb_ctx *ctx, double dflt) {
    const long p = ctx->par_min_flops;
    return p == 0 ? dflt * ctx->par_scale : p < 0 ? 0.0 : (double)p;
}

/* In a team the small-M / small-k threshold follows the team's post:
 * SMALLM_PAR_MIN_FLOPS times the post over TEAM_ANCHOR_US (and the vector
 * width's factor); for a big W (w_floats, at least half a packed A block,
 * MC KC / 2, which sysinfo sizes to a quarter of the L2) the smaller of that
 * and TEAM_BIGW_FLOPS (with the same width factor), raised only for posts
 * past TEAM_BIGW_US. SGD on 2 threads of the Zen 5 VM
 * (results/train-smn-wide-zen5/thresholds: one binary, MLPB_PAR_MIN on one
 * side; results/train-team-wmin-zen5: two builds, whose rounds met both
 * states; posts in each run's meta.json):
 *   W1 (784 x 256) at batch 1 (401K flops) split against not: 1.60x the
 *     samples/s with posts of 0.57-0.61 us (w1-300k, one run 1.03), also a
 *     gain with posts of 0.14-0.17 us (1.61x in a trial of e209df4);
 *   W2 (256 x 128) split at batch 3-8 (196K-524K) against not: 0.89-0.93x
 *     with posts of mostly 0.47-0.71 us (w2-150k, w2-600k: one run of
 *     w2-600k met 0.17); with posts of 0.14-0.17 us 1.03-1.24x at
 *     batch 6-12 (train-team-wmin-zen5, which took W2's split away: the
 *     rounds in that state).
 * Before 2252841's one-chain small-M tiles the W1 split lost with the slow
 * posts too (0.78x, results/train-ksplit-zen5/b1-forced). */
#define TEAM_ANCHOR_US 0.34
#define TEAM_BIGW_FLOPS 3.6e5
#define TEAM_BIGW_US 0.75 /* past the posts that VM shows (0.45-0.71 us, once 1.03) */
double mlpb_team_par_min_at(double post_us, int lanes, int big_w) {
    const double t = SMALLM_PAR_MIN_FLOPS * par_scale(post_us / TEAM_ANCHOR_US * PAR_ANCHOR_US, lanes);
    if (!big_w) return t;
    const double post = post_us > TEAM_BIGW_US ? post_us / TEAM_BIGW_US : 1.0;
    const double big = TEAM_BIGW_FLOPS * par_scale(post * PAR_ANCHOR_US, lanes);
    return big < t ? big : t;
}
static double team_w_min(const mlpb_ctx *ctx) { return 0.5 * (double)ctx->cfg.mc * (double)ctx->cfg.kc; }
/* The floats of W in a GEMM of the network's step: with op(A) = T (dW, the
 * fused update: k is the batch) C, m x n; otherwise (the forward, k x n, and
 * the backward, n x k: m is the batch) B. So a layer's forward, update and
 * backward see the same W, whatever the batch. */
static double w_floats(mlpb_op ta, int m, int n, int k) {
    return ta == MLPB_T ? (double)m * (double)n : (double)n * (double)k;
}
static double team_par_min(const mlpb_ctx *ctx, double wfloats) {
    if (ctx->par_min_flops != 0 || ctx->team_us <= 0.0) return par_min(ctx, SMALLM_PAR_MIN_FLOPS);
    return mlpb_team_par_min_at(ctx->team_us, ctx->vx ? ctx->vx->lanes : 1, wfloats >= team_w_min(ctx));
}
/* the small-M / small-k threshold for a W of wfloats floats */
static double stream_par_min(const mlpb_ctx *ctx, double wfloats) {
    return ctx->team.active ? team_par_min(ctx, wfloats) : par_min(ctx, SMALLM_PAR_MIN_FLOPS);
}

/* The cost of one call of once(ctx) in microseconds: the median over 9
 * rounds of 16 calls each, after 16 untimed ones. */
static double median_cost_us(void (*once)(mlpb_ctx *), mlpb_ctx *ctx) {
    double t[9];
    for (int r = -1; r < 9; r++) {
        const double t0 = omp_get_wtime();
        for (int i = 0; i < 16; i++) once(ctx);
        if (r >= 0) t[r] = (omp_get_wtime() - t0) * 1e6 / 16;
    }
    for (int i = 1; i < 9; i++) /* insertion sort */
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) { const double x = t[j]; t[j] = t[j - 1]; t[j - 1] = x; }
    return t[4];
}

/* Entering and leaving an empty parallel region of the context's threads
 * (region_us). A thread pool that wakes its workers through the kernel pays
 * several times what one that finds them spinning does. */
static void empty_region(mlpb_ctx *ctx) {
    const int nt = ctx->cfg.threads;
    volatile int sink = 0;
    #pragma omp parallel num_threads(nt)
    { if (omp_get_thread_num() == nt) sink = 1; }
    (void)sink;
}

#define NARROW_BUF 65536 /* floats of op(B) transposed or packed by pack_q (256 KiB: stays in L2) */

/* The narrow paths' room in bpack[0]: KC NC floats of the L3 rule's NC
 * (cfg.l3_floats / 4, whichever NC the blocking rule chose), at most
 * NARROW_BUF. Which path a GEMM takes, and so its bits, follows it. */
static size_t narrow_cap_of(const mlpb_kcfg *cfg) {
    const size_t c = (size_t)cfg->l3_floats / 4;
    return c < NARROW_BUF ? c : NARROW_BUF;
}

mlpb_ctx *mlpb_ctx_new(const mlpb_kcfg *cfg) {
    if (!cfg || cfg->threads < 1 || cfg->mc < 1 || cfg->kc < 1 || cfg->nc < 1) return NULL;
    mlpb_ctx *c = mlpb_alloc64(sizeof *c); /* the team's fields are 64-byte aligned */
    if (!c) return NULL;
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    int n;
    const mlpb_ukr *const *tab = mlpb_ukr_table(&n);
    c->ukr = (cfg->kernel == MLPB_KERNEL_SIMD && cfg->ukr) ? cfg->ukr : tab[n - 1];
    c->vx = cfg->kernel == MLPB_KERNEL_SIMD ? mlpb_vec_find(c->ukr->isa) : NULL;
    c->cfg.ukr = c->ukr;
    c->balance_k = strcmp(c->ukr->isa, "scalar") != 0;
    c->cfg.mc = (int)round_up((size_t)cfg->mc, (size_t)c->ukr->mr);
    c->cfg.nc = (int)round_up((size_t)cfg->nc, (size_t)c->ukr->nr);
    if (c->cfg.l3_floats <= 0) c->cfg.l3_floats = 4L * c->cfg.kc * c->cfg.nc; /* unset: NC from L3 */
    c->narrow_cap = narrow_cap_of(&c->cfg);
    c->region_us = cfg->threads > 1 ? median_cost_us(empty_region, c) : 0.0;
    c->par_scale = par_scale(c->region_us, c->vx ? c->vx->lanes : 1);
    c->nbuf = cfg->threads > 2 ? cfg->threads : 2;
    c->apack = calloc((size_t)c->nbuf, sizeof *c->apack);
    c->bpack = calloc((size_t)c->nbuf, sizeof *c->bpack);
    c->apack_all = calloc((size_t)c->nbuf, sizeof *c->apack_all);
    c->apack_all_cap = calloc((size_t)c->nbuf, sizeof *c->apack_all_cap);
    int ok = c->apack && c->bpack && c->apack_all && c->apack_all_cap;
    for (int b = 0; ok && b < c->nbuf; b++) {
        c->apack[b] = mlpb_alloc64((size_t)c->cfg.mc * (size_t)c->cfg.kc * sizeof(float));
        const size_t kn = (size_t)c->cfg.kc * (size_t)c->cfg.nc;
        c->bpack[b] = mlpb_alloc64((b == 0 && kn < c->narrow_cap ? c->narrow_cap : kn) * sizeof(float)); /* [0]: the narrow paths' too */
        ok = ok && c->apack[b] && c->bpack[b];
    }
    if (!ok) { mlpb_ctx_free(c); return NULL; }
    return c;
}

void mlpb_ctx_free(mlpb_ctx *c) {
    if (!c) return;
    for (int b = 0; b < c->nbuf; b++) {
        if (c->apack) free(c->apack[b]);
        if (c->bpack) free(c->bpack[b]);
        if (c->apack_all) free(c->apack_all[b]);
    }
    free(c->apack);
    free(c->bpack);
    free(c->apack_all);
    free(c->apack_all_cap);
    free(c);
}

const mlpb_kcfg *mlpb_ctx_cfg(const mlpb_ctx *c) { return &c->cfg; }
const mlpb_vec_isa *mlpb_ctx_vec(const mlpb_ctx *c) { return c->vx; }
double mlpb_ctx_region_us(const mlpb_ctx *c) { return c->region_us; }
long mlpb_ctx_par_min(const mlpb_ctx *c, mlpb_gemm_path path) {
    return (long)(path == MLPB_PATH_SMALLM ? stream_par_min(c, 0.0) : par_min(c, par_dflt[path]));
}
long mlpb_ctx_team_par_min(const mlpb_ctx *c, int big_w) { return (long)team_par_min(c, big_w ? team_w_min(c) : 0.0); }
long mlpb_ctx_team_w_min(const mlpb_ctx *c) { return (long)team_w_min(c); }
void mlpb_ctx_set_par_min_flops(mlpb_ctx *c, long flops) { c->par_min_flops = flops; }
long mlpb_ctx_par_min_set(const mlpb_ctx *c) { return c->par_min_flops; }
const char *const mlpb_split_names[] = { "auto", "shared", "rows", "cols", NULL };
void mlpb_ctx_set_split(mlpb_ctx *c, mlpb_split split) {
    c->split = split >= MLPB_SPLIT_SHARED && split <= MLPB_SPLIT_COLS ? split : MLPB_SPLIT_AUTO;
}
void mlpb_ctx_set_prefetch(mlpb_ctx *c, int mode) { c->prefetch = mode < 0 ? -1 : mode > 0; }
void mlpb_ctx_set_stream(mlpb_ctx *c, int mode) { c->stream = mode < 0 ? -1 : mode > 0; }
void mlpb_ctx_set_walk(mlpb_ctx *c, int mode) { c->walk = mode < 0 ? -1 : 0; }
void mlpb_ctx_set_aonce(mlpb_ctx *c, int mode) { c->aonce = mode < 0 ? -1 : mode > 0; }
const char *mlpb_ctx_vec_isa(const mlpb_ctx *c) { return c->vx ? c->vx->isa : "c"; }

/* Plain-C packs of one micro-panel of width R from rows <= R source lines;
 * lines past `rows` are zero-filled.
 * pack_n: dst[p R + i] = src[p ld + i] (the line is contiguous in memory);
 * pack_t: dst[p R + i] = src[i ld + p] (a transpose; vx->pack_t when SIMD). */
#define PACK_N_FIXED(RR) \
    for (int p = 0; p < kc; p++) \
        for (int i = 0; i < (RR); i++) dst[(size_t)p * (RR) + i] = src[(size_t)p * ld + i];

static void pack_n(int R, int kc, int rows, const float *restrict src, ptrdiff_t ld, float *restrict dst) {
    if (rows == R) { /* full panels: fixed-width copies the compiler unrolls (no memcpy per line) */
        switch (R) {
        case 4: PACK_N_FIXED(4) return;
        case 6: PACK_N_FIXED(6) return;
        case 8: PACK_N_FIXED(8) return;
        case 12: PACK_N_FIXED(12) return;
        case 16: PACK_N_FIXED(16) return;
        case 32: PACK_N_FIXED(32) return;
        default: break;
        }
    }
    for (int p = 0; p < kc; p++) {
        float *d = dst + (size_t)p * R;
        const float *s = src + (size_t)p * ld;
        for (int i = 0; i < rows; i++) d[i] = s[i];
        for (int i = rows; i < R; i++) d[i] = 0.0f;
    }
}

static void pack_t(int R, int kc, int rows, const float *restrict src, ptrdiff_t ld, float *restrict dst) {
    for (int p = 0; p < kc; p++) { /* writes in order; reads `rows` streams, each in order */
        float *d = dst + (size_t)p * R;
        for (int i = 0; i < rows; i++) d[i] = src[(size_t)i * ld + p];
        for (int i = rows; i < R; i++) d[i] = 0.0f;
    }
}

/* Ap(kc, MR) <- op(A)(i0 : i0+mr, p0 : p0+kc) */
static void pack_a(const mlpb_ctx *ctx, float *ap, mlpb_op ta, const float *A, ptrdiff_t lda,
                   int i0, int mr, int p0, int kc) {
    const int MR = ctx->ukr->mr;
    if (ta == MLPB_T) pack_n(MR, kc, mr, A + (size_t)p0 * lda + i0, lda, ap);
    else if (ctx->vx) ctx->vx->pack_t(MR, kc, mr, A + (size_t)i0 * lda + p0, lda, ap);
    else pack_t(MR, kc, mr, A + (size_t)i0 * lda + p0, lda, ap);
}

/* Bp(kc, NR) <- op(B)(p0 : p0+kc, j0 : j0+nr) */
static void pack_b(const mlpb_ctx *ctx, float *bp, mlpb_op tb, const float *B, ptrdiff_t ldb,
                   int p0, int kc, int j0, int nr) {
    const int NR = ctx->ukr->nr;
    if (tb == MLPB_N) pack_n(NR, kc, nr, B + (size_t)p0 * ldb + j0, ldb, bp);
    else if (ctx->vx) ctx->vx->pack_t(NR, kc, nr, B + (size_t)j0 * ldb + p0, ldb, bp);
    else pack_t(NR, kc, nr, B + (size_t)j0 * ldb + p0, ldb, bp);
}

/* The epilogue on the finished tile C(i0 : i0+mr, j0 : j0+nr), held at T
 * (T[i ldt + j] is C(i0+i, j0+j)), row by row; the SIMD rows when the
 * context has them (same formulas, vectorised exp). */
static void epi_rows(const mlpb_vec_isa *vx, const mlpb_epi *epi, float *T, ptrdiff_t ldt, int i0, int j0,
                     int mr, int nr) {
    for (int i = 0; i < mr; i++) {
        float *c = T + (size_t)i * ldt;
        switch (epi->kind) {
        case MLPB_EPI_BIAS:                                                          /* (1)(3)(5) */
            if (vx) vx->bias_row(nr, epi->bias + j0, c);
            else for (int j = 0; j < nr; j++) c[j] += epi->bias[j0 + j];
            break;
        case MLPB_EPI_BIAS_SIGMOID:                                                  /* (1)-(4) */
            if (vx) vx->bias_sigmoid_row(nr, epi->bias + j0, c);
            else for (int j = 0; j < nr; j++) c[j] = mlpb_sigmoidf(c[j] + epi->bias[j0 + j]);
            break;
        case MLPB_EPI_DSIGMOID: {                                                    /* (11)(15) */
            const float *h = epi->h + (size_t)(i0 + i) * epi->ldh + j0;
            if (vx) vx->dsigmoid_epi_row(nr, h, c);
            else for (int j = 0; j < nr; j++) c[j] = c[j] * h[j] * (1.0f - h[j]);
            break;
        }
        default: break;
        }
    }
}

/* ... on the tile in place in C */
static void epi_tile(const mlpb_vec_isa *vx, const mlpb_epi *epi, float *C, ptrdiff_t ldc, int i0, int j0,
                     int mr, int nr) {
    epi_rows(vx, epi, C + (size_t)i0 * ldc + j0, ldc, i0, j0, mr, nr);
}

/* k == 0: C = beta C (beta == 0 writes zeros), then the epilogue. */
static void scale_c(int m, int n, float beta, float *C, ptrdiff_t ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *c = C + (size_t)i * ldc + j;
            *c = beta == 0.0f ? 0.0f : beta * *c;
        }
}

/* The block size for extent x: as many blocks as `cap` needs, of equal size
 * rounded up to a multiple of q, so no block is a thin remainder. */
static int balanced(int x, int cap, int q) {
    const int nb = (x + cap - 1) / cap;
    const int b = (int)round_up((size_t)((x + nb - 1) / nb), (size_t)q);
    return b < cap ? b : cap;
}

/* The arguments of one GEMM, as every path's per-thread part receives them.
 * Bx/ldbx: op(B) prepared for a narrow path (in place, transposed, or packed by pack_q). */
typedef struct gemm_args {
    mlpb_op ta, tb;
    int m, n, k;
    float alpha, beta;
    const float *A, *B, *Bx;
    ptrdiff_t lda, ldb, ldbx;
    float *C;
    ptrdiff_t ldc;
    const mlpb_epi *epi;
    int stream; /* narrow row blocks: C's rows via a scratch tile and streaming stores */
    int prefetch; /* narrow dot path: each row block prefetches the next */
    int *kparts; /* smallm_kpart: 1 when thread 1's scratch holds the second half's sums (0: one thread did all) */
} gemm_args;

typedef void (*gemm_part)(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt);

/* ---- team ------------------------------------------------------------------
 * mlpb_team_run holds the other threads in one parallel region; a post is a
 * release bump of gen that they acquire, a count-down of left that thread 0
 * acquires: one cache line crossing each way, no system call. */
#define TEAM_SPIN_YIELD 4096 /* pauses before a waiting thread yields its core (~80 us on Zen 5) */

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* one turn of a wait: a pause, or after t->spin of them the core to whoever
 * is runnable (with more threads than cores the awaited one may be waiting
 * for it; t->spin is then 1) */
static inline void team_relax(const mlpb_team *t, int *spins) {
    if (++*spins < t->spin) {
        cpu_relax();
    } else {
        sched_yield();
        *spins = 0;
    }
}

/* thread 0: every thread of the team runs fn(ctx, arg, tid, nt); returns when all have */
static void team_post(mlpb_ctx *ctx, mlpb_job fn, const void *arg) {
    mlpb_team *t = &ctx->team;
    t->fn = fn;
    t->arg = arg;
    atomic_store_explicit(&t->left, t->nt - 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->gen, 1u, memory_order_release);
    fn(ctx, arg, 0, t->nt);
    int spins = 0;
    while (atomic_load_explicit(&t->left, memory_order_acquire) > 0) team_relax(t, &spins);
}

static void team_worker(mlpb_ctx *ctx, int tid) {
    mlpb_team *t = &ctx->team;
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&t->gen, memory_order_acquire)) == seen) team_relax(t, &spins);
        seen = g;
        if (t->stop) return;
        t->fn(ctx, t->arg, tid, t->nt);
        atomic_fetch_sub_explicit(&t->left, 1, memory_order_release);
    }
}

/* all nt threads of a job meet here (a sense-reversing spin barrier) */
static void team_barrier(mlpb_team *t) {
    const unsigned g = atomic_load_explicit(&t->bar_gen, memory_order_acquire);
    if (atomic_fetch_sub_explicit(&t->bar_left, 1, memory_order_acq_rel) == 1) {
        atomic_store_explicit(&t->bar_left, t->nt, memory_order_relaxed);
        atomic_fetch_add_explicit(&t->bar_gen, 1u, memory_order_release);
    } else {
        int spins = 0;
        while (atomic_load_explicit(&t->bar_gen, memory_order_acquire) == g) team_relax(t, &spins);
    }
}

/* a barrier of the threads running a job: the team's, or the region's */
static void job_barrier(mlpb_ctx *ctx) {
    if (ctx->team.active) {
        team_barrier(&ctx->team);
    } else {
        #pragma omp barrier
    }
}

/* CPUs online: not omp_get_num_procs(), which counts the calling thread's
 * affinity (1 once it is pinned) */
static int online_cpus(void) {
#ifdef _SC_NPROCESSORS_ONLN
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n > 0) return (int)n;
#endif
    return omp_get_num_procs();
}

static void empty_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) { (void)ctx, (void)arg, (void)tid, (void)nt; }

/* posting an empty job to the team (team_us) */
static void empty_post(mlpb_ctx *ctx) { team_post(ctx, empty_job, NULL); }

void mlpb_team_run(mlpb_ctx *ctx, void (*fn)(void *), void *arg) {
    mlpb_team *t = &ctx->team;
    if (ctx->cfg.threads < 2 || t->active) {
        fn(arg);
        return;
    }
    atomic_store(&t->gen, 0u);
    t->stop = 0;
    t->spin = ctx->cfg.threads > online_cpus() ? 1 : TEAM_SPIN_YIELD; /* read by the waiting threads */
    #pragma omp parallel num_threads(ctx->cfg.threads)
    {
        if (omp_get_thread_num() == 0) {
            t->nt = omp_get_num_threads();
            atomic_store(&t->bar_left, t->nt);
            t->active = 1;
            if (ctx->team_us == 0.0 && t->nt > 1) ctx->team_us = median_cost_us(empty_post, ctx); /* once per context */
            fn(arg);
            t->stop = 1;
            atomic_fetch_add_explicit(&t->gen, 1u, memory_order_release);
        } else {
            team_worker(ctx, omp_get_thread_num());
        }
    }
    t->active = 0;
}

double mlpb_ctx_team_us(const mlpb_ctx *c) { return c->team_us; }

/* Thread tid of nt runs its part. Without `par` the calling thread runs the
 * whole call and OpenMP is not entered at all: libgomp charges ~0.4 us even
 * for `omp parallel if (0)` (2-core Zen 3 VM), as much as a whole 1x10x128
 * GEMM. In a team the waiting threads take their parts. */
void mlpb_par_run(mlpb_ctx *ctx, int par, mlpb_job fn, const void *arg) {
    if (!par || ctx->cfg.threads < 2) {
        fn(ctx, arg, 0, 1);
        return;
    }
    if (ctx->team.active) {
        team_post(ctx, fn, arg);
        return;
    }
    #pragma omp parallel num_threads(ctx->cfg.threads)
    fn(ctx, arg, omp_get_thread_num(), omp_get_num_threads());
}

typedef struct { gemm_part part; const gemm_args *g; } gemm_job_args;
static void gemm_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) {
    const gemm_job_args *a = arg;
    a->part(ctx, a->g, tid, nt);
}

static void run(mlpb_ctx *ctx, int par, gemm_part part, const gemm_args *g) {
    const gemm_job_args a = { part, g };
    mlpb_par_run(ctx, par, gemm_job, &a);
}

/* The naive loops (REF rung), rows of C split over threads. */
static void ref_part(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt) {
    (void)ctx;
    for (int i = (int)((long)g->m * tid / nt); i < (int)((long)g->m * (tid + 1) / nt); i++) {
        const float *Ai = g->ta == MLPB_N ? g->A + (size_t)i * g->lda : g->A + i;
        ref_gemm(g->ta, g->tb, 1, g->n, g->k, g->alpha, Ai, g->lda, g->B, g->ldb, g->beta,
                 g->C + (size_t)i * g->ldc, g->ldc);
        if (g->epi) epi_tile(NULL, g->epi, g->C, g->ldc, i, 0, 1, g->n);
    }
}

/* m <= MR with the SIMD table: no packing at all. op(B) = N streams rows of B
 * through an m x (up to 16 vectors) register tile; op(B) = T (op(A) = N) takes
 * dot products along k, or with k <= 16 transposes B's rows 8 at a time in
 * registers and streams them. Threads split the columns in SMALLM_UNIT blocks
 * (unit_range), or, op(A) = op(B) = N, the two halves of K (smallm_kpart);
 * each element's sum is computed the same way whatever the split.
 * op(A) = op(B) = N (a forward GEMM) takes K in two halves, [0, h) and
 * [h, k) with h = w_half(k), whatever the threads:
 *   C <- alpha A_0 B_0 + beta C,  then  C <- C + fl(alpha A_1 B_1)
 * (the kernel's beta = 1: fma(1, c, y) = c + y), so that two threads can
 * take a half each: the rows of B each reads are then its own lines, the
 * rows of W that batch 1's update (the narrow path's row halves, w_half) and
 * backward (op(B) = T's column units) give it. op(A) = T (dW at fan-in <= MR)
 * keeps K whole: the fused update's sums stay those of dW. Two halves, not
 * more: a third thread would sit out the K split (the VMs here have 2 cores),
 * and each half beyond the first costs one thread one pass over C and the
 * other core's m x n partial sums. */
#define SMALLM_UNIT MLPB_SM_UNIT /* vec_inl.h: the kernel sums whole units in one chain */

/* thread tid's share [x0, x1) of x columns in whole SMALLM_UNITs (empty: x0 >= x1) */
static void unit_range(int x, int tid, int nt, int *x0, int *x1) {
    const int nu = (x + SMALLM_UNIT - 1) / SMALLM_UNIT;
    *x0 = SMALLM_UNIT * (int)((long)nu * tid / nt);
    *x1 = SMALLM_UNIT * (int)((long)nu * (tid + 1) / nt);
    if (*x1 > x) *x1 = x;
}

/* Where W's rows (x of them: a forward GEMM's k, an update's m) are cut in
 * two; x itself (no cut) below 128 rows. A multiple of 8, so the halves of
 * W2 (256 rows) are the backward's column units (0-127, 128-255). */
static int w_half(int x) { return x >= 128 ? (int)round_up((size_t)(x + 1) / 2, 8) : x; }

/* op(B) = N, K steps [p0, p1) of columns [j0, j1) into C (ldc), with beta */
static void smallm_bn_span(const mlpb_vec_isa *vx, const gemm_args *g, int p0, int p1, int j0, int j1,
                           float beta, float *C, ptrdiff_t ldc) {
    const ptrdiff_t asi = g->ta == MLPB_N ? g->lda : 1, asp = g->ta == MLPB_N ? 1 : g->lda;
    vx->smallm_bn(g->m, j1 - j0, p1 - p0, g->alpha, g->A + (size_t)p0 * asp, asi, asp,
                  g->B + (size_t)p0 * g->ldb + j0, g->ldb, beta, C + j0, ldc);
}

static void smallm_part(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt) {
    const mlpb_vec_isa *vx = ctx->vx;
    int j0, j1;
    unit_range(g->n, tid, nt, &j0, &j1);
    if (j0 >= j1) return;
    if (g->tb == MLPB_N) {
        const int h = g->ta == MLPB_N ? w_half(g->k) : g->k;
        smallm_bn_span(vx, g, 0, h, j0, j1, g->beta, g->C, g->ldc);
        if (h < g->k) smallm_bn_span(vx, g, h, g->k, j0, j1, 1.0f, g->C, g->ldc);
    } else {
        vx->smallm_bt(g->m, j1 - j0, g->k, g->alpha, g->A, g->lda, g->B + (size_t)j0 * g->ldb, g->ldb, g->beta,
                      g->C + j0, g->ldc);
    }
    if (g->epi) epi_tile(vx, g->epi, g->C, g->ldc, 0, j0, g->m, j1 - j0);
}

/* The leading dimension of the second half's partial product in the scratch (apack[1]) */
static ptrdiff_t kpart_ld(int n) { return (ptrdiff_t)round_up((size_t)n, 16); }

/* Whether K has two halves and the second's m x n partial sums fit the scratch */
static int kpart_fits(const mlpb_ctx *ctx, int m, int n, int k) {
    return w_half(k) < k && (size_t)m * (size_t)kpart_ld(n) <= (size_t)ctx->cfg.mc * (size_t)ctx->cfg.kc;
}

/* The small-M GEMM, op(A) = op(B) = N, split over K: thread 0 takes the
 * first half into C, thread 1 the second's fl(alpha A_1 B_1) into its
 * scratch (others: nothing), and records that in g->kparts (0: fell back to
 * smallm_part, fewer threads than the context's). After the join the calling
 * thread adds the scratch into C and runs the epilogue (smallm_kjoin): the
 * sums smallm_part makes, and no barrier inside the job (m n adds and
 * epilogues beside m n k / 2 FMAs, k >= 128). */
static void smallm_kpart(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt) {
    if (nt < 2) {
        *g->kparts = 0;
        smallm_part(ctx, g, tid, nt);
        return;
    }
    const int h = w_half(g->k);
    if (tid == 0) {
        *g->kparts = 1;
        smallm_bn_span(ctx->vx, g, 0, h, 0, g->n, g->beta, g->C, g->ldc);
    } else if (tid == 1) {
        smallm_bn_span(ctx->vx, g, h, g->k, 0, g->n, 0.0f, ctx->apack[1], kpart_ld(g->n));
    }
}

static void smallm_kjoin(mlpb_ctx *ctx, const gemm_args *g) {
    const ptrdiff_t lds = kpart_ld(g->n);
    for (int i = 0; i < g->m; i++) /* C += 1 S row by row: c + 1 s = c + s, the bits smallm_part makes */
        ctx->vx->axpy((size_t)g->n, 1.0f, ctx->apack[1] + (size_t)i * lds, g->C + (size_t)i * g->ldc);
    if (g->epi) epi_tile(ctx->vx, g->epi, g->C, g->ldc, 0, 0, g->m, g->n);
}

/* The narrow paths (SIMD table only), for the shapes a 10-class output layer
 * makes, where a packed NR-wide panel would be mostly padding or packing
 * would cost as much as the product:
 *   small k (k <= NARROW_K): rows of C in blocks of MR (rank1 and smallk:
 *     a thread's whole run in one call, unless an epilogue, streaming or
 *     the backward walk asks for blocks), A read in place, op(B) as (k, n)
 *     rows (B itself, or its transpose made once per call):
 *     k = 1 through vx->rank1 (the small-M kernel's values row by row, one
 *     stream of C at a time, no partial sums), 2 <= k <= smallk_maxk through
 *     vx->smallk (op(A)'s values held in registers, rows walked whole: the
 *     weight gradients at batch 2-9 on AVX-512, 2-4 on AVX2), larger k
 *     through the small-M kernel with op(B) = N;
 *   small n, op(A) = N: rows of C in blocks of DOT_BLOCK through the
 *     k-quad dot-product kernel (vx->dotq), op(B) packed for it once per
 *     call (vx->pack_q);
 *   small n, op(A) = T: narrow_tc, C^T tiles over one or two vectors of rows
 *     of C, A read in place, K in blocks of KC.
 * Threads split the rows, in whole blocks (with small k, of each half of
 * the rows, w_half): no result depends on them.
 * Row blocks of small k (k <= NARROW_K: rank1, smallk, the small-M kernel)
 * write C at full speed, several bytes per flop; when C is bigger than a
 * core's share of L3 (past_l3_share) and beta == 0, each block goes to a
 * scratch tile in L1 (the thread's A packing buffer), gets its epilogue
 * there, and is copied out with streaming stores, which skip reading C's lines before
 * writing them: bwd-W3 (b x 128 x 10) with C out of the caches 1.22-1.45x
 * the speed at b = 60000 and 32768 (results/frame_ab/stream.txt; 1.22-1.37x
 * at 16384 too). Smaller C keeps plain stores, so that the GEMMs that read
 * it next find it in cache (a choice, not measured on a whole step). The
 * same arithmetic, so the same bits.
 * The bounds are set, not tuned: 12 columns are one C^T tile of accumulators
 * (TC_MAXJ); 16 is the k below which the packed frame's A packing is a sizeable
 * share of the product. */
#define NARROW_K 16
#define NARROW_N 12
/* NARROW_BUF (the room for op(B)): before mlpb_ctx_new, with narrow_cap_of */
/* rows per block of the dot path: a multiple of every ISA's dot_rows, and
 * enough rows that a call's set-up is small beside them (one block holds 16
 * x 10 floats of C for its epilogue) */
#define DOT_BLOCK 16

/* Whether an operand of this many floats is bigger than a core's share of
 * L3 (cfg.l3_floats: 4 KC NC of sysinfo.c's L3 rule for NC, whichever NC it
 * chose): the narrow paths' prefetch and streaming stores apply past it. */
static int past_l3_share(const mlpb_ctx *ctx, double floats) { return floats > (double)ctx->cfg.l3_floats; }

/* A speed knob's setting (mlpb_ctx_set_prefetch, _stream): < 0 never, > 0
 * always, 0 the frame's rule. */
static int knob(int mode, int rule) { return mode > 0 || (mode == 0 && rule); }

/* Whether thread tid of nt walks its run of C's rows from the last back
 * (packed_split: even threads back, odd forward, unless the walk is off) */
static int walks_back(const mlpb_ctx *ctx, int tid, int nt) { return nt > 1 && tid % 2 == 0 && ctx->walk == 0; }

/* rows per block of narrow_rows_part's small-M calls */
static int bn_rows(const mlpb_ctx *ctx) {
    return ctx->vx->smallm_maxr < ctx->ukr->mr ? ctx->vx->smallm_maxr : ctx->ukr->mr;
}

static void narrow_rows_part(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt) {
    const mlpb_vec_isa *vx = ctx->vx;
    const int dot = g->k > NARROW_K;
    const int RB = dot ? DOT_BLOCK / vx->dot_rows * vx->dot_rows : bn_rows(ctx);
    /* whole row blocks per thread; small k: blocks counted from each of the
     * two halves of W's rows (w_half; a block's row count sets its partial-sum
     * sets, so the blocks must not depend on the threads), the first half to
     * the first nt / 2 threads: on 2, the rows the small-M path's K split
     * gives each */
    const int h = dot ? g->m : w_half(g->m), halves = h < g->m ? 2 : 1;
    for (int half = 0; half < halves; half++) {
        int r0 = half ? h : 0, r1 = half ? g->m : h, t = tid, tn = nt;
        if (halves == 2 && nt > 1) {
            const int lo = tid < nt / 2;
            if (lo != (half == 0)) continue;
            t = lo ? tid : tid - nt / 2;
            tn = lo ? nt / 2 : nt - nt / 2;
        }
        const int nb = (r1 - r0 + RB - 1) / RB, b0 = (int)((long)nb * t / tn), b1 = (int)((long)nb * (t + 1) / tn);
        r1 = r0 + RB * b1 < r1 ? r0 + RB * b1 : r1;
        r0 += RB * b0;
        const int down = !dot && walks_back(ctx, tid, nt); /* small k: packed_split */
        /* rank1 and smallk keep no partial sums (each element one chain over
         * k, whatever the rows beside it), so the thread's run can go in one
         * call: nbt calls of RBq rows. Blocks stay for an epilogue (applied
         * while a block is in L1), streaming (the scratch tile holds one
         * block) and the backward walk (a call walks its rows forward). */
        const int whole = !dot && !down && !g->stream && !g->epi && g->k <= vx->smallk_maxk;
        const int nbt = whole ? r1 > r0 : b1 - b0, RBq = whole ? r1 - r0 : RB;
        for (int q = 0; q < nbt; q++) {
            const int i0 = r0 + RBq * (down ? nbt - 1 - q : q);
            const int rb = r1 - i0 < RBq ? r1 - i0 : RBq;
            float *c = g->C + (size_t)i0 * g->ldc;
            if (dot) {    /* C(i0 : i0+rb, :) = alpha A(i0 : i0+rb, :) op(B) + beta C, op(B) as Bx (pack_q) */
                const int rn = i0 + rb < r1 ? (r1 - i0 - rb < RB ? r1 - i0 - rb : RB) : 0; /* this thread's next block */
                const mlpb_span next = { g->A + (size_t)(i0 + rb) * g->lda, g->lda, rn, g->k };
                vx->dotq(rb, g->n, g->k, g->alpha, g->A + (size_t)i0 * g->lda, g->lda, g->Bx, g->beta, c, g->ldc,
                         rn && g->prefetch ? &next : NULL);
                if (g->epi) epi_tile(vx, g->epi, g->C, g->ldc, i0, 0, rb, g->n);
                continue;
            }
            /* ... = alpha op(A)(i0 : i0+rb, :) Bx + beta C, Bx (k, n), A read in place */
            const int an = g->ta == MLPB_N;
            const float *a = an ? g->A + (size_t)i0 * g->lda : g->A + i0;
            const ptrdiff_t asi = an ? g->lda : 1, asp = an ? 1 : g->lda;
            /* streaming: into the scratch tile T (rb, n), its epilogue there, then to C (beta == 0) */
            float *dst = g->stream ? ctx->apack[tid] : c;
            const ptrdiff_t ldd = g->stream ? (ptrdiff_t)round_up((size_t)g->n, 16) : g->ldc;
            const float beta = g->stream ? 0.0f : g->beta;
            if (g->k == 1) vx->rank1(rb, g->n, g->alpha, a, asi, g->Bx, beta, dst, ldd);
            else if (g->k <= vx->smallk_maxk)
                vx->smallk(rb, g->n, g->k, g->alpha, a, asi, asp, g->Bx, g->ldbx, beta, dst, ldd);
            else vx->smallm_bn(rb, g->n, g->k, g->alpha, a, asi, asp, g->Bx, g->ldbx, beta, dst, ldd);
            if (g->stream) {
                if (g->epi) epi_rows(vx, g->epi, dst, ldd, i0, 0, rb, g->n);
                vx->stream_rows(rb, g->n, dst, ldd, c, g->ldc);
            } else if (g->epi) {
                epi_tile(vx, g->epi, g->C, g->ldc, i0, 0, rb, g->n);
            }
        }
    }
    if (g->stream) vx->stream_fence(); /* before the join, after which others read C */
}

static void narrow_tc_part(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt) {
    const mlpb_vec_isa *vx = ctx->vx;
    const int VL = vx->lanes, nb = (g->m + VL - 1) / VL;
    const int r0 = VL * (int)((long)nb * tid / nt);
    int r1 = VL * (int)((long)nb * (tid + 1) / nt);
    if (r1 > g->m) r1 = g->m;
    if (r0 >= r1) return;
    const int KC = balanced(g->k, ctx->cfg.kc, 8);
    /* Prefetch each next K block (vec_inl.h) when A is bigger than a core's
     * share of L3: results/frame_ab/pf.txt found a gain there, on 1 thread
     * and 2, and a loss with A in cache. */
    const int pf = knob(ctx->prefetch, past_l3_share(ctx, (double)g->k * (double)g->lda));
    for (int pc = 0; pc < g->k; pc += KC) {                  /* PC loop: A(pc : pc+kc, r0 : r1) stays in L2 */
        const int kc = g->k - pc < KC ? g->k - pc : KC, kn = g->k - pc - kc < KC ? g->k - pc - kc : KC;
        const mlpb_span next = { kn ? g->A + (size_t)(pc + kc) * g->lda + r0 : NULL, g->lda, kn, r1 - r0 };
        vx->narrow_tc(r1 - r0, g->n, kc, g->alpha, g->A + (size_t)pc * g->lda + r0, g->lda,
                      g->Bx + (size_t)pc * g->ldbx, g->ldbx, pc == 0 ? g->beta : 1.0f, g->C + (size_t)r0 * g->ldc,
                      g->ldc, kn && pf ? &next : NULL);
    }
    if (g->epi) epi_tile(vx, g->epi, g->C, g->ldc, r0, 0, r1 - r0, g->n);
}

/* The row panels of an mc-row block: nfull of MR rows, then nedge of ME rows
 * (the edge kernel), chosen so that no panel is partial when that is
 * possible, then one partial panel of `rest` rows. Every panel takes an
 * MR-wide slot of the packed A block (slots of them at most). */
typedef struct panels { int nfull, nedge, rest; } panels;

static panels row_panels(int mc, int MR, int ME, int slots) {
    for (int q = 0; ME > 0 && q < MR && q * ME <= mc; q++)
        if ((mc - q * ME) % MR == 0 && (mc - q * ME) / MR + q <= slots) return (panels){ (mc - q * ME) / MR, q, 0 };
    return (panels){ mc / MR, 0, mc % MR };
}

/* the panels of a block: full, edge and the partial one */
static inline int panels_n(panels p) { return p.nfull + p.nedge + (p.rest > 0); }

/* rows i0 .. i0+mr-1 of the block are panel ir */
static inline void panel_rows(const panels *rp, int ir, int MR, int ME, int *i0, int *mr) {
    if (ir < rp->nfull) { *i0 = ir * MR; *mr = MR; }
    else if (ir < rp->nfull + rp->nedge) { *i0 = rp->nfull * MR + (ir - rp->nfull) * ME; *mr = ME; }
    else { *i0 = rp->nfull * MR + rp->nedge * ME; *mr = rp->rest; }
}

/* How the threads of a packed GEMM share its tiles and packed operands (nt > 1;
 * every element is the same kernel call on the same packed data whichever):
 *   SHARED  each (JC, PC, IC) block's tiles in JR-major runs; both operands
 *           shared, each thread packing a share of the panels, one barrier
 *           per block: the panels other threads packed cross between cores;
 *   ROWS    all of M's tiles in IR-major runs, across the IC blocks; each
 *           thread packs the A panels of its rows (a panel two runs meet
 *           in: by both) and all of B's block, unless B is read in place:
 *           no barrier;
 *   COLS    whole column panels per thread, packed by it, and the whole A
 *           block packed (or read in place) by every thread: no barrier.
 * ROWS packs (or reads) B's block nt times, COLS A's: per thread nt / (2 m),
 * resp. nt / (2 n), floats per flop. Auto: with B read in place, ROWS, unless
 * A is read in place too and is the smaller (m < n: COLS); else the cheaper
 * of the two while that ratio is at most 1/16, else SHARED. Chosen from
 * `mlpbench gemm --threads 2 --split shared,rows,cols` on the 2-core Zen 3 VM
 * (README "Kernel performance"); the 1/16 bound for many threads is set, not
 * measured.
 * ROWS (and narrow_rows_part's small k) cut C into runs of rows, one after
 * another in memory; even threads walk theirs from the last tile back, odd
 * ones forward, so on 2 threads both start at their common edge. On the Zen
 * 5 VM a core writing forward up to the next run slowed the core writing it
 * (build/rows_edge: dW2's halves at batch 32 side by side 6.2 and 9.4 us,
 * 5.5 alone); the walk: dW2 at batch 32 on 2 threads 1.04-1.19x, the update
 * at batch 2 1.15-1.18x, never slower (README, "How it is built"). Same
 * tiles, same bits; mlpb_ctx_set_walk(-1) turns it off. On 3+ threads half
 * the edges are walked towards from both sides (not measured).
 * ROWS cuts all of M, not each IC block (a walk back takes the blocks last
 * first): cut per block, thread 1's walk through dW1's first block ended
 * where thread 0's rows of the second began, 1.09x the slower half's time
 * alone at batch 32; cut whole, 1.01x (results/frame_ab/rows_outer).
 * On 1 thread the split is only the tiles' order: ROWS's (IR outer, JR
 * inner: row bands) when cfg.ir_outer (sysinfo.c sets it), else SHARED's
 * (JR outer); the same tiles, so the same bits. */
static mlpb_split packed_split(const mlpb_ctx *ctx, int m, int n, int a_inplace, int b_inplace, int nt) {
    if (nt < 2) return ctx->cfg.ir_outer ? MLPB_SPLIT_ROWS : MLPB_SPLIT_SHARED; /* the tiles' order alone */
    if (ctx->split != MLPB_SPLIT_AUTO) return ctx->split;
    if (b_inplace) return a_inplace && m < n ? MLPB_SPLIT_COLS : MLPB_SPLIT_ROWS;
    const int big = m >= n ? m : n;
    if (16L * nt > 2L * big) return MLPB_SPLIT_SHARED;
    return m >= n ? MLPB_SPLIT_ROWS : MLPB_SPLIT_COLS;
}

/* A's rows are read in place (op(A) = N, full row panels) when a JC block
 * has at most this many column panels: each A panel then meets few B panels,
 * and packing it costs ~1 float of transposition per 2 NR npan flops.
 * build/frame_ab arows (results/frame_ab/arows.txt, 2-core Zen 3 VM): at 16
 * panels (n = 256) and fewer, 0.99-1.3x the speed; more panels not measured. */
#define A_INPLACE_MAXPAN 16

/* One micro-kernel call: the full or edge kernel (e), A packed or its rows in
 * place (ar: a + i lda), B packed or in place (inpl: bi, ldb). */
static inline void ukr_call(const mlpb_ukr *u, int e, int ar, int inpl, int kc, const float *a, ptrdiff_t lda,
                            const float *b, const float *bi, ptrdiff_t ldb, float *c, ptrdiff_t ldc, float alpha,
                            float beta) {
    if (ar) (e ? u->fn_e_lda : u->fn_lda)(kc, a, lda, inpl ? bi : b, inpl ? ldb : u->nr, c, ldc, alpha, beta);
    else if (inpl) (e ? u->fn_e_ldb : u->fn_ldb)(kc, a, bi, ldb, c, ldc, alpha, beta);
    else (e ? u->fn_e : u->fn)(kc, a, b, c, ldc, alpha, beta);
}

/* x clamped to 0 .. hi */
static inline long clamp_l(long x, long hi) { return x < 0 ? 0 : x > hi ? hi : x; }

/* A packed once per K block (a_once): with several JC blocks the nest runs
 * PC outer, JC inner; each thread packs the A panels its tiles meet, of
 * every IC block, in the first JC block, into its own apack_all, and the
 * other JC blocks read them there; else A is packed once per (JC, PC, IC)
 * block, ceil(n / NC) times in all. Each tile still takes its K blocks in order,
 * from the same packed values: the same bits. Where the threads keep their
 * buffers apart (one thread, ROWS, COLS; SHARED's threads on 2+ pack shared
 * blocks together and keep that order: each packing all of A would give the
 * same bits, not measured), when the thread's panels fit a core's share of
 * L3 (cfg.l3_floats; kept until mlpb_ctx_free), and when A's rows are not
 * read in place instead (ainpl: op(A) = N and at most A_INPLACE_MAXPAN column
 * panels a block, which packs only partial panels).
 * `frame_ab aonce` on the Xeon VM (results/frame_ab/aonce.txt): where the
 * rule takes it (17 cases: 2 to 5 JC blocks, 1 and 2 threads, both ISAs)
 * 0.997-1.066x the speed, median 1.027x; where it would replace A read in
 * place (n = 960, 1024: blocks of 15 and 16 panels) 0.976-0.987x on 1 thread
 * (0.997x, 1.008x on 2), so it does not there; mlpb_ctx_set_aonce(> 0) takes
 * it there too. */
static int a_once_rule(const mlpb_ctx *ctx, mlpb_split split, int nt, int njc, int ainpl, size_t floats) {
    return ctx->aonce >= 0 && njc > 1 && (ctx->aonce > 0 || !ainpl) && (nt == 1 || split != MLPB_SPLIT_SHARED) &&
           floats <= (size_t)ctx->cfg.l3_floats;
}

/* thread tid's apack_all, at least `floats` long (grown by that thread alone); NULL: no room */
static float *a_once_buf(mlpb_ctx *ctx, int tid, size_t floats) {
    if (ctx->apack_all_cap[tid] < floats) {
        free(ctx->apack_all[tid]);
        ctx->apack_all[tid] = mlpb_alloc64(floats * sizeof(float));
        ctx->apack_all_cap[tid] = ctx->apack_all[tid] ? floats : 0;
    }
    return ctx->apack_all[tid];
}

/* The global row panels [*p0, *p1) whose tiles a ROWS run of thread tid of nt
 * holds (tile t of all M's, IR-major: panel t / npan) in a JC block of npan
 * column panels (packed_part packs the part of them in each IC block; a_once,
 * the first block's). The widest block's run (the first) meets every panel a
 * narrower one's does: with y = nir_all (tid + 1) / nt, its end p1 is
 * floor(y) + [frac(y) >= 1 / npan], which npan only raises; its first panel,
 * floor(nir_all tid / nt), is npan's for any. (A thread with no tile in the
 * widest block, fewer tiles than threads, packs A per JC block.) */
static void rows_run_panels(long nir_all, int npan, int tid, int nt, long *p0, long *p1) {
    const long gt = nir_all * npan, r0 = gt * tid / nt, r1 = gt * (tid + 1) / nt;
    *p0 = r0 / npan;
    *p1 = r1 > r0 ? (r1 - 1) / npan + 1 : *p0;
}

static void packed_part(mlpb_ctx *ctx, const gemm_args *g, int tid, int nt) {
    const mlpb_op ta = g->ta, tb = g->tb;
    const int m = g->m, n = g->n, k = g->k;
    const float alpha = g->alpha, beta = g->beta, *A = g->A, *B = g->B;
    const ptrdiff_t lda = g->lda, ldb = g->ldb, ldc = g->ldc;
    float *C = g->C;
    const mlpb_epi *epi = g->epi;
    const int MR = ctx->ukr->mr, NR = ctx->ukr->nr;
    const int MC = balanced(m, ctx->cfg.mc, MR);
    const int KC = ctx->balance_k ? balanced(k, ctx->cfg.kc, 8) : ctx->cfg.kc;
    const int NC = balanced(n, ctx->cfg.nc, NR);
    const mlpb_ukr *u = ctx->ukr;
    const int ME = u->me; /* 0: no edge kernel */
    const mlpb_vec_isa *vx = ctx->vx;
    /* One IC block: each element of B meets one A block only, so packing B
     * (a read and a write of all of B) buys nothing the micro-kernel cannot
     * get from B in place, when op(B) = N gives it rows of NR contiguous
     * floats. Only a partial column panel (nr < NR, zero-padded) is still packed. */
    const int b_inplace = u->fn_ldb && (ME == 0 || u->fn_e_ldb) && tb == MLPB_N && m <= MC;
    const int a_inplace_ok = u->fn_lda && (ME == 0 || u->fn_e_lda) && ta == MLPB_N; /* and few column panels */
    const int npan0 = ((n < NC ? n : NC) + NR - 1) / NR; /* the first JC block's column panels */
    const int ainpl0 = a_inplace_ok && npan0 <= A_INPLACE_MAXPAN; /* the first JC block reads A's rows in place */
    const mlpb_split split = packed_split(ctx, m, n, ainpl0, b_inplace, nt);
    const int shared = split == MLPB_SPLIT_SHARED, rows = split == MLPB_SPLIT_ROWS, cols = split == MLPB_SPLIT_COLS;
    /* the IC blocks: all of MC rows but the last; their row panels */
    const int nic = (m + MC - 1) / MC;
    const panels rpf = row_panels(MC, MR, ME, MC / MR), rpl = row_panels(m - (nic - 1) * MC, MR, ME, MC / MR);
    const int nir_full = panels_n(rpf);
    const int nir_all = (nic - 1) * nir_full + panels_n(rpl);
    float tmp[MLPB_UKR_MAX_MR * MLPB_UKR_MAX_NR] __attribute__((aligned(64)));
    /* A packed once per K block (a_once_rule): the A panels this thread's
     * tiles meet, global panel numbers p0 .. p1-1 (panel p: IC block
     * p / nir_full, its panel p % nir_full), at ao + (p - p0) MR kc */
    const int njc = (n + NC - 1) / NC, npc = (k + KC - 1) / KC;
    long p0 = 0, p1 = nir_all;
    if (rows) rows_run_panels(nir_all, npan0, tid, nt, &p0, &p1);
    const size_t ao_floats = (size_t)(p1 - p0) * MR * KC;
    float *ao = p1 > p0 && a_once_rule(ctx, split, nt, njc, ainpl0, ao_floats) ? a_once_buf(ctx, tid, ao_floats) : NULL;
    int ab = 0, bb = 0; /* shared buffer parities: every thread walks the same blocks */
    for (int xo = 0; xo < (ao ? npc : njc); xo++) {              /* JC loop (a_once: PC loop) */
        for (int xi = 0; xi < (ao ? njc : npc); xi++) {          /* PC loop (a_once: JC loop) */
            const int jc = (ao ? xi : xo) * NC, pc = (ao ? xo : xi) * KC;
            const int nc = n - jc < NC ? n - jc : NC;
            const int npan = (nc + NR - 1) / NR;
            const int a_inplace = !ao && a_inplace_ok && npan <= A_INPLACE_MAXPAN; /* full row panels */
            /* the B panels this thread packs: a share (SHARED), its own (COLS), all (ROWS) */
            const int jp0 = rows ? 0 : npan * tid / nt;
            const int jp1 = rows ? npan : npan * (tid + 1) / nt;
            /* the global A panels this thread's tiles meet in this JC block: its
             * ROWS run's, or all (SHARED: a share of each IC block's, below) */
            long q0 = 0, q1 = nir_all;
            if (rows) rows_run_panels(nir_all, npan, tid, nt, &q0, &q1);
            const int kc = k - pc < KC ? k - pc : KC;
            const float beta_p = pc == 0 ? beta : 1.0f;
            const int last = pc + kc >= k;
            float *bp = shared ? ctx->bpack[bb] : ctx->bpack[tid];
            bb ^= 1;
            for (int jp = jp0; jp < jp1; jp++) {
                const int j0 = jp * NR, nr = nc - j0 < NR ? nc - j0 : NR;
                if (!b_inplace || nr < NR)
                    pack_b(ctx, bp + (size_t)jp * kc * NR, tb, B, ldb, pc, kc, jc + j0, nr);
            }
            for (int bi = 0; bi < nic; bi++) {                 /* IC loop (ROWS walking back: last block first) */
                const int ic = (rows && walks_back(ctx, tid, nt) ? nic - 1 - bi : bi) * MC;
                const int mc = m - ic < MC ? m - ic : MC;
                const panels rp = row_panels(mc, MR, ME, MC / MR);
                const int nir = panels_n(rp);
                float *ap = shared ? ctx->apack[ab] : ctx->apack[tid]; /* this block's A panels (not a_once) */
                const long base = (long)(ic / MC) * nir_full;          /* its first panel's global number */
                const long pa = base - p0; /* a_once: its panel ir at ao + (pa + ir) MR kc */
                ab ^= 1;
                /* this thread's tiles, t0 <= t < t1: JR-major (jr = t / nir) but
                 * for ROWS (ir = t / npan: its share of all the blocks' tiles,
                 * in row order, met in this block); COLS in whole column panels */
                const long ntiles = (long)nir * npan, gt = (long)nir_all * npan, g0 = base * npan;
                const long r0 = gt * tid / nt - g0, r1 = gt * (tid + 1) / nt - g0;
                const long t0 = cols ? (long)jp0 * nir : rows ? clamp_l(r0, ntiles) : ntiles * tid / nt;
                const long t1 = cols ? (long)jp1 * nir : rows ? clamp_l(r1, ntiles) : ntiles * (tid + 1) / nt;
                /* the A panels this thread packs: a share (SHARED), else those of
                 * q0 .. q1-1 in this block; a_once: in the first JC block only
                 * (its q0, q1 are p0, p1: npan is npan0 there) */
                const int ip0 = shared ? nir * tid / nt : (int)clamp_l(q0 - base, nir);
                const int ip1 = shared ? nir * (tid + 1) / nt : ao && xi > 0 ? ip0 : (int)clamp_l(q1 - base, nir);
                for (int ir = ip0; ir < ip1; ir++) {
                    int i0, mr;
                    panel_rows(&rp, ir, MR, ME, &i0, &mr);
                    if (a_inplace && (mr == MR || mr == ME)) continue;
                    pack_a(ctx, ao ? ao + (size_t)(pa + ir) * MR * kc : ap + (size_t)ir * MR * kc, ta, A, lda, ic + i0, mr,
                           pc, kc);
                }
                if (shared && nt > 1) job_barrier(ctx);         /* this block's A (and B) packed */
                const int down = rows && walks_back(ctx, tid, nt); /* packed_split */
                for (long tt = t0; tt < t1; tt++) {            /* JR loop, then IR loop (ROWS: IR, JR) */
                    const long t = down ? t1 - 1 - (tt - t0) : tt;
                    const int jr = rows ? (int)(t % npan) : (int)(t / nir), ir = rows ? (int)(t / npan) : (int)(t % nir);
                    int i0, mr;
                    panel_rows(&rp, ir, MR, ME, &i0, &mr);
                    const int j0 = jr * NR, nr = nc - j0 < NR ? nc - j0 : NR;
                    /* the edge kernel for panels of at most ME rows; A's rows in place for full panels */
                    const int e = mr <= ME, ar = a_inplace && (mr == MR || mr == ME);
                    const float *a = ar   ? A + (size_t)(ic + i0) * lda + pc
                                     : ao ? ao + (size_t)(pa + ir) * MR * kc
                                          : ap + (size_t)ir * MR * kc;
                    const float *b = bp + (size_t)jr * kc * NR;
                    const float *bi = B + (size_t)pc * ldb + (jc + j0); /* b_inplace && nr == NR */
                    const int inpl = b_inplace && nr == NR;
                    float *c = C + (size_t)(ic + i0) * ldc + (jc + j0);
                    if ((mr == MR || mr == ME) && nr == NR) {
                        ukr_call(u, e, ar, inpl, kc, a, lda, b, bi, ldb, c, ldc, alpha, beta_p);
                    } else { /* partial tile: the kernel on a copy of C's tile (beta != 0) with
                              * zeros around it, so each element gets a full tile's arithmetic */
                        if (beta_p != 0.0f)
                            for (int i = 0; i < (e ? ME : MR); i++)
                                for (int j = 0; j < NR; j++)
                                    tmp[i * NR + j] = i < mr && j < nr ? c[(size_t)i * ldc + j] : 0.0f;
                        ukr_call(u, e, ar, inpl, kc, a, lda, b, bi, ldb, tmp, NR, alpha, beta_p);
                        for (int i = 0; i < mr; i++)
                            for (int j = 0; j < nr; j++) c[(size_t)i * ldc + j] = tmp[i * NR + j];
                    }
                    if (last && epi) epi_tile(vx, epi, C, ldc, ic + i0, jc + j0, mr, nr);
                }
            }
        }
    }
}

/* Runs the GEMM on a narrow path if one applies (SIMD table present); 0 if
 * none does. The first B packing buffer takes op(B) transposed (small k, or
 * op(A) = T, when the path needs it the other way round) or packed by
 * pack_q (the dot path); when that does not fit, the packed frame runs. */
static int gemm_narrow(mlpb_ctx *ctx, gemm_args *g, int par) {
    const mlpb_vec_isa *vx = ctx->vx;
    const int n = g->n, k = g->k;
    const size_t cap = ctx->narrow_cap;
    const int fits = (size_t)k * (size_t)n <= cap, tc = n <= NARROW_N && g->ta == MLPB_T;
    if (tc || k <= NARROW_K) {                                  /* Bx = op(B), (k, n) */
        if (g->tb == MLPB_T) {
            if (!fits) return 0;
            vx->pack_t(n, k, n, g->B, g->ldb, ctx->bpack[0]);  /* Bx[p n + j] = B[j ldb + p] */
            g->Bx = ctx->bpack[0];
            g->ldbx = n;
        }
        /* streaming stores (narrow_rows_part) for C past the caches, if the scratch tile fits */
        g->stream = !tc && g->beta == 0.0f && knob(ctx->stream, past_l3_share(ctx, (double)g->m * (double)g->n)) &&
                    round_up((size_t)n, 16) * (size_t)bn_rows(ctx) <= (size_t)ctx->cfg.mc * (size_t)ctx->cfg.kc;
        run(ctx, par, tc ? narrow_tc_part : narrow_rows_part, g);
        return 1;
    }
    if (n <= NARROW_N && ((size_t)k + (size_t)vx->lanes) * (size_t)(n + 1) <= cap) { /* Bx = op(B) for dotq */
        vx->pack_q(k, n, g->B, g->ldb, g->tb == MLPB_T, ctx->bpack[0]);
        g->Bx = ctx->bpack[0];
        g->prefetch = knob(ctx->prefetch, past_l3_share(ctx, (double)g->m * (double)g->lda));
        run(ctx, par, narrow_rows_part, g);
        return 1;
    }
    return 0;
}

/* The path mlpb_gemm takes: the small-M kernel (SIMD table, m <= MR), a
 * narrow path (n <= 12 or k <= 16; gemm_narrow falls back to the packed frame
 * when its buffer does not fit), else the packed frame (and the REF rung). */
static mlpb_gemm_path gemm_path(const mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k) {
    const mlpb_vec_isa *vx = ctx->vx;
    if (ctx->cfg.kernel == MLPB_KERNEL_REF || !vx) return MLPB_PATH_PACKED;
    if (m <= ctx->ukr->mr && m <= vx->smallm_maxr && !(ta == MLPB_T && tb == MLPB_T)) return MLPB_PATH_SMALLM;
    return n <= NARROW_N || k <= NARROW_K ? MLPB_PATH_NARROW : MLPB_PATH_PACKED;
}

/* Whether the small-M path splits K (smallm_kpart) rather than N: op(A) =
 * op(B) = N, K has two halves whose partial sums fit the scratch, and the
 * split is not forced to N (COLS; with a single unit of N, K anyway). K even
 * where N would be quicker alone (batch 4-8's fwd-W1 0.89x in
 * results/kernels/zen5_ksplit): the update splits W's rows the same way, and
 * N against rows moves W's lines every step (results/train-ksplit-zen5). */
static int smallm_ksplit(const mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k) {
    if (ta != MLPB_N || tb != MLPB_N || !kpart_fits(ctx, m, n, k)) return 0;
    return n <= SMALLM_UNIT || ctx->split != MLPB_SPLIT_COLS;
}

/* Whether a GEMM of `flops` on that path runs on the context's threads (the
 * small-M kernel splits whole units of N, or K's halves: ksplit, from
 * smallm_ksplit). A small-M or small-k one's threshold in a team follows
 * W's size (w_floats, wf here), the same for a layer's forward, update and
 * backward, so the three split together. */
static int gemm_par(const mlpb_ctx *ctx, mlpb_gemm_path path, int ksplit, double wf, int n, int k, double flops) {
    if (ctx->cfg.threads < 2) return 0;
    if (path == MLPB_PATH_SMALLM && n <= SMALLM_UNIT && !ksplit) return 0;
    const int stream = path == MLPB_PATH_SMALLM || (path == MLPB_PATH_NARROW && k <= bn_rows(ctx));
    return flops >= (stream ? stream_par_min(ctx, wf) : par_min(ctx, par_dflt[path]));
}

int mlpb_gemm_splits(const mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k) {
    if (m <= 0 || n <= 0 || k <= 0) return 0;
    const mlpb_gemm_path path = gemm_path(ctx, ta, tb, m, n, k);
    const int ksplit = path == MLPB_PATH_SMALLM && smallm_ksplit(ctx, ta, tb, m, n, k);
    return gemm_par(ctx, path, ksplit, w_floats(ta, m, n, k), n, k, 2.0 * m * n * k);
}

void mlpb_gemm(mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k,
               float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
               float beta, float *C, ptrdiff_t ldc, const mlpb_epi *epi) {
    if (m <= 0 || n <= 0) return;
    if (epi && epi->kind == MLPB_EPI_NONE) epi = NULL;
    if (k <= 0) {
        scale_c(m, n, beta, C, ldc);
        if (epi) epi_tile(ctx->vx, epi, C, ldc, 0, 0, m, n);
        return;
    }
    gemm_args g = { ta, tb, m, n, k, alpha, beta, A, B, B, lda, ldb, ldb, C, ldc, epi, 0, 0, NULL };
    const double flops = 2.0 * m * n * k;
    const mlpb_gemm_path path = gemm_path(ctx, ta, tb, m, n, k);
    const int ksplit = path == MLPB_PATH_SMALLM && smallm_ksplit(ctx, ta, tb, m, n, k);
    const double wf = w_floats(ta, m, n, k);
    const int par = gemm_par(ctx, path, ksplit, wf, n, k, flops);
    if (ctx->cfg.kernel == MLPB_KERNEL_REF) {
        run(ctx, par, ref_part, &g);
        return;
    }
    if (path == MLPB_PATH_SMALLM) {
        int kparts = 0;
        if (par && ksplit) {
            g.kparts = &kparts;
            run(ctx, par, smallm_kpart, &g);
            if (kparts) smallm_kjoin(ctx, &g);
        } else {
            run(ctx, par, smallm_part, &g);
        }
        return;
    }
    if (path == MLPB_PATH_NARROW && gemm_narrow(ctx, &g, par)) return;
    run(ctx, path == MLPB_PATH_PACKED ? par : gemm_par(ctx, MLPB_PATH_PACKED, 0, wf, n, k, flops), packed_part, &g);
}
