/* test_kernels.c - the fast kernels against their reference twins (ref.c):
 *   test_kernels gemm   GEMM (blocked scalar micro-kernel and the ref rung)
 *                       on edge shapes, all orientations, alpha/beta, NaN in C
 *   test_kernels vec    bias, sigmoid, sigmoid', softmax, softmax+loss+delta,
 *                       column sums, axpy; extreme logits
 *   test_kernels threads  bit-identical results for 1 and 2 threads (the vec
 *                       kernels also inside a team); the GEMM thresholds */
#include <math.h>
#include <string.h>

#include "check.h"
#include "gemm_check.h"
#include "kernels/ref.h"

static mlpb_ctx *make_ctx(mlpb_kernel kind, int threads, int mc, int kc, int nc) {
    mlpb_kcfg cfg = { kind, mlpb_ukr_find("scalar"), mc, kc, nc, threads, 0, 0 };
    mlpb_ctx *c = mlpb_ctx_new(&cfg);
    if (!c) { fprintf(stderr, "mlpb_ctx_new failed\n"); exit(1); }
    return c;
}

/* one GEMM case against the reference; returns mismatches */
static long gemm_case(mlpb_ctx *ctx, mlpb_op ta, mlpb_op tb, int m, int n, int k, float alpha,
                      float beta, int pad, int nan_c, mlpb_rng *r) {
    ptrdiff_t lda = (ta == MLPB_N ? k : m) + pad, ldb = (tb == MLPB_N ? n : k) + pad, ldc = n + pad;
    size_t sa = (size_t)(ta == MLPB_N ? m : k) * lda + 1, sb = (size_t)(tb == MLPB_N ? k : n) * ldb + 1;
    size_t sc = (size_t)m * ldc + 1;
    float *A = malloc(sa * 4), *B = malloc(sb * 4), *C0 = malloc(sc * 4), *C = malloc(sc * 4), *R = malloc(sc * 4);
    fill_uniform(A, sa, r); fill_uniform(B, sb, r); fill_uniform(C0, sc, r);
    if (nan_c) for (size_t i = 0; i < sc; i++) C0[i] = NAN;
    memcpy(C, C0, sc * 4); memcpy(R, C0, sc * 4);
    /* +1: unaligned base pointers */
    mlpb_gemm(ctx, ta, tb, m, n, k, alpha, A + 1, lda, B + 1, ldb, beta, C + 1, ldc, NULL);
    ref_gemm(ta, tb, m, n, k, alpha, A + 1, lda, B + 1, ldb, beta, R + 1, ldc);
    char what[128];
    snprintf(what, sizeof what, "%c%c m=%d n=%d k=%d a=%g b=%g pad=%d", "NT"[ta], "NT"[tb], m, n, k, alpha, beta, pad);
    long bad = gemm_mismatches(ta, tb, m, n, k, alpha, A + 1, lda, B + 1, ldb, beta, C0 + 1, C + 1, R + 1, ldc, what);
    /* padding between rows and the element before C are untouched */
    CHECK(memcmp(C, C0, 4) == 0 || (nan_c && isnan(C[0])), "%s: wrote before C", what);
    for (int i = 0; i < m && pad; i++)
        for (int j = n; j < ldc; j++) {
            size_t o = 1 + (size_t)i * ldc + j;
            if (o < sc) CHECK(memcmp(&C[o], &C0[o], 4) == 0, "%s: wrote padding at row %d col %d", what, i, j);
        }
    free(A); free(B); free(C0); free(C); free(R);
    return bad;
}

