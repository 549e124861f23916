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

static int threads(const mlpb_ctx *ctx) { return mlpb_ctx_cfg(ctx)->threads; }

/* for (T i = 0; i < n; i++) BODY, over the context's threads when `par`, else
 * a plain loop: libgomp charges ~0.4 us even for `omp parallel if (0)` (2-core
 * Zen 3 VM), more than a small row operation costs. Iterations are
 * independent and each is one thread's, so `par` never changes a result. */
#define FOR_PAR(ctx, par, T, i, n, ...)                                                   \
    do {                                                                              \
        const int nt_ = threads(ctx);                                                 \
        if ((par) && nt_ > 1) {                                                       \
            _Pragma("omp parallel for num_threads(nt_) schedule(static)")             \
            for (T i = 0; i < (n); i++) { __VA_ARGS__ }                               \
        } else {                                                                      \
            for (T i = 0; i < (n); i++) { __VA_ARGS__ }                               \
        }                                                                             \
    } while (0)

void mlpb_bias_add(mlpb_ctx *ctx, int m, int n, const float *b, float *Z, ptrdiff_t ldz) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    FOR_PAR(ctx, (long)m * n > PAR_MIN, int, i, m,
        if (vx) { vx->bias_row(n, b, &AT(Z, ldz, i, 0)); continue; }
        for (int j = 0; j < n; j++) AT(Z, ldz, i, j) += b[j]; /* (1)(3)(5) */
    );
}

void mlpb_sigmoid(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz, float *H, ptrdiff_t ldh) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    FOR_PAR(ctx, (long)m * n > PAR_MIN, int, i, m,
        if (vx) { vx->sigmoid_row(n, &AT(Z, ldz, i, 0), &AT(H, ldh, i, 0)); continue; }
        for (int j = 0; j < n; j++) AT(H, ldh, i, j) = mlpb_sigmoidf(AT(Z, ldz, i, j)); /* (2)(4) */
    );
}

void mlpb_dsigmoid_mul(mlpb_ctx *ctx, int m, int n, const float *H, ptrdiff_t ldh, float *D, ptrdiff_t ldd) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    FOR_PAR(ctx, (long)m * n > PAR_MIN, int, i, m,
        if (vx) { vx->dsigmoid_row(n, &AT(H, ldh, i, 0), &AT(D, ldd, i, 0)); continue; }
        for (int j = 0; j < n; j++) {
            float h = AT(H, ldh, i, j);
            AT(D, ldd, i, j) *= h * (1.0f - h); /* (11)(15) with (12) */
        }
    );
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

void mlpb_softmax(mlpb_ctx *ctx, int m, int n, const float *Z, ptrdiff_t ldz, float *P, ptrdiff_t ldp) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    FOR_PAR(ctx, (long)m * n > PAR_MIN, int, i, m,
        const float *z = &AT(Z, ldz, i, 0);
        if (vx) { vx->softmax_row(n, z, &AT(P, ldp, i, 0)); continue; }
        float mx = row_max(n, z), s = row_sumexp(n, z, mx);
        for (int j = 0; j < n; j++) AT(P, ldp, i, j) = expf(z[j] - mx) / s; /* (6) */
    );
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
    FOR_PAR(ctx, (long)m * n > PAR_MIN / 4, int, i, m,
        row_loss[i] = row(n, &AT(Z, ldz, i, 0), &AT(Y, ldy, i, 0), scale, D ? &AT(D, ldd, i, 0) : NULL);
    );
    for (int i = 0; i < m; i++) total += row_loss[i];
    return total;
}

void mlpb_colsum(mlpb_ctx *ctx, int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db) {
    /* columns split over threads in blocks of 64; each column summed in row order */
    const int nb = (n + 63) / 64;
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    FOR_PAR(ctx, (long)m * n > PAR_MIN, int, blk, nb,
        const int j0 = blk * 64, j1 = j0 + 64 < n ? j0 + 64 : n;
        if (vx) { vx->colsum(m, j1 - j0, alpha, D + j0, ldd, db + j0); continue; } /* same order, same bits */
        for (int j = j0; j < j1; j++) db[j] = 0.0f;
        for (int i = 0; i < m; i++)
            for (int j = j0; j < j1; j++) db[j] += AT(D, ldd, i, j); /* (10)(14)(17) */
        for (int j = j0; j < j1; j++) db[j] *= alpha;
    );
}

void mlpb_axpy(mlpb_ctx *ctx, int split, size_t n, float a, const float *x, float *y) {
    const mlpb_vec_isa *vx = mlpb_ctx_vec(ctx);
    if (vx) { /* chunks of 4096 floats over threads; y + a x per element as below: same bits */
        const long nch = (long)((n + 4095) / 4096);
        FOR_PAR(ctx, split && n > (size_t)PAR_MIN * 4, long, c, nch,
            const size_t i0 = (size_t)c * 4096, len = n - i0 < 4096 ? n - i0 : 4096;
            vx->axpy(len, a, x + i0, y + i0);
        );
        return;
    }
    FOR_PAR(ctx, split && n > (size_t)PAR_MIN * 4, size_t, i, n,
        y[i] += a * x[i]; /* (18) with a = -eta */
    );
}
