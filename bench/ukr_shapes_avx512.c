/* ukr_shapes_avx512.c - ukr_shapes's AVX-512 register shapes (compiled with
 * -mavx512f alone, CMakeLists.txt; called only after
 * mlpb_isa_available("avx512")). R NV accumulators + NV vectors of B + one
 * broadcast <= 32 zmm registers: 12x32 is the table's kernel's shape. */
#include <immintrin.h>

#include "ukr_shapes_tmpl.h"

#define V __m512
#define VL 16
#define VZERO() _mm512_setzero_ps()
#define VSET1(x) _mm512_set1_ps(x)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)

SHAPE_KER(k12x32, 12, 2)
SHAPE_KER(k14x32, 14, 2)
SHAPE_KER(k28x16, 28, 1)
SHAPE_KER(k8x48, 8, 3)
SHAPE_KER(k9x48, 9, 3)
SHAPE_KER(k6x64, 6, 4)
SHAPE_KER(k4x96, 4, 6)

const ukr_shape ukr_shapes_avx512[] = {
    { "12x32", 12, 32, k12x32 }, { "14x32", 14, 32, k14x32 }, { "28x16", 28, 16, k28x16 }, { "8x48", 8, 48, k8x48 },
    { "9x48", 9, 48, k9x48 },   { "6x64", 6, 64, k6x64 },    { "4x96", 4, 96, k4x96 },    { 0, 0, 0, 0 },
};
