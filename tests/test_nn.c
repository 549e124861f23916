/* test_nn.c - the network and its training:
 *   test_nn gradcheck    back-propagation (8)-(17) against central finite
 *                        differences of a double-precision twin of (1)-(7),
 *                        every W and b of a 3-hidden-layer net, both reductions
 *   test_nn determinism  same seed => bit-identical weights and losses, 1 vs 2 threads
 *   test_nn resume       interrupted + resumed from a checkpoint == uninterrupted, bit for bit
 *   test_nn learn        the synthetic set reaches >= 95% test accuracy
 *   test_nn fashion      10000 Fashion-MNIST rows, one epoch => >= 72% test accuracy
 *                        (measured 75.9%; chance is 10%)
 *   test_nn fused        the update with the weight gradients fused into it
 *                        (mlpb_update_fused) == backward + update, bit for bit
 *                        up to KC rows, and both within rounding of a double
 *                        W - lr H^T delta, every rung and ISA, 1 and 2 threads;
 *                        mlpb_train's steps == backward + update by hand */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "nn/mlp.h"
#include "sys/rng.h"
#include "sys/sysinfo.h"
#include "train/checkpoint.h"
#include "train/train.h"

/* isa: the SIMD rung's micro-kernel ISA ("auto": the best this CPU has) */
static mlpb_ctx *make_ctx_isa(mlpb_kernel kind, const char *isa, int threads) {
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    const mlpb_ukr *u = kind == MLPB_KERNEL_SIMD ? mlpb_ukr_find(isa) : mlpb_ukr_find("scalar");
    mlpb_kcfg cfg = { kind, u, 0, 0, 0, threads, 0, 0 };
    mlpb_blocking_from_caches(&si, u, &cfg);
    mlpb_ctx *c = mlpb_ctx_new(&cfg);
    if (!c) { fprintf(stderr, "mlpb_ctx_new failed\n"); exit(1); }
    /* two threads split every GEMM, however small (the frame keeps small ones on one
     * thread for speed): the determinism and resume tests then cover every path split */
    if (threads > 1) mlpb_ctx_set_par_min_flops(c, -1);
    return c;
}
static mlpb_ctx *make_ctx(mlpb_kernel kind, int threads) { return make_ctx_isa(kind, "auto", threads); }

/* The double twin of (1)-(7): loss of the net with parameter `which` (index
 * into params) replaced by value v; mean or sum over the n rows. */
static double loss_double(const mlpb_mlp *net, const float *X, const float *Y, int n, mlpb_reduction red,
                          size_t which, double v) {
    const int L = net->L, *w = net->w;
    double total = 0.0;
    double *in = malloc(sizeof(double) * 64), *out = malloc(sizeof(double) * 64);
    for (int r = 0; r < n; r++) {
        for (int j = 0; j < w[0]; j++) in[j] = X[(size_t)r * w[0] + j];
        for (int l = 0; l < L; l++) {
            for (int j = 0; j < w[l + 1]; j++) {
                size_t bi = (size_t)(net->b[l] + j - net->params);
                double z = bi == which ? v : net->b[l][j];
                for (int i = 0; i < w[l]; i++) {
                    size_t wi = (size_t)(net->W[l] + (size_t)i * net->ldw[l] + j - net->params);
                    z += in[i] * (wi == which ? v : net->W[l][(size_t)i * net->ldw[l] + j]); /* (1)(3)(5) */
                }
                out[j] = l < L - 1 ? 1.0 / (1.0 + exp(-z)) : z;                       /* (2)(4) */
            }
            double *t = in; in = out; out = t;
        }
        const int k = w[L];
        double mx = in[0], s = 0;
        for (int j = 1; j < k; j++) mx = fmax(mx, in[j]);
        for (int j = 0; j < k; j++) s += exp(in[j] - mx);
        for (int j = 0; j < k; j++) total -= Y[(size_t)r * k + j] * (in[j] - mx - log(s)); /* (6)(7) */
    }
    free(in); free(out);
    return red == MLPB_REDUCE_MEAN ? total / n : total;
}

