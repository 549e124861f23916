/* ukr_shapes_avx2.c - ukr_shapes's AVX2 register shapes (compiled with
 * -mavx2 -mfma, CMakeLists.txt; called only after mlpb_isa_available("avx2")).
 * R NV accumulators + NV vectors of B + one broadcast <= 16 ymm registers:
 * 6x16 is the table's kernel's shape. */
#include <immintrin.h>

#include "ukr_shapes_tmpl.h"

#define V __m256
#define VL 8
#define VZERO() _mm256_setzero_ps()
#define VSET1(x) _mm256_set1_ps(x)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)

SHAPE_KER(k6x16, 6, 2)
SHAPE_KER(k4x24, 4, 3)
SHAPE_KER(k12x8, 12, 1)
SHAPE_KER(k2x40, 2, 5)

const ukr_shape ukr_shapes_avx2[] = {
    { "6x16", 6, 16, k6x16 }, { "4x24", 4, 24, k4x24 }, { "12x8", 12, 8, k12x8 }, { "2x40", 2, 40, k2x40 }, { 0, 0, 0, 0 },
};
