/* vec.c - row-wise and element-wise kernels (kernels.h): bias add, sigmoid,
 * sigmoid-derivative product, softmax, fused softmax + cross-entropy + delta,
 * column sums, axpy. OpenMP over rows (or columns for column sums); every
 * reduction runs in row order whatever the thread count. The loops here are
 * the plain-C paths (REF, BLOCKED, scalar SIMD); with a SIMD table in the
 * context (mlpb_ctx_vec, kernel SIMD on avx2/avx512) each row goes to that
 * ISA's kernel instead (vec_inl.h, vec_<isa>.c), same partitioning. */
#include "kernels/kernels.h"
#include "kernels/vec_inl.h"

#include <math.h>

#define AT(P, ld, i, j) (P)[(size_t)(i) * (size_t)(ld) + (size_t)(j)]
/* below this many elements a parallel region costs more than it saves */
#define PAR_MIN 16384

/* The rows [lo, hi) of n that are thread tid's of nt: contiguous shares.
 * Each kernel's job runs its rows (or column blocks) through a SIMD table's
 * row kernel, or the plain loop; mlpb_par_run spreads it over the context's
 * threads (a team's or a region's) when par, else one call does all n: never
 * a region for a small call (libgomp charges ~0.4 us even for `omp parallel
 * if (0)` on the 2-core Zen 3 VM). Iterations are independent and each is
 * one thread's, so `par` never changes a result. */
#define SHARE(n, tid, nt, lo, hi) \
    const long lo = (long)(n) * (tid) / (nt), hi = (long)(n) * ((tid) + 1) / (nt)

/* y = f(x) row by row: each kernel's row, the SIMD table's or the plain C
 * one below (bias add reads one x, ldx = 0) */
typedef void (*row_fn)(int n, const float *x, float *y);
typedef struct { int m, n; const float *X; ptrdiff_t ldx; float *Y; ptrdiff_t ldy; row_fn row; } rows_args;

static void rows_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) {
    const rows_args *a = arg;
    (void)ctx;
    SHARE(a->m, tid, nt, lo, hi);
    for (long i = lo; i < hi; i++) a->row(a->n, &AT(a->X, a->ldx, i, 0), &AT(a->Y, a->ldy, i, 0));
}

static void rows(mlpb_ctx *ctx, int m, int n, const float *X, ptrdiff_t ldx, float *Y, ptrdiff_t ldy, row_fn row) {
    const rows_args a = { m, n, X, ldx, Y, ldy, row };
    mlpb_par_run(ctx, (long)m * n > PAR_MIN, rows_job, &a);
}

static void bias_row(int n, const float *b, float *z) {
    for (int j = 0; j < n; j++) z[j] += b[j]; /* (1)(3)(5) */
}

static void sigmoid_row(int n, const float *z, float *h) {
    for (int j = 0; j < n; j++) h[j] = mlpb_sigmoidf(z[j]); /* (2)(4) */
}

static void dsigmoid_row(int n, const float *h, float *d) {
    for (int j = 0; j < n; j++) d[j] *= h[j] * (1.0f - h[j]); /* (11)(15) with (12) */
}

static float row_max(int n, const float *z) {
    float mx = z[0];
    for (int j = 1; j < n; j++) mx = fmaxf(mx, z[j]);
    return mx;
}

static float row_sumexp(int n, const float *z, float mx) {
    float s = 0.0f;
    for (int j = 0; j < n; j++) s += expf(z[j] - mx);
    return s;
}

static void softmax_row(int n, const float *z, float *p) {
    float mx = row_max(n, z), s = row_sumexp(n, z, mx);
    for (int j = 0; j < n; j++) p[j] = expf(z[j] - mx) / s; /* (6) */
}

void mlpb_bias_add(mlpb_ctx *ctx, int m, int n, const float *b, float *Z, ptrdiff_t ldz) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    rows(ctx, m, n, b, 0, Z, ldz, vx ? vx->bias_row : bias_row);
}

void mlpb_sigmoid(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz, float *H, ptrdiff_t ldh) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    rows(ctx, m, n, Z, ldz, H, ldh, vx ? vx->sigmoid_row : sigmoid_row);
}

void mlpb_dsigmoid_mul(mlpb_ctx *ctx, int m, int n, const float *H, ptrdiff_t ldh, float *D, ptrdiff_t ldd) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    rows(ctx, m, n, H, ldh, D, ldd, vx ? vx->dsigmoid_row : dsigmoid_row);
}

void mlpb_softmax(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz, float *P, ptrdiff_t ldp) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    rows(ctx, m, n, Z, ldz, P, ldp, vx ? vx->softmax_row : softmax_row);
}

