/* peak.c - see peak.h: the timing frame of the peak probe (calibration, one
 * OpenMP parallel region, median of repetitions) and the "scalar" probe loop.
 * The vector loops live in peak_avx2.c / peak_avx512.c (own ISA flags).
 *
 * The scalar loop must stay scalar: 14 independent float chains are exactly
 * what gcc's SLP vectorizer packs into xmm vectors (that would measure a
 * latency-bound SSE loop, not plain C). CMakeLists.txt compiles this file with
 * -fno-tree-vectorize; with the project's -ffp-contract=off the loop is
 * 14 mulss + 14 addss, register-only (checked: objdump -d peak.c.o, gcc 12
 * -O3: no mulps/addps, no movd in mlpb_peak_run_scalar's loop). Not here:
 * the GEMM benchmark. */
#include "sys/peak.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "sys/timer.h"

#define REPS 5

/* 14 chains: with m and a that is all 16 xmm registers of baseline x86-64
 * (16 chains made gcc park 3 accumulators in integer registers, movd on the
 * chains). 14 x (mul + add) over a 6-7 cycle chain latency covers 2 mul + 2
 * add pipes (Zen 3) or 2 shared ports (Intel). */
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define DECL(i) float c##i = a * (float)((i) + 1);
#define STEP(i) c##i = c##i * m + a;
#define SUM(i) t += c##i;

double mlpb_peak_run_scalar(long iters, float m, float a, long *flops_per_iter) {
    CHAINS(DECL)
    for (long i = 0; i < iters; i++) {
        CHAINS(STEP)
    }
    double t = 0.0;
    CHAINS(SUM)
    *flops_per_iter = 14 * 2;
    return t;
}

typedef double (*peak_fn)(long, float, float, long *);

static peak_fn peak_pick(const char *isa) {
    if (!isa || !mlpb_isa_available(isa)) return NULL;
    if (!strcmp(isa, "scalar")) return mlpb_peak_run_scalar;
#ifdef MLPB_HAVE_AVX2
    if (!strcmp(isa, "avx2")) return mlpb_peak_run_avx2;
#endif
#ifdef MLPB_HAVE_AVX512
    if (!strcmp(isa, "avx512")) return mlpb_peak_run_avx512;
#endif
    return NULL;
}

double mlpb_peak_gflops(const char *isa, int threads, double seconds) {
    peak_fn run = peak_pick(isa);
    if (!run || threads < 1) return 0.0;
    if (!(seconds > 0.0)) seconds = 0.2;
    /* run-time operands: the compiler cannot fold the chains. The fixed point
     * a / (1 - m) = 1 keeps every accumulator normal and finite. */
    volatile float vm = 0.999999f, va = 1e-6f;
    const float m = vm, a = va;
    double total = 0.0; /* every chain's result, checked finite at the end */
    long fpi = 1, iters = 1 << 12;
    /* calibrate on the calling thread: iterations for one repetition */
    for (;;) {
        double t0 = mlpb_now();
        total += run(iters, m, a, &fpi);
        double t = mlpb_now() - t0;
        if (t >= 2e-3 || iters >= (1L << 40)) {
            double want = seconds / (REPS + 1);
            iters = (long)((double)iters * want / (t > 0.0 ? t : 1e-9));
            if (iters < 1) iters = 1;
            break;
        }
        iters *= 4;
    }
    double *sums = calloc((size_t)threads, sizeof *sums);
    if (!sums) return 0.0;
    double dt[REPS + 1], t0 = 0.0;
    int got = 1; /* threads the runtime really gave */
    #pragma omp parallel num_threads(threads)
    {
        const int tid = omp_get_thread_num();
        long f;
        if (tid == 0) got = omp_get_num_threads();
        for (int r = 0; r <= REPS; r++) {               /* r == 0: warm-up */
            #pragma omp barrier
            if (tid == 0) t0 = mlpb_now();
            #pragma omp barrier
            sums[tid] += run(iters, m, a, &f);
            #pragma omp barrier
            if (tid == 0) dt[r] = mlpb_now() - t0;
        }
    }
    for (int t = 0; t < got; t++) total += sums[t];
    free(sums);
    if (!isfinite(total)) return 0.0; /* the fixed point keeps them finite: a broken probe */
    qsort(dt + 1, REPS, sizeof dt[0], mlpb_cmp_double);
    double med = dt[1 + REPS / 2];
    return med > 0.0 ? (double)got * (double)iters * (double)fpi / med * 1e-9 : 0.0;
}