static int test_gradcheck(void) {
    const int widths[] = { 7, 6, 5, 4, 3 }, L = 4, n = 5;
    mlpb_rng r;
    mlpb_rng_seed(&r, 11);
    float X[5 * 7], Y[5 * 3] = {0};
    for (int i = 0; i < n * 7; i++) X[i] = (float)mlpb_rng_uniform(&r);
    for (int i = 0; i < n; i++) Y[i * 3 + mlpb_rng_below(&r, 3)] = 1.0f;
    for (int kind = MLPB_KERNEL_REF; kind <= MLPB_KERNEL_SIMD; kind++)
        for (int red = MLPB_REDUCE_MEAN; red <= MLPB_REDUCE_SUM; red++) {
            mlpb_ctx *ctx = make_ctx(kind, 2);
            mlpb_mlp net;
            mlpb_acts a;
            CHECK(mlpb_mlp_init(&net, L, widths, 5) == 0, "init");
            CHECK(mlpb_acts_init(&a, &net, n) == 0, "acts");
            /* larger weights than Glorot so every layer's gradient is well above rounding */
            for (size_t i = 0; i < net.nparams; i++) net.params[i] *= 3.0f;
            for (int l = 0; l < L; l++)
                for (int j = 0; j < widths[l + 1]; j++) net.b[l][j] = (float)(mlpb_rng_uniform(&r) - 0.5);
            mlpb_forward(ctx, &net, &a, X, n);
            double lf = mlpb_loss_delta(ctx, &net, &a, Y, n, red == MLPB_REDUCE_MEAN ? 1.0f / n : 1.0f);
            mlpb_backward(ctx, &net, &a, X, n);
            double l0 = loss_double(&net, X, Y, n, red, (size_t)-1, 0);
            CHECK(fabs((red == MLPB_REDUCE_MEAN ? lf / n : lf) - l0) <= 1e-5 * l0, "loss: float %.9g, double %.9g", lf, l0);
            double worst = 0;
            long checked = 0;
            for (int l = 0; l < L; l++) {
                float *tensors[2] = { net.W[l], net.b[l] }, *grads[2] = { net.dW[l], net.db[l] };
                /* W: w[l] rows of w[l+1], ldw apart; b: one row */
                const size_t cols = (size_t)widths[l + 1], stride[2] = { (size_t)net.ldw[l], cols };
                size_t sizes[2] = { (size_t)widths[l] * cols, cols };
                for (int i = 0; i < widths[l]; i++) /* the row padding of W and dW: zero, never written */
                    for (int j = widths[l + 1]; j < net.ldw[l]; j++)
                        CHECK(net.W[l][(size_t)i * net.ldw[l] + j] == 0.0f && net.dW[l][(size_t)i * net.ldw[l] + j] == 0.0f,
                              "layer %d: padding W/dW(%d,%d) is not zero", l, i, j);
                for (int t = 0; t < 2; t++) {
                    double gmax = 0;
                    for (size_t e = 0; e < sizes[t]; e++) gmax = fmax(gmax, fabs(grads[t][e / cols * stride[t] + e % cols]));
                    for (size_t e = 0; e < sizes[t]; e++) {
                        const size_t i = e / cols * stride[t] + e % cols;
                        size_t idx = (size_t)(tensors[t] + i - net.params);
                        double th = tensors[t][i], h = 1e-5 * fmax(1.0, fabs(th));
                        double fd = (loss_double(&net, X, Y, n, red, idx, th + h) -
                                     loss_double(&net, X, Y, n, red, idx, th - h)) / (2 * h);
                        /* float back-prop vs double FD, relative to the tensor's largest
                         * gradient; measured worst 2e-7, float rounding of ~10 ops */
                        double err = fabs(grads[t][i] - fd) / fmax(gmax, 1e-12);
                        worst = fmax(worst, err);
                        checked++;
                        CHECK(err <= 1e-5, "kernel %d %s: layer %d %s[%zu]: back-prop %.9g, finite difference %.9g",
                              kind, red ? "sum" : "mean", l, t ? "db" : "dW", i, grads[t][i], fd);
                    }
                    CHECK(gmax > 1e-4, "layer %d %s: gradient too small to check (%g)", l, t ? "db" : "dW", gmax);
                }
            }
            fprintf(stderr, "kernel %d (%s) reduction %s: %ld parameters, worst relative error %.2e\n", kind,
                    kind == MLPB_KERNEL_REF ? "ref" : mlpb_ukr_find(kind == MLPB_KERNEL_SIMD ? "auto" : "scalar")->name,
                    red ? "sum" : "mean", checked, worst);
            mlpb_acts_free(&a, &net);
            mlpb_mlp_free(&net);
            mlpb_ctx_free(ctx);
        }
    return check_summary("gradcheck");
}