/* One row of the fused output layer; returns the row's loss. */
static float xent_row(int n, const float *z, const float *y, float scale, float *d) {
    float mx = row_max(n, z);
    float lse = mx + logf(row_sumexp(n, z, mx));
    float l = 0.0f;
    for (int j = 0; j < n; j++) l -= y[j] * (z[j] - lse);                /* (7), log-sum-exp form */
    if (d)
        for (int j = 0; j < n; j++) d[j] = scale * (expf(z[j] - lse) - y[j]); /* (6)(8) */
    return l;
}

typedef struct {
    int m, n;
    const float *Z; ptrdiff_t ldz;
    const float *Y; ptrdiff_t ldy;
    float scale;
    float *D; ptrdiff_t ldd;
    float *row_loss;
    float (*row)(int, const float *, const float *, float, float *);
} xent_args;

static void xent_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) {
    const xent_args *a = arg;
    (void)ctx;
    SHARE(a->m, tid, nt, lo, hi);
    for (long i = lo; i < hi; i++)
        a->row_loss[i] = a->row(a->n, &AT(a->Z, a->ldz, i, 0), &AT(a->Y, a->ldy, i, 0), a->scale,
                                a->D ? &AT(a->D, a->ldd, i, 0) : NULL);
}

double mlpb_softmax_xent(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz,
                         const float *Y, ptrdiff_t ldy, float scale, float *D, ptrdiff_t ldd,
                         float *row_loss) {
    double total = 0.0;
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    float (*const row)(int, const float *, const float *, float, float *) = vx ? vx->xent_row : xent_row;
    if (!row_loss) { /* no buffer for per-row losses: serial, same order */
        for (int i = 0; i < m; i++)
            total += row(n, &AT(Z, ldz, i, 0), &AT(Y, ldy, i, 0), scale, D ? &AT(D, ldd, i, 0) : NULL);
        return total;
    }
    const xent_args a = { m, n, Z, ldz, Y, ldy, scale, D, ldd, row_loss, row };
    mlpb_par_run(ctx, (long)m * n > PAR_MIN / 4, xent_job, &a);
    for (int i = 0; i < m; i++) total += row_loss[i];
    return total;
}

typedef struct { int m, n; float alpha; const float *D; ptrdiff_t ldd; float *db; } colsum_args;

/* columns split over threads in blocks of 64; each column summed in row order */
static void colsum_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) {
    const colsum_args *a = arg;
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    const int m = a->m, n = a->n;
    float *db = a->db;
    SHARE((n + 63) / 64, tid, nt, lo, hi);
    for (long blk = lo; blk < hi; blk++) {
        const int j0 = (int)blk * 64, j1 = j0 + 64 < n ? j0 + 64 : n;
        if (vx) { vx->colsum(m, j1 - j0, a->alpha, a->D + j0, a->ldd, db + j0); continue; } /* same order, same bits */
        for (int j = j0; j < j1; j++) db[j] = 0.0f;
        for (int i = 0; i < m; i++)
            for (int j = j0; j < j1; j++) db[j] += AT(a->D, a->ldd, i, j); /* (10)(14)(17) */
        for (int j = j0; j < j1; j++) db[j] *= a->alpha;
    }
}

void mlpb_colsum(mlpb_ctx *ctx, int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db) {
    const colsum_args a = { m, n, alpha, D, ldd, db };
    mlpb_par_run(ctx, (long)m * n > PAR_MIN, colsum_job, &a);
}

typedef struct { size_t n; float a; const float *x; float *y; } axpy_args;

/* chunks of 4096 floats over threads; the SIMD table's y + a x per element
 * as the plain loop's: same bits */
static void axpy_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) {
    const axpy_args *p = arg;
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    const size_t n = p->n;
    SHARE((n + 4095) / 4096, tid, nt, lo, hi);
    for (long c = lo; c < hi; c++) {
        const size_t i0 = (size_t)c * 4096, len = n - i0 < 4096 ? n - i0 : 4096;
        if (vx) { vx->axpy(len, p->a, p->x + i0, p->y + i0); continue; }
        for (size_t i = i0; i < i0 + len; i++) p->y[i] += p->a * p->x[i]; /* (18) with a = -eta */
    }
}

void mlpb_axpy(mlpb_ctx *ctx, int split, size_t n, float a, const float *x, float *y) {
    const axpy_args p = { n, a, x, y };
    mlpb_par_run(ctx, split && n > (size_t)PAR_MIN * 4, axpy_job, &p);
}
