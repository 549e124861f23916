/* ukernel_avx2.c - the AVX2+FMA micro-kernel sgemm_ukr_avx2_6x16: a 6x16 tile
 * of row-major C held in 12 ymm accumulators (6 rows x 2 vectors of 8); per k
 * two loads of B, six broadcasts of A, twelve FMAs. The k loop is not unrolled
 * by hand: gcc 12 then shuffles accumulators through extra moves (and spills
 * them in the AVX-512 twin); rolled it runs at this core's FMA peak from L1.
 * A second entry point (_ldb) reads B in place, row p at b + p ldb, for the
 * frame's unpacked-B case (kernels.h); same body, same bits.
 * This file alone is compiled with -mavx2 -mfma (CMakeLists.txt); the table in
 * ukernel.c only hands it out after mlpb_isa_available("avx2"). Not here: edge
 * tiles, packing and blocking (gemm.c), the choice of kernel (ukernel.c).
 * Contract (kernels.h): full MR x NR tile, C = alpha*Ap*Bp + beta*C, beta == 0
 * never reads C; no alignment assumed for a, b or c. */
#include "kernels/ukernel.h"

#include <immintrin.h>

#define MR 6
#define NR 16
/* Software prefetch of the A micro-panel (streamed from L2; the frame's IR loop
 * is innermost, so the B micro-panel stays in L1), PF_K k steps ahead. */
#define PF_K 8
/* In-place B (the _ldb entry): every row of B is its own cache line, fetched
 * from L2/L3 on the first pass over a micro-panel; prefetched PF_B rows ahead. */
#define PF_B 16

/* Accumulators c<i>0, c<i>1 of row i, as statements over all 6 rows. */
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

#define ACC_DECL(i) __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps();
#define ROW_FMA(i) { const __m256 ai = _mm256_broadcast_ss(a + (i)); \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0); c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1); }
/* one k step: row-of-B vectors b0, b1, then every row of the tile */
#define KSTEP { const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8); \
    ROWS(ROW_FMA) a += MR; b += ldb; }

#define PF_C(i) { _mm_prefetch((const char *)(c + (i) * ldc), _MM_HINT_T0); \
    _mm_prefetch((const char *)(c + (i) * ldc + NR - 1), _MM_HINT_T0); }
/* row i of C: alpha * acc (beta == 0, C not read) or alpha * acc + beta * C */
#define ST_B0(i) { float *ci = c + (i) * ldc; \
    _mm256_storeu_ps(ci, _mm256_mul_ps(va, c##i##0)); \
    _mm256_storeu_ps(ci + 8, _mm256_mul_ps(va, c##i##1)); }
#define ST_BN(i) { float *ci = c + (i) * ldc; \
    _mm256_storeu_ps(ci, _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), _mm256_mul_ps(va, c##i##0))); \
    _mm256_storeu_ps(ci + 8, _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8), _mm256_mul_ps(va, c##i##1))); }

/* The kernel body: B row p at b + p ldb (ldb = NR: a packed panel). Inlined
 * into the two entry points below, so the packed one keeps a constant stride. */
static inline __attribute__((always_inline)) void
ukr_body(int kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
         float *restrict c, ptrdiff_t ldc, float alpha, float beta, const int pf_b) {
    ROWS(ACC_DECL)
    ROWS(PF_C)
    for (int p = 0; p < kc; p++) {
        _mm_prefetch((const char *)(a + PF_K * MR), _MM_HINT_T0);
        if (pf_b) _mm_prefetch((const char *)(b + PF_B * ldb), _MM_HINT_T0);
        KSTEP
    }
    const __m256 va = _mm256_set1_ps(alpha);
    if (beta == 0.0f) {
        ROWS(ST_B0)
    } else {
        const __m256 vb = _mm256_set1_ps(beta);
        ROWS(ST_BN)
    }
}

/* C(6,16) = alpha * Ap(kc,6)^T Bp(kc,16) + beta * C */
static void sgemm_ukr_avx2_6x16(int kc, const float *restrict a, const float *restrict b,
                                float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    ukr_body(kc, a, b, NR, c, ldc, alpha, beta, 0);
}

/* the same on B in place (op(B) = N, full panel) */
static void sgemm_ukr_avx2_6x16_ldb(int kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
                                    float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    ukr_body(kc, a, b, ldb, c, ldc, alpha, beta, 1);
}

const mlpb_ukr mlpb_ukr_avx2 = { "avx2_6x16", "avx2", MR, NR, sgemm_ukr_avx2_6x16, sgemm_ukr_avx2_6x16_ldb };