static int test_gemm(void) {
    mlpb_rng r;
    mlpb_rng_seed(&r, 42);
    const int shapes[][3] = { {1, 1, 1}, {7, 13, 129}, {13, 7, 257}, {129, 257, 7}, {257, 129, 13},
                              {1, 257, 129}, {129, 1, 257}, {257, 129, 1}, {5, 3, 1}, {1, 1, 300},
                              {300, 256, 784}, {64, 10, 128}, {10, 128, 64} };
    const float ab[][2] = { {1.0f, 0.0f}, {0.7f, -1.3f}, {-2.0f, 1.0f} };
    mlpb_ctx *ctxs[] = { make_ctx(MLPB_KERNEL_BLOCKED, 1, 8, 32, 16),   /* tiny blocks: every edge */
                         make_ctx(MLPB_KERNEL_BLOCKED, 2, 192, 336, 4096),
                         make_ctx(MLPB_KERNEL_REF, 2, 8, 8, 8) };
    const char *names[] = { "blocked small blocks", "blocked 2 threads", "ref rung" };
    for (int c = 0; c < 3; c++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++)
                    for (int a = 0; a < 3; a++) {
                        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                        if (m * n * k > 1000000 && (a || c == 2)) continue; /* the large shape once per ctx */
                        long bad = gemm_case(ctxs[c], ta, tb, m, n, k, ab[a][0], ab[a][1], (int)(s % 3), 0, &r);
                        CHECK(bad == 0, "%s: %c%c %dx%dx%d alpha %g beta %g: %ld elements off", names[c], "NT"[ta],
                              "NT"[tb], m, n, k, ab[a][0], ab[a][1], bad);
                    }
    /* beta = 0 over NaN: no NaN may survive */
    for (int c = 0; c < 3; c++) {
        long bad = gemm_case(ctxs[c], MLPB_N, MLPB_T, 37, 29, 41, 1.5f, 0.0f, 2, 1, &r);
        CHECK(bad == 0, "%s: beta=0 with NaN in C: %ld elements off", names[c], bad);
        /* k = 0: C = beta C; beta = 0 over NaN gives exact zeros */
        float C[6] = { NAN, NAN, NAN, NAN, NAN, NAN }, D[6] = { 1, 2, 3, 4, 5, 6 };
        mlpb_gemm(ctxs[c], MLPB_N, MLPB_N, 2, 3, 0, 1.0f, NULL, 1, NULL, 3, 0.0f, C, 3, NULL);
        for (int i = 0; i < 6; i++) CHECK(C[i] == 0.0f, "%s: k=0 beta=0: C[%d] = %g", names[c], i, C[i]);
        mlpb_gemm(ctxs[c], MLPB_N, MLPB_N, 2, 3, 0, 1.0f, NULL, 1, NULL, 3, 0.5f, D, 3, NULL);
        for (int i = 0; i < 6; i++) CHECK(D[i] == 0.5f * (i + 1), "%s: k=0 beta=0.5: C[%d] = %g", names[c], i, D[i]);
    }
    /* fused epilogues against ref_gemm + ref_epilogue */
    for (int c = 0; c < 3; c++)
        for (int kind = MLPB_EPI_BIAS; kind <= MLPB_EPI_DSIGMOID; kind++) {
            int m = 45, n = 37, k = 70;
            float *A = malloc(m * k * 4), *B = malloc(k * n * 4), *C = malloc(m * n * 4), *R = malloc(m * n * 4);
            float *bias = malloc(n * 4), *H = malloc(m * n * 4);
            fill_uniform(A, m * k, &r); fill_uniform(B, k * n, &r); fill_uniform(bias, n, &r);
            for (int i = 0; i < m * n; i++) H[i] = (float)mlpb_rng_uniform(&r);
            mlpb_epi epi = { kind, bias, H, n };
            mlpb_gemm(ctxs[c], MLPB_N, MLPB_N, m, n, k, 1.0f, A, k, B, n, 0.0f, C, n, &epi);
            ref_gemm(MLPB_N, MLPB_N, m, n, k, 1.0f, A, k, B, n, 0.0f, R, n);
            ref_epilogue(m, n, &epi, R, n);
            double worst = 0;
            for (int i = 0; i < m * n; i++) worst = fmax(worst, fabs(C[i] - R[i]));
            /* the pre-epilogue sums agree to k*eps*|a||b| <= 70*1.2e-7*70; the epilogues are 1-Lipschitz */
            CHECK(worst <= 2.0 * (k + 2) * FLT_EPSILON * k, "%s: epilogue %d: max error %g", names[c], kind, worst);
            free(A); free(B); free(C); free(R); free(bias); free(H);
        }
    for (int c = 0; c < 3; c++) mlpb_ctx_free(ctxs[c]);
    return check_summary("gemm");
}

static double maxdiff(const float *a, const float *b, size_t n) {
    double w = 0;
    for (size_t i = 0; i < n; i++) w = fmax(w, fabs((double)a[i] - b[i]) + (isnan(a[i]) != isnan(b[i])) * 1e30);
    return w;
}

