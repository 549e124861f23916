/* owner.c - what it costs two cores to share a weight matrix by columns
 * rather than by rows: each thread, every iteration, reads its share of a
 * 784 x 256 float matrix (a forward GEMM's pass) and then updates it in place
 * (the update (18)), for these shares:
 *   one thread   the whole matrix on one core (the baseline)
 *   rows         rows 0-391 / 392-783: each core's lines its own
 *   columns      columns 0-127 / 128-255 of every row (a split over N, as the
 *                small-M GEMM splits batch 1's forward), rows LD floats apart
 *   panels       the same halves stored apart, each a 784 x 128 block of its
 *                own (rows 144 floats apart, mlpb_mlp_ldw(128)): a column-panel
 *                layout of W
 * Each iteration starts at a barrier; the median over ROUNDS rounds of the
 * slower thread's mean microseconds per iteration. Threads pinned one per
 * core (sys/pin.h). SSE2 loads and stores (x86-64 only): the point is where
 * the lines live, not the arithmetic.
 *   build/owner [ITERS [ROUNDS [LD]]]     (defaults 2000 5 272, mlpb_mlp_ldw(256);
 *                                          LD a multiple of 16)
 * Not a test: a measurement. */
#include "sys/pin.h"
#include "sys/timer.h"

#include <emmintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 784
#define COLS 256

/* rows [i0, i1) x columns [j0, j1) (multiples of 16): read all (four
 * independent SSE sums), then W += 1e-7 * their total */
static float share(float *W, size_t ld, int i0, int i1, int j0, int j1, float carry) {
    __m128 s0 = _mm_set_ss(carry), s1 = _mm_setzero_ps(), s2 = s1, s3 = s1;
    for (int i = i0; i < i1; i++)
        for (const float *p = W + (size_t)i * ld + j0, *e = p + (j1 - j0); p < e; p += 16) {
            s0 = _mm_add_ps(s0, _mm_load_ps(p));
            s1 = _mm_add_ps(s1, _mm_load_ps(p + 4));
            s2 = _mm_add_ps(s2, _mm_load_ps(p + 8));
            s3 = _mm_add_ps(s3, _mm_load_ps(p + 12));
        }
    float o[4];
    _mm_storeu_ps(o, _mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3)));
    const float tot = o[0] + o[1] + o[2] + o[3];
    const __m128 a = _mm_set1_ps(1e-7f * tot);
    for (int i = i0; i < i1; i++)
        for (float *p = W + (size_t)i * ld + j0, *e = p + (j1 - j0); p < e; p += 4)
            _mm_store_ps(p, _mm_add_ps(_mm_load_ps(p), a));
    return tot * 1e-9f;
}

/* mode 0 one thread, 1 rows, 2 columns (rows ld apart), 3 panels (thread t's
 * half at W + t * PANEL, rows PLD apart): mean seconds per iteration of the
 * slower thread */
#define PLD 144
#define PANEL ((size_t)ROWS * PLD + 1024) /* floats: the second panel starts 4 KiB past the first's end */
static double run(int mode, float *W, size_t ld, int iters) {
    const int nt = mode == 0 ? 1 : 2;
    double worst = 0.0;
#pragma omp parallel num_threads(nt) reduction(max : worst)
    {
        const int t = omp_get_thread_num();
        int i0 = 0, i1 = ROWS, j0 = 0, j1 = COLS;
        float *w = W;
        if (mode == 1) { i0 = t ? ROWS / 2 : 0; i1 = t ? ROWS : ROWS / 2; }
        if (mode == 2) { j0 = t ? COLS / 2 : 0; j1 = j0 + COLS / 2; }
        if (mode == 3) { w = W + t * PANEL; ld = PLD; j1 = COLS / 2; }
        float carry = 0.0f;
        double sum = 0.0;
        for (int it = -iters / 10; it < iters; it++) { /* a tenth untimed first */
#pragma omp barrier
            const double t0 = mlpb_now();
            carry = share(w, ld, i0, i1, j0, j1, carry);
            if (it >= 0) sum += mlpb_now() - t0;
        }
        worst = sum / iters + (carry == 12345.0f ? 1e-30 : 0.0); /* carry observable */
    }
    return worst;
}

int main(int argc, char **argv) {
    const int iters = argc > 1 ? atoi(argv[1]) : 2000, rounds = argc > 2 ? atoi(argv[2]) : 5;
    const long ld = argc > 3 ? atol(argv[3]) : 272;
    if (iters < 10 || rounds < 1 || ld < COLS || ld > 4096 || ld % 16) {
        fprintf(stderr, "usage: owner [ITERS [ROUNDS [LD]]] (ITERS >= 10, ROUNDS >= 1, LD a multiple of 16 "
                        "(rows on whole cache lines) in %d..4096)\n", COLS);
        return 2;
    }
    const size_t nw = (size_t)ROWS * (size_t)ld > 2 * PANEL ? (size_t)ROWS * (size_t)ld : 2 * PANEL;
    float *W = aligned_alloc(4096, (nw * sizeof(float) + 4095) / 4096 * 4096);
    double *t = malloc(sizeof(double) * (size_t)rounds * 4);
    if (!W || !t) { fprintf(stderr, "owner: out of memory\n"); return 1; }
    for (size_t i = 0; i < nw; i++) W[i] = 1e-3f;
    char binding[160];
    mlpb_pin_threads(2, binding, sizeof binding);
    static const char *const name[4] = { "one thread", "rows", "columns", "panels" };
    const size_t lds[4] = { (size_t)ld, (size_t)ld, (size_t)ld, PLD };
    const int modes[4] = { 0, 1, 2, 3 };
    for (int q = 0; q < rounds; q++)
        for (int k = 0; k < 4; k++) {
            const int v = q % 2 ? 3 - k : k; /* every other round in reverse order */
            t[v * rounds + q] = run(modes[v], W, lds[v], iters);
        }
    printf("W %d x %d floats, read then updated in place each iteration, %d iterations, %d rounds;\n"
           "2 threads: %s\nmedian us per iteration (the slower thread):\n", ROWS, COLS, iters, rounds, binding);
    for (int v = 0; v < 4; v++) {
        qsort(t + v * rounds, (size_t)rounds, sizeof(double), mlpb_cmp_double);
        printf("  %-11s (rows %4zu floats apart)  %8.2f\n", name[v], lds[v], t[v * rounds + rounds / 2] * 1e6);
    }
    free(W); free(t);
    return 0;
}
