/* test_vec_simd.c - the SIMD element-wise kernels (vec_inl.h, vec_avx2.c,
 * vec_avx512.c) of every ISA this build has and this CPU runs (others skipped
 * with a message on stderr):
 *   exp   against exp() in double over the floats of [-104, 89] (every 61st
 *         bit pattern, about 37 million inputs) plus the special values:
 *         error <= 2 ULP of the correctly rounded result wherever e^x is a
 *         normal float (measured over every float of that range: 1 ULP on
 *         AVX2/Zen 3, 1.01 ULP against the exact value, relative 8.5e-8);
 *         x < -87.336540 gives +0, x > 88.722832 (and +inf) gives a finite
 *         value >= 3.4e38, -inf gives 0, NaN gives NaN; finite in -> finite
 *         out; every array length 0..3 VL+1 (the masked tails) lane by lane.
 *   kernels through the public API with a kernel-SIMD context of that ISA,
 *         1 and 2 threads, against their ref.c twins:
 *         bias add, sigmoid' product, column sums, axpy: bit-identical;
 *         sigmoid: |s - s_ref| <= 5 eps s_ref + FLT_MIN (exp's 2 ULP, the
 *           1 + e and the division, and ref's own expf error);
 *         softmax: relative (n + 6) eps (exp error 2 + 0.5 eps, the two sums
 *           in different orders (n - 1) eps, the division);
 *         softmax + loss + delta: lse = max + log(sum) differs by the sums
 *           ((n + 1.5) eps relative, so as much absolute in log) plus a
 *           rounding of log(s) and of lse; p = exp(z - lse) adds the rounding
 *           of z - lse and the two exp errors; so delta within
 *           |scale| ((n + 4 + |lse| + |log s| + |z - lse|) eps p + eps) (the
 *           last eps: p - y); row losses (= lse - z_label for one-hot y) within
 *           (n + 8 + 3 (max|z| + log n)) eps;
 *         1 vs 2 threads bit-identical for every kernel.
 *   table GEMMs called directly where the frame never calls them (narrow_tc
 *         past 12 columns, smallm_bt at k = 0), against ref_gemm;
 *         smallm_bt's columns cut anywhere, bit for bit against one call.
 *   pack_t against its definition dst[p R + i] = src[i ld + p] (0 past the
 *         source's rows), exactly, for every R of 1..33 (the 8-line groups
 *         and each remainder), kc of 1..20 and 127..129 (the 8-step tail
 *         window), fewer rows than R (down to 1: whole groups of zeros);
 *         dst guarded on both sides.
 *   pack_q (the narrow-N dot path's) against its definition, exactly, for
 *         every n of 1..12, k through each k mod Q, both orientations, B's
 *         last float before a PROT_NONE page (a read past it faults).
 *   rank1 against its definition and against smallm_bn at k = 1 (up to its
 *         smallm_maxr rows), bit for bit
 *         (signed zeros included), n through the masked tails, beta 0 / 1 /
 *         other, C guarded; smallk against its definition, bit for bit, at
 *         every k it takes, both orientations of A, alpha 1 and not.
 * Logits span +-30 with +-1000 planted, as in test_kernels vec. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "gemm_check.h"
#include "kernels/ref.h"
#include "kernels/vec_inl.h"

#define EPS ((double)FLT_EPSILON)
#define EXP_ULP_BOUND 2   /* asserted; measured 1 */
#define EXP_LO_F (-87.33654022216797f)
#define EXP_HI_F 88.72283172607422f

static float f_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static int32_t bits(float f) { int32_t u; memcpy(&u, &f, 4); return u; }

/* |a - b| in units in the last place, a and b finite and of the same sign */
static long ulp_dist(float a, float b) {
    long d = (long)bits(a) - (long)bits(b);
    return d < 0 ? -d : d;
}

/* one input: the checks that hold for every x; returns 1 if x was in the
 * accuracy range (and updates *worst) */
static int exp_check_one(const char *isa, float x, float y, long *worst, float *worst_x) {
    if (isnan(x)) {
        CHECK(isnan(y), "%s exp(NaN) = %g", isa, y);
        return 0;
    }
    CHECK(!isnan(y) && !isinf(y) && y >= 0.0f, "%s exp(%.9g) = %g: not finite and >= 0", isa, x, y);
    if (x < EXP_LO_F) {
        CHECK(y == 0.0f, "%s exp(%.9g) = %g: want 0 below ln(FLT_MIN)", isa, x, y);
        return 0;
    }
    if (x > EXP_HI_F) {
        CHECK(y >= 3.4e38f, "%s exp(%.9g) = %g: want saturation near FLT_MAX", isa, x, y);
        return 0;
    }
    const float cr = (float)exp((double)x); /* correctly rounded but for double rounding: fine at 2 ULP */
    const long d = ulp_dist(y, cr);
    if (d > *worst) { *worst = d; *worst_x = x; }
    return 1;
}

