/* rows_edge.c - two cores writing the two halves of one C, as a row split
 * cuts a weight gradient (dW, op(A) = T). Configurations, in turns:
 *   side by side  the halves as two 1-thread GEMMs at once (a team of 2, one
 *                 half per core, each walking its rows forward; the cut at
 *                 the first multiple of MR past M / 2, near the packed
 *                 frame's; the narrow path cuts at w_half, 392 of 784), the
 *                 second half's rows GAP bytes past the end of the first's
 *                 (0: adjacent, as in the frame); once more at gap 0 with
 *                 the halves' cores swapped;
 *   alone         each half on the calling core;
 *   2 threads     the frame's own 2-thread GEMM, split rows, with its walk
 *                 and with every thread forward (mlpb_ctx_set_walk -1), both
 *                 forced to split (mlpb_ctx_set_par_min_flops -1).
 * K <= 16 takes the narrow path's row blocks, K > 16 the packed frame (N >
 * 12; N <= 12: narrow_tc, no walk). ROUNDS rounds of CALLS calls each: the
 * median over calls of each thread's end (side by side, from the common
 * start) or of the call, then the median over rounds, in microseconds.
 * Operands as the network lays them out: A (K x M) and B (K x N) dense, C
 * rows mlpb_mlp_ldw(N) floats apart. Threads pinned one per core (sys/pin.h).
 *   build/rows_edge [K [M [N [ROUNDS [GAP,...]]]]]   (defaults 32 256 128 11 0,16384,262144)
 * Not a test: a measurement. */
#include "kernels/kernels.h"
#include "nn/mlp.h"
#include "sys/pin.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALLS 2000
#define MAXGAPS 8

typedef struct run {
    mlpb_ctx *one[2]; /* 1-thread contexts, one per half */
    mlpb_ctx *two;    /* the team's (2 threads, split rows) */
    mlpb_ctx *fwd;    /* the same with every thread walking forward (mlpb_ctx_set_walk -1) */
    int m, n, k, h;   /* h: the first half's rows */
    ptrdiff_t ldc;
    const float *A, *B;
    float *C;         /* room for C and the largest gap */
    size_t gap;       /* floats between the halves' rows (added past the first half) */
    int mode;         /* 0 side by side, 1 first half alone, 2 second alone, 3 the frame's 2 threads,
                       * 4 side by side with the halves' cores swapped, 5 the frame's 2 threads all forward */
    double t0, end[2];
    int nt;           /* the side-by-side job's thread count (must be 2) */
    double *out;      /* CALLS x 2 (side by side) or CALLS */
} run;

static float *half_c(const run *r, int half) {
    return half ? r->C + r->gap + (size_t)r->h * (size_t)r->ldc : r->C;
}

static void half_gemm(const run *r, mlpb_ctx *ctx, int half) {
    const int i0 = half ? r->h : 0, rows = half ? r->m - r->h : r->h;
    mlpb_gemm(ctx, MLPB_T, MLPB_N, rows, r->n, r->k, 1.0f, r->A + i0, r->m, r->B, r->n, 0.0f, half_c(r, half), r->ldc,
              NULL);
}

static void side_job(mlpb_ctx *ctx, const void *arg, int tid, int nt) {
    (void)ctx;
    run *r = (run *)arg;
    if (tid == 0) r->nt = nt;
    if (tid > 1) return;
    const int half = r->mode == 4 ? 1 - tid : tid;
    half_gemm(r, r->one[tid], half);
    r->end[half] = mlpb_now() - r->t0;
}

