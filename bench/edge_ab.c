/* edge_ab.c - the edge kernel's A/B in one process: the packed GEMM frame with
 * the ISA's micro-kernel table entry as it is, and with its edge kernel taken
 * away (me = 0: a block's last rows go through the full kernel on a partial
 * tile), timed in turns on the same operands, R rounds of >= 5 ms each.
 * Prints both medians and the median over rounds of time(without) /
 * time(with) (> 1: the edge kernel saves time) with its quartiles. Shapes are
 * NN with the network's padded weight rows.
 *   build/edge_ab [THREADS [ROUNDS [M,M,... [N K]]]]
 *   build/edge_ab 1 61 32,64,128 256 784      (fwd-W1 at batch 32, 64, 128)
 * Not a test: a measurement, for this machine's noise to be averaged out by
 * taking turns. */
#include "kernels/kernels.h"
#include "nn/mlp.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 1, rounds = argc > 2 ? atoi(argv[2]) : 61;
    const char *ms = argc > 3 ? argv[3] : "32,64,128";
    const int n = argc > 5 ? atoi(argv[4]) : 256, k = argc > 5 ? atoi(argv[5]) : 784;
    const mlpb_ukr *u = mlpb_ukr_find("auto");
    if (threads < 1 || rounds < 1 || n < 1 || k < 1 || !u || u->me == 0) {
        fprintf(stderr, "edge_ab: bad arguments, or no micro-kernel with an edge kernel on this CPU\n");
        return 2;
    }
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    mlpb_ukr none = *u; /* the same entry without its edge kernel */
    none.me = 0;
    none.fn_e = NULL;
    none.fn_e_ldb = NULL;
    mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, 0, 0, 0, threads };
    mlpb_blocking_from_caches(&si, u, &cfg);
    mlpb_kcfg cfg0 = cfg;
    cfg0.ukr = &none;
    mlpb_ctx *ctx[2] = { mlpb_ctx_new(&cfg0), mlpb_ctx_new(&cfg) };
    const ptrdiff_t ldb = mlpb_mlp_ldw(n);
    const int mmax = 4096;
    float *A = malloc(sizeof(float) * (size_t)mmax * (size_t)k);
    float *B = malloc(sizeof(float) * (size_t)k * (size_t)ldb), *C = malloc(sizeof(float) * (size_t)mmax * (size_t)n);
    double *t[2] = { malloc(sizeof(double) * (size_t)rounds), malloc(sizeof(double) * (size_t)rounds) };
    double *r = malloc(sizeof(double) * (size_t)rounds);
    if (!ctx[0] || !ctx[1] || !A || !B || !C || !t[0] || !t[1] || !r) { fprintf(stderr, "edge_ab: out of memory\n"); return 1; }
    for (size_t i = 0; i < (size_t)mmax * (size_t)k; i++) A[i] = (float)(i % 101) / 101.0f - 0.5f;
    for (size_t i = 0; i < (size_t)k * (size_t)ldb; i++) B[i] = (float)(i % 37) / 37.0f - 0.5f;
    printf("micro-kernel %s, edge kernel %d rows, MC/KC/NC %d/%d/%d, %d thread(s), %d rounds\n", u->name, u->me,
           cfg.mc, cfg.kc, cfg.nc, threads, rounds);
    char *list = strdup(ms);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        const int m = atoi(tok);
        if (m < 1 || m > mmax) { fprintf(stderr, "edge_ab: m = %s out of 1..%d\n", tok, mmax); return 2; }
        double t0 = mlpb_now();
        mlpb_gemm(ctx[0], MLPB_N, MLPB_N, m, n, k, 1.0f, A, k, B, ldb, 0.0f, C, n, NULL);
        const int it = (int)(0.005 / (mlpb_now() - t0 + 1e-9)) + 1;
        for (int q = 0; q < rounds; q++)
            for (int v = 0; v < 2; v++) {
                t0 = mlpb_now();
                for (int i = 0; i < it; i++)
                    mlpb_gemm(ctx[v], MLPB_N, MLPB_N, m, n, k, 1.0f, A, k, B, ldb, 0.0f, C, n, NULL);
                t[v][q] = (mlpb_now() - t0) / it;
            }
        for (int q = 0; q < rounds; q++) r[q] = t[0][q] / t[1][q];
        qsort(t[0], (size_t)rounds, sizeof(double), cmp);
        qsort(t[1], (size_t)rounds, sizeof(double), cmp);
        qsort(r, (size_t)rounds, sizeof(double), cmp);
        const double gf = 2.0 * m * n * k * 1e-9;
        printf("m=%d n=%d k=%d: without %.1f GFLOP/s, with %.1f GFLOP/s (medians); without/with %.3f [%.3f %.3f]\n", m,
               n, k, gf / t[0][rounds / 2], gf / t[1][rounds / 2], r[rounds / 2], r[rounds / 4], r[3 * rounds / 4]);
    }
    free(list); free(A); free(B); free(C); free(t[0]); free(t[1]); free(r);
    mlpb_ctx_free(ctx[0]);
    mlpb_ctx_free(ctx[1]);
    return 0;
}