/* One step's update both ways from the same forward and deltas: A by
 * mlpb_backward + mlpb_update (dW stored, then one axpy), B by
 * mlpb_backward_deltas + mlpb_update_fused (GEMMs with beta = 1 into W). Up to
 * KC rows each weight is fl(W + fl(-lr s)) both ways with the same sum s; past
 * KC the fused GEMM rounds once per K block. Both against the double
 * W0 - lr sum_r h_r delta_r within 2 eps |W| + lr 2 (n + 2) eps sum_r |h_r delta_r|
 * (the GEMM check's bound). Widths: the small-M (the 5-wide layer's dW is
 * 5 x 10), narrow (k <= 16, 10-wide) and packed paths all write W, on every
 * ISA this CPU has. */
static int test_fused(void) {
    const int widths[] = { 37, 70, 5, 10 }, L = 3;
    const float lr = 0.37f;
    /* the rungs, the SIMD one on every ISA this CPU runs */
    const struct { mlpb_kernel kind; const char *isa; } rungs[] = {
        { MLPB_KERNEL_REF, "scalar" }, { MLPB_KERNEL_BLOCKED, "scalar" },
        { MLPB_KERNEL_SIMD, "avx512" }, { MLPB_KERNEL_SIMD, "avx2" }, { MLPB_KERNEL_SIMD, "scalar" } };
    for (int ri = 0; ri < (int)(sizeof rungs / sizeof *rungs); ri++)
        for (int threads = 1; threads <= 2; threads++) {
            const mlpb_kernel kind = rungs[ri].kind;
            if (!mlpb_isa_available(rungs[ri].isa) || !mlpb_ukr_find(rungs[ri].isa)) {
                if (threads == 1) fprintf(stderr, "SKIP %s: not on this CPU or build\n", rungs[ri].isa);
                continue;
            }
            mlpb_ctx *ctx = make_ctx_isa(kind, rungs[ri].isa, threads);
            const int kc = mlpb_ctx_cfg(ctx)->kc;
            const int batches[] = { 1, 5, 12, 13, 16, 17, 64, kc, kc + 9 };
            for (int bi = 0; bi < (int)(sizeof batches / sizeof *batches); bi++) {
                const int n = batches[bi];
                mlpb_rng r;
                mlpb_rng_seed(&r, 100 + (uint64_t)n);
                float *X = malloc(sizeof(float) * (size_t)n * widths[0]), *Y = calloc((size_t)n * widths[L], sizeof(float));
                for (size_t i = 0; i < (size_t)n * widths[0]; i++) X[i] = (float)mlpb_rng_uniform(&r);
                for (int i = 0; i < n; i++) Y[(size_t)i * widths[L] + mlpb_rng_below(&r, (uint32_t)widths[L])] = 1.0f;
                mlpb_mlp A, B;
                mlpb_acts a, b;
                CHECK(mlpb_mlp_init(&A, L, widths, 7) == 0 && mlpb_mlp_init(&B, L, widths, 7) == 0, "init");
                CHECK(mlpb_acts_init(&a, &A, n) == 0 && mlpb_acts_init(&b, &B, n) == 0, "acts");
                for (int l = 0; l < L; l++) /* nonzero biases, the same in both */
                    for (int j = 0; j < widths[l + 1]; j++) A.b[l][j] = B.b[l][j] = (float)(mlpb_rng_uniform(&r) - 0.5);
                float *W0 = malloc(A.nparams * sizeof(float));
                memcpy(W0, A.params, A.nparams * sizeof(float));
                mlpb_forward(ctx, &A, &a, X, n);
                mlpb_loss_delta(ctx, &A, &a, Y, n, 1.0f / n);
                mlpb_backward(ctx, &A, &a, X, n);
                mlpb_update(ctx, &A, lr, n);
                mlpb_forward(ctx, &B, &b, X, n);
                mlpb_loss_delta(ctx, &B, &b, Y, n, 1.0f / n);
                mlpb_backward_deltas(ctx, &B, &b, n);
                mlpb_update_fused(ctx, &B, &b, X, n, lr);
                if (n <= kc)
                    CHECK(memcmp(A.params, B.params, A.nparams * sizeof(float)) == 0,
                          "kernel %d (%s), %d threads, batch %d (<= KC %d): fused update differs from backward + update",
                          kind, rungs[ri].isa, threads, n, kc);
                double worst = 0;
                size_t moved = 0;
                for (int l = 0; l < L; l++) {
                    const float *H = l == 0 ? X : b.H[l], *D = l == L - 1 ? b.H[L] : b.D[l + 1];
                    const int wi = widths[l], wo = widths[l + 1];
                    for (int i = 0; i < wi; i++)
                        for (int j = 0; j < wo; j++) {
                            double s = 0, sa = 0;
                            for (int q = 0; q < n; q++) {
                                const double p = (double)H[(size_t)q * wi + i] * D[(size_t)q * wo + j];
                                s += p;
                                sa += fabs(p);
                            }
                            const size_t e = (size_t)(A.W[l] - A.params) + (size_t)i * A.ldw[l] + j;
                            const double want = W0[e] - (double)lr * s;
                            const double tol = 2 * FLT_EPSILON * fabs(want) + lr * 2.0 * (n + 2) * FLT_EPSILON * sa;
                            const double ea = fabs(A.params[e] - want), eb = fabs(B.params[e] - want);
                            worst = fmax(worst, fmax(ea, eb) / fmax(tol, 1e-30));
                            moved += B.params[e] != W0[e];
                            CHECK(ea <= tol && eb <= tol, "kernel %d, %d threads, batch %d: W%d(%d,%d) %.9g / fused %.9g, "
                                  "double %.9g (tolerance %.3g)", kind, threads, n, l, i, j, A.params[e], B.params[e], want, tol);
                        }
                    for (int i = 0; i < wi; i++) /* the row padding: never written */
                        for (int j = wo; j < B.ldw[l]; j++)
                            CHECK(B.W[l][(size_t)i * B.ldw[l] + j] == 0.0f, "batch %d: W%d padding (%d,%d) written", n, l, i, j);
                }
                for (int l = 0; l < L; l++)
                    for (int j = 0; j < widths[l + 1]; j++) {
                        double s = 0, sa = 0;
                        const float *D = l == L - 1 ? b.H[L] : b.D[l + 1];
                        for (int q = 0; q < n; q++) {
                            s += D[(size_t)q * widths[l + 1] + j];
                            sa += fabs(D[(size_t)q * widths[l + 1] + j]);
                        }
                        const size_t e = (size_t)(B.b[l] - B.params) + j;
                        const double want = W0[e] - (double)lr * s, got = B.params[e];
                        /* the column sum's bound (n eps sum|d|), then -lr db and the add */
                        CHECK(fabs(got - want) <= 2 * FLT_EPSILON * fabs(want) + lr * 2.0 * (n + 2) * FLT_EPSILON * sa,
                              "batch %d: b%d[%d] fused %.9g, double %.9g", n, l, j, got, want);
                    }
                /* most weights move: the comparison is not of two untouched nets */
                size_t real = 0;
                for (int l = 0; l < L; l++) real += (size_t)widths[l] * widths[l + 1];
                CHECK(moved > real * 9 / 10, "batch %d: only %zu of %zu weights moved", n, moved, real);
                if (bi == (int)(sizeof batches / sizeof *batches) - 1)
                    fprintf(stderr, "kernel %d (%s), %d threads: worst error / tolerance %.3f (batch %d)\n", kind,
                            rungs[ri].isa, threads, worst, n);
                free(W0); free(X); free(Y);
                mlpb_acts_free(&a, &A); mlpb_acts_free(&b, &B);
                mlpb_mlp_free(&A); mlpb_mlp_free(&B);
            }
            mlpb_ctx_free(ctx);
        }
    /* mlpb_train's one-process step (deltas, then the fused update) against
     * forward / loss / mlpb_backward / mlpb_update by hand: full batch (no
     * shuffling, X in place), 200 rows <= KC, three steps, bit for bit; an
     * update placed before the deltas, or skipped, fails it */
    mlpb_dataset tr, te;
    char err[MLPB_ERRLEN];
    CHECK(mlpb_synthetic(200, 12, 4, 5, 6, &tr, err, sizeof err) == 0 && mlpb_synthetic(100, 12, 4, 5, 7, &te, err, sizeof err) == 0,
          "%s", err);
    const int tw[] = { 12, 9, 4 };
    for (int kind = MLPB_KERNEL_REF; kind <= MLPB_KERNEL_SIMD; kind++)
        for (int threads = 1; threads <= 2; threads++) {
            mlpb_ctx *ctx = make_ctx(kind, threads);
            mlpb_mlp T, M;
            mlpb_acts a;
            CHECK(mlpb_mlp_init(&T, 2, tw, 3) == 0 && mlpb_mlp_init(&M, 2, tw, 3) == 0, "init");
            CHECK(mlpb_acts_init(&a, &M, tr.n) == 0, "acts");
            mlpb_train_opts o = { .batch = 0, .epochs = 3, .points_per_epoch = 1, .lr = 0.5f,
                                  .reduction = MLPB_REDUCE_MEAN, .seed = 1, .eval_rows = 50 };
            mlpb_train_result res;
            CHECK(mlpb_train(ctx, &T, &tr, NULL, &te, &o, NULL, NULL, &res, err, sizeof err) == 0, "train: %s", err);
            for (int step = 0; step < 3; step++) {
                mlpb_forward(ctx, &M, &a, tr.X, tr.n);
                mlpb_loss_delta(ctx, &M, &a, tr.Y, tr.n, 1.0f / tr.n);
                mlpb_backward(ctx, &M, &a, tr.X, tr.n);
                mlpb_update(ctx, &M, 0.5f, tr.n);
            }
            CHECK(memcmp(T.params, M.params, T.nparams * sizeof(float)) == 0,
                  "kernel %d, %d threads: mlpb_train's 3 full-batch steps differ from backward + update by hand", kind, threads);
            mlpb_acts_free(&a, &M);
            mlpb_mlp_free(&T); mlpb_mlp_free(&M);
            mlpb_ctx_free(ctx);
        }
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return check_summary("fused");
}

