/* peak_avx512.c - the AVX-512 peak probe loop: 16 independent zmm accumulator
 * chains acc = fma(acc, m, a), 16 x 16 lanes x 2 = 512 flops per iteration
 * (2 FMA ports x 4 cycles latency need 8; 16 of the 32 zmm registers leave
 * no room for spills). This file alone is compiled with -mavx512f -mfma
 * (CMakeLists.txt); peak.c calls it only after mlpb_isa_available("avx512").
 * Not here: timing, threads (peak.c).
 *
 * Checked by disassembly (objdump -d peak_avx512.c.o, gcc 12 -O3): the loop
 * is 16 vfmadd132ps/vfmadd213ps zmm, register-only, one add + cmp + jne. */
#include <immintrin.h>

#include "sys/peak.h"

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define DECL(i) __m512 c##i = _mm512_set1_ps(a * (float)((i) + 1));
#define STEP(i) c##i = _mm512_fmadd_ps(c##i, vm, va);
#define SUM(i) s = _mm512_add_ps(s, c##i);

double mlpb_peak_run_avx512(long iters, float m, float a, long *flops_per_iter) {
    const __m512 vm = _mm512_set1_ps(m), va = _mm512_set1_ps(a);
    CHAINS(DECL)
    for (long i = 0; i < iters; i++) {
        CHAINS(STEP)
    }
    __m512 s = _mm512_setzero_ps();
    CHAINS(SUM)
    float v[16];
    _mm512_storeu_ps(v, s);
    double t = 0.0;
    for (int i = 0; i < 16; i++) t += v[i];
    *flops_per_iter = 16 * 16 * 2;
    return t;
}