static void test_exp(const mlpb_vec_isa *vx) {
    enum { N = 4096 };
    static float x[N], y[N];
    long worst = 0, checked = 0;
    float worst_x = 0.0f;
    /* the sweep: bit patterns of [0, 89] and of [-104, -0], stride 61 */
    const uint32_t ranges[2][2] = { { 0x00000000u, 0x42B20000u /* 89 */ },
                                    { 0x80000000u, 0xC2D00000u /* -104 */ } };
    for (int r = 0; r < 2; r++) {
        uint32_t u = ranges[r][0];
        while (u <= ranges[r][1]) {
            int n = 0;
            for (; n < N && u <= ranges[r][1]; n++, u += 61) x[n] = f_of(u);
            vx->exp((size_t)n, x, y);
            for (int i = 0; i < n; i++) checked += exp_check_one(vx->isa, x[i], y[i], &worst, &worst_x);
        }
    }
    /* the special values and both saturation boundaries */
    const float sp[] = { 0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 1e-45f, -1e-45f, FLT_MIN, -FLT_MIN,
                         1e-30f, -1e-30f, 0.34657359f, -0.34657359f, 0.69314718f, -0.69314718f,
                         EXP_LO_F, nextafterf(EXP_LO_F, -INFINITY), nextafterf(EXP_LO_F, INFINITY),
                         EXP_HI_F, nextafterf(EXP_HI_F, INFINITY), nextafterf(EXP_HI_F, -INFINITY),
                         -87.0f, -88.0f, -100.0f, -103.972f, -104.0f, -105.0f, -1000.0f, 88.0f, 88.5f,
                         89.0f, 100.0f, 1000.0f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN, -NAN,
                         f_of(0x7FA00000u) /* signalling NaN */, f_of(0xFFC00001u) };
    const int ns = (int)(sizeof sp / sizeof sp[0]);
    vx->exp((size_t)ns, sp, y);
    for (int i = 0; i < ns; i++) checked += exp_check_one(vx->isa, sp[i], y[i], &worst, &worst_x);
    const float infs[2] = { -INFINITY, INFINITY };
    float yi[2];
    vx->exp(2, infs, yi);
    CHECK(yi[0] == 0.0f && yi[1] >= 3.4e38f && !isinf(yi[1]), "%s exp(-inf) = %g, exp(+inf) = %g", vx->isa,
          yi[0], yi[1]);
    CHECK(worst <= EXP_ULP_BOUND, "%s exp: %ld ULP at x = %.9g (bound %d)", vx->isa, worst, worst_x, EXP_ULP_BOUND);
    fprintf(stderr, "%-7s exp: %ld inputs in range, max error %ld ULP (at x = %.9g), bound %d\n", vx->isa, checked, worst,
           worst_x, EXP_ULP_BOUND);
    /* every length through the masked tail: lane i of a short call = exp of that lane alone */
    for (int n = 0; n <= 3 * vx->lanes + 1; n++) {
        float xs[64], ys[64], one;
        for (int i = 0; i < 64; i++) xs[i] = -20.0f + 0.37f * (float)i, ys[i] = -7.0f;
        vx->exp((size_t)n, xs, ys);
        for (int i = 0; i < n; i++) {
            vx->exp(1, xs + i, &one);
            CHECK(ys[i] == one, "%s exp length %d lane %d: %g vs %g", vx->isa, n, i, ys[i], one);
        }
        for (int i = n; i < 64; i++) CHECK(ys[i] == -7.0f, "%s exp length %d wrote y[%d]", vx->isa, n, i);
    }
}

static mlpb_ctx *ctx_for(const char *isa, int threads) {
    mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, mlpb_ukr_find(isa), 64, 128, 256, threads, 0, 0 };
    mlpb_ctx *c = mlpb_ctx_new(&cfg);
    if (!c) { fprintf(stderr, "mlpb_ctx_new failed for %s\n", isa); exit(2); }
    return c;
}

/* worst of |a - b| / (rel |b| + abs) over n; > 1 means outside */
static double worst_rel(const float *a, const float *b, size_t n, double rel, double abs_) {
    double w = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / (rel * fabs((double)b[i]) + abs_);
        if (isnan(a[i]) != isnan(b[i]) || isnan(d)) d = 1e30;
        if (d > w) w = d;
    }
    return w;
}