static int test_vec(void) {
    mlpb_rng r;
    mlpb_rng_seed(&r, 7);
    for (int t = 1; t <= 2; t++) {
        mlpb_ctx *ctx = make_ctx(MLPB_KERNEL_BLOCKED, t, 8, 8, 8);
        const int shapes[][2] = { {1, 1}, {7, 13}, {257, 129}, {300, 10}, {1000, 256} };
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            int m = shapes[s][0], n = shapes[s][1], ld = n + 3;
            size_t sz = (size_t)m * ld;
            float *Z = malloc(sz * 4), *A = malloc(sz * 4), *B = malloc(sz * 4), *Y = calloc(sz, 4);
            float *b = malloc(n * 4), *db1 = malloc(n * 4), *db2 = malloc(n * 4);
            float *rl1 = malloc(m * 4), *rl2 = malloc(m * 4);
            fill_uniform(Z, sz, &r); fill_uniform(b, n, &r);
            for (size_t i = 0; i < sz; i++) Z[i] *= 30.0f; /* logits well past exp's comfortable range */
            if (m > 1) Z[ld] = 1000.0f, Z[0] = -1000.0f;
            for (int i = 0; i < m; i++) Y[(size_t)i * ld + mlpb_rng_below(&r, n)] = 1.0f;

            memcpy(A, Z, sz * 4); memcpy(B, Z, sz * 4);
            mlpb_bias_add(ctx, m, n, b, A, ld); ref_bias_add(m, n, b, B, ld);
            CHECK(maxdiff(A, B, sz) == 0, "bias_add %dx%d t=%d", m, n, t);
            mlpb_sigmoid(ctx, m, n, Z, ld, A, ld); ref_sigmoid(m, n, Z, ld, B, ld);
            CHECK(maxdiff(A, B, sz) <= 2 * FLT_EPSILON, "sigmoid %dx%d t=%d: %g", m, n, t, maxdiff(A, B, sz));
            float *H = malloc(sz * 4);
            memcpy(H, B, sz * 4);
            memcpy(A, Z, sz * 4); memcpy(B, Z, sz * 4);
            mlpb_dsigmoid_mul(ctx, m, n, H, ld, A, ld); ref_dsigmoid_mul(m, n, H, ld, B, ld);
            CHECK(maxdiff(A, B, sz) == 0, "dsigmoid_mul %dx%d t=%d", m, n, t);
            mlpb_softmax(ctx, m, n, Z, ld, A, ld); ref_softmax(m, n, Z, ld, B, ld);
            CHECK(maxdiff(A, B, sz) <= 4 * FLT_EPSILON, "softmax %dx%d t=%d: %g", m, n, t, maxdiff(A, B, sz));
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += A[(size_t)i * ld + j];
                CHECK(fabs(s - 1.0) <= n * FLT_EPSILON, "softmax row %d sums to %.9g", i, s);
            }
            double l1 = mlpb_softmax_xent(ctx, m, n, Z, ld, Y, ld, 0.25f, A, ld, rl1);
            double l2 = ref_softmax_xent(m, n, Z, ld, Y, ld, 0.25f, B, ld, rl2);
            double l3 = mlpb_softmax_xent(ctx, m, n, Z, ld, Y, ld, 0.25f, NULL, 0, NULL);
            CHECK(isfinite(l1) && fabs(l1 - l2) <= 1e-6 * fabs(l2) + 1e-6, "xent loss %dx%d: %.9g vs %.9g", m, n, l1, l2);
            CHECK(l1 == l3, "xent loss with and without row buffer: %.17g vs %.17g", l1, l3);
            CHECK(maxdiff(A, B, sz) <= FLT_EPSILON, "xent delta %dx%d: %g", m, n, maxdiff(A, B, sz));
            CHECK(maxdiff(rl1, rl2, m) <= 1e-5 * 60, "xent row losses %dx%d: %g", m, n, maxdiff(rl1, rl2, m));
            mlpb_colsum(ctx, m, n, 0.5f, Z, ld, db1); ref_colsum(m, n, 0.5f, Z, ld, db2);
            CHECK(memcmp(db1, db2, n * 4) == 0, "colsum %dx%d t=%d (same order => same bits)", m, n, t);
            memcpy(A, Z, sz * 4); memcpy(B, Z, sz * 4);
            mlpb_axpy(ctx, 1, sz, -0.3f, H, A); ref_axpy(sz, -0.3f, H, B);
            CHECK(memcmp(A, B, sz * 4) == 0, "axpy %zu t=%d", sz, t);
            free(Z); free(A); free(B); free(Y); free(b); free(db1); free(db2); free(rl1); free(rl2); free(H);
        }
        mlpb_ctx_free(ctx);
    }
    /* the log-sum-exp form: a certain, correct prediction costs ~0, never log(0) */
    mlpb_ctx *ctx = make_ctx(MLPB_KERNEL_BLOCKED, 1, 8, 8, 8);
    float z[3] = { 200.0f, -200.0f, 0.0f }, y[3] = { 0, 1, 0 }, y2[3] = { 1, 0, 0 }, d[3];
    double l = mlpb_softmax_xent(ctx, 1, 3, z, 3, y, 3, 1.0f, d, 3, NULL);
    CHECK(isfinite(l) && fabs(l - 400.0) < 1e-3, "confident wrong prediction: loss %g, want 400", l);
    CHECK(d[0] == 1.0f && d[1] == -1.0f && d[2] == 0.0f, "delta (8): %g %g %g", d[0], d[1], d[2]);
    l = mlpb_softmax_xent(ctx, 1, 3, z, 3, y2, 3, 1.0f, d, 3, NULL);
    CHECK(l >= 0 && l < 1e-30, "confident right prediction: loss %g", l);
    mlpb_ctx_free(ctx);
    return check_summary("vec");
}

