/* peak_avx2.c - the AVX2+FMA peak probe loop: 12 independent ymm accumulator
 * chains acc = fma(acc, m, a), 12 x 8 lanes x 2 = 192 flops per iteration.
 * Twelve chains cover 2 FMA pipes x 4-5 cycles latency with room to spare,
 * and with m, a leave 2 of the 16 ymm registers free (no spills). This file
 * alone is compiled with -mavx2 -mfma (CMakeLists.txt); peak.c calls it only
 * after mlpb_isa_available("avx2"). Not here: timing, threads (peak.c).
 *
 * Checked by disassembly (objdump -d peak_avx2.c.o, gcc 12 -O3): the loop is
 * 12 vfmadd132ps/vfmadd213ps ymm, register-only, one add + cmp + jne; no
 * chains merged, nothing hoisted. m and a arrive as arguments (run-time
 * values), the accumulators start unequal, and their sum is returned. */
#include <immintrin.h>

#include "sys/peak.h"

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define DECL(i) __m256 c##i = _mm256_set1_ps(a * (float)((i) + 1));
#define STEP(i) c##i = _mm256_fmadd_ps(c##i, vm, va);
#define SUM(i) s = _mm256_add_ps(s, c##i);

double mlpb_peak_run_avx2(long iters, float m, float a, long *flops_per_iter) {
    const __m256 vm = _mm256_set1_ps(m), va = _mm256_set1_ps(a);
    CHAINS(DECL)
    for (long i = 0; i < iters; i++) {
        CHAINS(STEP)
    }
    __m256 s = _mm256_setzero_ps();
    CHAINS(SUM)
    float v[8];
    _mm256_storeu_ps(v, s);
    double t = 0.0;
    for (int i = 0; i < 8; i++) t += v[i];
    *flops_per_iter = 12 * 8 * 2;
    return t;
}