static void test_kernels(const char *isa) {
    mlpb_rng r;
    mlpb_rng_seed(&r, 11);
    mlpb_ctx *c1 = ctx_for(isa, 1), *c2 = ctx_for(isa, 2);
    double use[4] = { 0, 0, 0, 0 }; /* worst fraction of each bound used: sigmoid, softmax, delta, row loss */
    CHECK(!strcmp(mlpb_ctx_vec_isa(c1), isa), "%s context runs %s element-wise kernels", isa, mlpb_ctx_vec_isa(c1));
    const int shapes[][2] = { { 1, 1 }, { 1, 10 }, { 7, 13 }, { 3, 33 }, { 257, 129 }, { 300, 10 }, { 1000, 256 },
                              { 64, 784 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int m = shapes[s][0], n = shapes[s][1], ld = n + 3;
        const size_t sz = (size_t)m * ld;
        float *Z = malloc(sz * 4), *A = malloc(sz * 4), *A2 = malloc(sz * 4), *B = malloc(sz * 4);
        float *Y = calloc(sz, 4), *H = malloc(sz * 4), *b = malloc(n * 4);
        float *db1 = malloc(n * 4), *db2 = malloc(n * 4), *dbr = malloc(n * 4);
        float *rl1 = malloc(m * 4), *rl2 = malloc(m * 4), *rlr = malloc(m * 4);
        fill_uniform(Z, sz, &r);
        fill_uniform(b, n, &r);
        for (size_t i = 0; i < sz; i++) Z[i] *= 30.0f;
        if (m > 1) Z[ld] = 1000.0f, Z[0] = -1000.0f;
        for (int i = 0; i < m; i++) Y[(size_t)i * ld + mlpb_rng_below(&r, n)] = 1.0f;
        for (size_t i = 0; i < sz; i++) H[i] = (float)mlpb_rng_uniform(&r);
        char what[64];
        snprintf(what, sizeof what, "%s %dx%d", isa, m, n);

        /* bit-identical to ref, 1 and 2 threads */
        memcpy(A, Z, sz * 4); memcpy(A2, Z, sz * 4); memcpy(B, Z, sz * 4);
        mlpb_bias_add(c1, m, n, b, A, ld); mlpb_bias_add(c2, m, n, b, A2, ld); ref_bias_add(m, n, b, B, ld);
        CHECK(!memcmp(A, B, sz * 4) && !memcmp(A2, B, sz * 4), "%s bias_add differs from ref", what);
        memcpy(A, Z, sz * 4); memcpy(A2, Z, sz * 4); memcpy(B, Z, sz * 4);
        mlpb_dsigmoid_mul(c1, m, n, H, ld, A, ld); mlpb_dsigmoid_mul(c2, m, n, H, ld, A2, ld);
        ref_dsigmoid_mul(m, n, H, ld, B, ld);
        CHECK(!memcmp(A, B, sz * 4) && !memcmp(A2, B, sz * 4), "%s dsigmoid_mul differs from ref", what);
        mlpb_colsum(c1, m, n, 0.5f, Z, ld, db1); mlpb_colsum(c2, m, n, 0.5f, Z, ld, db2); ref_colsum(m, n, 0.5f, Z, ld, dbr);
        CHECK(!memcmp(db1, dbr, n * 4) && !memcmp(db2, dbr, n * 4), "%s colsum differs from ref", what);
        memcpy(A, Z, sz * 4); memcpy(A2, Z, sz * 4); memcpy(B, Z, sz * 4);
        mlpb_axpy(c1, 1, sz - 1, -0.3f, H + 1, A); mlpb_axpy(c2, 1, sz - 1, -0.3f, H + 1, A2); ref_axpy(sz - 1, -0.3f, H + 1, B);
        CHECK(!memcmp(A, B, sz * 4) && !memcmp(A2, B, sz * 4), "%s axpy differs from ref", what);

        /* sigmoid, also in place */
        memcpy(A, Z, sz * 4); memcpy(B, Z, sz * 4);
        mlpb_sigmoid(c1, m, n, Z, ld, A, ld); ref_sigmoid(m, n, Z, ld, B, ld);
        memcpy(A2, Z, sz * 4);
        mlpb_sigmoid(c2, m, n, A2, ld, A2, ld);
        double w = worst_rel(A, B, sz, 5 * EPS, FLT_MIN);
        CHECK(w <= 1.0, "%s sigmoid: %.3g of the bound 5 eps", what, w);
        use[0] = fmax(use[0], w);
        CHECK(!memcmp(A, A2, sz * 4), "%s sigmoid: 1 and 2 threads (in place) differ", what);

        /* softmax */
        memcpy(A, Z, sz * 4); memcpy(A2, Z, sz * 4); memcpy(B, Z, sz * 4);
        mlpb_softmax(c1, m, n, Z, ld, A, ld); mlpb_softmax(c2, m, n, Z, ld, A2, ld); ref_softmax(m, n, Z, ld, B, ld);
        w = worst_rel(A, B, sz, (n + 6) * EPS, FLT_MIN);
        CHECK(w <= 1.0, "%s softmax: %.3g of the bound (n + 6) eps", what, w);
        use[1] = fmax(use[1], w);
        CHECK(!memcmp(A, A2, sz * 4), "%s softmax: 1 and 2 threads differ", what);

        /* softmax + loss + delta; delta in place over a copy of Z as the network does */
        memcpy(A, Z, sz * 4); memcpy(A2, Z, sz * 4); memcpy(B, Z, sz * 4);
        const double l1 = mlpb_softmax_xent(c1, m, n, Z, ld, Y, ld, 0.25f, A, ld, rl1);
        const double l2 = mlpb_softmax_xent(c2, m, n, A2, ld, Y, ld, 0.25f, A2, ld, rl2);
        const double l3 = mlpb_softmax_xent(c1, m, n, Z, ld, Y, ld, 0.25f, NULL, 0, NULL);
        const double lr = ref_softmax_xent(m, n, Z, ld, Y, ld, 0.25f, B, ld, rlr);
        CHECK(l1 == l2 && l1 == l3, "%s xent loss: threads / in place / no buffers: %.17g %.17g %.17g", what, l1, l2, l3);
        CHECK(!memcmp(A, A2, sz * 4) && !memcmp(rl1, rl2, m * 4), "%s xent: 1 and 2 threads differ", what);
        double lbound = 0.0, wd = 0.0, wl = 0.0;
        for (int i = 0; i < m; i++) {
            const float *z = Z + (size_t)i * ld;
            double mx = z[0], zmax = 0.0, s = 0.0;
            for (int j = 0; j < n; j++) mx = fmax(mx, z[j]), zmax = fmax(zmax, fabs(z[j]));
            for (int j = 0; j < n; j++) s += exp((double)z[j] - mx);
            const double lse = mx + log(s);
            for (int j = 0; j < n; j++) {
                const size_t o = (size_t)i * ld + j;
                const double p = exp((double)z[j] - lse);
                const double tol = 0.25 * ((n + 4 + fabs(lse) + fabs(log(s)) + fabs(z[j] - lse)) * EPS * p + EPS) + 1e-37;
                wd = fmax(wd, fabs((double)A[o] - B[o]) / tol);
            }
            const double tl = (n + 8 + 3 * (zmax + log(n))) * EPS;
            wl = fmax(wl, fabs((double)rl1[i] - rlr[i]) / tl);
            lbound += tl;
        }
        CHECK(wd <= 1.0, "%s xent delta: %.3g of the bound", what, wd);
        use[2] = fmax(use[2], wd), use[3] = fmax(use[3], wl);
        CHECK(wl <= 1.0, "%s xent row loss: %.3g of the bound", what, wl);
        CHECK(fabs(l1 - lr) <= lbound, "%s xent loss %.9g vs ref %.9g (bound %.3g)", what, l1, lr, lbound);

        free(Z); free(A); free(A2); free(B); free(Y); free(H); free(b);
        free(db1); free(db2); free(dbr); free(rl1); free(rl2); free(rlr);
    }
    fprintf(stderr, "%-7s kernels vs ref: worst fraction of the bound used: sigmoid %.2f, softmax %.2f, "
            "delta %.2f, row loss %.2f\n", isa, use[0], use[1], use[2], use[3]);
    /* the log-sum-exp form at the extremes, as test_kernels vec */
    float z[3] = { 200.0f, -200.0f, 0.0f }, y[3] = { 0, 1, 0 }, y2[3] = { 1, 0, 0 }, d[3];
    double l = mlpb_softmax_xent(c1, 1, 3, z, 3, y, 3, 1.0f, d, 3, NULL);
    CHECK(isfinite(l) && fabs(l - 400.0) < 1e-3, "%s confident wrong prediction: loss %g, want 400", isa, l);
    CHECK(d[0] == 1.0f && d[1] == -1.0f && d[2] == 0.0f, "%s delta (8): %g %g %g", isa, d[0], d[1], d[2]);
    l = mlpb_softmax_xent(c1, 1, 3, z, 3, y2, 3, 1.0f, d, 3, NULL);
    CHECK(l >= 0 && l < 1e-30, "%s confident right prediction: loss %g", isa, l);
    /* sigmoid saturates to 0 and 1 without NaN; NaN stays NaN */
    float zs[5] = { -1000.0f, 1000.0f, -INFINITY, INFINITY, NAN }, hs[5];
    mlpb_sigmoid(c1, 1, 5, zs, 5, hs, 5);
    CHECK(hs[0] >= 0.0f && hs[0] < FLT_MIN && hs[1] == 1.0f && hs[2] >= 0.0f && hs[2] < FLT_MIN && hs[3] == 1.0f &&
          isnan(hs[4]), "%s sigmoid(-1000, 1000, -inf, inf, NaN) = %g %g %g %g %g", isa, hs[0], hs[1], hs[2], hs[3], hs[4]);
    mlpb_ctx_free(c1);
    mlpb_ctx_free(c2);
}

/* Table GEMMs called directly, at shapes the frame (gemm.c) never gives them
 * but their contract (vec_inl.h) allows: narrow_tc at n past 12 (tiles of
 * one vector of rows in two and three column blocks), m = 7, 27 and 40
 * (partial and whole vectors of rows); smallm_bt at k = 0
 * (C = beta C). Against ref_gemm within the forward error bound; beta = 0
 * over NaN. */
static void test_table_gemms(const mlpb_vec_isa *vx) {
    mlpb_rng r;
    mlpb_rng_seed(&r, 7);
    const int ns[4] = { 13, 19, 25, 30 }, ms[3] = { 7, 27, 40 }, ks[3] = { 1, 5, 19 };
    enum { MAXM = 40, MAXN = 30, MAXK = 19, LDC = MAXN + 3 };
    static float A[MAXK * MAXM], B[MAXK * MAXN], C0[MAXM * LDC], C[MAXM * LDC], Cr[MAXM * LDC];
    int c = 0;
    for (int ni = 0; ni < 4; ni++)
        for (int mi = 0; mi < 3; mi++)
            for (int ki = 0; ki < 3; ki++, c++) {
                const int m = ms[mi], n = ns[ni], k = ks[ki];
                const float beta = c & 1 ? 0.0f : -1.3f;
                fill_uniform(A, (size_t)k * m, &r);
                fill_uniform(B, (size_t)k * n, &r);
                fill_uniform(C0, (size_t)MAXM * LDC, &r);
                if (beta == 0.0f)
                    for (int i = 0; i < MAXM * LDC; i++) C0[i] = NAN;
                memcpy(C, C0, sizeof C);
                memcpy(Cr, C0, sizeof Cr);
                vx->narrow_tc(m, n, k, 0.7f, A, m, B, n, beta, C, LDC, NULL);
                ref_gemm(MLPB_T, MLPB_N, m, n, k, 0.7f, A, m, B, n, beta, Cr, LDC);
                char what[96];
                snprintf(what, sizeof what, "%s narrow_tc m=%d n=%d k=%d beta=%g", vx->isa, m, n, k, beta);
                CHECK(gemm_mismatches(MLPB_T, MLPB_N, m, n, k, 0.7f, A, m, B, n, beta, C0, C, Cr, LDC, what) == 0,
                      "%s", what);
            }
    for (int b = 0; b < 2; b++) { /* smallm_bt, k = 0: C = beta C (beta = 0: zeros over NaN) */
        const float beta = b ? 0.0f : -1.3f;
        fill_uniform(C0, 3 * LDC, &r);
        if (beta == 0.0f)
            for (int i = 0; i < 3 * LDC; i++) C0[i] = NAN;
        memcpy(C, C0, sizeof C);
        memcpy(Cr, C0, sizeof Cr);
        vx->smallm_bt(3, 20, 0, 0.7f, A, 1, B, 1, beta, C, LDC);
        ref_gemm(MLPB_N, MLPB_T, 3, 20, 0, 0.7f, A, 1, B, 1, beta, Cr, LDC);
        CHECK(gemm_mismatches(MLPB_N, MLPB_T, 3, 20, 0, 0.7f, A, 1, B, 1, beta, C0, C, Cr, LDC, "smallm_bt k=0") == 0,
              "%s smallm_bt k = 0, beta %g", vx->isa, beta);
    }
}

/* smallm_bt cut anywhere (its contract: each element is summed the same way
 * at any column, so threads may split C's columns at any j0): m = 1 (one
 * chain per column, a tree per VL columns), 2 (two partial-sum sets) and 5
 * (one set, blocks of up to 4 columns on AVX-512, 2 on AVX2), k past SMT_KMAX
 * with whole and masked vectors, and k <= 16 (the transposing kernel); one
 * call over n columns bit for bit against two calls over [0, j0) and [j0, n)
 * for j0 off and on the tiles' edges; the one call against ref_gemm. beta =
 * 0 over NaN. (A read past B's end, say a short last tile not re-reading its
 * own last row, shows only in the sanitizer build: scripts/test.sh's second
 * stage.) */
static void test_smallm_bt_cuts(const mlpb_vec_isa *vx) {
    enum { MAXM = 5, N = 53, MAXK = 300, LDB = MAXK + 3, LDC = N + 4 };
    static float A[MAXM * MAXK], B[N * LDB], C0[MAXM * LDC], C[MAXM * LDC], D[MAXM * LDC], Cr[MAXM * LDC];
    mlpb_rng r;
    mlpb_rng_seed(&r, 11);
    fill_uniform(A, sizeof A / sizeof A[0], &r);
    fill_uniform(B, sizeof B / sizeof B[0], &r);
    const int ms[3] = { 1, 2, 5 }, ks[6] = { 3, 16, 17, 40, 133, 300 }, cuts[7] = { 1, 5, 8, 15, 16, 17, 31 };
    int bad = 0, cases = 0;
    for (int mi = 0; mi < 3; mi++)
        for (int ki = 0; ki < 6; ki++)
            for (int b = 0; b < 2; b++) {
                const int m = ms[mi], k = ks[ki];
                const float beta = b ? 0.0f : -1.3f;
                fill_uniform(C0, sizeof C0 / sizeof C0[0], &r);
                if (beta == 0.0f)
                    for (int i = 0; i < MAXM * LDC; i++) C0[i] = NAN;
                memcpy(C, C0, sizeof C);
                memcpy(Cr, C0, sizeof Cr);
                vx->smallm_bt(m, N, k, 0.7f, A, MAXK, B, LDB, beta, C, LDC);
                ref_gemm(MLPB_N, MLPB_T, m, N, k, 0.7f, A, MAXK, B, LDB, beta, Cr, LDC);
                char what[96];
                snprintf(what, sizeof what, "%s smallm_bt m=%d n=%d k=%d beta=%g", vx->isa, m, N, k, beta);
                CHECK(gemm_mismatches(MLPB_N, MLPB_T, m, N, k, 0.7f, A, MAXK, B, LDB, beta, C0, C, Cr, LDC, what) == 0,
                      "%s", what);
                for (int ci = 0; ci < 7; ci++, cases++) {
                    const int j0 = cuts[ci];
                    memcpy(D, C0, sizeof D);
                    vx->smallm_bt(m, j0, k, 0.7f, A, MAXK, B, LDB, beta, D, LDC);
                    vx->smallm_bt(m, N - j0, k, 0.7f, A, MAXK, B + (size_t)j0 * LDB, LDB, beta, D + j0, LDC);
                    if (memcmp(C, D, sizeof C) != 0 && bad++ < 5)
                        CHECK(0, "%s smallm_bt m=%d n=%d k=%d beta=%g cut at column %d: not the bits of one call",
                              vx->isa, m, N, k, beta, j0);
                }
            }
    CHECK(bad == 0, "%s smallm_bt: %d of %d cuts differ from one call", vx->isa, bad, cases);
}

/* the transposing pack (vec_inl.h k_pack_t): pure data movement, so exact */
static void test_pack_t(const mlpb_vec_isa *vx) {
    enum { MAXR = 33, MAXK = 129, LD = MAXK + 5, GUARD = 16 };
    static float src[MAXR * LD], buf[MAXK * MAXR + 2 * GUARD];
    for (int i = 0; i < MAXR * LD; i++) src[i] = (float)i + 0.25f;
    const int kcs[] = { 1, 2, 3, 5, 7, 8, 9, 12, 15, 16, 17, 20, 127, 128, 129 };
    int bad = 0;
    for (int R = 1; R <= MAXR; R++)
        for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ki++)
            for (int rows = R; rows >= 1; rows = rows > R - 3 ? rows - (R > 9 ? 3 : 1) : rows > 1 ? 1 : 0) {
                const int kc = kcs[ki];
                for (int i = 0; i < MAXK * MAXR + 2 * GUARD; i++) buf[i] = -1.0f;
                float *dst = buf + GUARD;
                vx->pack_t(R, kc, rows, src + 1, LD, dst); /* + 1: not 32-byte aligned */
                int ok = 1;
                for (int i = 0; i < GUARD; i++) ok &= buf[i] == -1.0f && dst[kc * R + i] == -1.0f;
                for (int p = 0; p < kc; p++)
                    for (int i = 0; i < R; i++)
                        ok &= dst[p * R + i] == (i < rows ? src[1 + i * LD + p] : 0.0f);
                if (!ok && bad++ < 5) CHECK(0, "%s pack_t R=%d kc=%d rows=%d: wrong or outside dst", vx->isa, R, kc, rows);
            }
    CHECK(bad == 0, "%s pack_t: %d cases wrong", vx->isa, bad);
}