typedef struct {
    mlpb_ctx *c; int m, n; const float *Z, *Y; float *D, *loss, *db, *w; double total; int nested;
    float *G; /* three GEMMs' outputs, 100 x 70 each */
} team_vec;

/* the step's vec kernels on a 2-thread context inside a team, all split;
 * then three GEMMs in the same team (packed, SHARED: two barriers each) */
static void vec_in_team(void *p) {
    team_vec *t = p;
    t->total = mlpb_softmax_xent(t->c, t->m, t->n, t->Z, t->n, t->Y, t->n, 0.5f, t->D, t->n, t->loss);
    mlpb_colsum(t->c, t->m, t->n, 1.0f, t->D, t->n, t->db);
    mlpb_sigmoid(t->c, t->m, t->n, t->Z, t->n, t->D, t->n);
    mlpb_axpy(t->c, 1, (size_t)t->m * t->n, -0.1f, t->Z, t->w);
    for (int g = 0; g < 3; g++)
        mlpb_gemm(t->c, g == 1 ? MLPB_T : MLPB_N, MLPB_N, 100, 70, 50 + g, 1.0f, t->Z + g, g == 1 ? 100 : 53,
                  t->Z + 1000, 70, 0.0f, t->G + (size_t)g * 7000, 70, NULL);
    t->nested = 0;
}
static void mark_nested(void *p) { ((team_vec *)p)->nested = 1; }
static void team_nested(void *p) {
    team_vec *t = p;
    mlpb_team_run(t->c, mark_nested, t); /* runs fn directly */
}

/* inside a team: the thresholds and whether batch b's forward GEMMs (b x 256
 * x 784, b x 128 x 256) and their updates (784 x 256 x b, 256 x 128 x b)
 * split, b = 1 .. 16 */
typedef struct { mlpb_ctx *c; long sm, pk, na; int fwd[2][17], upd[2][17], bwd[17]; } team_rule;
static void read_rule(void *p) {
    team_rule *t = p;
    t->sm = mlpb_ctx_par_min(t->c, MLPB_PATH_SMALLM);
    t->pk = mlpb_ctx_par_min(t->c, MLPB_PATH_PACKED);
    t->na = mlpb_ctx_par_min(t->c, MLPB_PATH_NARROW);
    static const int w[2][2] = { { 784, 256 }, { 256, 128 } };
    for (int l = 0; l < 2; l++)
        for (int b = 1; b <= 16; b++) {
            t->fwd[l][b] = mlpb_gemm_splits(t->c, MLPB_N, MLPB_N, b, w[l][1], w[l][0]);
            t->upd[l][b] = mlpb_gemm_splits(t->c, MLPB_T, MLPB_N, w[l][0], w[l][1], b);
            if (l) t->bwd[b] = mlpb_gemm_splits(t->c, MLPB_N, MLPB_T, b, w[l][0], w[l][1]);
        }
}

/* the team rule's scale factor, kept within [1/64, 4] (gemm.c par_scale) */
static double factor_clamp(double f) { return f < 1.0 / 64 ? 1.0 / 64 : f > 4 ? 4 : f; }

/* in a team: whether each layer's forward, update and backward split alike at
 * every batch up to MR, for layers whose fan-out is below the batch too */
