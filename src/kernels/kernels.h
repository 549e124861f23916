/* kernels.h - the engine room's public face: the kernel context (blocking,
 * micro-kernel, threads, per-thread packing buffers) and every kernel the
 * network uses. Kernels know nothing of networks, read no files, hold no
 * globals; sys/ fills the config, a test or benchmark can set any config.
 *
 * All matrices are row-major float32 with a leading dimension (ld >= width).
 * Every kernel here has a plain-C reference twin in ref.h. */
#ifndef MLPB_KERNELS_H
#define MLPB_KERNELS_H

#include <stddef.h>

typedef enum { MLPB_N = 0, MLPB_T = 1 } mlpb_op;

/* Kernel ablation ladder (--kernel). */
typedef enum {
    MLPB_KERNEL_REF = 0,     /* naive reference loops (ref.c) */
    MLPB_KERNEL_BLOCKED = 1, /* packed, cache-blocked GEMM with the scalar micro-kernel */
    MLPB_KERNEL_SIMD = 2     /* packed, cache-blocked GEMM with the ISA micro-kernel */
} mlpb_kernel;

/* Work fused into the GEMM after the last K block of each C tile. */
typedef enum {
    MLPB_EPI_NONE = 0,
    MLPB_EPI_BIAS,          /* C += 1 b              (1)(3)(5) */
    MLPB_EPI_BIAS_SIGMOID,  /* C = sigmoid(C + 1 b)  (1)-(4) */
    MLPB_EPI_DSIGMOID       /* C = C . H . (1 - H)   (11)(15) */
} mlpb_epi_kind;

typedef struct mlpb_epi {
    mlpb_epi_kind kind;
    const float *bias;      /* (1, n) for BIAS, BIAS_SIGMOID */
    const float *h;         /* (m, n) with ldh, for DSIGMOID; must not overlap C */
    ptrdiff_t ldh;
} mlpb_epi;

/* A register-blocked micro-kernel: C(MR x NR) = alpha * Ap * Bp + beta * C,
 * Ap packed (kc, MR) k-major, Bp packed (kc, NR) k-major; beta == 0 never
 * reads C. Always a full tile (MR x NR; an edge kernel me x NR): the frame
 * handles partial tiles. */
typedef void (*mlpb_ukr_fn)(int kc, const float *restrict a, const float *restrict b,
                            float *restrict c, ptrdiff_t ldc, float alpha, float beta);

/* Bounds on any micro-kernel's tile (the frame's edge buffer). */
#define MLPB_UKR_MAX_MR 32
#define MLPB_UKR_MAX_NR 64

/* The same micro-kernel reading B in place: row p of the (kc, NR) panel at
 * b + p ldb (op(B) = N, a full NR-wide panel); the same bits as fn on the
 * packed panel. The frame uses it when packing B would buy nothing (one IC
 * block: every element of B is read by one A block only). */
typedef void (*mlpb_ukr_ldb_fn)(int kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
                                float *restrict c, ptrdiff_t ldc, float alpha, float beta);

/* The same micro-kernel reading A's rows in place (op(A) = N): row i of the
 * tile's A at a + i lda, its k steps contiguous; B packed (ldb = NR) or in
 * place (op(B) = N). The same bits as fn on the packed panel. The frame uses
 * it for full row panels when each A panel meets few B panels, where packing
 * A is a sizeable share of the work. */
typedef void (*mlpb_ukr_lda_fn)(int kc, const float *restrict a, ptrdiff_t lda, const float *restrict b,
                                ptrdiff_t ldb, float *restrict c, ptrdiff_t ldc, float alpha, float beta);

typedef struct mlpb_ukr {
    const char *name;       /* e.g. "avx2_6x16" */
    const char *isa;        /* "avx512", "avx2", "scalar" */
    int mr, nr;
    mlpb_ukr_fn fn;
    mlpb_ukr_ldb_fn fn_ldb; /* optional (NULL: B always packed) */
    /* Optional edge kernel (me = 0: none): the first me < mr rows of the same
     * MR-wide A panels, full NR width, the same bits per element as fn. The
     * frame cuts a block of m rows into MR- and me-row panels so that none is
     * partial when it can (m = 32 with 6 and 4: 6+6+6+6+4+4). */
    int me;
    mlpb_ukr_fn fn_e;
    mlpb_ukr_ldb_fn fn_e_ldb;
    mlpb_ukr_lda_fn fn_lda, fn_e_lda; /* optional (NULL: A always packed) */
} mlpb_ukr;

/* The micro-kernel table, best first; the scalar one is always last and
 * always available. ukernel.c owns it and the CPU-feature check. */
const mlpb_ukr *const *mlpb_ukr_table(int *count);
int mlpb_isa_available(const char *isa);
/* Pick by ISA name ("auto" = best available). NULL if unknown/unavailable. */
const mlpb_ukr *mlpb_ukr_find(const char *isa);