typedef struct { double loss[64]; double acc[64]; int n; } curve;

static int record(const mlpb_point *p, void *user) {
    curve *c = user;
    if (c->n < 64) { c->loss[c->n] = p->train_loss; c->acc[c->n] = p->test_acc; c->n++; }
    return 0;
}

static void train_synth(int threads, mlpb_kernel kind, int batch, int epochs, mlpb_mlp *net, curve *cv,
                        mlpb_dataset *tr, mlpb_dataset *te) {
    const int widths[] = { tr->d, 32, 16, tr->k };
    char err[MLPB_ERRLEN];
    mlpb_ctx *ctx = make_ctx(kind, threads);
    mlpb_set_ftz(threads);
    CHECK(mlpb_mlp_init(net, 3, widths, 99) == 0, "init");
    mlpb_train_opts o = { .batch = batch, .epochs = epochs, .points_per_epoch = 1, .lr = 0.5f,
                          .reduction = MLPB_REDUCE_MEAN, .seed = 99, .eval_rows = 100 };
    memset(cv, 0, sizeof *cv);
    mlpb_train_result res;
    int rc = mlpb_train(ctx, net, tr, NULL, te, &o, record, cv, &res, err, sizeof err);
    CHECK(rc == 0, "train: %s", err);
    mlpb_ctx_free(ctx);
}

