/* vec_avx2.c - the AVX2+FMA instance of the SIMD kernels in vec_inl.h (exp,
 * sigmoid, softmax, softmax+loss+delta, bias, sigmoid', column sums, axpy, the
 * frame's transposing pack, small-M and narrow GEMMs, streaming stores): this
 * file only maps the template's vector macros onto 256-bit intrinsics.
 * Compiled alone with -mavx2 -mfma (CMakeLists.txt), as the template's part
 * 2 here and part 1 in vec_avx2_smn.c; gemm.c hands the table
 * out only after mlpb_isa_available("avx2"). vec_avx512.c is the same list
 * for 512 bits. */
#include <immintrin.h>

typedef __m256 V;
typedef __m256i VI;
typedef __m256i VM;
#define VL 8
#define VSET1 _mm256_set1_ps
#define VZERO _mm256_setzero_ps
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VSTREAM _mm256_stream_ps
#define VADD _mm256_add_ps
#define VSUB _mm256_sub_ps
#define VMUL _mm256_mul_ps
#define VDIV _mm256_div_ps
#define VMAX _mm256_max_ps
#define VMIN _mm256_min_ps
#define VFMA _mm256_fmadd_ps
#define VFNMA _mm256_fnmadd_ps
#define VROUND(x) _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VCVTI _mm256_cvtps_epi32
#define VI_SET1 _mm256_set1_epi32
#define VI_ADD _mm256_add_epi32
#define VI_SUB _mm256_sub_epi32
#define VI_SRAI _mm256_srai_epi32
#define VI_SLLI _mm256_slli_epi32
#define VI_ASF _mm256_castsi256_ps
#define VLT(a, b) _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_LT_OQ))
#define VSEL(m, a, b) _mm256_blendv_ps(a, b, _mm256_castsi256_ps(m))
#define VMASK(n) _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define VLOADM(p, m) _mm256_maskload_ps(p, m)
/* the lanes of a prefix mask VMASK(n), written as pieces (store_first in
 * vec_inl.h): vmaskmovps stores cost ~19 cycles each on Zen 3 */
#define VSTOREM(p, m, v) store_first(p, v, __builtin_ctz(~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m))))
#define VHALF(v, g) (v) /* lanes 8g .. 8g+7 as 256 bits (g = 0 only here) */
#define V256SUM(v) (v)

static inline float vhsum(V v) { /* ((0+4)+(2+6)) + ((1+5)+(3+7)) */
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
static inline float vhmax(V v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_movehdup_ps(s)));
}

/* k-quad dot products (vec_inl.h, dq_tile): a half is 4 k steps of one column */
#define VEC_NREG 16
#define VKEEP(v) __asm__("" : "+x"(v))
#define VBCASTQ(p) bcastq(p)
static inline __m256 bcastq(const float *p) { /* one vbroadcastf128 from any address */
    const __m128 x = _mm_loadu_ps(p);
    return _mm256_set_m128(x, x);
}
#define VBCASTQM(p, n) bcastq_first(p, n)
static inline __m256 bcastq_first(const float *p, int n) {
    const __m128 x = _mm_maskload_ps(p, _mm_cmpgt_epi32(_mm_set1_epi32(n), _mm_setr_epi32(0, 1, 2, 3)));
    return _mm256_insertf128_ps(_mm256_castps128_ps256(x), x, 1);
}
/* hadd twice gives (c0 c2 c4 c6 | c1 c3 c5 c7), each (l0 + l1) + (l2 + l3) */
#define QSUM8(x) _mm256_permutevar8x32_ps(_mm256_hadd_ps(_mm256_hadd_ps((x)[0], (x)[1]), _mm256_hadd_ps((x)[2], (x)[3])), \
                                          _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
/* lane i = the sum of x[i]'s 8 lanes, i < 8: halves (lo+hi), then lanes
 * (0+2), (1+3) and their sum, the same adds for every x[i] */
static inline V vsums(const V x[8]) {
    V t[4], u[2];
    for (int i = 0; i < 4; i++) /* (x[2i] lo+hi | x[2i+1] lo+hi) */
        t[i] = _mm256_add_ps(_mm256_permute2f128_ps(x[2 * i], x[2 * i + 1], 0x20), _mm256_permute2f128_ps(x[2 * i], x[2 * i + 1], 0x31));
    for (int i = 0; i < 2; i++)
        u[i] = _mm256_add_ps(_mm256_shuffle_ps(t[2 * i], t[2 * i + 1], 0x44), _mm256_shuffle_ps(t[2 * i], t[2 * i + 1], 0xee));
    const V w = _mm256_add_ps(_mm256_shuffle_ps(u[0], u[1], 0x88), _mm256_shuffle_ps(u[0], u[1], 0xdd));
    /* half 0 holds the sums of x[0], x[2], x[4], x[6]; half 1 of the odd ones */
    return _mm256_permutevar8x32_ps(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

#define VEC_TABLE mlpb_vec_avx2
#define VEC_ISA "avx2"
#define VEC_SM_ACC 12   /* of 16 ymm */
#define VEC_SM_MAXR 6   /* MR of avx2_6x16 */
#define MLPB_VEC_TEMPLATE
#include "kernels/vec_inl.h"