typedef struct mlpb_kcfg {
    mlpb_kernel kernel;
    const mlpb_ukr *ukr;    /* used by SIMD; BLOCKED always uses the scalar one */
    int mc, kc, nc;         /* cache blocking; multiples of MR / any / NR */
    int threads;            /* OpenMP threads for every kernel call */
    int ir_outer;           /* 1: one thread takes the packed frame's tiles IR outer, JR inner
                             * (row bands, as the ROWS split does); 0: JR outer (sysinfo.c) */
    long l3_floats;         /* a core's share of L3 as the blocking rule counts it, in floats:
                             * the narrow paths' prefetch and streaming stores act past it, and
                             * a quarter of it (at most 64Ki) is their room for op(B)
                             * (0: 4 KC NC, what it is when NC comes from L3) */
} mlpb_kcfg;

typedef struct mlpb_ctx mlpb_ctx;

/* A 64-byte aligned block of at least `bytes` (0 allowed), freed with free();
 * NULL when out of memory. The packing buffers', and any caller's operands. */
void *mlpb_alloc64(size_t bytes);

/* Allocate the per-thread packing buffers for cfg. NULL on bad cfg/OOM. A
 * thread's buffer for A packed once per K block (gemm.c, a_once_rule) is
 * grown on first need, up to cfg.l3_floats floats, and kept until
 * mlpb_ctx_free. */
mlpb_ctx *mlpb_ctx_new(const mlpb_kcfg *cfg);
void mlpb_ctx_free(mlpb_ctx *ctx);
const mlpb_kcfg *mlpb_ctx_cfg(const mlpb_ctx *ctx);
/* The ISA of the context's element-wise kernels, fused epilogues, transposing
 * packs and small-M GEMM: "avx2"/"avx512" for kernel SIMD on that micro-kernel
 * (vec_<isa>.c), "c" for the plain-C paths (REF, BLOCKED, scalar SIMD). */
const char *mlpb_ctx_vec_isa(const mlpb_ctx *ctx);
/* GEMMs of fewer flops than this run on one thread (no result depends on it):
 * 0 restores the frame's measured defaults, < 0 splits every GEMM (tests). */
void mlpb_ctx_set_par_min_flops(mlpb_ctx *ctx, long flops);
/* The value set (0: none, the measured thresholds apply) */
long mlpb_ctx_par_min_set(const mlpb_ctx *ctx);
/* The measured cost of an empty parallel region of the context's threads in
 * microseconds (0 for one thread), which scales the defaults; and the
 * threshold in effect for each GEMM path (info and result metadata;
 * MLPB_PATH_SMALLM's also holds for the narrow path's k <= MR, and called
 * inside a team it is the team's for a small W). */
double mlpb_ctx_region_us(const mlpb_ctx *ctx);
typedef enum { MLPB_PATH_PACKED = 0, MLPB_PATH_NARROW, MLPB_PATH_SMALLM } mlpb_gemm_path;
long mlpb_ctx_par_min(const mlpb_ctx *ctx, mlpb_gemm_path path);
/* MLPB_PATH_SMALLM's threshold inside a team, from the post's measured cost
 * (mlpb_ctx_team_us; the region's before any team; an explicit value when one
 * is set), for a small W or (big_w) a W of at least mlpb_ctx_team_w_min
 * floats (W: C with op(A) = T, else B; gemm.c); mlpb_team_par_min_at is
 * the rule itself for a post of post_us and vectors of `lanes` floats. */
long mlpb_ctx_team_par_min(const mlpb_ctx *ctx, int big_w);
long mlpb_ctx_team_w_min(const mlpb_ctx *ctx);
double mlpb_team_par_min_at(double post_us, int lanes, int big_w);
/* A team: fn(arg) runs on the calling thread while the context's other
 * threads wait inside one OpenMP parallel region, spinning on a shared word
 * (yielding the core after 4096 pauses, ~80 us on the Zen 5 VM, or at once
 * when the threads outnumber the CPUs online); every
 * parallel kernel call in fn hands them their parts through that word
 * instead of opening a region of its own: no system call per call, where
 * libgomp's fork and join make two or three (a system call costs ~1 us on
 * the Zen 5 VM). The same parts, so the same bits. For a run of many small
 * calls (a training run, a timing loop); while fn works alone the other
 * cores spin. fn must not open OpenMP regions itself; nested calls and one
 * thread run fn(arg) directly. The GEMM thresholds stay those of a region
 * (mlpb_ctx_region_us), but for the small-M path and the narrow path's small
 * k (batch 1-MR's forward and update), which follow the post's cost and
 * W's size (mlpb_ctx_team_par_min): a
 * split also moves operands between the cores, and splitting all GEMMs more
 * inside a team made SGD on 2 threads 3x slower (the weights crossing every
 * step); those two split W by the same rows, each core keeping its own. */
void mlpb_team_run(mlpb_ctx *ctx, void (*fn)(void *), void *arg);
/* The measured cost of posting an empty job to the context's team (us),
 * timed when its first team starts; 0 before that, and for one thread. */
double mlpb_ctx_team_us(const mlpb_ctx *ctx);
/* One part of a parallel kernel call: thread tid of nt. mlpb_par_run runs
 * fn on the context's threads (a team's, or a parallel region's) when par
 * and threads > 1, else fn(ctx, arg, 0, 1) on the calling thread. */