static int test_determinism(void) {
    mlpb_dataset tr, te;
    char err[MLPB_ERRLEN];
    /* 150 features: batch 1's and 5's first forward GEMM (k = 150, K in two
     * halves) splits over K, its update over rows */
    CHECK(mlpb_synthetic(1000, 150, 5, 1, 2, &tr, err, sizeof err) == 0, "%s", err);
    CHECK(mlpb_synthetic(300, 150, 5, 1, 3, &te, err, sizeof err) == 0, "%s", err);
    const int batches[] = { 0, 1, 5, 32, 333 };
    for (int kind = MLPB_KERNEL_REF; kind <= MLPB_KERNEL_SIMD; kind++)
        for (int b = 0; b < 5; b++) {
            mlpb_mlp n1, n2;
            curve c1, c2;
            train_synth(1, kind, batches[b], 3, &n1, &c1, &tr, &te);
            train_synth(2, kind, batches[b], 3, &n2, &c2, &tr, &te);
            CHECK(c1.n == 3 && c2.n == 3, "three epochs logged");
            CHECK(memcmp(c1.loss, c2.loss, sizeof c1.loss) == 0 && memcmp(c1.acc, c2.acc, sizeof c1.acc) == 0,
                  "kernel %d batch %d: loss curves differ for 1 and 2 threads (%.17g vs %.17g)", kind, batches[b],
                  c1.loss[2], c2.loss[2]);
            CHECK(memcmp(n1.params, n2.params, n1.nparams * sizeof(float)) == 0,
                  "kernel %d batch %d: weights differ for 1 and 2 threads", kind, batches[b]);
            /* and training moved them: the comparison is not of two untouched inits */
            mlpb_mlp fresh;
            const int widths[] = { tr.d, 32, 16, tr.k };
            CHECK(mlpb_mlp_init(&fresh, 3, widths, 99) == 0, "init");
            size_t moved = 0, real = 0; /* the row padding never moves: count real parameters */
            for (int l = 0; l < 3; l++) real += (size_t)(widths[l] + 1) * (size_t)widths[l + 1];
            for (size_t i = 0; i < fresh.nparams; i++) moved += fresh.params[i] != n1.params[i];
            CHECK(moved > real / 2, "kernel %d batch %d: only %zu of %zu parameters moved", kind,
                  batches[b], moved, real);
            mlpb_mlp_free(&fresh);
            mlpb_mlp_free(&n1);
            mlpb_mlp_free(&n2);
        }
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return check_summary("determinism");
}

