/* ukernel_avx512.c - the AVX-512 micro-kernel sgemm_ukr_avx512_12x32: a 12x32
 * tile of row-major C in 24 zmm accumulators (12 rows x 2 vectors of 16; with
 * the two B vectors and the broadcast, 27 of 32 registers, as BLIS's SKX
 * kernel), and its edge kernel sgemm_ukr_avx512_8x32 (16 accumulators). The
 * body is ukernel_tmpl.h; this file only names the vector operations. It
 * alone is compiled with -mavx512f (CMakeLists.txt); ukernel.c hands it out
 * only after mlpb_isa_available("avx512"). Not here: partial tiles, packing,
 * the cut into panels, blocking (gemm.c), the choice of kernel (ukernel.c). */
#include "kernels/ukernel.h"

#include <immintrin.h>

#define MR 12
#define NR 32
#define VEC __m512
#define VL 16
#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_LOADU(p) _mm512_loadu_ps(p)
#define V_STOREU(p, v) _mm512_storeu_ps(p, v)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
/* C only written by <= 64 k steps: not prefetched (36 prefetches a tile
 * against 768 FMAs at K = 32). On the Xeon VM, with alpha 1's multiplies gone
 * too, dW1 and dW2 at batch 32 ran 1.06-1.08x (dW2 on 2 threads 0.98x;
 * results/kernels/xeon_pfc); skipped for every beta == 0 tile, fwd-W1 (K
 * blocks of 264) ran 0.97-0.98x on 2 threads (xeon_pfc_beta0). */
#define PF_C_SKIP_MAXK 64

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define UKR_NAME(suffix) sgemm_ukr_avx512_12x32##suffix
#include "kernels/ukernel_tmpl.h"
#undef ROWS
#undef UKR_NAME

/* the edge kernel: rows 0 .. 7 of the same 12-wide A panels */
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define UKR_NAME(suffix) sgemm_ukr_avx512_8x32##suffix
#include "kernels/ukernel_tmpl.h"

const mlpb_ukr mlpb_ukr_avx512 = { "avx512_12x32", "avx512", MR, NR, sgemm_ukr_avx512_12x32, sgemm_ukr_avx512_12x32_ldb,
                                8, sgemm_ukr_avx512_8x32, sgemm_ukr_avx512_8x32_ldb,
                                sgemm_ukr_avx512_12x32_lda, sgemm_ukr_avx512_8x32_lda };
