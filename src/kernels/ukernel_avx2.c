/* ukernel_avx2.c - the AVX2+FMA micro-kernel sgemm_ukr_avx2_6x16: a 6x16 tile
 * of row-major C in 12 ymm accumulators (6 rows x 2 vectors of 8). The body is
 * ukernel_tmpl.h; this file only names the vector operations. It alone is
 * compiled with -mavx2 -mfma (CMakeLists.txt); ukernel.c hands it out only
 * after mlpb_isa_available("avx2"). Not here: edge tiles, packing, blocking
 * (gemm.c), the choice of kernel (ukernel.c). */
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
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define UKR_NAME(suffix) sgemm_ukr_avx2_6x16##suffix
#define UKR_DESC mlpb_ukr_avx2
#define UKR_STR "avx2_6x16"
#define UKR_ISA "avx2"

#include "kernels/ukernel_tmpl.h"