typedef struct { mlpb_ctx *c; int bad; } team_agree;
static void read_agree(void *p) {
    team_agree *t = p;
    static const int lay[4][2] = { { 50000, 1 }, { 6000, 10 }, { 784, 256 }, { 256, 128 } };
    for (int l = 0; l < 4; l++)
        for (int b = 1; b <= mlpb_ctx_cfg(t->c)->ukr->mr; b++) {
            const int fi = lay[l][0], fo = lay[l][1];
            const int f = mlpb_gemm_splits(t->c, MLPB_N, MLPB_N, b, fo, fi), u = mlpb_gemm_splits(t->c, MLPB_T, MLPB_N, fi, fo, b),
                      w = mlpb_gemm_splits(t->c, MLPB_N, MLPB_T, b, fi, fo);
            if (f != u || f != w) {
                if (t->bad++ < 4) fprintf(stderr, "  %d x %d at batch %d: forward %d, update %d, backward %d\n", fi, fo, b, f, u, w);
            }
        }
}

static int test_threads(void) {
    mlpb_rng r;
    mlpb_rng_seed(&r, 3);
    int m = 333, n = 257, k = 300;
    float *A = malloc(m * k * 4), *B = malloc(k * n * 4), *C1 = malloc(m * n * 4), *C2 = malloc(m * n * 4);
    fill_uniform(A, m * k, &r); fill_uniform(B, k * n, &r);
    for (int kind = MLPB_KERNEL_REF; kind <= MLPB_KERNEL_SIMD; kind++)
        for (int ta = 0; ta < 2; ta++) {
            mlpb_ctx *c1 = make_ctx(kind, 1, 64, 128, 128), *c2 = make_ctx(kind, 2, 64, 128, 128);
            int lda = ta ? m : k;
            mlpb_gemm(c1, ta, MLPB_N, m, n, k, 1.0f, A, lda, B, n, 0.0f, C1, n, NULL);
            mlpb_gemm(c2, ta, MLPB_N, m, n, k, 1.0f, A, lda, B, n, 0.0f, C2, n, NULL);
            CHECK(memcmp(C1, C2, (size_t)m * n * 4) == 0, "kernel %d op %c: 1 and 2 threads differ", kind, "NT"[ta]);
            mlpb_colsum(c1, m, n, 1.0f, C1, n, A);
            mlpb_colsum(c2, m, n, 1.0f, C1, n, B);
            CHECK(memcmp(A, B, n * 4) == 0, "colsum: 1 and 2 threads differ");
            mlpb_ctx_free(c1); mlpb_ctx_free(c2);
        }
    { /* vec kernels in a team: the same bits as one thread; a nested team runs fn in place */
        const int vm = 4000, vn = 130; /* m n > 16384 and 3 column blocks: every kernel splits */
        float *Z = malloc((size_t)vm * vn * 4), *Y = calloc((size_t)vm * vn, 4), *w1 = malloc((size_t)vm * vn * 4);
        float *w2 = malloc((size_t)vm * vn * 4), *D1 = malloc((size_t)vm * vn * 4), *D2 = malloc((size_t)vm * vn * 4);
        float *l1 = malloc(vm * 4), *l2 = malloc(vm * 4), *db1 = malloc(vn * 4), *db2 = malloc(vn * 4);
        float *G1 = malloc(3 * 7000 * 4), *G2 = malloc(3 * 7000 * 4);
        fill_uniform(Z, (size_t)vm * vn, &r); fill_uniform(w1, (size_t)vm * vn, &r);
        memcpy(w2, w1, (size_t)vm * vn * 4);
        for (int i = 0; i < vm; i++) Y[(size_t)i * vn + i % vn] = 1.0f;
        const mlpb_kcfg vc1 = { MLPB_KERNEL_SIMD, mlpb_ukr_find("auto"), 64, 128, 128, 1, 0, 0 }, vc2 = { MLPB_KERNEL_SIMD,
            mlpb_ukr_find("auto"), 64, 128, 128, 2, 0, 0 };
        mlpb_ctx *v1 = mlpb_ctx_new(&vc1), *v2 = mlpb_ctx_new(&vc2);
        if (!v1 || !v2) { fprintf(stderr, "mlpb_ctx_new failed\n"); exit(1); }
        mlpb_ctx_set_par_min_flops(v2, -1);
        mlpb_ctx_set_split(v2, MLPB_SPLIT_SHARED);
        team_vec t1 = { v1, vm, vn, Z, Y, D1, l1, db1, w1, 0, 1, G1 }, t2 = { v2, vm, vn, Z, Y, D2, l2, db2, w2, 0, 1, G2 };
        vec_in_team(&t1);
        CHECK(mlpb_ctx_team_us(v2) == 0.0, "team cost before any team");
        mlpb_team_run(v2, vec_in_team, &t2);
        CHECK(t1.total == t2.total && !memcmp(l1, l2, vm * 4) && !memcmp(db1, db2, vn * 4) &&
              !memcmp(D1, D2, (size_t)vm * vn * 4) && !memcmp(w1, w2, (size_t)vm * vn * 4),
              "vec kernels: 1 thread and 2 in a team differ");
        CHECK(!memcmp(G1, G2, 3 * 7000 * 4), "three shared-split GEMMs in one team: 1 and 2 threads differ");
        CHECK(t2.nested == 0 && mlpb_ctx_team_us(v2) > 0.0 && mlpb_ctx_team_us(v2) < 1e5, "team ran; post cost %g us",
              mlpb_ctx_team_us(v2));
        mlpb_team_run(v2, team_nested, &t2);
        CHECK(t2.nested == 1, "a nested team runs its function");
        t1.nested = 0;
        mlpb_team_run(v1, mark_nested, &t1);
        CHECK(t1.nested == 1 && mlpb_ctx_team_us(v1) == 0.0, "one thread: fn in place, no team");
        mlpb_ctx_free(v1); mlpb_ctx_free(v2);
        free(Z); free(Y); free(w1); free(w2); free(D1); free(D2); free(l1); free(l2); free(db1); free(db2); free(G1); free(G2);
    }
    /* the one-thread thresholds: one factor (the measured region cost) on all
     * three defaults; an explicit value replaces them all; < 0 splits all */
    mlpb_ctx *c1 = make_ctx(MLPB_KERNEL_SIMD, 1, 64, 128, 128);
    const mlpb_kcfg cfg2 = { MLPB_KERNEL_SIMD, mlpb_ukr_find("auto"), 64, 128, 128, 2, 0, 0 }; /* the best ISA's paths */
    mlpb_ctx *c2 = mlpb_ctx_new(&cfg2);
    if (!c2) { fprintf(stderr, "mlpb_ctx_new failed\n"); exit(1); }
    const int vec = strcmp(mlpb_ctx_vec_isa(c2), "c") != 0; /* small-M and narrow paths (else all packed) */
    const double us = mlpb_ctx_region_us(c2);
    CHECK(mlpb_ctx_region_us(c1) == 0.0 && us > 0.0 && us < 1e5, "region cost: 1 thread %g us, 2 threads %g us",
          mlpb_ctx_region_us(c1), us);
    const long pk = mlpb_ctx_par_min(c2, MLPB_PATH_PACKED), na = mlpb_ctx_par_min(c2, MLPB_PATH_NARROW),
               sm = mlpb_ctx_par_min(c2, MLPB_PATH_SMALLM);
    CHECK(sm > 0 && fabs((double)pk / sm - 1.6e6 / 4.5e5) < 5e-3 && fabs((double)na / sm - 1.4e6 / 4.5e5) < 5e-3,
          "thresholds %ld %ld %ld: not one factor on the defaults", pk, na, sm);
    mlpb_ctx_set_par_min_flops(c2, 12345);
    CHECK(mlpb_ctx_par_min(c2, MLPB_PATH_PACKED) == 12345 && mlpb_ctx_par_min(c2, MLPB_PATH_SMALLM) == 12345,
          "an explicit threshold");
    mlpb_ctx_set_par_min_flops(c2, -1);
    CHECK(mlpb_ctx_par_min(c2, MLPB_PATH_NARROW) == 0, "split every GEMM");
    /* small-M: one unit of N (64) and K whole (below 128) is no work for 2; past either (K: NN only), it is */
    CHECK(mlpb_gemm_splits(c2, MLPB_N, MLPB_N, 1, 256, 784) && mlpb_gemm_splits(c2, MLPB_T, MLPB_N, 784, 256, 1) &&
          mlpb_gemm_splits(c2, MLPB_N, MLPB_N, 64, 256, 784) && mlpb_gemm_splits(c2, MLPB_N, MLPB_N, 1, 64, 784) &&
          mlpb_gemm_splits(c2, MLPB_N, MLPB_N, 1, 64, 64) == !vec && mlpb_gemm_splits(c2, MLPB_T, MLPB_N, 5, 64, 784) == !vec &&
          !mlpb_gemm_splits(c1, MLPB_N, MLPB_N, 64, 256, 784), "splits with -1: every GEMM with work for 2 threads");
    mlpb_ctx_set_par_min_flops(c2, 0);
    CHECK(mlpb_ctx_par_min(c2, MLPB_PATH_PACKED) == pk, "0 restores the defaults");
    /* each path's threshold decides (small-M; narrow k <= MR: small-M's; narrow MR < k <= 16 and dot: the
     * narrow one; packed), at the flop count either side (the first three shapes 803K, 803K and 1.07M flops:
     * between small-M's and narrow's defaults at the Zen 5 VM's region cost) */
    static const int shp[5][3] = { { 2, 256, 784 }, { 784, 256, 2 }, { 150, 256, 14 }, { 784, 10, 256 },
                                   { 64, 256, 784 } };
    const long th[5] = { vec ? sm : pk, vec ? sm : pk, vec ? na : pk, vec ? na : pk, pk };
    for (int q = 0; q < 5; q++) {
        const int m = shp[q][0], n = shp[q][1], k = shp[q][2];
        const int want = 2.0 * m * n * k >= (double)th[q];
        const mlpb_op ta = q == 1 || q == 2 ? MLPB_T : MLPB_N;
        CHECK(mlpb_gemm_splits(c2, ta, MLPB_N, m, n, k) == want,
              "shape %dx%dx%d (threshold %ld): splits %d, want %d", m, n, k, th[q], !want, want);
        mlpb_ctx_set_par_min_flops(c2, (long)(2.0 * m * n * k) + 1);
        CHECK(!mlpb_gemm_splits(c2, ta, MLPB_N, m, n, k), "one flop under the threshold");
        mlpb_ctx_set_par_min_flops(c2, 0);
    }
    /* in a team the small-M (and small-k) threshold is 4.5e5 flops x post /
     * 0.34 us x lanes / 16, for a W of MC KC / 2 floats or more at most 3.6e5
     * x max(1, post / 0.75 us) x lanes / 16 (each factor within [1/64, 4]):
     * with the blocking here (64 x 128) W1 and W2 are big, with the Zen 5 VM's
     * (444 x 288) W1 only; the others stay the region's; outside a team, the
     * region's for all. Either way batch b <= MR's
     * forward, update and (W2) backward split together (each core then keeps
     * its rows of W: a split of one alone moves them every step); past MR the
     * forward is packed and the update keeps the narrow threshold */
    const mlpb_kcfg cfg3 = { MLPB_KERNEL_SIMD, mlpb_ukr_find("auto"), 444, 288, 4096, 2, 0, 0 };
    mlpb_ctx *c3 = vec ? mlpb_ctx_new(&cfg3) : NULL;
    if (vec && !c3) { fprintf(stderr, "mlpb_ctx_new failed\n"); exit(1); }
    for (int q = 0; vec && q < 2; q++) {
        mlpb_ctx *c = q ? c3 : c2;
        const double wmin = 0.5 * mlpb_ctx_cfg(c)->mc * mlpb_ctx_cfg(c)->kc;
        team_rule in = { .c = c }, out = { .c = c };
        read_rule(&out);
        mlpb_team_run(c, read_rule, &in);
        const double lanes = !strcmp(mlpb_ctx_vec_isa(c), "avx512") ? 16 : !strcmp(mlpb_ctx_vec_isa(c), "avx2") ? 8 : 1;
        const double post = mlpb_ctx_team_us(c);
        const double f = factor_clamp(post / 0.34 * lanes / 16),
                     fb = factor_clamp((post > 0.75 ? post / 0.75 : 1.0) * lanes / 16);
        const long big = mlpb_ctx_team_par_min(c, 1), want_big = (long)(3.6e5 * fb < 4.5e5 * f ? 3.6e5 * fb : 4.5e5 * f);
        CHECK(fabs((double)out.pk / out.sm - 1.6e6 / 4.5e5) < 5e-3 && in.pk == out.pk && in.na == out.na &&
              labs(in.sm - (long)(4.5e5 * f)) <= 1 && in.sm == mlpb_ctx_team_par_min(c, 0) && labs(big - want_big) <= 1 &&
              mlpb_ctx_team_w_min(c) == (long)wmin && (wmin < 256 * 128) == !q && wmin < 784 * 256,
              "team rule: small-M %ld in a team (post %g us: want %ld), %ld with a big W (want %ld), %ld outside; "
              "big W from %ld floats (want %g)", in.sm, post, (long)(4.5e5 * f), big, want_big, out.sm,
              mlpb_ctx_team_w_min(c), wmin);
        const int mr = mlpb_ctx_cfg(c)->ukr->mr; /* the batches whose forward takes the small-M path */
        for (int l = 0; l < 2; l++)
            for (int b = 1; b <= 16; b++) {
                const double fl = (l ? 65536.0 : 401408.0) * b, wf = l ? 256 * 128 : 784 * 256;
                if (b <= mr)
                    CHECK(in.fwd[l][b] == in.upd[l][b] && out.fwd[l][b] == out.upd[l][b] &&
                          in.fwd[l][b] == (fl >= (wf >= wmin ? big : in.sm)) && out.fwd[l][b] == (fl >= out.sm) &&
                          (!l || (in.bwd[b] == in.fwd[l][b] && out.bwd[b] == out.fwd[l][b])),
                          "W%d batch %d (blocking %d): forward splits %d / %d, update %d / %d, backward %d / %d (in a "
                          "team / outside)", l + 1, b, q, in.fwd[l][b], out.fwd[l][b], in.upd[l][b], out.upd[l][b],
                          in.bwd[b], out.bwd[b]);
                else /* a packed forward: the update keeps the narrow threshold, in a team too */
                    CHECK(in.upd[l][b] == (fl >= in.na) && in.fwd[l][b] == (fl >= in.pk), "W%d batch %d: update %d, "
                          "forward %d in a team (narrow %ld, packed %ld)", l + 1, b, in.upd[l][b], in.fwd[l][b], in.na, in.pk);
            }
    }
    /* the rule at set posts (this machine's post may sit where the two
     * coincide, below 0.27 us): with a post of 0.5 us a big W splits from
     * 360K flops (W1 at batch 1, 401K) and a small one not below 662K (W2 at
     * batch 8, 524K); at 0.15 us both at 198K; at 1.5 us big 720K */
    CHECK(fabs(mlpb_team_par_min_at(0.5, 16, 1) - 3.6e5) < 1 && fabs(mlpb_team_par_min_at(0.5, 16, 0) - 4.5e5 * 0.5 / 0.34) < 1 &&
          fabs(mlpb_team_par_min_at(0.15, 16, 1) - 4.5e5 * 0.15 / 0.34) < 1 &&
          fabs(mlpb_team_par_min_at(0.15, 16, 0) - 4.5e5 * 0.15 / 0.34) < 1 &&
          fabs(mlpb_team_par_min_at(1.5, 16, 1) - 7.2e5) < 1 && fabs(mlpb_team_par_min_at(0.5, 8, 1) - 1.8e5) < 1,
          "team rule at set posts: %g %g %g %g %g", mlpb_team_par_min_at(0.5, 16, 1), mlpb_team_par_min_at(0.5, 16, 0),
          mlpb_team_par_min_at(0.15, 16, 1), mlpb_team_par_min_at(1.5, 16, 1), mlpb_team_par_min_at(0.5, 8, 1));
    if (vec) {
        team_agree ag = { c3, 0 };
        mlpb_team_run(c3, read_agree, &ag);
        CHECK(ag.bad == 0, "in a team, %d (layer, batch) pairs whose forward, update and backward split differently "
              "(post %g us)", ag.bad, mlpb_ctx_team_us(c3));
    }
    /* an explicit threshold holds in a team too, for any W */
    if (vec) {
        mlpb_ctx_set_par_min_flops(c3, 500000);
        team_rule in = { .c = c3 };
        mlpb_team_run(c3, read_rule, &in);
        int ok = mlpb_ctx_team_par_min(c3, 0) == 500000 && mlpb_ctx_team_par_min(c3, 1) == 500000 && in.sm == 500000;
        for (int b = 1; b <= mlpb_ctx_cfg(c3)->ukr->mr; b++)
            ok = ok && in.fwd[0][b] == (401408.0 * b >= 500000) && in.fwd[1][b] == (65536.0 * b >= 500000);
        CHECK(ok, "MLPB_PAR_MIN 500000 in a team: thresholds %ld / %ld, W1 batch 1 %d, W2 batch 8 %d",
              mlpb_ctx_team_par_min(c3, 0), mlpb_ctx_team_par_min(c3, 1), in.fwd[0][1], in.fwd[1][8]);
    }
    mlpb_ctx_free(c3);
    mlpb_ctx_free(c1); mlpb_ctx_free(c2);
    free(A); free(B); free(C1); free(C2);
    return check_summary("threads");
}

int main(int argc, char **argv) {
    const char *g = argc > 1 ? argv[1] : "";
    if (!strcmp(g, "gemm")) return test_gemm();
    if (!strcmp(g, "vec")) return test_vec();
    if (!strcmp(g, "threads")) return test_threads();
    fprintf(stderr, "usage: test_kernels gemm|vec|threads\n");
    return 2;
}
