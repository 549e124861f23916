/* membw.c - this machine's memory bandwidth, the ceiling of the GEMMs whose
 * operands come from DRAM (dW3 and bwd-W3 at batch 60000): one pass over a
 * buffer far bigger than the caches, per thread count, as
 *   read    sum of every float (4 independent SSE sums, in order)
 *   write   plain stores (each line read for ownership first)
 *   stream  non-temporal stores (no read; then a fence)
 * each timed ROUNDS times in turns, the median in GB/s (bytes the kernel asks
 * for, not the read-for-ownership traffic). Threads take contiguous equal
 * slices and are pinned one per core, as in mlpbench (sys/pin.h).
 *   build/membw [MIB [ROUNDS [THREADS,...]]]     (defaults 512 11 1,2)
 * Not a test: a measurement. */
#include "kernels/kernels.h"
#include "sys/pin.h"
#include "sys/timer.h"

#include <emmintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* one pass of kind w (0 read, 1 write, 2 stream) over x[0 .. n), on nt threads; its seconds */
static double pass(int w, float *x, size_t n, int nt, float *sink) {
    const double t0 = mlpb_now();
    #pragma omp parallel num_threads(nt)
    {
        const int t = omp_get_thread_num();
        const size_t lo = n / 16 * (size_t)t / (size_t)nt * 16, hi = n / 16 * (size_t)(t + 1) / (size_t)nt * 16;
        if (w == 0) {
            __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            for (size_t i = lo; i < hi; i += 16) {
                s0 = _mm_add_ps(s0, _mm_load_ps(x + i));
                s1 = _mm_add_ps(s1, _mm_load_ps(x + i + 4));
                s2 = _mm_add_ps(s2, _mm_load_ps(x + i + 8));
                s3 = _mm_add_ps(s3, _mm_load_ps(x + i + 12));
            }
            float o[4];
            _mm_storeu_ps(o, _mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3)));
            sink[t * 16] = o[0] + o[1] + o[2] + o[3]; /* observable: the loads stay */
        } else {
            const __m128 v = _mm_set1_ps((float)w);
            if (w == 1)
                for (size_t i = lo; i < hi; i += 4) _mm_store_ps(x + i, v);
            else
                for (size_t i = lo; i < hi; i += 4) _mm_stream_ps(x + i, v);
            _mm_sfence();
        }
    }
    return mlpb_now() - t0;
}

int main(int argc, char **argv) {
    const long mib = argc > 1 ? atol(argv[1]) : 512;
    const int rounds = argc > 2 ? atoi(argv[2]) : 11;
    const char *ts = argc > 3 ? argv[3] : "1,2";
    if (mib < 1 || rounds < 1) {
        fprintf(stderr, "usage: membw [MIB [ROUNDS [THREADS,...]]] (MIB >= 1: the buffer; ROUNDS >= 1)\n");
        return 2;
    }
    const size_t n = (size_t)mib << 18; /* floats */
    float *x = mlpb_alloc64(n * sizeof(float));
    float *sink = calloc(64 * 16, sizeof(float));
    double *t[3] = { malloc(sizeof(double) * (size_t)rounds), malloc(sizeof(double) * (size_t)rounds),
                     malloc(sizeof(double) * (size_t)rounds) };
    if (!x || !sink || !t[0] || !t[1] || !t[2]) {
        fprintf(stderr, "membw: out of memory for %ld MiB\n", mib);
        return 1;
    }
    memset(x, 0, n * sizeof(float)); /* the pages exist before any timing */
    char *list = strdup(ts);
    static const char *const kind[3] = { "read", "write", "stream" };
    printf("buffer %ld MiB, %d rounds, median GB/s (10^9 bytes the kernel reads or writes)\n", mib, rounds);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        const int nt = atoi(tok);
        if (nt < 1 || nt > 64) {
            fprintf(stderr, "membw: thread count %s out of 1..64\n", tok);
            return 2;
        }
        char binding[160];
        mlpb_pin_threads(nt, binding, sizeof binding);
        for (int q = 0; q < rounds; q++)
            for (int i = 0; i < 3; i++) {
                const int w = q % 2 ? 2 - i : i; /* every other round in reverse order */
                t[w][q] = pass(w, x, n, nt, sink);
            }
        printf("threads %d (%s):", nt, binding);
        for (int w = 0; w < 3; w++) {
            qsort(t[w], (size_t)rounds, sizeof(double), mlpb_cmp_double);
            printf("  %s %.1f", kind[w], (double)(n / 16 * 16) * sizeof(float) / t[w][rounds / 2] * 1e-9);
        }
        printf("\n");
    }
    free(list); free(x); free(sink); free(t[0]); free(t[1]); free(t[2]);
    return 0;
}