typedef void (*mlpb_job)(mlpb_ctx *ctx, const void *arg, int tid, int nt);
void mlpb_par_run(mlpb_ctx *ctx, int par, mlpb_job fn, const void *arg);
/* Whether mlpb_gemm would split this GEMM over the context's threads. */
int mlpb_gemm_splits(const mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k);
/* How threads share a packed GEMM (gemm.c, packed_split): AUTO (the default)
 * lets the frame choose; the others force one, to compare them (gemm --split)
 * and to test that none changes a bit. In the small-M path COLS forces the
 * split over N, any other K's halves where it has them. */
typedef enum { MLPB_SPLIT_AUTO = 0, MLPB_SPLIT_SHARED, MLPB_SPLIT_ROWS, MLPB_SPLIT_COLS } mlpb_split;
extern const char *const mlpb_split_names[]; /* "auto", "shared", "rows", "cols", NULL: mlpb_split order */
void mlpb_ctx_set_split(mlpb_ctx *ctx, mlpb_split split);
/* Software prefetch in the narrow paths (of the next K block with op(A) = T,
 * of the next row block in the op(A) = N dot path): 0 (the default) when A
 * is bigger than the caches, < 0 never, > 0 always. A speed knob for A/B
 * timing (frame_ab pf), never a result. */
void mlpb_ctx_set_prefetch(mlpb_ctx *ctx, int mode);
/* Streaming (non-temporal) stores of C in the narrow row-block path (k <= 16,
 * beta == 0): 0 (the default) when C is bigger than the caches, < 0 never,
 * > 0 always. A speed knob too (frame_ab stream), never a result. */
void mlpb_ctx_set_stream(mlpb_ctx *ctx, int mode);
/* Threads that split C's rows (the packed frame's ROWS split, the narrow
 * path's row blocks of small k): 0 (the default) even threads walk their
 * rows from the last back, odd ones forward (gemm.c, packed_split); < 0
 * every thread forward (> 0: as 0). A speed knob (frame_ab walk, rows_edge),
 * never a result. */
void mlpb_ctx_set_walk(mlpb_ctx *ctx, int mode);
/* The packed frame's A, when N has several JC blocks: 0 (the default) each
 * thread packs the A panels its tiles meet once per K block and keeps them
 * through the JC blocks where the rule takes it (gemm.c, a_once_rule: not
 * where A's rows are read in place), > 0 there too, < 0 never (once per JC
 * block). A speed knob (frame_ab aonce), never a result. */
void mlpb_ctx_set_aonce(mlpb_ctx *ctx, int mode);

/* C(m,n) = alpha * op(A) * op(B) + beta * C, then the epilogue.
 * op(A) is (m,k): A is (m,k) for N, (k,m) for T; op(B) is (k,n) likewise.
 * beta == 0 never reads C (NaN in C does not spread). k == 0 scales C.
 * Parallel over M and N, and the small-M path's K over two halves set by k
 * alone, summed in the one-thread order: the result does not depend on threads. */
void mlpb_gemm(mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k,
               float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
               float beta, float *C, ptrdiff_t ldc, const mlpb_epi *epi);

/* Row-wise and element-wise kernels. Parallel over rows or columns; every
 * reduction runs in a fixed order that does not depend on threads. */

/* Z(m,n) += 1 b, b (1,n)                                       (1)(3)(5) */
void mlpb_bias_add(mlpb_ctx *ctx, int m, int n, const float *b, float *Z, ptrdiff_t ldz);
/* H = sigmoid(Z), in place allowed                            (2)(4) */
void mlpb_sigmoid(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz, float *H, ptrdiff_t ldh);
/* D = D . H . (1 - H)                                          (11)(15) with (12) */
void mlpb_dsigmoid_mul(mlpb_ctx *ctx, int m, int n, const float *H, ptrdiff_t ldh, float *D, ptrdiff_t ldd);
/* P = softmax(Z) row-wise, max-subtracted                      (6) */
void mlpb_softmax(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz, float *P, ptrdiff_t ldp);
/* Fused output layer on logits Z (m,n) and one-hot Y (m,n):
 * row_loss[i] = -sum_j Y_ij (Z_ij - lse(Z_i))                   (7), log-sum-exp form
 * D = scale * (softmax(Z) - Y)                                  (6)(8)
 * (D may alias Z; row_loss may be NULL; D may be NULL for loss only.)
 * Returns the sum of row losses, accumulated in double in row order. */
double mlpb_softmax_xent(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz,
                         const float *Y, ptrdiff_t ldy, float scale, float *D, ptrdiff_t ldd,
                         float *row_loss);
/* db(1,n) = alpha * 1^T D(m,n)                                (10)(14)(17) */
void mlpb_colsum(mlpb_ctx *ctx, int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db);
/* y(n) += a x(n), over the threads when `split` and n is large (18). The
 * network splits its update only when its GEMMs split: an update split alone
 * moves the weights between the cores' caches every step (SGD on 2 threads
 * ran at 0.3x one thread on the Zen 5 VM). */
void mlpb_axpy(mlpb_ctx *ctx, int split, size_t n, float a, const float *x, float *y);

#endif