/* The narrow-N dot path's pack (vec_inl.h k_pack_q; AVX-512: vec_avx512.c's
 * pq8_block) against its definition Bq[(p NP2 + j) Q + l] = op(B)(p Q + l, j)
 * (Q = lanes / 2, NP2 = n rounded up to even; 0 past k and past n), exactly,
 * for every n of 1..12, k of 1..3 Q + 1 (each k mod Q, a short last block)
 * and 130, ldb n .. n + 3 (op(B) = B; B^T: k .. k + 3), both orientations.
 * B ends at the last float before a PROT_NONE page, so a load past its last
 * element faults (ASan does not see AVX-512 masked loads); Bq starts NaN and
 * is guarded on both sides. */
static void test_pack_q(const mlpb_vec_isa *vx) {
    enum { MAXN = 12, MAXK = 130, GUARD = 16 };
    const int Q = vx->lanes / 2;
    const long pg = sysconf(_SC_PAGESIZE);
    const size_t maxb = (size_t)(MAXK + 3) * (MAXN + 3) * sizeof(float);
    const size_t span = (maxb + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
    unsigned char *map = mmap(NULL, span + (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED, "%s pack_q: mmap", vx->isa);
    if (map == MAP_FAILED) return;
    CHECK(mprotect(map + span, (size_t)pg, PROT_NONE) == 0, "%s pack_q: mprotect", vx->isa);
    static float buf[(MAXK + 16) * (MAXN + 1) + 2 * GUARD];
    int bad = 0, cases = 0;
    for (int tb = 0; tb < 2; tb++)
        for (int n = 1; n <= MAXN; n++)
            for (int k = 1; k <= MAXK; k = k < 3 * Q + 1 ? k + 1 : k < MAXK ? MAXK : MAXK + 1)
                for (int pad = 0; pad < 4; pad++, cases++) {
                    const int ldb = (tb ? k : n) + pad, rows = tb ? n : k, cols = tb ? k : n;
                    const size_t nb = (size_t)(rows - 1) * ldb + cols; /* B's floats, up to its last */
                    float *B = (float *)(map + span) - nb;
                    for (size_t i = 0; i < nb; i++) B[i] = (float)i + 0.5f;
                    const int NP2 = (n + 1) / 2 * 2, nq = (k + Q - 1) / Q, len = nq * NP2 * Q;
                    for (int i = 0; i < len + 2 * GUARD; i++) buf[i] = NAN;
                    for (int i = 0; i < GUARD; i++) buf[i] = buf[GUARD + len + i] = -1.0f;
                    float *Bq = buf + GUARD;
                    vx->pack_q(k, n, B, ldb, tb, Bq);
                    int ok = 1;
                    for (int i = 0; i < GUARD; i++) ok &= buf[i] == -1.0f && Bq[len + i] == -1.0f;
                    for (int p = 0; p < nq; p++)
                        for (int j = 0; j < NP2; j++)
                            for (int l = 0; l < Q; l++) {
                                const int kk = p * Q + l;
                                const float want = j < n && kk < k ? B[tb ? (size_t)j * ldb + kk : (size_t)kk * ldb + j] : 0.0f;
                                ok &= Bq[((size_t)p * NP2 + j) * Q + l] == want;
                            }
                    if (!ok && bad++ < 5)
                        CHECK(0, "%s pack_q k=%d n=%d ldb=%d tb=%d: differs from its definition or wrote outside Bq",
                              vx->isa, k, n, ldb, tb);
                }
    CHECK(bad == 0, "%s pack_q: %d of %d cases wrong", vx->isa, bad, cases);
    munmap(map, span + (size_t)pg);
}

/* rank1 against its definition, c = fl(alpha fma(a, b, 0)) then fma(beta, c0, .)
 * (beta == 0: C not read), and against smallm_bn at k = 1 (m <= its
 * smallm_maxr), bit for bit; n
 * through the masked tails, asi > 1, guards around each row of C. */
static void test_rank1(const mlpb_vec_isa *vx) {
    enum { MAXM = 13, MAXN = 70, LDC = MAXN + 7, GUARD = 3 };
    static float A[MAXM * 3], B[MAXN], C0[MAXM * LDC + GUARD], C[MAXM * LDC + GUARD], D[MAXM * LDC + GUARD];
    uint32_t r = 12345u;
    for (int i = 0; i < MAXM * 3; i++) { r = r * 1664525u + 1013904223u; A[i] = ((int)(r >> 9) % 2001 - 1000) / 97.0f; }
    for (int j = 0; j < MAXN; j++) { r = r * 1664525u + 1013904223u; B[j] = ((int)(r >> 9) % 2001 - 1000) / 89.0f; }
    A[4] = -0.0f; B[5] = 0.0f; /* products of signed zeros */
    for (int i = 0; i < MAXM * LDC + GUARD; i++) { r = r * 1664525u + 1013904223u; C0[i] = ((int)(r >> 9) % 2001 - 1000) / 83.0f; }
    C0[3] = -0.0f;
    const float betas[] = { 0.0f, 1.0f, -0.75f }, alpha = -0.3f;
    int bad = 0, cases = 0;
    for (int m = 1; m <= MAXM; m += 3)
        for (int n = 1; n <= MAXN; n++)
            for (int bi = 0; bi < 3; bi++)
                for (int asi = 1; asi <= 3; asi += 2) {
                    const float beta = betas[bi];
                    memcpy(C, C0, sizeof C);
                    memcpy(D, C0, sizeof D);
                    vx->rank1(m, n, alpha, A, asi, B, beta, C, LDC);
                    int ok = 1;
                    if (m <= vx->smallm_maxr) { /* the kernel it stands in for */
                        vx->smallm_bn(m, n, 1, alpha, A, asi, 1, B, n, beta, D, LDC);
                        ok = memcmp(C, D, sizeof C) == 0;
                    }
                    for (int i = 0; i < MAXM * LDC + GUARD; i++) {
                        const int row = i / LDC, col = i % LDC;
                        float want = C0[i];
                        if (row < m && col < n) {
                            const float y = alpha * fmaf(A[row * asi], B[col], 0.0f);
                            want = beta != 0.0f ? fmaf(beta, C0[i], y) : y;
                        }
                        ok &= memcmp(&C[i], &want, sizeof want) == 0;
                    }
                    cases++;
                    if (!ok && bad++ < 5)
                        CHECK(0, "%s rank1 m=%d n=%d beta=%g asi=%d: differs from its definition or smallm_bn",
                              vx->isa, m, n, beta, asi);
                }
    CHECK(bad == 0, "%s rank1: %d of %d cases wrong", vx->isa, bad, cases);
}

/* smallk against its definition (vec_inl.h), bit for bit: every k of
 * 2 .. smallk_maxk, row counts below, at and past its row blocks (1 .. 25),
 * n through the masked tails, op(A) = N and T, alpha 1 (no product) and not,
 * beta 0 (C over NaN, not read), 1 and other; guards past each row of C. */
static void test_smallk(const mlpb_vec_isa *vx) {
    enum { MAXM = 25, MAXN = 40, MAXK = 9, LDA = MAXM + 3, LDC = MAXN + 5 };
    static float A[MAXM * LDA], B[MAXK * MAXN], C0[MAXM * LDC], C[MAXM * LDC];
    CHECK(vx->smallk_maxk >= 2 && vx->smallk_maxk <= MAXK, "%s smallk_maxk %d", vx->isa, vx->smallk_maxk);
    mlpb_rng r;
    mlpb_rng_seed(&r, 13);
    fill_uniform(A, sizeof A / sizeof A[0], &r);
    fill_uniform(B, sizeof B / sizeof B[0], &r);
    A[1] = -0.0f; B[0] = 0.0f; /* a signed-zero product first in its chain */
    const int ms[7] = { 1, 2, 5, 7, 12, 13, 25 }, ns[7] = { 1, 5, 7, 16, 17, 33, 40 };
    const float alphas[2] = { 1.0f, -0.3f }, betas[3] = { 0.0f, 1.0f, -0.75f };
    int bad = 0, cases = 0;
    for (int k = 2; k <= vx->smallk_maxk && k <= MAXK; k++)
        for (int mi = 0; mi < 7; mi++)
            for (int ni = 0; ni < 7; ni++)
                for (int t = 0; t < 2; t++)
                    for (int ai = 0; ai < 2; ai++)
                        for (int bi = 0; bi < 3; bi++, cases++) {
                            const int m = ms[mi], n = ns[ni];
                            const ptrdiff_t asi = t ? 1 : LDA, asp = t ? LDA : 1; /* op(A) = T: A (k, m) */
                            const float alpha = alphas[ai], beta = betas[bi];
                            fill_uniform(C0, sizeof C0 / sizeof C0[0], &r);
                            if (beta == 0.0f)
                                for (int i = 0; i < MAXM * LDC; i++) C0[i] = NAN;
                            memcpy(C, C0, sizeof C);
                            vx->smallk(m, n, k, alpha, A, asi, asp, B, MAXN, beta, C, LDC);
                            int ok = 1;
                            for (int i = 0; i < MAXM * LDC; i++) {
                                const int row = i / LDC, col = i % LDC;
                                float want = C0[i];
                                if (row < m && col < n) {
                                    float y = fmaf(A[row * asi], B[col], 0.0f);
                                    for (int p = 1; p < k; p++) y = fmaf(A[row * asi + p * asp], B[p * MAXN + col], y);
                                    if (alpha != 1.0f) y = alpha * y;
                                    want = beta != 0.0f ? fmaf(beta, C0[i], y) : y;
                                }
                                ok &= memcmp(&C[i], &want, sizeof want) == 0;
                            }
                            if (!ok && bad++ < 5)
                                CHECK(0, "%s smallk m=%d n=%d k=%d op(A)=%c alpha=%g beta=%g: differs from its definition",
                                      vx->isa, m, n, k, t ? 'T' : 'N', alpha, beta);
                        }
    CHECK(bad == 0, "%s smallk: %d of %d cases wrong", vx->isa, bad, cases);
}

int main(void) {
    const char *isas[] = { "avx512", "avx2" };
    int tested = 0;
    for (int i = 0; i < 2; i++) {
        const mlpb_vec_isa *vx = mlpb_vec_find(isas[i]);
        if (!vx) {
            fprintf(stderr, "SKIP %s: %s\n", isas[i],
                    mlpb_isa_available(isas[i]) ? "not in this build" : "CPU lacks it");
            continue;
        }
        if (!mlpb_ukr_find(isas[i])) {
            fprintf(stderr, "SKIP %s: no micro-kernel\n", isas[i]);
            continue;
        }
        tested++;
        test_exp(vx);
        test_kernels(isas[i]);
        test_table_gemms(vx);
        test_smallm_bt_cuts(vx);
        test_pack_t(vx);
        test_pack_q(vx);
        test_rank1(vx);
        test_smallk(vx);
    }
    if (!tested) fprintf(stderr, "SKIP: no SIMD ISA on this CPU/build; nothing to test\n");
    return check_summary("test_vec_simd");
}