static void calls(void *arg) {
    run *r = arg;
    for (int c = -CALLS / 8; c < CALLS; c++) { /* an untimed eighth first */
        r->t0 = mlpb_now();
        if (r->mode == 0 || r->mode == 4) mlpb_par_run(r->two, 1, side_job, r);
        else if (r->mode == 3 || r->mode == 5)
            mlpb_gemm(r->mode == 3 ? r->two : r->fwd, MLPB_T, MLPB_N, r->m, r->n, r->k, 1.0f, r->A, r->m, r->B, r->n,
                      0.0f, r->C, r->ldc, NULL);
        else half_gemm(r, r->one[0], r->mode - 1);
        const double t = mlpb_now() - r->t0;
        if (c < 0) continue;
        if (r->mode == 0 || r->mode == 4) {
            r->out[2 * c] = r->end[0];
            r->out[2 * c + 1] = r->end[1];
        } else {
            r->out[c] = t;
        }
    }
}

static double median(double *x, int n, int stride) {
    double *t = malloc((size_t)n * sizeof *t);
    if (!t) { fprintf(stderr, "rows_edge: out of memory\n"); exit(1); }
    for (int i = 0; i < n; i++) t[i] = x[(size_t)i * stride];
    qsort(t, (size_t)n, sizeof *t, mlpb_cmp_double);
    const double m = t[n / 2];
    free(t);
    return m;
}

