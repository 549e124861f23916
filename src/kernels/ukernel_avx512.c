/* ukernel_avx512.c - the AVX-512 micro-kernel sgemm_ukr_avx512_12x32: a 12x32
 * tile of row-major C held in 24 zmm accumulators (12 rows x 2 vectors of 16);
 * per k two loads of B, twelve broadcasts of A, 24 FMAs; k loop rolled (gcc 12
 * spills accumulators when it is unrolled by hand). 24 independent chains
 * cover 2 FMA ports x 4-cycle latency three times over; 27 of 32 zmm in use.
 * A second entry point (_ldb) reads B in place, row p at b + p ldb, for the
 * frame's unpacked-B case (kernels.h); same body, same bits.
 * This file alone is compiled with -mavx512f -mavx512dq -mavx512vl -mfma
 * (CMakeLists.txt); ukernel.c only hands it out after
 * mlpb_isa_available("avx512"). Not here: edge tiles, packing and blocking
 * (gemm.c), the choice of kernel (ukernel.c). Same contract and same shape of
 * code as ukernel_avx2.c: full MR x NR tile, C = alpha*Ap*Bp + beta*C,
 * beta == 0 never reads C, no alignment assumed for a, b or c. */
#include "kernels/ukernel.h"

#include <immintrin.h>

#define MR 12
#define NR 32
/* Software prefetch of the A micro-panel (streamed from L2; the frame's IR loop
 * is innermost, so the B micro-panel stays in L1), PF_K k steps ahead. */
#define PF_K 8
/* In-place B (the _ldb entry): every row of B is its own cache line, fetched
 * from L2/L3 on the first pass over a micro-panel; prefetched PF_B rows ahead. */
#define PF_B 16

/* Accumulators c<i>0, c<i>1 of row i, as statements over all 12 rows. */
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

#define ACC_DECL(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
#define ROW_FMA(i) { const __m512 ai = _mm512_set1_ps(a[i]); \
    c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1); }
/* one k step: row-of-B vectors b0, b1, then every row of the tile */
#define KSTEP { const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16); \
    ROWS(ROW_FMA) a += MR; b += ldb; }

#define PF_C(i) { _mm_prefetch((const char *)(c + (i) * ldc), _MM_HINT_T0); \
    _mm_prefetch((const char *)(c + (i) * ldc + 16), _MM_HINT_T0); \
    _mm_prefetch((const char *)(c + (i) * ldc + NR - 1), _MM_HINT_T0); }
/* row i of C: alpha * acc (beta == 0, C not read) or alpha * acc + beta * C */
#define ST_B0(i) { float *ci = c + (i) * ldc; \
    _mm512_storeu_ps(ci, _mm512_mul_ps(va, c##i##0)); \
    _mm512_storeu_ps(ci + 16, _mm512_mul_ps(va, c##i##1)); }
#define ST_BN(i) { float *ci = c + (i) * ldc; \
    _mm512_storeu_ps(ci, _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci), _mm512_mul_ps(va, c##i##0))); \
    _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci + 16), _mm512_mul_ps(va, c##i##1))); }

/* The kernel body: B row p at b + p ldb (ldb = NR: a packed panel). Inlined
 * into the two entry points below, so the packed one keeps a constant stride. */
static inline __attribute__((always_inline)) void
ukr_body(int kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
         float *restrict c, ptrdiff_t ldc, float alpha, float beta, const int pf_b) {
    ROWS(ACC_DECL)
    ROWS(PF_C)
    for (int p = 0; p < kc; p++) {
        _mm_prefetch((const char *)(a + PF_K * MR), _MM_HINT_T0);
        if (pf_b) { /* a 32-float row of B is two cache lines */
            _mm_prefetch((const char *)(b + PF_B * ldb), _MM_HINT_T0);
            _mm_prefetch((const char *)(b + PF_B * ldb + 16), _MM_HINT_T0);
        }
        KSTEP
    }
    const __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
        ROWS(ST_B0)
    } else {
        const __m512 vb = _mm512_set1_ps(beta);
        ROWS(ST_BN)
    }
}

/* C(12,32) = alpha * Ap(kc,12)^T Bp(kc,32) + beta * C */
static void sgemm_ukr_avx512_12x32(int kc, const float *restrict a, const float *restrict b,
                                   float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    ukr_body(kc, a, b, NR, c, ldc, alpha, beta, 0);
}

/* the same on B in place (op(B) = N, full panel) */
static void sgemm_ukr_avx512_12x32_ldb(int kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
                                       float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    ukr_body(kc, a, b, ldb, c, ldc, alpha, beta, 1);
}

const mlpb_ukr mlpb_ukr_avx512 = { "avx512_12x32", "avx512", MR, NR, sgemm_ukr_avx512_12x32, sgemm_ukr_avx512_12x32_ldb };
