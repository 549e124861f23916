/* vec_avx512.c - the AVX-512 instance of the SIMD kernels in vec_inl.h: the
 * same macro list as vec_avx2.c, mapped onto 512-bit intrinsics and mask
 * registers (the frame's transposing pack, pack_t, is 256-bit code in both
 * files; pack_q's 8-k-step block is pq8_block below). Compiled
 * alone with -mavx512f -mavx512dq -mavx512vl -mfma (CMakeLists.txt), as the
 * template's part 2 here and part 1 in vec_avx512_smn.c; gemm.c
 * hands the table out only after mlpb_isa_available("avx512"). */
#include <immintrin.h>
#include <stddef.h>

typedef __m512 V;
typedef __m512i VI;
typedef __mmask16 VM;
#define VL 16
#define VSET1 _mm512_set1_ps
#define VZERO _mm512_setzero_ps
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VSTREAM _mm512_stream_ps
#define VADD _mm512_add_ps
#define VSUB _mm512_sub_ps
#define VMUL _mm512_mul_ps
#define VDIV _mm512_div_ps
#define VMAX _mm512_max_ps
#define VMIN _mm512_min_ps
#define VFMA _mm512_fmadd_ps
#define VFNMA _mm512_fnmadd_ps
#define VROUND(x) _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VCVTI _mm512_cvtps_epi32
#define VI_SET1 _mm512_set1_epi32
#define VI_ADD _mm512_add_epi32
#define VI_SUB _mm512_sub_epi32
#define VI_SRAI _mm512_srai_epi32
#define VI_SLLI _mm512_slli_epi32
#define VI_ASF _mm512_castsi512_ps
#define VLT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define VSEL(m, a, b) _mm512_mask_blend_ps(m, a, b)
#define VMASK(n) ((__mmask16)((1u << (n)) - 1u))
#define VLOADM(p, m) _mm512_maskz_loadu_ps(m, p)
#define VSTOREM(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define VHALF(v, g) ((g) ? _mm512_extractf32x8_ps(v, 1) : _mm512_castps512_ps256(v)) /* lanes 8g .. 8g+7 */
#define V256SUM(v) _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1))

static inline float vhsum(V v) { /* halves added down to 8 lanes, then as vec_avx2.c */
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
static inline float vhmax(V v) {
    const __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_movehdup_ps(s)));
}

/* k-quad dot products (vec_inl.h, dq_tile): a half is 8 k steps of one column,
 * summed as vec_inl.h's hsum4 does ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)) */
#define VEC_NREG 32
#define VKEEP(v) __asm__("" : "+v"(v))
#define VBCASTQ(p) _mm512_broadcast_f32x8(_mm256_loadu_ps(p))
#define VBCASTQM(p, n) _mm512_broadcast_f32x8(_mm256_maskz_loadu_ps((__mmask8)((1u << (n)) - 1u), p))
/* x[i] = (column a: 8 k lanes | column b: 8 k lanes) -> (x0 a, x0 b, x1 a, x1 b,
 * ..., x3 b), each 8 lanes summed in hsum4's order but at full width: adjacent
 * lanes, then pairs (both per 128-bit chunk, two vectors at once), then the
 * two chunks of each half; 8 shuffles and 4 adds where 256-bit hsum4s took
 * 4 extracts, 6 hadds (3 uops each), 2 extracts, 2 adds and an insert */
static inline __m256 qsum8(const V x[4]) {
    const V v01 = _mm512_add_ps(_mm512_shuffle_ps(x[0], x[1], 0x88), _mm512_shuffle_ps(x[0], x[1], 0xdd));
    const V v23 = _mm512_add_ps(_mm512_shuffle_ps(x[2], x[3], 0x88), _mm512_shuffle_ps(x[2], x[3], 0xdd));
    const V w = _mm512_add_ps(_mm512_shuffle_ps(v01, v23, 0x88), _mm512_shuffle_ps(v01, v23, 0xdd));
    const V t = _mm512_add_ps(w, _mm512_shuffle_f32x4(w, w, 0xb1)); /* chunks 0+1, 2+3 */
    const VI ix = _mm512_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11, 0, 8, 1, 9, 2, 10, 3, 11);
    return _mm512_castps512_ps256(_mm512_permutexvar_ps(ix, t));
}
#define QSUM8(x) qsum8(x)
/* lane i = the sum of x[i]'s 16 lanes, i < 16: 128-bit chunks (0+2), (1+3),
 * then their sum, then lanes (0+2), (1+3) and their sum, the same adds for
 * every x[i] (each output lane only ever adds lanes of its own x[i]) */