int main(int argc, char **argv) {
    const int k = argc > 1 ? atoi(argv[1]) : 32, m = argc > 2 ? atoi(argv[2]) : 256, n = argc > 3 ? atoi(argv[3]) : 128;
    const int rounds = argc > 4 ? atoi(argv[4]) : 11;
    size_t gaps[MAXGAPS] = { 0, 16384, 262144 };
    int ng = 3;
    if (argc > 5) {
        ng = 0;
        for (char *s = strtok(argv[5], ","); s; s = strtok(NULL, ",")) {
            char *end;
            const long long g = strtoll(s, &end, 10);
            if (*end || end == s || g < 0 || g > (1LL << 30) || ng == MAXGAPS) {
                fprintf(stderr, "rows_edge: GAP list %s: at most %d byte counts, each 0 .. 2^30\n", argv[5], MAXGAPS);
                return 2;
            }
            gaps[ng++] = (size_t)g;
        }
    }
    if (k < 1 || m < 2 || n < 1 || rounds < 1 || ng < 1) {
        fprintf(stderr, "usage: rows_edge [K [M [N [ROUNDS [GAP,...]]]]] (K >= 1, M >= 2, N >= 1, ROUNDS >= 1)\n");
        return 2;
    }
    char bind[256];
    mlpb_pin_threads(2, bind, sizeof bind);
    const mlpb_ukr *u = mlpb_ukr_find(getenv("MLPB_ISA") ? getenv("MLPB_ISA") : "auto");
    if (!u) { fprintf(stderr, "rows_edge: MLPB_ISA=%s: no such ISA on this CPU\n", getenv("MLPB_ISA")); return 2; }
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, 0, 0, 0, 1, 0, 0 };
    mlpb_blocking_from_caches(&si, u, &cfg);
    mlpb_set_ftz(2);
    mlpb_kcfg cfg2 = cfg;
    cfg2.threads = 2;
    run r = { .one = { mlpb_ctx_new(&cfg), mlpb_ctx_new(&cfg) }, .two = mlpb_ctx_new(&cfg2), .fwd = mlpb_ctx_new(&cfg2),
              .m = m, .n = n, .k = k, .ldc = mlpb_mlp_ldw(n) };
    if (!r.one[0] || !r.one[1] || !r.two || !r.fwd) { fprintf(stderr, "rows_edge: no kernel context\n"); return 1; }
    mlpb_ctx_set_split(r.two, MLPB_SPLIT_ROWS);
    mlpb_ctx_set_split(r.fwd, MLPB_SPLIT_ROWS);
    mlpb_ctx_set_walk(r.fwd, -1);
    mlpb_ctx_set_par_min_flops(r.two, -1); /* split whatever each context's measured thresholds say */
    mlpb_ctx_set_par_min_flops(r.fwd, -1);
    /* near the frame's cut (whole row panels): the first multiple of MR past m / 2 */
    const int MR = cfg.ukr->mr;
    const int cut = (m / 2 + MR - 1) / MR * MR;
    r.h = cut < m ? cut : m / 2;
    size_t maxgap = 0;
    for (int g = 0; g < ng; g++) {
        gaps[g] = (gaps[g] + 63) / 64 * 64;
        if (gaps[g] > maxgap) maxgap = gaps[g];
    }
    float *A = mlpb_alloc64((size_t)k * m * sizeof(float)), *B = mlpb_alloc64((size_t)k * n * sizeof(float));
    r.C = mlpb_alloc64((size_t)m * (size_t)r.ldc * sizeof(float) + maxgap);
    double *out = malloc((size_t)CALLS * 2 * sizeof *out);
    const int nconf = ng + 5;
    double *res = malloc((size_t)nconf * (size_t)rounds * 2 * sizeof *res);
    if (!A || !B || !r.C || !out || !res) { fprintf(stderr, "rows_edge: out of memory\n"); return 1; }
    for (size_t i = 0; i < (size_t)k * m; i++) A[i] = (float)((int)(i % 7) - 3) * 0.25f;
    for (size_t i = 0; i < (size_t)k * n; i++) B[i] = (float)((int)(i % 5) - 2) * 0.25f;
    r.A = A, r.B = B, r.out = out;
    printf("# rows_edge: C = A^T B, %d x %d x %d (K = %d), ldc %td; halves of %d and %d rows; %s; %s, %d calls x %d rounds\n",
           m, n, k, k, r.ldc, r.h, m - r.h, cfg.ukr->name, bind, CALLS, rounds);
    for (int rd = 0; rd < rounds; rd++)
        for (int q = 0; q < nconf; q++) {
            const int c = rd % 2 ? nconf - 1 - q : q; /* every other round in reverse */
            r.mode = c < ng ? 0 : c - ng + 1; /* then 1 .. 5 */
            r.gap = c < ng ? gaps[c] / sizeof(float) : 0;
            r.nt = 2;
            mlpb_team_run(r.mode == 5 ? r.fwd : r.two, calls, &r);
            if (r.nt != 2) {
                fprintf(stderr, "rows_edge: the side-by-side job ran on %d thread(s), not 2\n", r.nt);
                return 1;
            }
            double *x = res + ((size_t)c * rounds + rd) * 2;
            const int side = r.mode == 0 || r.mode == 4;
            x[0] = median(out, CALLS, side ? 2 : 1);
            x[1] = side ? median(out + 1, CALLS, 2) : 0.0;
        }
    const int sp = mlpb_gemm_splits(r.two, MLPB_T, MLPB_N, m, n, k) && mlpb_gemm_splits(r.fwd, MLPB_T, MLPB_N, m, n, k);
    printf("configuration,first_half_us,second_half_us\n");
    for (int c = 0; c < nconf; c++) {
        const double a = median(res + (size_t)c * rounds * 2, rounds, 2) * 1e6;
        const double b = median(res + (size_t)c * rounds * 2 + 1, rounds, 2) * 1e6;
        if (c < ng) printf("side by side gap %zu,%.2f,%.2f\n", gaps[c], a, b);
        else if (c == ng) printf("first half alone,%.2f,\n", a);
        else if (c == ng + 1) printf("second half alone,,%.2f\n", a);
        else if (c == ng + 2) printf("2 threads split rows (both halves%s),%.2f,\n", sp ? "" : "; NOT SPLIT", a);
        else if (c == ng + 3) printf("side by side gap 0 first half on core 1 second on core 0,%.2f,%.2f\n", a, b);
        else printf("2 threads split rows every thread forward (walk off%s),%.2f,\n", sp ? "" : "; NOT SPLIT", a);
    }
    for (int i = 0; i < 2; i++) mlpb_ctx_free(r.one[i]);
    mlpb_ctx_free(r.two);
    mlpb_ctx_free(r.fwd);
    free(A), free(B), free(r.C), free(out), free(res);
    return 0;
}