static int test_learn(void) {
    mlpb_dataset tr, te;
    char err[MLPB_ERRLEN];
    CHECK(mlpb_synthetic(4000, 64, 10, 5, 6, &tr, err, sizeof err) == 0, "%s", err);
    CHECK(mlpb_synthetic(1000, 64, 10, 5, 7, &te, err, sizeof err) == 0, "%s", err);
    mlpb_mlp net;
    curve cv;
    train_synth(2, MLPB_KERNEL_SIMD, 32, 5, &net, &cv, &tr, &te);
    fprintf(stderr, "synthetic: test accuracy per epoch:");
    for (int i = 0; i < cv.n; i++) fprintf(stderr, " %.4f", cv.acc[i]);
    fprintf(stderr, "\n");
    CHECK(cv.n == 5 && cv.acc[4] >= 0.95, "synthetic test accuracy %.4f < 0.95", cv.acc[cv.n - 1]);
    mlpb_mlp_free(&net);
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return check_summary("learn");
}

static int test_fashion(void) {
    mlpb_dataset tr, te;
    char err[MLPB_ERRLEN];
    const char *dir = getenv("MLPBENCH_DATA") && *getenv("MLPBENCH_DATA") ? getenv("MLPBENCH_DATA")
                                                                          : MLPB_DEFAULT_DATA_DIR;
    if (mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err)) {
        CHECK(0, "%s (install dataset-fashion-mnist)", err);
        return check_summary("fashion");
    }
    mlpb_dataset_truncate(&tr, 10000);
    const int widths[] = { 784, 256, 128, 10 };
    mlpb_ctx *ctx = make_ctx(MLPB_KERNEL_SIMD, 2);
    mlpb_set_ftz(2);
    mlpb_mlp net;
    CHECK(mlpb_mlp_init(&net, 3, widths, 1) == 0, "init");
    mlpb_train_opts o = { .batch = 16, .epochs = 1, .points_per_epoch = 1, .lr = 1.0f,
                          .reduction = MLPB_REDUCE_MEAN, .seed = 1, .eval_rows = 1000 };
    curve cv = {0};
    mlpb_train_result res;
    CHECK(mlpb_train(ctx, &net, &tr, NULL, &te, &o, record, &cv, &res, err, sizeof err) == 0, "train: %s", err);
    fprintf(stderr, "fashion-mnist, 10000 rows, 1 epoch, batch 16, lr 1: test accuracy %.4f\n", cv.acc[0]);
    CHECK(cv.n == 1 && cv.acc[0] >= 0.72, "test accuracy %.4f < 0.72", cv.acc[0]);
    mlpb_mlp_free(&net);
    mlpb_ctx_free(ctx);
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return check_summary("fashion");
}