static inline V vsums(const V x[16]) {
    V t[8], u[4], v[2];
    for (int i = 0; i < 8; i++)
        t[i] = _mm512_add_ps(_mm512_shuffle_f32x4(x[2 * i], x[2 * i + 1], 0x44), _mm512_shuffle_f32x4(x[2 * i], x[2 * i + 1], 0xee));
    for (int i = 0; i < 4; i++) /* chunk c: x[4i + c]'s 4 partial lanes */
        u[i] = _mm512_add_ps(_mm512_shuffle_f32x4(t[2 * i], t[2 * i + 1], 0x88), _mm512_shuffle_f32x4(t[2 * i], t[2 * i + 1], 0xdd));
    for (int i = 0; i < 2; i++)
        v[i] = _mm512_add_ps(_mm512_shuffle_ps(u[2 * i], u[2 * i + 1], 0x44), _mm512_shuffle_ps(u[2 * i], u[2 * i + 1], 0xee));
    const V w = _mm512_add_ps(_mm512_shuffle_ps(v[0], v[1], 0x88), _mm512_shuffle_ps(v[0], v[1], 0xdd));
    /* chunk c lane l holds the sum of x[c + 4 l] */
    return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), w);
}

/* One k-block of vec_inl.h's k_pack_q (Q = 8): d[8 jj + l] = B(l, jj) for
 * l < 8 (rows past `valid` 0), jj < NP2 (columns past n 0). Per 4 columns:
 * rows 0-3 and 4-7 each in one vector, a row's 4 floats per 128-bit lane
 * (loads and inserts; the last chunk masked to n, nothing past it read),
 * then two 2-source permutes give the column pairs (j, j+1), (j+2, j+3).
 * 8 shuffles per 32 floats where two 8 x 8 transposes (tr8x8) took 48 per
 * 80 at n = 10: fwd-W3 1.16x at batch 32 (results/kernels/xeon_pq8). */
/* row q's chunk at b + q ldb: 0 for rows past `valid` (no pointer formed to
 * them); masked to m unless full */
static inline __attribute__((always_inline)) __m128 pq8_chunk(const float *b, ptrdiff_t ldb, int q, const int valid,
                                                              const int full, __mmask8 m) {
    if (q >= valid) return _mm_setzero_ps();
    const float *p = b + (size_t)q * ldb;
    return full ? _mm_loadu_ps(p) : _mm_maskz_loadu_ps(m, p);
}
/* rows q0 .. q0+3's chunks, row q0+i's in 128-bit lane i */
static inline __attribute__((always_inline)) V pq8_four(const float *b, ptrdiff_t ldb, int q0, const int valid,
                                                        const int full, __mmask8 m) {
    const V t = _mm512_castps128_ps512(pq8_chunk(b, ldb, q0, valid, full, m));
    const V u = _mm512_insertf32x4(t, pq8_chunk(b, ldb, q0 + 1, valid, full, m), 1);
    const V v = _mm512_insertf32x4(u, pq8_chunk(b, ldb, q0 + 2, valid, full, m), 2);
    return _mm512_insertf32x4(v, pq8_chunk(b, ldb, q0 + 3, valid, full, m), 3);
}
/* columns j .. j+3 of rows 0 .. 7 (masked to m unless full); the pair j+2
 * stored when j+2 < NP2 */
static inline __attribute__((always_inline)) void pq8_cols(const float *b, ptrdiff_t ldb, const int valid,
                                                           const int full, __mmask8 m, int j, int NP2, float *d) {
    const VI lo = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    const VI hi = _mm512_add_epi32(lo, _mm512_set1_epi32(2)); /* columns j+2, j+3 */
    const V z0 = pq8_four(b + j, ldb, 0, valid, full, m), z1 = pq8_four(b + j, ldb, 4, valid, full, m);
    _mm512_storeu_ps(d + 8 * j, _mm512_permutex2var_ps(z0, lo, z1));
    if (j + 2 < NP2) _mm512_storeu_ps(d + 8 * j + 16, _mm512_permutex2var_ps(z0, hi, z1));
}
/* valid: 8 for every block but a short last one (a constant after inlining),
 * else that block's row count at run time */
static inline __attribute__((always_inline)) void pq8_rows(const float *b, ptrdiff_t ldb, const int valid, int n,
                                                           int NP2, float *d) {
    int j = 0;
    for (; j + 4 <= n; j += 4) pq8_cols(b, ldb, valid, 1, 0, j, NP2, d);
    if (j < NP2) pq8_cols(b, ldb, valid, 0, (__mmask8)((1u << (n - j)) - 1u), j, NP2, d);
}
static inline void pq8_block(const float *b, ptrdiff_t ldb, int valid, int n, int NP2, float *d) {
    if (valid == 8) pq8_rows(b, ldb, 8, n, NP2, d);
    else pq8_rows(b, ldb, valid, n, NP2, d);
}

#define VEC_TABLE mlpb_vec_avx512
#define VEC_ISA "avx512"
#define VEC_SM_ACC 24   /* of 32 zmm */
#define VEC_SM_MAXR 12  /* MR of avx512_12x32 */
#define MLPB_VEC_TEMPLATE
#include "kernels/vec_inl.h"
