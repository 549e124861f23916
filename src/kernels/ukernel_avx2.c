/* ukernel_avx2.c - the AVX2+FMA micro-kernel sgemm_ukr_avx2_6x16: a 6x16 tile
 * of row-major C in 12 ymm accumulators (6 rows x 2 vectors of 8), and its
 * edge kernel sgemm_ukr_avx2_4x16 (8 accumulators: still one per FMA pipe and
 * latency cycle on Zen 3, 2 pipes x 4 cycles; Haswell would want 10). The body is
 * ukernel_tmpl.h; this file only names the vector operations. It alone is
 * compiled with -mavx2 -mfma (CMakeLists.txt); ukernel.c hands it out only
 * after mlpb_isa_available("avx2"). Not here: partial tiles, packing, the
 * cut into panels, blocking (gemm.c), the choice of kernel (ukernel.c). */
#include "kernels/ukernel.h"

#include <immintrin.h>

#define MR 6
#define NR 16
#define VEC __m256
#define VL 8
#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_LOADU(p) _mm256_loadu_ps(p)
#define V_STOREU(p, v) _mm256_storeu_ps(p, v)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
/* C always prefetched (the test folded away). With AVX-512's 64, and alpha
 * 1's multiplies gone, square 1024 ran 0.964x on 1 thread and dW1 at batch
 * 128 0.960x / 0.938x on the Xeon VM (results/kernels/xeon_pfc_avx2), though
 * both have kc > 64 and still prefetch: the test's code cost them (without
 * it, xeon_alpha1_avx2: 0.997x, 0.997x / 1.021x), more than the step gained
 * at batch 32 (1.017x / 1.013x). */
#define PF_C_SKIP_MAXK (-1)

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define UKR_NAME(suffix) sgemm_ukr_avx2_6x16##suffix
#include "kernels/ukernel_tmpl.h"
#undef ROWS
#undef UKR_NAME

/* the edge kernel: rows 0 .. 3 of the same 6-wide A panels */
#define ROWS(X) X(0) X(1) X(2) X(3)
#define UKR_NAME(suffix) sgemm_ukr_avx2_4x16##suffix
#include "kernels/ukernel_tmpl.h"

const mlpb_ukr mlpb_ukr_avx2 = { "avx2_6x16", "avx2", MR, NR, sgemm_ukr_avx2_6x16, sgemm_ukr_avx2_6x16_ldb,
                                4, sgemm_ukr_avx2_4x16, sgemm_ukr_avx2_4x16_ldb,
                                sgemm_ukr_avx2_6x16_lda, sgemm_ukr_avx2_4x16_lda };
