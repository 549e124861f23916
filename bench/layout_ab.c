/* layout_ab.c - the GEMMs of a training step (forward (1)-(5), deltas
 * (11)(15), weight gradients fused into the update (9)(13)(16)(18)) with the
 * weights stored as the network stores them, W (inputs x outputs), and
 * transposed, W^T (outputs x inputs, as PyTorch's Linear keeps them):
 *   W    forward NN, deltas NT, update TN with C = W   (m = inputs)
 *   W^T  forward NT, deltas NN, update TN with C = W^T (m = outputs)
 * for 784-256-128-10 and each batch and thread count, inside one team, the
 * two layouts in turns. A measurement for deciding the layout, not a test:
 * the element-wise work (softmax, column sums, biases) is the same both ways
 * and left out; the epilogues (bias + sigmoid, sigmoid') stay in.
 *   build/layout_ab [BATCHES [THREADS [ROUNDS [PARMIN]]]]   (defaults 1,32,64,128 1,2 7 0)
 * PARMIN: as `mlpbench gemm --par-min` (0: the frame's thresholds; -1: every
 * GEMM split over the threads, e.g. to see batch 1 on two cores).
 * Prints the median microseconds per step of each layout and W / W^T. */
#include "kernels/kernels.h"
#include "nn/mlp.h"
#include "sys/pin.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L 3
static const int widths[L + 1] = { 784, 256, 128, 10 };

typedef struct {
    mlpb_ctx *ctx;
    int n, rounds, steps;
    float *X, *W[2][L], *b[L], *H[L + 1], *D[L + 1];
    int ldw[2][L];
    double med[2];
} job;

/* one step's GEMMs, layout t (0: W, 1: W^T) */
static void step(job *j, int t) {
    const int n = j->n;
    for (int l = 0; l < L; l++) { /* Z = H W + b, H = sigmoid(Z) (1)-(5) */
        const mlpb_epi epi = { l < L - 1 ? MLPB_EPI_BIAS_SIGMOID : MLPB_EPI_BIAS, j->b[l], NULL, 0 };
        const float *in = l == 0 ? j->X : j->H[l];
        mlpb_gemm(j->ctx, MLPB_N, t ? MLPB_T : MLPB_N, n, widths[l + 1], widths[l], 1.0f, in, widths[l], j->W[t][l],
                  j->ldw[t][l], 0.0f, j->H[l + 1], widths[l + 1], &epi);
    }
    for (int l = L - 1; l > 0; l--) { /* delta_l = (delta_{l+1} W^T) . H (1 - H) (11)(15) */
        const mlpb_epi epi = { MLPB_EPI_DSIGMOID, NULL, j->H[l], widths[l] };
        const float *d = l == L - 1 ? j->H[L] : j->D[l + 1];
        mlpb_gemm(j->ctx, MLPB_N, t ? MLPB_N : MLPB_T, n, widths[l], widths[l + 1], 1.0f, d, widths[l + 1],
                  j->W[t][l], j->ldw[t][l], 0.0f, j->D[l], widths[l], &epi);
    }
    for (int l = L - 1; l >= 0; l--) { /* W := W - eta H^T delta (9)(13)(16) into (18) */
        const float *in = l == 0 ? j->X : j->H[l], *d = l == L - 1 ? j->H[L] : j->D[l + 1];
        if (t)
            mlpb_gemm(j->ctx, MLPB_T, MLPB_N, widths[l + 1], widths[l], n, -1e-7f, d, widths[l + 1], in, widths[l],
                      1.0f, j->W[1][l], j->ldw[1][l], NULL);
        else
            mlpb_gemm(j->ctx, MLPB_T, MLPB_N, widths[l], widths[l + 1], n, -1e-7f, in, widths[l], d, widths[l + 1],
                      1.0f, j->W[0][l], j->ldw[0][l], NULL);
    }
}

static void body(void *p) {
    job *j = p;
    double *t[2] = { malloc(sizeof(double) * (size_t)j->rounds), malloc(sizeof(double) * (size_t)j->rounds) };
    for (int r = -1; r < j->rounds; r++) /* round -1: warm-up */
        for (int q = 0; q < 2; q++) {
            const int v = (r & 1) ? 1 - q : q; /* the other layout first every other round */
            const double t0 = mlpb_now();
            for (int s = 0; s < j->steps; s++) step(j, v);
            if (r >= 0) t[v][r] = (mlpb_now() - t0) / j->steps;
        }
    for (int v = 0; v < 2; v++) {
        qsort(t[v], (size_t)j->rounds, sizeof(double), mlpb_cmp_double);
        j->med[v] = t[v][j->rounds / 2];
        free(t[v]);
    }
}