/* exact resume: 2 epochs + save, then load and 2 more == 4 straight, bit for bit,
 * also from a checkpoint taken mid-epoch (a budget of samples stops inside one) */
static int save_to(const mlpb_train_state *st, const mlpb_mlp *net, void *user, char *err, size_t errlen) {
    const mlpb_ckpt_meta *m = user;
    return mlpb_ckpt_save("resume_test.ckpt", m, net, st, err, errlen);
}

static int test_resume(void) {
    mlpb_dataset tr, te;
    char err[MLPB_ERRLEN];
    CHECK(mlpb_synthetic(1000, 24, 5, 1, 2, &tr, err, sizeof err) == 0, "%s", err);
    CHECK(mlpb_synthetic(300, 24, 5, 1, 3, &te, err, sizeof err) == 0, "%s", err);
    const int widths[] = { 24, 16, 8, 5 };
    mlpb_ckpt_meta meta = { .L = 3, .widths = { 24, 16, 8, 5 }, .seed = 7, .batch = 32, .lr = 0.5f,
                            .points_per_epoch = 3, .data_rows = 1000 };
    for (int mid = 0; mid < 2; mid++) {
        mlpb_ctx *ctx = make_ctx(MLPB_KERNEL_SIMD, 2);
        mlpb_mlp a, b, c;
        curve ca = {0}, cb = {0};
        mlpb_train_result res;
        mlpb_train_opts o = { .batch = 32, .epochs = 4, .points_per_epoch = 3, .lr = 0.5f, .seed = 7, .eval_rows = 100 };
        CHECK(mlpb_mlp_init(&a, 3, widths, 7) == 0 && mlpb_mlp_init(&b, 3, widths, 7) == 0, "init");
        if (!mid) { /* the files' dense layout: W rows back to back, then b, each tensor padded to 16 floats */
            mlpb_mlp d, e;
            CHECK(mlpb_mlp_init(&d, 3, widths, 11) == 0 && mlpb_mlp_init(&e, 3, widths, 12) == 0, "init");
            for (int l = 0; l < 3; l++)
                for (int j = 0; j < widths[l + 1]; j++) d.b[l][j] = 0.25f * (float)(j + 1); /* biases not 0 */
            size_t nd = mlpb_mlp_dense_count(3, widths), off = 0;
            float *dense = malloc(nd * sizeof(float));
            mlpb_mlp_get_dense(&d, dense);
            for (int l = 0; l < 3; l++) {
                const int r = widths[l], q = widths[l + 1];
                for (int i = 0; i < r * q; i++)
                    CHECK(dense[off + (size_t)i] == d.W[l][(size_t)(i / q) * d.ldw[l] + (size_t)(i % q)],
                          "dense W%d[%d] is not row-major", l, i);
                off += ((size_t)r * q + 15) / 16 * 16;
                for (int j = 0; j < q; j++) CHECK(dense[off + (size_t)j] == d.b[l][j], "dense b%d[%d]", l, j);
                off += ((size_t)q + 15) / 16 * 16;
            }
            CHECK(off == nd, "dense count %zu, walked %zu", nd, off);
            mlpb_mlp_set_dense(&e, dense); /* and back: the same block, padding still 0 */
            CHECK(e.nparams == d.nparams && memcmp(e.params, d.params, d.nparams * sizeof(float)) == 0,
                  "dense round trip changed the parameters");
            free(dense);
            mlpb_mlp_free(&d);
            mlpb_mlp_free(&e);
        }
        CHECK(mlpb_train(ctx, &a, &tr, NULL, &te, &o, record, &ca, &res, err, sizeof err) == 0, "%s", err);
        /* the interrupted run: 2 epochs, or 1700 samples (inside epoch 2) */
        mlpb_train_opts o1 = o;
        o1.epochs = mid ? 4 : 2;
        o1.max_samples = mid ? 1700 : 0;
        o1.on_save = save_to;
        o1.save_user = &meta;
        CHECK(mlpb_train(ctx, &b, &tr, NULL, &te, &o1, record, &cb, &res, err, sizeof err) == 0, "%s", err);
        if (mid) cb.n--; /* the point logged at the interruption is not in the uninterrupted curve */
        mlpb_ckpt_meta have;
        mlpb_train_state st;
        CHECK(mlpb_ckpt_load("resume_test.ckpt", &have, &c, &st, err, sizeof err) == 0, "load: %s", err);
        char why[256];
        CHECK(*mlpb_ckpt_mismatch(&have, &meta, why, sizeof why) == 0, "mismatch: %s", why);
        CHECK(memcmp(c.params, b.params, b.nparams * sizeof(float)) == 0, "loaded weights differ from saved");
        CHECK(mid ? st.r0 > 0 : st.r0 == 0, "mid=%d: saved at row %d of the epoch", mid, st.r0);
        mlpb_train_opts o2 = o;
        o2.resume = &st;
        CHECK(mlpb_train(ctx, &c, &tr, NULL, &te, &o2, record, &cb, &res, err, sizeof err) == 0, "%s", err);
        CHECK(cb.n == ca.n, "mid=%d: %d points straight, %d interrupted + resumed", mid, ca.n, cb.n);
        CHECK(memcmp(ca.loss, cb.loss, sizeof ca.loss) == 0 && memcmp(ca.acc, cb.acc, sizeof ca.acc) == 0,
              "mid=%d: the resumed curve differs", mid);
        CHECK(memcmp(a.params, c.params, a.nparams * sizeof(float)) == 0, "mid=%d: resumed weights differ", mid);
        /* a different setting is named */
        mlpb_ckpt_meta other = meta;
        other.lr = 0.25f;
        CHECK(strstr(mlpb_ckpt_mismatch(&have, &other, why, sizeof why), "--lr is 0.5, this run's 0.25") != NULL,
              "lr mismatch message: '%s'", why);
        other = meta;
        other.widths[1] = 17;
        CHECK(strstr(mlpb_ckpt_mismatch(&have, &other, why, sizeof why), "24-16-8-5, this run's is 24-17-8-5") != NULL,
              "width mismatch message: '%s'", why);
        mlpb_train_state_free(&st);
        mlpb_mlp_free(&a); mlpb_mlp_free(&b); mlpb_mlp_free(&c);
        mlpb_ctx_free(ctx);
    }
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return check_summary("resume");
}

int main(int argc, char **argv) {
    const char *g = argc > 1 ? argv[1] : "";
    if (!strcmp(g, "gradcheck")) return test_gradcheck();
    if (!strcmp(g, "determinism")) return test_determinism();
    if (!strcmp(g, "learn")) return test_learn();
    if (!strcmp(g, "fashion")) return test_fashion();
    if (!strcmp(g, "resume")) return test_resume();
    if (!strcmp(g, "fused")) return test_fused();
    fprintf(stderr, "usage: test_nn gradcheck|determinism|learn|fashion|resume|fused\n");
    return 2;
}