static float *fill(size_t n, float scale, unsigned seed) {
    float *x = mlpb_alloc64(n * sizeof(float) + 64);
    if (!x) { fprintf(stderr, "layout_ab: out of memory\n"); exit(1); }
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = scale * ((float)(seed >> 8) / 16777216.0f - 0.5f);
    }
    return x;
}

static int parse_list(const char *s, int *out, int max, int lo, int hi) {
    int k = 0;
    for (const char *p = s; *p && k < max;) {
        char *e;
        const long v = strtol(p, &e, 10);
        if (e == p || v < lo || v > hi || (*e && *e != ',')) return -1;
        out[k++] = (int)v;
        p = *e ? e + 1 : e;
    }
    return k;
}

int main(int argc, char **argv) {
    int batches[16], threads[8];
    const int nb = parse_list(argc > 1 ? argv[1] : "1,32,64,128", batches, 16, 1, 4096);
    const int nt = parse_list(argc > 2 ? argv[2] : "1,2", threads, 8, 1, 64);
    const int rounds = argc > 3 ? atoi(argv[3]) : 7;
    const long parmin = argc > 4 ? atol(argv[4]) : 0;
    if (nb < 1 || nt < 1 || rounds < 1 || parmin < -1) {
        fprintf(stderr, "usage: layout_ab [BATCHES [THREADS [ROUNDS [PARMIN]]]] (comma lists; batches 1..4096, "
                        "threads 1..64, rounds >= 1, PARMIN >= -1)\n");
        return 2;
    }
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    const mlpb_ukr *u = mlpb_ukr_find("auto");
    printf("784-256-128-10, the step's GEMMs (forward, deltas, fused update), %s, par-min %ld, median of %d rounds, "
           "us per step\n", u->name, parmin, rounds);
    printf("batch,threads,us_W,us_WT,W_over_WT\n");
    for (int ti = 0; ti < nt; ti++) {
        mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, 0, 0, 0, threads[ti], 0, 0 };
        mlpb_blocking_from_caches(&si, u, &cfg);
        char binding[160];
        mlpb_pin_threads(threads[ti], binding, sizeof binding);
        mlpb_ctx *ctx = mlpb_ctx_new(&cfg);
        if (!ctx) { fprintf(stderr, "layout_ab: out of memory for the context\n"); return 1; }
        if (parmin) mlpb_ctx_set_par_min_flops(ctx, parmin);
        mlpb_set_ftz(threads[ti]);
        for (int bi = 0; bi < nb; bi++) {
            job j = { ctx, batches[bi], rounds, 0, NULL, { { NULL } }, { NULL }, { NULL }, { NULL }, { { 0 } }, { 0 } };
            const int n = j.n;
            j.steps = n >= 128 ? 100 : n >= 32 ? 200 : 2000; /* 40-60 ms a round on the Zen 5 VM */
            j.X = fill((size_t)n * widths[0], 2.0f, 1);
            for (int l = 0; l < L; l++) {
                j.ldw[0][l] = mlpb_mlp_ldw(widths[l + 1]);
                j.ldw[1][l] = mlpb_mlp_ldw(widths[l]);
                j.W[0][l] = fill((size_t)widths[l] * j.ldw[0][l], 0.2f, 2 + l);
                j.W[1][l] = fill((size_t)widths[l + 1] * j.ldw[1][l], 0.2f, 2 + l);
                j.b[l] = fill((size_t)widths[l + 1], 0.2f, 9 + l);
            }
            for (int l = 1; l <= L; l++) {
                j.H[l] = fill((size_t)n * widths[l], 1.0f, 20 + l);
                j.D[l] = fill((size_t)n * widths[l], 1.0f, 30 + l);
            }
            mlpb_team_run(ctx, body, &j);
            printf("%d,%d,%.2f,%.2f,%.3f\n", n, threads[ti], j.med[0] * 1e6, j.med[1] * 1e6, j.med[0] / j.med[1]);
            fflush(stdout);
            free(j.X);
            for (int l = 0; l < L; l++) { free(j.W[0][l]); free(j.W[1][l]); free(j.b[l]); }
            for (int l = 1; l <= L; l++) { free(j.H[l]); free(j.D[l]); }
        }
        mlpb_ctx_free(ctx);
    }
    return 0;
}
