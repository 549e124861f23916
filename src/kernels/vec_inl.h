/* vec_inl.h - what the frame (gemm.c) and vec.c share with each other and
 * with the per-ISA SIMD files:
 *   1. scalar element functions, so fused and unfused plain-C paths compute
 *      the same bits;
 *   2. mlpb_vec_isa, the per-ISA table of SIMD kernels (vectorised exp and
 *      everything built on it, the other element-wise kernels, the frame's
 *      transposing pack, its small-M and narrow GEMMs, streaming stores),
 *      picked once per context (mlpb_ctx_vec): kernel SIMD with an
 *      avx2/avx512 micro-kernel gets the table of that ISA; REF, BLOCKED and
 *      the scalar micro-kernel get NULL and keep the plain-C paths of
 *      vec.c/gemm.c;
 *   3. under MLPB_VEC_TEMPLATE only: the body of those SIMD kernels, written
 *      once over a handful of vector macros (V, VL, VADD, ...). vec_avx2.c and
 *      vec_avx512.c define the macros for their ISA, include this file, and are
 *      each compiled with their own ISA flags (CMakeLists.txt), so the AVX-512
 *      kernels are the AVX2 ones, lane for lane, with wider vectors; each is
 *      compiled twice, in two parts (MLPB_VEC_PART, vec_*_smn.c).
 *
 * Numerics of the SIMD table against the plain-C twins (ref.c):
 *   bias add, sigmoid' product, column sums, axpy: the same IEEE operations in
 *     the same order per element (no FMA; the build has -ffp-contract=off):
 *     bit-identical to ref.c. Column sums keep row order per column.
 *   exp: Cephes-style: n = round(x log2 e), r = x - n ln2 (two-constant
 *     Cody-Waite with FMA), e^r by a degree-7 Taylor-like polynomial (Cephes
 *     expf coefficients), times 2^n as two exact power-of-two factors.
 *     Saturation: x < -87.336540 (where e^x < FLT_MIN) gives +0;
 *     x > 88.722832 (where e^x > FLT_MAX) gives exp(88.722832) ~ 3.40279e38,
 *     finite (also for x = +inf); NaN in gives NaN out.
 *     Maximum error, measured over every one of the 2.24e9 floats in
 *     [-87.336540, 88.722832] (AVX2, Zen 3; the AVX-512 code does the same
 *     operations per lane): 1 ULP from exp() in double rounded to float,
 *     1.01 ULP from the exact value, relative error 8.5e-8.
 *     tests/test_vec_simd.c asserts <= 2 ULP over a stride-61 sweep of
 *     [-104, 89] and the special values, for every ISA the CPU has.
 *   sigmoid = 1 / (1 + exp(-z)) with a true division: relative error <= 2 ULP
 *     of exp + 2 roundings (<= 4 eps).
 *   softmax / softmax+loss+delta: lane-parallel sums (then a fixed horizontal
 *     reduction), so not the bits of the sequential ref sums; same order for
 *     every thread count. */
#ifndef MLPB_VEC_INL_H
#define MLPB_VEC_INL_H

#include <math.h>
#include <stddef.h>

#include "kernels/kernels.h"

static inline float mlpb_sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); } /* (2)(4) */

/* A block of memory a kernel asks the caches for while it computes (the next
 * K block of A): `rows` rows of `cols` floats, `ld` apart. Only a hint:
 * results never depend on it. */
typedef struct mlpb_span { const float *p; ptrdiff_t ld; int rows, cols; } mlpb_span;

/* smallm_bn's column unit: a call's columns in whole units (all but its last
 * n mod MLPB_SM_UNIT) are summed as one chain each, the rest in partial-sum
 * sets; gemm.c cuts C's columns among threads at multiples of it. */
#define MLPB_SM_UNIT 64

typedef struct mlpb_vec_isa {
    const char *isa;   /* "avx2", "avx512" */
    int lanes;         /* floats per vector */
    int smallm_maxr;   /* the small-M GEMM takes m <= this */
    int smallk_maxk;   /* smallk takes k <= this */
    int dot_rows;      /* rows per tile of dotq: gemm.c's row blocks are multiples of it */
    /* y[i] = exp(x[i]) (the vectorised exp; saturation as above) */
    void (*exp)(size_t n, const float *x, float *y);
    /* one row of n elements each */
    void (*bias_row)(int n, const float *b, float *z);               /* z += b           (1)(3)(5) */
    void (*sigmoid_row)(int n, const float *z, float *h);            /* h = sigmoid(z)   (2)(4) */
    void (*bias_sigmoid_row)(int n, const float *b, float *c);       /* c = sigmoid(c+b) (1)-(4) */
    void (*dsigmoid_row)(int n, const float *h, float *d);           /* d = d (h (1-h))  vec.c's order */
    void (*dsigmoid_epi_row)(int n, const float *h, float *c);       /* c = (c h) (1-h)  the epilogue's order */
    void (*softmax_row)(int n, const float *z, float *p);            /* (6) */
    float (*xent_row)(int n, const float *z, const float *y, float scale, float *d); /* (6)(7)(8) */
    /* db(1,n) = alpha * sum over rows, in row order per column       (10)(14)(17) */
    void (*colsum)(int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db);
    void (*axpy)(size_t n, float a, const float *x, float *y);       /* (18) */
    /* The frame's transposing pack: dst[p R + i] = src[i ld + p] for
     * i < rows <= R, p < kc; dst[p R + i] = 0 for rows <= i < R. */
    void (*pack_t)(int R, int kc, int rows, const float *src, ptrdiff_t ld, float *dst);
    /* Small-M GEMM, m <= smallm_maxr, no packing, B streamed once:
     * C(m,n) = alpha * op(A) B + beta C with op(A)(i,p) = A[i asi + p asp]   (op(B) = N);
     * C(m,n) = alpha * A B^T + beta C, A (m,k) row-major, B (n,k) row-major (op(B) = T).
     * beta == 0 never reads C. Each element's sum runs in a fixed order; with
     * op(B) = N that order depends on whether its column lies in the call's
     * whole MLPB_SM_UNITs (one chain) or past them (partial-sum sets), so
     * column ranges can be split over threads at unit multiples counted from
     * column 0 (the last range ends at n); with op(B) = T at any column. */
    void (*smallm_bn)(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
                      const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc);
    void (*smallm_bt)(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda,
                      const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc);
    /* Narrow-N GEMM with op(A) = N, n <= 12, any m and k: A (m,k) row-major
     * read in place, op(B) packed first by pack_q into Bq, (k + lanes) (n + 1)
     * floats at most (tb: op(B) = B^T, B (n,k); else B (k,n));
     * C(m,n) = alpha A op(B) + beta C, beta == 0 never reads C. Each row of C
     * is computed alone, the same way in any call: rows can be split.
     * next (may be NULL): rows of the same k and lda to prefetch meanwhile. */
    void (*pack_q)(int k, int n, const float *B, ptrdiff_t ldb, int tb, float *Bq);
    void (*dotq)(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda, const float *Bq,
                 float beta, float *C, ptrdiff_t ldc, const mlpb_span *next);
    /* Narrow-N GEMM with op(A) = T, any m and n (best for n <= 12): A is
     * (k,m) row-major, B (k,n) row-major;
     * C(m,n) = alpha A^T B + beta C, beta == 0 never reads C. Computed as C^T
     * tiles (VL rows of C per vector, one or two vectors, k in order within
     * each of up to 4 partial-sum sets), so the rows of A are read in place.
     * next (may be NULL): a span to prefetch meanwhile. */
    void (*narrow_tc)(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda, const float *B,
                      ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc, const mlpb_span *next);
    /* dst(rows, n) = src(rows, n) with non-temporal stores (past the caches,
     * no read of dst's lines first) for every VL-float piece of a row that is
     * aligned, plain stores for the rest; stream_fence() orders them before
     * any later store (call it before another thread may read dst). */
    void (*stream_rows)(int rows, int n, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd);
    void (*stream_fence)(void);
    /* The small-M GEMM's k = 1 row by row: C(m,n) = alpha a b + beta C with
     * a(i) = A[i asi], b = B[0 .. n): each element exactly as smallm_bn
     * computes it for k = 1 (fl(alpha fma(a, b, 0)), then fma(beta, c, .)),
     * with no partial-sum sets to clear and one stream of C at a time (batch
     * 1's weight gradients and fused updates). beta == 0 never reads C. */
    void (*rank1)(int m, int n, float alpha, const float *A, ptrdiff_t asi, const float *B, float beta,
                  float *C, ptrdiff_t ldc);
    /* The narrow path's small k, 2 <= k <= smallk_maxk, any m and n:
     * C(m,n) = alpha op(A) B + beta C, op(A)(i,p) = A[i asi + p asp], B (k,n)
     * row-major. Each element: y = fma(a_0, b_0, 0), then y = fma(a_p, b_p, y)
     * for p = 1 .. k-1 in order, then alpha y (not computed at alpha = 1,
     * where it is y), then fma(beta, c, y) (beta == 0: C not read): the same
     * bits whichever rows and columns a call or a thread gets. */
    void (*smallk)(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
                   const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc);
} mlpb_vec_isa;

#ifdef MLPB_HAVE_AVX2
extern const mlpb_vec_isa mlpb_vec_avx2;
#endif
#ifdef MLPB_HAVE_AVX512
extern const mlpb_vec_isa mlpb_vec_avx512;
#endif

/* The context's SIMD table, or NULL for the plain-C paths (gemm.c). */
const mlpb_vec_isa *mlpb_ctx_vec(const mlpb_ctx *ctx);
/* The SIMD table of an ISA name if this build has it and the CPU runs it. */
const mlpb_vec_isa *mlpb_vec_find(const char *isa);

#endif /* MLPB_VEC_INL_H */

/* ------------------------------------------------------------------------ */
#if defined(MLPB_VEC_TEMPLATE) && !defined(MLPB_VEC_TEMPLATE_DONE)
#define MLPB_VEC_TEMPLATE_DONE
/* The SIMD kernels, over the including file's vector macros:
 *   V, VI, VM         float vector, int32 vector, lane mask;  VL lanes
 *   VSET1 VZERO VLOAD VSTORE VADD VSUB VMUL VDIV VMAX VMIN
 *   VSTREAM           non-temporal store to a sizeof(V)-aligned address
 *   VFMA(a,b,c) = a b + c,  VFNMA(a,b,c) = c - a b  (one rounding)
 *   VROUND (to nearest even), VCVTI (to int32), VI_SET1 VI_ADD VI_SUB
 *   VI_SRAI VI_SLLI, VI_ASF (reinterpret as float)
 *   VLT(a,b) mask of a < b (false on NaN),  VSEL(m,a,b) = m ? b : a
 *   VMASK(n) the first n lanes (0 < n < VL), VLOADM (masked lanes read as 0,
 *   never touched) and VSTOREM (masked lanes not written; masks are always
 *   VMASK prefixes, so AVX2 may store them in pieces)
 *   VHALF(v, g) lanes 8g .. 8g+7 of v as a __m256 (the 8x8 transposes);
 *   V256SUM(v) the lanes of v added down to a __m256 (AVX2: v itself)
 *   vhsum, vhmax: horizontal sum / max in a fixed order
 *   VEC_TABLE, VEC_ISA, VEC_SM_ACC (accumulator registers the small-M kernels
 *   may use), VEC_SM_MAXR (largest m of the small-M kernels: the ISA's MR),
 *   VEC_NREG (vector registers), VKEEP(v) (v stays in a register)
 *   VBCASTQ(p) the VL/2 floats at p in both halves of a vector, VBCASTQM(p, n)
 *   the first n of them (the rest 0, nothing past them read), QSUM8(x) the
 *   sums of the two halves of x[0..3] as a __m256 (x[0] low, x[0] high, ...). */
#include <float.h>
#include <immintrin.h>
#include <stdint.h>

/* Two objects per ISA, compiled side by side: MLPB_VEC_PART 1 (vec_*_smn.c)
 * is smallm_bn alone, exported as VEC_TABLE##_smallm_bn; 2 (the default) is
 * everything else and the table. smallm_bn's tiles are half the template's
 * code: as one object, the sanitizer build spent ~4 min on vec_avx512.c. */
#ifndef MLPB_VEC_PART
#define MLPB_VEC_PART 2
#endif
#if MLPB_VEC_PART != 1 && MLPB_VEC_PART != 2
#error "MLPB_VEC_PART is 1 (vec_*_smn.c) or 2"
#endif
#define VEC_CAT_(a, b) a##b
#define VEC_CAT(a, b) VEC_CAT_(a, b)
#define k_smallm_bn VEC_CAT(VEC_TABLE, _smallm_bn)
void k_smallm_bn(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
                 const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc);

/* Lanes l .. l+cnt-1 of x (l + cnt <= 4) to d, in 16-, 8- and 4-byte pieces:
 * an AVX masked store (vmaskmovps) costs ~19 cycles on Zen 3, these a few.
 * With l and cnt constants after inlining, the branches fold away. */
static inline __attribute__((always_inline)) void store_lanes4(float *d, __m128 x, const int l, const int cnt) {
    if (cnt <= 0) return;
    if (l == 0) {
        if (cnt == 4) { _mm_storeu_ps(d, x); return; }
        if (cnt == 1) { _mm_store_ss(d, x); return; }
        _mm_storel_pi((__m64 *)d, x);
        if (cnt == 3) _mm_store_ss(d + 2, _mm_movehl_ps(x, x));
        return;
    }
    if (l == 1) {
        _mm_store_ss(d, _mm_movehdup_ps(x));
        store_lanes4(d + 1, x, 2, cnt - 1);
        return;
    }
    if (l == 2) {
        if (cnt == 2) _mm_storeh_pi((__m64 *)d, x);
        else _mm_store_ss(d, _mm_movehl_ps(x, x));
        return;
    }
    _mm_store_ss(d, _mm_permute_ps(x, _MM_SHUFFLE(3, 3, 3, 3)));
}

/* Lanes l .. l+cnt-1 of v (l + cnt <= 8) to d; constants as above. */
static inline __attribute__((always_inline)) void store_lanes(float *d, __m256 v, const int l, const int cnt) {
    if (l == 0 && cnt == 8) { _mm256_storeu_ps(d, v); return; }
    if (l < 4) store_lanes4(d, _mm256_castps256_ps128(v), l, (l + cnt < 4 ? l + cnt : 4) - l);
    if (l + cnt > 4) {
        const int h = l > 4 ? l : 4;
        store_lanes4(d + (h - l), _mm256_extractf128_ps(v, 1), h - 4, l + cnt - h);
    }
}

/* The first w (0..8) floats of v to d. */
static inline __attribute__((always_inline)) void store_first(float *d, __m256 v, const int w) {
    store_lanes(d, v, 0, w);
}

/* A load of the first w (1..4) floats of s (the rest 0) that reads nothing
 * past them. */
static inline __attribute__((always_inline)) __m128 load_first4(const float *s, const int w) {
    if (w == 4) return _mm_loadu_ps(s);
    if (w == 1) return _mm_load_ss(s);
    const __m128 lo = _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)s);
    return w == 2 ? lo : _mm_movelh_ps(lo, _mm_load_ss(s + 2));
}

/* The first w (1..8) floats of s (the rest 0), reading nothing past them. */
static inline __attribute__((always_inline)) __m256 load_first8(const float *s, const int w) {
    if (w == 8) return _mm256_loadu_ps(s);
    return _mm256_maskload_ps(s, _mm256_cmpgt_epi32(_mm256_set1_epi32(w), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}

/* s[t] = the sum of the 8 lanes of x[t], t < 4: ((x0+x1)+(x2+x3)) + ((x4+x5)+(x6+x7)) */
static inline __m128 hsum4(const __m256 x[4]) {
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(x[0], x[1]), _mm256_hadd_ps(x[2], x[3]));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/* Every loop over a tile's accumulators or a transpose's vectors is unrolled completely, so the
 * accumulator arrays become registers (a loop left rolled keeps them in
 * memory, with a store per k step). */
#define UNROLL _Pragma("GCC unroll 32")

/* ---- exp ---------------------------------------------------------------- */
#define EXP_HI 88.72283172607422f   /* largest float with e^x <= FLT_MAX */
#define EXP_LO (-87.33654022216797f) /* smallest float with e^x >= FLT_MIN */

static inline V vexp(V x) {
    /* clamp (max/min return their second operand when either is NaN: NaN passes) */
    const V xc = VMIN(VSET1(EXP_HI), VMAX(VSET1(EXP_LO), x));
    const V n = VROUND(VMUL(xc, VSET1(1.44269504088896341f)));   /* n = round(x log2 e) */
    V r = VFNMA(n, VSET1(0.693359375f), xc);                     /* r = x - n ln2, ln2 = C1 + C2 */
    r = VFNMA(n, VSET1(-2.12194440e-4f), r);
    V p = VSET1(1.9875691500e-4f);                               /* e^r = 1 + r + r^2 P(r), |r| <= ln2/2 */
    p = VFMA(p, r, VSET1(1.3981999507e-3f));
    p = VFMA(p, r, VSET1(8.3334519073e-3f));
    p = VFMA(p, r, VSET1(4.1665795894e-2f));
    p = VFMA(p, r, VSET1(1.6666665459e-1f));
    p = VFMA(p, r, VSET1(5.0000001201e-1f));
    p = VFMA(p, VMUL(r, r), r);
    p = VADD(p, VSET1(1.0f));
    /* 2^n for n in [-126, 128] as 2^h 2^(n-h), h = n >> 1: both factors normal, both products exact
     * unless the result itself leaves the normal range */
    const VI ni = VCVTI(n), h = VI_SRAI(ni, 1);
    const V s1 = VI_ASF(VI_SLLI(VI_ADD(h, VI_SET1(127)), 23));
    const V s2 = VI_ASF(VI_SLLI(VI_ADD(VI_SUB(ni, h), VI_SET1(127)), 23));
    const V y = VMIN(VSET1(FLT_MAX), VMUL(VMUL(p, s1), s2));     /* never +inf; NaN passes */
    return VSEL(VLT(x, VSET1(EXP_LO)), y, VZERO());             /* below FLT_MIN: +0 */
}

static inline V vsigmoid(V z) { /* 1 / (1 + e^-z)  (2)(4) */
    const V one = VSET1(1.0f);
    return VDIV(one, VADD(one, vexp(VSUB(VZERO(), z))));
}

#if MLPB_VEC_PART == 2
static void k_exp(size_t n, const float *x, float *y) {
    size_t i = 0;
    for (; i + VL <= n; i += VL) VSTORE(y + i, vexp(VLOAD(x + i)));
    if (i < n) { const VM m = VMASK((int)(n - i)); VSTOREM(y + i, m, vexp(VLOADM(x + i, m))); }
}

/* ---- element-wise rows: full vectors, then one masked tail -------------- */
#define ROW_LOOP(n, STEP)                                                     \
    do {                                                                      \
        int j_ = 0;                                                           \
        for (; j_ + VL <= (n); j_ += VL) { STEP(j_, VLOAD, VSTORE_ALL, 0); }  \
        if (j_ < (n)) { const VM m_ = VMASK((n) - j_); STEP(j_, LOADM_, STOREM_, m_); } \
    } while (0)
#define VSTORE_ALL(p, v, m) VSTORE(p, v)
#define LOADM_(p) VLOADM(p, m_)
#define STOREM_(p, v, m) VSTOREM(p, m, v)

static void k_bias_row(int n, const float *b, float *z) {
#define STEP(j, LD, ST, M) ST(z + j, VADD(LD(z + j), LD(b + j)), M)          /* (1)(3)(5) */
    ROW_LOOP(n, STEP);
#undef STEP
}

static void k_sigmoid_row(int n, const float *z, float *h) {
#define STEP(j, LD, ST, M) ST(h + j, vsigmoid(LD(z + j)), M)                /* (2)(4) */
    ROW_LOOP(n, STEP);
#undef STEP
}

static void k_bias_sigmoid_row(int n, const float *b, float *c) {
#define STEP(j, LD, ST, M) ST(c + j, vsigmoid(VADD(LD(c + j), LD(b + j))), M) /* (1)-(4) */
    ROW_LOOP(n, STEP);
#undef STEP
}

static void k_dsigmoid_row(int n, const float *h, float *d) {
    const V one = VSET1(1.0f);
#define STEP(j, LD, ST, M) { const V h_ = LD(h + j);                          \
        ST(d + j, VMUL(LD(d + j), VMUL(h_, VSUB(one, h_))), M); }         /* (11)(15) with (12) */
    ROW_LOOP(n, STEP);
#undef STEP
}

static void k_dsigmoid_epi_row(int n, const float *h, float *c) {
    const V one = VSET1(1.0f);
#define STEP(j, LD, ST, M) { const V h_ = LD(h + j);                          \
        ST(c + j, VMUL(VMUL(LD(c + j), h_), VSUB(one, h_)), M); }         /* (11)(15) */
    ROW_LOOP(n, STEP);
#undef STEP
}

static void k_axpy(size_t n, float a, const float *x, float *y) {
    const V va = VSET1(a);
    size_t i = 0;
    for (; i + 4 * VL <= n; i += 4 * VL)
        for (int q = 0; q < 4; q++)
            VSTORE(y + i + q * VL, VADD(VLOAD(y + i + q * VL), VMUL(va, VLOAD(x + i + q * VL)))); /* (18) */
    for (; i + VL <= n; i += VL) VSTORE(y + i, VADD(VLOAD(y + i), VMUL(va, VLOAD(x + i))));
    if (i < n) {
        const VM m = VMASK((int)(n - i));
        VSTOREM(y + i, m, VADD(VLOADM(y + i, m), VMUL(va, VLOADM(x + i, m))));
    }
}

/* column sums: each column summed from row 0 down, as ref_colsum */
static void k_colsum(int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db) {
    const V va = VSET1(alpha);
    int j = 0;
    for (; j + 4 * VL <= n; j += 4 * VL) {
        V s0 = VZERO(), s1 = VZERO(), s2 = VZERO(), s3 = VZERO();
        for (int i = 0; i < m; i++) {
            const float *d = D + (size_t)i * ldd + j;
            s0 = VADD(s0, VLOAD(d));          s1 = VADD(s1, VLOAD(d + VL));
            s2 = VADD(s2, VLOAD(d + 2 * VL)); s3 = VADD(s3, VLOAD(d + 3 * VL));
        }
        VSTORE(db + j, VMUL(va, s0));          VSTORE(db + j + VL, VMUL(va, s1));
        VSTORE(db + j + 2 * VL, VMUL(va, s2)); VSTORE(db + j + 3 * VL, VMUL(va, s3));
    }
    for (; j + VL <= n; j += VL) {
        V s = VZERO();
        for (int i = 0; i < m; i++) s = VADD(s, VLOAD(D + (size_t)i * ldd + j));
        VSTORE(db + j, VMUL(va, s));
    }
    if (j < n) {
        const VM msk = VMASK(n - j);
        V s = VZERO();
        for (int i = 0; i < m; i++) s = VADD(s, VLOADM(D + (size_t)i * ldd + j, msk));
        VSTOREM(db + j, msk, VMUL(va, s));
    }
}

/* ---- softmax rows ------------------------------------------------------- */
static float row_vmax(int n, const float *z) {
    V mx = VSET1(-INFINITY);
    int j = 0;
    for (; j + VL <= n; j += VL) mx = VMAX(mx, VLOAD(z + j));
    if (j < n) {
        const VM m = VMASK(n - j);
        mx = VMAX(mx, VSEL(m, VSET1(-INFINITY), VLOADM(z + j, m)));
    }
    return vhmax(mx);
}

/* sum of exp(z - c) over the row; with e != NULL also stores each term */
static float row_vsumexp(int n, const float *z, float c, float *e) {
    const V vc = VSET1(c);
    V s = VZERO();
    int j = 0;
    for (; j + VL <= n; j += VL) {
        const V t = vexp(VSUB(VLOAD(z + j), vc));
        if (e) VSTORE(e + j, t);
        s = VADD(s, t);
    }
    if (j < n) {
        const VM m = VMASK(n - j);
        const V t = VSEL(m, VZERO(), vexp(VSUB(VLOADM(z + j, m), vc))); /* masked lanes add +0 */
        if (e) VSTOREM(e + j, m, t);
        s = VADD(s, t);
    }
    return vhsum(s);
}

static void k_softmax_row(int n, const float *z, float *p) {
    const float mx = row_vmax(n, z);
    const V s = VSET1(row_vsumexp(n, z, mx, p)); /* p = exp(z - max) first: z read before p written */
#define STEP(j, LD, ST, M) ST(p + j, VDIV(LD(p + j), s), M)                  /* (6) */
    ROW_LOOP(n, STEP);
#undef STEP
}

/* one row of the fused output layer; d may alias z */
static float k_xent_row(int n, const float *z, const float *y, float scale, float *d) {
    const float mx = row_vmax(n, z);
    const float lse = mx + logf(row_vsumexp(n, z, mx, NULL));
    const V vl = VSET1(lse), vs = VSET1(scale);
    V acc = VZERO();
#define STEP(j, LD, ST, M) acc = VADD(acc, VMUL(LD(y + j), VSUB(LD(z + j), vl))) /* (7) */
    ROW_LOOP(n, STEP);
#undef STEP
    const float l = -vhsum(acc);
    if (d) {
#define STEP(j, LD, ST, M) ST(d + j, VMUL(vs, VSUB(vexp(VSUB(LD(z + j), vl)), LD(y + j))), M) /* (6)(8) */
        ROW_LOOP(n, STEP);
#undef STEP
    }
    return l;
}

/* ---- the frame's transposing pack ---------------------------------------- */
/* 4 x 8 transpose within 128-bit lanes: x[q] row q's 8 values; u[l] gets
 * (x0[l] x1[l] x2[l] x3[l] | x0[l+4] x1[l+4] x2[l+4] x3[l+4]), l < 4 */
static inline __attribute__((always_inline)) void tr4x8_lanes(const __m256 x[4], __m256 u[4]) {
    const __m256 t0 = _mm256_unpacklo_ps(x[0], x[1]), t1 = _mm256_unpackhi_ps(x[0], x[1]);
    const __m256 t2 = _mm256_unpacklo_ps(x[2], x[3]), t3 = _mm256_unpackhi_ps(x[2], x[3]);
    u[0] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    u[1] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    u[2] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    u[3] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
}

/* 4 x 2 transpose: x[q] row q's 2 values (lanes 0, 1); c0 = (x0[0] .. x3[0]),
 * c1 = (x0[1] .. x3[1]) */
static inline __attribute__((always_inline)) void tr4x2(const __m128 x[4], __m128 *c0, __m128 *c1) {
    const __m128 u0 = _mm_unpacklo_ps(x[0], x[1]), u1 = _mm_unpacklo_ps(x[2], x[3]);
    *c0 = _mm_movelh_ps(u0, u1);
    *c1 = _mm_movehl_ps(u1, u0);
}

/* 8x8 transpose of r[0..7] (256-bit, the same code in both ISAs) */
static inline void tr8x8(__m256 r[8]) {
    __m256 u[8];
    tr4x8_lanes(r, u);
    tr4x8_lanes(r + 4, u + 4);
    UNROLL for (int q = 0; q < 4; q++) {
        const __m256 lo = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20), hi = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31);
        r[q] = lo;
        r[q + 4] = hi;
    }
}

/* 8 k-steps of one group of (up to) 8 source lines: lines past `valid` read
 * as zeros; w columns of dst written per k-step, for the k-steps q0 .. 7 */
static inline __attribute__((always_inline)) void
tr_group(const float *src, ptrdiff_t ld, int valid, float *dst, int R, const int w, int q0) {
    __m256 r[8];
    if (valid >= 8)
        for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + (size_t)q * ld);
    else
        for (int q = 0; q < 8; q++) r[q] = q < valid ? _mm256_loadu_ps(src + (size_t)q * ld) : _mm256_setzero_ps();
    tr8x8(r);
    for (int q = q0; q < 8; q++) store_first(dst + (size_t)q * R, r[q], w);
}

/* one group of lines (w columns of dst) through all kc >= 8 k-steps, 8 at a
 * time: each source line read front to back; the last kc % 8 steps from the
 * window of the last 8, its first steps skipped (the only non-constant q0) */
static inline __attribute__((always_inline)) void
pack_t_lines(int R, int kc, int valid, const float *src, ptrdiff_t ld, float *dst, const int w) {
    int p = 0;
    for (; p + 8 <= kc; p += 8) tr_group(src + p, ld, valid, dst + (size_t)p * R, R, w, 0);
    if (p < kc) tr_group(src + kc - 8, ld, valid, dst + (size_t)(kc - 8) * R, R, w, p - (kc - 8));
}

static void k_pack_t(int R, int kc, int rows, const float *src, ptrdiff_t ld, float *dst) {
    if (kc < 8) {
        for (int p = 0; p < kc; p++) {
            float *d = dst + (size_t)p * R;
            for (int i = 0; i < rows; i++) d[i] = src[(size_t)i * ld + p];
            for (int i = rows; i < R; i++) d[i] = 0.0f;
        }
        return;
    }
    /* groups of 8 lines, then one of w; group by group (k-steps inner), not
     * k-step block by block across the groups: 1.7x faster packing W2^T
     * (256 x 128 from L2) on the Zen 5 VM */
    const int full = R / 8 * 8, w = R - full;
    for (int i0 = 0; i0 < full; i0 += 8)
        pack_t_lines(R, kc, rows - i0, src + (size_t)i0 * ld, ld, dst + i0, 8);
    const float *s = src + (size_t)full * ld;
    switch (w) {
    case 0: break;
    case 2: pack_t_lines(R, kc, rows - full, s, ld, dst + full, 2); break;
    case 4: pack_t_lines(R, kc, rows - full, s, ld, dst + full, 4); break;
    case 6: pack_t_lines(R, kc, rows - full, s, ld, dst + full, 6); break;
    default: pack_t_lines(R, kc, rows - full, s, ld, dst + full, w); break;
    }
}

/* ---- streaming stores ------------------------------------------------------ */
static void k_stream_rows(int rows, int n, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd) {
    for (int i = 0; i < rows; i++) {
        const float *s = src + (size_t)i * lds;
        float *d = dst + (size_t)i * ldd;
        int j = 0;
        for (; j < n && ((uintptr_t)(d + j) & (sizeof(V) - 1)); j++) d[j] = s[j]; /* up to alignment */
        for (; j + VL <= n; j += VL) VSTREAM(d + j, VLOAD(s + j));
        for (; j < n; j++) d[j] = s[j];
    }
}
static void k_stream_fence(void) { _mm_sfence(); }

static void k_rank1(int m, int n, float alpha, const float *A, ptrdiff_t asi, const float *B, float beta,
                    float *C, ptrdiff_t ldc) {
    const V va = VSET1(alpha), vb = VSET1(beta);
    const int nf = n / VL * VL;
    const VM mt = VMASK(n - nf > 0 ? n - nf : 1);
    for (int i = 0; i < m; i++) {
        const V ai = VSET1(A[(size_t)i * asi]);
        float *c = C + (size_t)i * ldc;
        int j = 0;
#define R1(x) VMUL(va, VFMA(ai, x, VZERO())) /* alpha (a_i b_j) */
        if (beta != 0.0f) {
            for (; j < nf; j += VL) VSTORE(c + j, VFMA(vb, VLOAD(c + j), R1(VLOAD(B + j))));
            if (j < n) VSTOREM(c + j, mt, VFMA(vb, VLOADM(c + j, mt), R1(VLOADM(B + j, mt))));
        } else {
            for (; j < nf; j += VL) VSTORE(c + j, R1(VLOAD(B + j)));
            if (j < n) VSTOREM(c + j, mt, R1(VLOADM(B + j, mt)));
        }
#undef R1
    }
}

/* ---- small k, any m: op(A)'s values held, rows of C walked whole ---------- */
/* SMK_RB(K) rows at a time broadcast their K values of op(A) into registers
 * once, then walk C's row width a vector at a time: K loads of B (k n floats,
 * in L1 or L2) for RB K FMAs and RB stores. RB: the largest divisor of
 * VEC_SM_MAXR (the frame's row blocks, bn_rows) whose RB K broadcasts, K
 * vectors of B and RB sums leave a register spare; the rest of a call's rows
 * one at a time. Up to SMK_MAXK, the largest K with RB >= 2 (AVX-512 9,
 * AVX2 4); past it one row's single chain of K FMAs per vector waits on FMA
 * latency and gemm.c keeps the small-M tiles. On Zen 5 (AVX-512, 1 thread,
 * ratios to OpenBLAS in turns, results/kernels/zen5_smallk) dW1 / dW2 (784 /
 * 256 x 256 / 128 x b) against the small-M tiles (12 rows x 2 vectors: 12
 * broadcasts per k step, a product by alpha per vector): 1.57x / 1.52x at
 * b = 4, 1.19-1.21x / 1.12-1.15x at 8-9; in a trial (not kept) even at 10 and
 * 0.63-0.78x at 11-14 (RB = 1). */
#define SMK_FITS(RB, K) ((RB) * ((K) + 1) + (K) < VEC_NREG && VEC_SM_MAXR % (RB) == 0)
#define SMK_RB(K) (SMK_FITS(12, K) ? 12 : SMK_FITS(6, K) ? 6 : SMK_FITS(4, K) ? 4 : SMK_FITS(3, K) ? 3 : SMK_FITS(2, K) ? 2 : 1)
#define SMK_MAXK (1 + (SMK_RB(2) >= 2) + (SMK_RB(3) >= 2) + (SMK_RB(4) >= 2) + (SMK_RB(5) >= 2) + (SMK_RB(6) >= 2) + \
                  (SMK_RB(7) >= 2) + (SMK_RB(8) >= 2) + (SMK_RB(9) >= 2) + (SMK_RB(10) >= 2))
_Static_assert(SMK_MAXK >= 2 && SMK_MAXK <= 9, "smk: k_smallk has cases 2 .. 9");

/* RB rows x one vector of C at c (masked: the lanes of mk only); al: alpha
 * != 1, rd: beta != 0 (constants after inlining) */
static inline __attribute__((always_inline)) void
smk_vec(const int K, const int RB, const int al, const int rd, const int masked, const VM mk, const V *a,
        const float *b, ptrdiff_t ldb, V va, V vb, float *c, ptrdiff_t ldc) {
    V bv[9]; /* K <= 9: SMK_K's instances (those past SMK_MAXK are never called) */
    UNROLL for (int p = 0; p < K; p++) bv[p] = masked ? VLOADM(b + (size_t)p * ldb, mk) : VLOAD(b + (size_t)p * ldb);
    UNROLL for (int r = 0; r < RB; r++) {
        V y = VFMA(a[r * K], bv[0], VZERO());
        UNROLL for (int p = 1; p < K; p++) y = VFMA(a[r * K + p], bv[p], y);
        float *cr = c + (size_t)r * ldc;
        if (al) y = VMUL(va, y);
        if (rd) y = VFMA(vb, masked ? VLOADM(cr, mk) : VLOAD(cr), y);
        if (masked) VSTOREM(cr, mk, y); else VSTORE(cr, y);
    }
}

static inline __attribute__((always_inline)) void
smk_rows(const int K, const int RB, const int al, const int rd, int n, float alpha, const float *A, ptrdiff_t asi,
         ptrdiff_t asp, const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {
    V a[VEC_NREG]; /* RB K <= VEC_NREG (SMK_FITS) */
    UNROLL for (int r = 0; r < RB; r++)
        UNROLL for (int p = 0; p < K; p++) a[r * K + p] = VSET1(A[r * asi + p * asp]);
    const V va = VSET1(alpha), vb = VSET1(beta);
    int j = 0;
    for (; j + VL <= n; j += VL) smk_vec(K, RB, al, rd, 0, VMASK(1), a, B + j, ldb, va, vb, C + j, ldc);
    if (j < n) smk_vec(K, RB, al, rd, 1, VMASK(n - j), a, B + j, ldb, va, vb, C + j, ldc);
}

#define SMK_CALL(K, RB) do {                                                                      \
        const float *a_ = A + (size_t)i * asi;                                                   \
        float *c_ = C + (size_t)i * ldc;                                                         \
        if (al && rd) smk_rows(K, RB, 1, 1, n, alpha, a_, asi, asp, B, ldb, beta, c_, ldc);      \
        else if (al) smk_rows(K, RB, 1, 0, n, alpha, a_, asi, asp, B, ldb, beta, c_, ldc);       \
        else if (rd) smk_rows(K, RB, 0, 1, n, alpha, a_, asi, asp, B, ldb, beta, c_, ldc);       \
        else smk_rows(K, RB, 0, 0, n, alpha, a_, asi, asp, B, ldb, beta, c_, ldc);               \
    } while (0)
#define SMK_K(K)                                                                                 \
    static void smk_k##K(int m, int n, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp, \
                         const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {  \
        _Static_assert(SMK_RB(K) * (K) <= VEC_NREG, "smk: the broadcasts fit a[]");              \
        const int al = alpha != 1.0f, rd = beta != 0.0f;                                         \
        int i = 0;                                                                               \
        for (; i + SMK_RB(K) <= m; i += SMK_RB(K)) SMK_CALL(K, SMK_RB(K));                       \
        for (; i < m; i++) SMK_CALL(K, 1);                                                       \
    }
SMK_K(2) SMK_K(3) SMK_K(4) SMK_K(5) SMK_K(6) SMK_K(7) SMK_K(8) SMK_K(9)
#undef SMK_K
#undef SMK_CALL

/* 2 <= k <= SMK_MAXK (the table's contract; other k leave C alone) */
static void k_smallk(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
                     const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {
#define SMK_CASE(K) case K: if (K <= SMK_MAXK) smk_k##K(m, n, alpha, A, asi, asp, B, ldb, beta, C, ldc); break;
    switch (k) {
    SMK_CASE(2) SMK_CASE(3) SMK_CASE(4) SMK_CASE(5) SMK_CASE(6) SMK_CASE(7) SMK_CASE(8) SMK_CASE(9)
    default: break;
    }
#undef SMK_CASE
}
#endif /* MLPB_VEC_PART == 2 */

/* ---- small-M and narrow GEMM tiles ---------------------------------------- */
/* Partial-sum sets: below ~6 independent FMA chains the FMA latency, not its
 * throughput, bounds a tile, so U sets take the k steps in turn and are added
 * in a fixed order at the end (((s0 + s1) + s2) + s3). In the small-M tiles U
 * never depends on a tile's width: the threads split the columns, and an
 * element must be summed the same way wherever the split puts it. op(B) = N
 * (smn): the columns in a call's whole MLPB_SM_UNITs take one set, in wide
 * tiles of SMN_NVW(RB) vectors (RB NVW chains, 10 to 24; a k step reads up to
 * 256 contiguous floats of B, a whole row of W1 in batch 1's forward, which
 * streams W from L2), the last n mod MLPB_SM_UNIT columns SMN_U(RB) sets in
 * tiles of SMN_NV(RB) vectors (for RB >= 6 one set and the same widths);
 * op(B) = T (smt): SMT_U(RB) sets. The widths keep U RB NV (U RB JB) within
 * VEC_SM_ACC. */
#define SMN_U(RB) ((RB) >= 6 ? 1 : (RB) >= 3 ? 2 : 4)
#define SMN_NVW(RB) (VEC_SM_ACC / (RB) < 16 ? VEC_SM_ACC / (RB) : 16)
_Static_assert(MLPB_SM_UNIT % VL == 0, "smn: whole units are whole vectors");
_Static_assert(VEC_SM_MAXR <= VEC_SM_ACC, "smn: a wide tile of every row count has a vector");
#define SMT_U(RB) ((RB) >= 3 ? 1 : 2)
#define SM_CLAMP(x) ((x) < 1 ? 1 : (x) > 8 ? 8 : (x))
#define SMN_NV(RB) SM_CLAMP(VEC_SM_ACC / ((RB) * SMN_U(RB)))
#define SMT_JB(RB) SM_CLAMP(VEC_SM_ACC / ((RB) * SMT_U(RB)))

/* RB rows x NV vectors of C, op(B) = N: per k step NV loads of B, RB broadcasts
 * of A, RB NV FMAs; acc (U RB NV vectors) is the caller's fixed-size array, so
 * after inlining it lives in registers. masked: the last vector covers the
 * lanes of `mask` only. rd: beta != 0 (C is read), a constant after inlining:
 * a test per element was ~12% of a 6-row tile's instructions at k = 1. */
static inline __attribute__((always_inline)) void
smn_tile(const int RB, const int NV, const int U, const int rd, V *acc, const int masked, const VM mask, int k,
         const float *A, ptrdiff_t asi, ptrdiff_t asp, const float *B, ptrdiff_t ldb,
         float alpha, float beta, float *C, ptrdiff_t ldc) {
    UNROLL for (int x = 0; x < U * RB * NV; x++) acc[x] = VZERO();
    int p = 0;
#define SMN_STEP(u) {                                                                            \
        const float *a = A + (size_t)(p + (u)) * asp, *b = B + (size_t)(p + (u)) * ldb;          \
        V *s = acc + (u) * RB * NV, bv[16]; /* NV <= 16 */                                           \
        UNROLL for (int v = 0; v < NV; v++)                                                             \
            bv[v] = masked && v == NV - 1 ? VLOADM(b + v * VL, mask) : VLOAD(b + v * VL);        \
        UNROLL for (int r = 0; r < RB; r++) { /* one broadcast live at a time: no spills */             \
            const V ar = VSET1(a[r * asi]);                                                      \
            UNROLL for (int v = 0; v < NV; v++) s[r * NV + v] = VFMA(ar, bv[v], s[r * NV + v]);         \
        } }
    for (; p + U <= k; p += U)
        UNROLL for (int u = 0; u < U; u++) SMN_STEP(u)
    for (; p < k; p++) SMN_STEP(0)
#undef SMN_STEP
    UNROLL for (int u = 1; u < U; u++)
        UNROLL for (int x = 0; x < RB * NV; x++) acc[x] = VADD(acc[x], acc[u * RB * NV + x]);
    const V va = VSET1(alpha), vb = VSET1(beta);
    UNROLL for (int r = 0; r < RB; r++)
        UNROLL for (int v = 0; v < NV; v++) {
            const int mv = masked && v == NV - 1;
            float *c = C + (size_t)r * ldc + v * VL;
            V y = VMUL(va, acc[r * NV + v]);
            if (rd) y = VFMA(vb, mv ? VLOADM(c, mask) : VLOAD(c), y);
            if (mv) VSTOREM(c, mask, y); else VSTORE(c, y);
        }
}

/* RB rows x JB columns of C, op(B) = T: dot products along k, VL lanes
 * (lane = p mod VL, U sets of k vectors in turn, the k tail masked), then a
 * fixed horizontal sum, four columns at a time (hsum4). */
static inline __attribute__((always_inline)) void
smt_tile(const int RB, const int JB, const int U, V *acc, int k, const float *A, ptrdiff_t lda,
         const float *B, ptrdiff_t ldb, float alpha, float beta, float *C, ptrdiff_t ldc) {
    UNROLL for (int x = 0; x < U * RB * JB; x++) acc[x] = VZERO();
    int p = 0;
#define SMT_STEP(u, LD) {                                                                        \
        V *s = acc + (u) * RB * JB;                                                              \
        UNROLL for (int r = 0; r < RB; r++) {                                                           \
            const V a = LD(A + (size_t)r * lda + p + (u) * VL);                                  \
            UNROLL for (int q = 0; q < JB; q++)                                                         \
                s[r * JB + q] = VFMA(a, LD(B + (size_t)q * ldb + p + (u) * VL), s[r * JB + q]);  \
        } }
#define LD_FULL(x) VLOAD(x)
#define LD_TAIL(x) VLOADM(x, m)
    for (; p + U * VL <= k; p += U * VL)
        UNROLL for (int u = 0; u < U; u++) SMT_STEP(u, LD_FULL)
    for (; p + VL <= k; p += VL) SMT_STEP(0, LD_FULL)
    if (p < k) {
        const VM m = VMASK(k - p);
        SMT_STEP(0, LD_TAIL)
    }
#undef SMT_STEP
#undef LD_FULL
#undef LD_TAIL
    UNROLL for (int u = 1; u < U; u++)
        UNROLL for (int x = 0; x < RB * JB; x++) acc[x] = VADD(acc[x], acc[u * RB * JB + x]);
    /* the sums of up to 4 neighbours of a row at once (hsum4), so they land
     * in one 128-bit vector, stored as the row's next w floats */
    const __m128 va = _mm_set1_ps(alpha), vb = _mm_set1_ps(beta);
    UNROLL for (int r = 0; r < RB; r++)
        UNROLL for (int q0 = 0; q0 < JB; q0 += 4) {
            const int w = JB - q0 < 4 ? JB - q0 : 4;
            __m256 x[4];
            UNROLL for (int t = 0; t < 4; t++) x[t] = q0 + t < JB ? V256SUM(acc[r * JB + q0 + t]) : _mm256_setzero_ps();
            float *c = C + (size_t)r * ldc + q0;
            __m128 y = _mm_mul_ps(va, hsum4(x));
            if (beta != 0.0f) y = _mm_add_ps(y, _mm_mul_ps(vb, load_first4(c, w)));
            store_first(c, _mm256_castps128_ps256(y), w); /* w <= 4: the low half only */
        }
}

/* One function per row count RB: whole row blocks of C. smn: the whole
 * units in tiles of SMN_NVW(RB) vectors and one narrower tile, one set each
 * (smn_w##RB, a function of its own: inside smn_r##RB, among its other tile
 * instances, gcc 12 kept three of batch 4's tile loop addresses on the stack);
 * then the rest in tiles of SMN_NV(RB) vectors and one for the last (its last
 * vector masked). smt: the columns in equal blocks of at most SMT_JB(RB). */
/* one smn tile of NVV vectors at column j, U sets (rd: C read when beta != 0) */
#define SMN_CALL(RB, NVV, U, MSK, MM) do {                                                       \
        if (beta != 0.0f) smn_tile(RB, NVV, U, 1, acc, MSK, MM, k, A, asi, asp, B + j, ldb, alpha, beta, C + j, ldc); \
        else smn_tile(RB, NVV, U, 0, acc, MSK, MM, k, A, asi, asp, B + j, ldb, alpha, beta, C + j, ldc); \
    } while (0)
#define SMN_WREST(RB, NVV) case NVV: if (NVV < NVW) SMN_CALL(RB, NVV, 1, 0, VMASK(1)); break;
#define SMN_REST(RB, NVV) case NVV: if (NVV <= NV) SMN_CALL(RB, NVV, SMN_U(RB), msk, mm); break;
#define SMT_BLOCK(RB, J) case J:                                                                     \
    if (J <= JB) smt_tile(RB, J, SMT_U(RB), acc, k, A, lda, B + (size_t)j * ldb, ldb, alpha,  \
                          beta, C + j, ldc);                                                     \
    break;
#define SMN_ROWS(RB)                                                                             \
    static __attribute__((noinline)) void                                                        \
    smn_w##RB(int nw, int k, const float *A, ptrdiff_t asi, ptrdiff_t asp, const float *B,      \
              ptrdiff_t ldb, float alpha, float beta, float *C, ptrdiff_t ldc) {                 \
        enum { NVW = SMN_NVW(RB) };                                                              \
        V acc[VEC_SM_ACC];                                                                       \
        int j = 0;                                                                               \
        for (; j + NVW * VL <= nw; j += NVW * VL) SMN_CALL(RB, NVW, 1, 0, VMASK(1));             \
        switch ((nw - j) / VL) { /* whole vectors: MLPB_SM_UNIT is a multiple of VL */           \
        SMN_WREST(RB, 1) SMN_WREST(RB, 2) SMN_WREST(RB, 3) SMN_WREST(RB, 4) SMN_WREST(RB, 5)     \
        SMN_WREST(RB, 6) SMN_WREST(RB, 7) SMN_WREST(RB, 8) SMN_WREST(RB, 9) SMN_WREST(RB, 10)    \
        SMN_WREST(RB, 11) SMN_WREST(RB, 12) SMN_WREST(RB, 13) SMN_WREST(RB, 14) SMN_WREST(RB, 15) \
        default: break;                                                                          \
        }                                                                                        \
    }                                                                                            \
    static void smn_r##RB(int n, int k, const float *A, ptrdiff_t asi, ptrdiff_t asp,           \
                          const float *B, ptrdiff_t ldb, float alpha, float beta, float *C,     \
                          ptrdiff_t ldc) {                                                       \
        enum { NV = SMN_NV(RB) };                                                                \
        V acc[VEC_SM_ACC];                                                                       \
        const int nw = n / MLPB_SM_UNIT * MLPB_SM_UNIT; /* [0, nw): one set per element */     \
        if (nw) smn_w##RB(nw, k, A, asi, asp, B, ldb, alpha, beta, C, ldc);                     \
        int j = nw;                                                                              \
        for (; j + NV * VL <= n; j += NV * VL) SMN_CALL(RB, NV, SMN_U(RB), 0, VMASK(1));         \
        if (j < n) {                                                                             \
            const int r = n - j, msk = r % VL != 0;                                              \
            const VM mm = VMASK(msk ? r % VL : 1);                                               \
            switch ((r + VL - 1) / VL) {                                                         \
            SMN_REST(RB, 1) SMN_REST(RB, 2) SMN_REST(RB, 3) SMN_REST(RB, 4) SMN_REST(RB, 5) SMN_REST(RB, 6) SMN_REST(RB, 7) \
            SMN_REST(RB, 8)\
            default: break;                                                                      \
            }                                                                                    \
        }                                                                                        \
    }
#define SMT_ROWS(RB)                                                                            \
    static void smt_r##RB(int n, int k, const float *A, ptrdiff_t lda, const float *B,          \
                          ptrdiff_t ldb, float alpha, float beta, float *C, ptrdiff_t ldc) {    \
        enum { JB = SMT_JB(RB) };                                                              \
        V acc[VEC_SM_ACC];                                                                       \
        const int nb = (n + JB - 1) / JB;                                                        \
        for (int b = 0, j = 0; b < nb; b++) {                                                    \
            const int jb = (n - j + (nb - b) - 1) / (nb - b);                                    \
            switch (jb) {                                                                        \
            SMT_BLOCK(RB, 1) SMT_BLOCK(RB, 2) SMT_BLOCK(RB, 3) SMT_BLOCK(RB, 4)                                  \
            SMT_BLOCK(RB, 5) SMT_BLOCK(RB, 6) SMT_BLOCK(RB, 7) SMT_BLOCK(RB, 8)                                  \
            default: break;                                                                      \
            }                                                                                    \
            j += jb;                                                                             \
        }                                                                                        \
    }

#if MLPB_VEC_PART == 1
SMN_ROWS(1) SMN_ROWS(2) SMN_ROWS(3) SMN_ROWS(4) SMN_ROWS(5) SMN_ROWS(6)
#if VEC_SM_MAXR > 6
SMN_ROWS(7) SMN_ROWS(8) SMN_ROWS(9) SMN_ROWS(10) SMN_ROWS(11) SMN_ROWS(12)
#endif

void k_smallm_bn(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
                 const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {
#define SM_CASE(RB) case RB: smn_r##RB(n, k, A, asi, asp, B, ldb, alpha, beta, C, ldc); break;
    switch (m) {
    SM_CASE(1) SM_CASE(2) SM_CASE(3) SM_CASE(4) SM_CASE(5) SM_CASE(6)
#if VEC_SM_MAXR > 6
    SM_CASE(7) SM_CASE(8) SM_CASE(9) SM_CASE(10) SM_CASE(11) SM_CASE(12)
#endif
    default: break;
    }
#undef SM_CASE
}
#else
SMT_ROWS(1) SMT_ROWS(2) SMT_ROWS(3) SMT_ROWS(4) SMT_ROWS(5) SMT_ROWS(6)
#if VEC_SM_MAXR > 6
SMT_ROWS(7) SMT_ROWS(8) SMT_ROWS(9) SMT_ROWS(10) SMT_ROWS(11) SMT_ROWS(12)
#endif

/* t[0], t[1]: k steps 0 and 1 (kw <= 2 of them) of the w <= 8 lines of B at
 * b (ldb apart), one line per lane, 0 past them: two 4x2 transposes per half */
static inline __attribute__((always_inline)) void tr8x2(const float *b, ptrdiff_t ldb, int w, int kw, __m256 t[2]) {
    __m128 x[8];
    UNROLL for (int q = 0; q < 8; q++)
        x[q] = q >= w ? _mm_setzero_ps() : kw == 1 ? _mm_load_ss(b + q * ldb) : load_first4(b + q * ldb, 2);
    __m128 k0[2], k1[2]; /* (lines 4h .. 4h+3, k step 0 / 1) */
    UNROLL for (int h = 0; h < 2; h++) tr4x2(x + 4 * h, &k0[h], &k1[h]);
    t[0] = _mm256_set_m128(k0[1], k0[0]);
    t[1] = _mm256_set_m128(k1[1], k1[0]);
}

/* op(B) = T with k <= SMT_KMAX: dot products along k would fill at most two
 * vectors per column and pay a horizontal sum for each, so instead each 8
 * columns' rows of B are transposed in registers (tr8x8 per 8 k steps, tr8x2
 * for a tail of 1-2), and each row of C takes a product and k - 1 FMAs, in k
 * order, on broadcasts of A: bwd-W3 at batch 1-6 (1 x 128 x 10 ...). The lanes are
 * columns, so every element is summed the same way wherever the threads cut
 * the columns. */
#define SMT_KMAX 16
/* the 8 (full) or w columns of C at c, K (a constant) k steps */
static inline __attribute__((always_inline)) void
smt_k_cols(const int K, const int full, int w, int m, const float *A, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
           float alpha, float beta, float *c, ptrdiff_t ldc) {
    __m256 t[SMT_KMAX]; /* t[p] = B(j0 .. j0+7, p) */
    UNROLL for (int p0 = 0; p0 < K; p0 += 8) {
        const int kw = K - p0 < 8 ? K - p0 : 8;
        if (kw <= 2) {
            tr8x2(b + p0, ldb, full ? 8 : w, kw, t + p0);
            continue;
        }
        UNROLL for (int q = 0; q < 8; q++)
            t[p0 + q] = full || q < w ? load_first8(b + (size_t)q * ldb + p0, kw) : _mm256_setzero_ps();
        tr8x8(t + p0);
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int r = 0; r < m; r++) {
        const float *a = A + (size_t)r * lda;
        __m256 acc = _mm256_mul_ps(_mm256_broadcast_ss(a), t[0]);
        UNROLL for (int p = 1; p < K; p++) acc = _mm256_fmadd_ps(_mm256_broadcast_ss(a + p), t[p], acc);
        float *cr = c + (size_t)r * ldc;
        __m256 y = _mm256_mul_ps(va, acc);
        if (beta != 0.0f) y = _mm256_fmadd_ps(vb, full ? _mm256_loadu_ps(cr) : load_first8(cr, w), y);
        if (full) _mm256_storeu_ps(cr, y);
        else store_first(cr, y, w);
    }
}

static void smallm_bt_k(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda, const float *B,
                        ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {
    const int n8 = n / 8 * 8;
#define SMT_K(K) case K:                                                                          \
    for (int j0 = 0; j0 < n8; j0 += 8)                                                           \
        smt_k_cols(K, 1, 8, m, A, lda, B + (size_t)j0 * ldb, ldb, alpha, beta, C + j0, ldc);    \
    if (n8 < n) smt_k_cols(K, 0, n - n8, m, A, lda, B + (size_t)n8 * ldb, ldb, alpha, beta, C + n8, ldc); \
    break;
    switch (k) {
    SMT_K(1) SMT_K(2) SMT_K(3) SMT_K(4) SMT_K(5) SMT_K(6) SMT_K(7) SMT_K(8)
    SMT_K(9) SMT_K(10) SMT_K(11) SMT_K(12) SMT_K(13) SMT_K(14) SMT_K(15) SMT_K(16)
    default: break;
    }
#undef SMT_K
}

/* op(B) = T with m = 1 and k > SMT_KMAX (batch 1's backward, 1 x 256 x 128):
 * C's columns in tiles of VL, one FMA chain per column along k (lane = p mod
 * VL, the k tail masked), then vsums' fixed tree. A column's sum never
 * depends on its tile (a short last tile re-reads its last row for the
 * missing ones and stores only its own lanes), so threads may cut anywhere.
 * A tile reads its rows one after another, SMT1_KV vectors of a row at a
 * time: smt_r1's rows taken in turns, with or without a software prefetch,
 * left the L2 stream of a 1 x 256 x 128 ~1.3x slower (Zen 5). The prefetch
 * of the row 8 ahead, a line per vector, is gone: without it bwd-W2 at
 * batch 1 ran 1.22-1.24x on the Xeon VM, either ISA (results/kernels/
 * xeon_smt1, _avx2; its share of the Zen 5 gain was never measured alone). */
#define SMT1_KV (VEC_NREG >= 32 ? 8 : 4)
static inline __attribute__((always_inline)) void
smt1_rows(const int KV, const int masked, const VM mk, V *acc, int p, const float *a, const float *B, ptrdiff_t ldb,
          int j, int n) {
    V av[SMT1_KV];
    UNROLL for (int v = 0; v < KV; v++) av[v] = masked ? VLOADM(a + p + v * VL, mk) : VLOAD(a + p + v * VL);
    UNROLL for (int q = 0; q < VL; q++) {
        const int jr = j + q < n ? j + q : n - 1;
        const float *b = B + (size_t)jr * ldb + p;
        UNROLL for (int v = 0; v < KV; v++)
            acc[q] = VFMA(av[v], masked ? VLOADM(b + v * VL, mk) : VLOAD(b + v * VL), acc[q]);
    }
}

static void smallm_bt_1(int n, int k, float alpha, const float *A, const float *B, ptrdiff_t ldb, float beta,
                        float *C) {
    const int kf = k / (SMT1_KV * VL) * (SMT1_KV * VL), nv = (k - kf) / VL, kv = kf + nv * VL;
    const V va = VSET1(alpha), vb = VSET1(beta);
    for (int j = 0; j < n; j += VL) {
        V acc[VL];
        UNROLL for (int q = 0; q < VL; q++) acc[q] = VZERO();
        for (int p = 0; p < kf; p += SMT1_KV * VL) smt1_rows(SMT1_KV, 0, VMASK(1), acc, p, A, B, ldb, j, n);
        switch (nv) {
#define SMT1_REST(KV) case KV: if (KV < SMT1_KV) smt1_rows(KV, 0, VMASK(1), acc, kf, A, B, ldb, j, n); break;
        SMT1_REST(1) SMT1_REST(2) SMT1_REST(3) SMT1_REST(4) SMT1_REST(5) SMT1_REST(6) SMT1_REST(7)
#undef SMT1_REST
        default: break;
        }
        if (kv < k) smt1_rows(1, 1, VMASK(k - kv), acc, kv, A, B, ldb, j, n);
        V y = VMUL(va, vsums(acc));
        if (n - j >= VL) {
            if (beta != 0.0f) y = VFMA(vb, VLOAD(C + j), y);
            VSTORE(C + j, y);
        } else {
            const VM mw = VMASK(n - j);
            if (beta != 0.0f) y = VFMA(vb, VLOADM(C + j, mw), y);
            VSTOREM(C + j, mw, y);
        }
    }
}

static void k_smallm_bt(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda,
                        const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {
    if (k >= 1 && k <= SMT_KMAX) { /* (k = 0, C = beta C, below) */
        smallm_bt_k(m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (m == 1 && k > 0) {
        smallm_bt_1(n, k, alpha, A, B, ldb, beta, C);
        return;
    }
#define SM_CASE(RB) case RB: smt_r##RB(n, k, A, lda, B, ldb, alpha, beta, C, ldc); break;
    switch (m) {
    SM_CASE(1) SM_CASE(2) SM_CASE(3) SM_CASE(4) SM_CASE(5) SM_CASE(6)
#if VEC_SM_MAXR > 6
    SM_CASE(7) SM_CASE(8) SM_CASE(9) SM_CASE(10) SM_CASE(11) SM_CASE(12)
#endif
    default: break;
    }
#undef SM_CASE
}

/* ---- narrow N with op(A) = N: dot products over k-quads ------------------- */
/* C(m,n) = alpha A Bq + beta C for n <= 12 (the output layer's forward GEMM,
 * b x 10 x 128), A (m,k) read in place. A vector holds Q = VL/2 k steps of two
 * columns of C: B packed once per call as Bq (pack_q), and A's Q floats at k
 * step p broadcast to both halves (one load), so that every lane does useful
 * work for any even n (n = 10: 5 vectors) and each element of C ends as a sum
 * of Q lanes. The earlier path took each column's dot product over full
 * VL-wide k vectors, in tiles of 3 rows (6 with AVX-512) x 4 + 3 + 3 columns,
 * and paid a full horizontal sum per element and 3 tiles' set-up per tile
 * row. A tile's RB NP accumulators (NP = n/2 rounded up per row) are summed
 * 4 at a time by QSUM8 in row-major order, each element's 4 lanes in a fixed
 * order; rows are independent, so any row split gives the same bits. */
enum { DQ_Q = VL / 2 };
/* rows per tile: the accumulators (RB NP), one vector of B per pair of
 * columns and the broadcast of A must fit the register file (n = 10: 2 x 5 + 5
 * + 1 = 16 ymm; 4 x 5 + 5 + 1 = 26 zmm) */
#define DQ_ROWS (VEC_NREG >= 32 ? 4 : 2)

/* k_pack_q's last w <= 4 columns of one k-quad (its first `valid` rows), and
 * zeros for the pad column when w is odd (w <= 2: two 4x2 transposes) */
static inline __attribute__((always_inline)) void
pq4_cols(const float *src, ptrdiff_t ldb, const int valid, float *d, const int w) {
    __m128 x[4];
    UNROLL for (int q = 0; q < 4; q++) x[q] = q < valid ? load_first4(src + q * ldb, w) : _mm_setzero_ps();
    if (w <= 2) {
        __m128 c0, c1;
        tr4x2(x, &c0, &c1);
        _mm_storeu_ps(d, c0);
        _mm_storeu_ps(d + 4, c1);
        return;
    }
    _MM_TRANSPOSE4_PS(x[0], x[1], x[2], x[3]);
    UNROLL for (int q = 0; q < 4; q++) _mm_storeu_ps(d + 4 * q, x[q]);
}

/* one k-quad of k_pack_q (AVX2): its first `valid` rows of B (the rest 0),
 * 8 columns at a time, then the last n mod 8 */
static inline __attribute__((always_inline)) void
pq4_quad(const float *src, ptrdiff_t ldb, const int valid, int n, float *d) {
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 r[4], c[4]; /* c[l]: (col l | col l + 4) */
        UNROLL for (int q = 0; q < 4; q++) r[q] = q < valid ? _mm256_loadu_ps(src + (size_t)q * ldb + j) : _mm256_setzero_ps();
        tr4x8_lanes(r, c);
        _mm256_storeu_ps(d + 4 * j, _mm256_permute2f128_ps(c[0], c[1], 0x20));
        _mm256_storeu_ps(d + 4 * j + 8, _mm256_permute2f128_ps(c[2], c[3], 0x20));
        _mm256_storeu_ps(d + 4 * j + 16, _mm256_permute2f128_ps(c[0], c[1], 0x31));
        _mm256_storeu_ps(d + 4 * j + 24, _mm256_permute2f128_ps(c[2], c[3], 0x31));
    }
    for (; j < n; j += 4) /* the last (up to) 4 columns, and the pad column's zeros */
        switch (n - j) {
        case 1: pq4_cols(src + j, ldb, valid, d + 4 * j, 1); break;
        case 2: pq4_cols(src + j, ldb, valid, d + 4 * j, 2); break;
        case 3: pq4_cols(src + j, ldb, valid, d + 4 * j, 3); break;
        default: pq4_cols(src + j, ldb, valid, d + 4 * j, 4); break;
        }
}

/* Bq[(p NP2 + j) Q + l] = op(B)(p Q + l, j) for p < ceil(k/Q), j < NP2 = n
 * rounded up to even, l < Q; 0 past k and n. tb == 0: op(B) = B (k,n),
 * transposed per k-quad in 4 x 4 blocks (AVX2, Q = 4: 8 columns at a time,
 * then pq4_cols) or per 8 k steps in 4-column chunks (AVX-512, Q = 8:
 * vec_avx512.c's pq8_block); tb != 0:
 * op(B) = B^T, B (n,k): runs of Q floats copied. */
static void k_pack_q(int k, int n, const float *B, ptrdiff_t ldb, int tb, float *Bq) {
    const int NP2 = (n + 1) / 2 * 2, nq = (k + DQ_Q - 1) / DQ_Q;
    if (tb) {
        for (int p = 0; p < nq; p++)
            for (int j = 0; j < NP2; j++)
                for (int l = 0; l < DQ_Q; l++) {
                    const int kk = p * DQ_Q + l;
                    Bq[((size_t)p * NP2 + j) * DQ_Q + l] = j < n && kk < k ? B[(size_t)j * ldb + kk] : 0.0f;
                }
        return;
    }
    if (DQ_Q == 4) { /* per k-quad: 4 rows of B, transposed in 4 x 4 blocks, stored as one run */
        const int kq = k / 4;
        for (int p = 0; p < kq; p++) pq4_quad(B + (size_t)(4 * p) * ldb, ldb, 4, n, Bq + (size_t)p * NP2 * 4);
        if (k % 4 == 0) return;
        const float *src = B + (size_t)(4 * kq) * ldb; /* the last k-quad's rows, the rest 0 */
        float *d = Bq + (size_t)kq * NP2 * 4;
        switch (k % 4) {
        case 1: pq4_quad(src, ldb, 1, n, d); break;
        case 2: pq4_quad(src, ldb, 2, n, d); break;
        default: pq4_quad(src, ldb, 3, n, d); break;
        }
        return;
    }
#if VL == 16 /* Q = 8: the ISA file's pq8_block, each column pair's 8 k steps one store */
    for (int p8 = 0; p8 < k; p8 += 8)
        pq8_block(B + (size_t)p8 * ldb, ldb, k - p8 < 8 ? k - p8 : 8, n, NP2, Bq + (size_t)(p8 / 8) * NP2 * 8);
#elif VL != 8
#error "k_pack_q: no tb == 0 pack for this vector length"
#endif
}

/* RB rows x NP column pairs: per k-quad NP loads of Bq, RB broadcasts of A,
 * RB NP FMAs; the k tail (k mod Q) broadcast masked (Bq is 0 there). pf (may
 * be NULL): RB rows (lda apart) to prefetch meanwhile, a line per 16 k; PF
 * (a constant) says whether there are, so the loop without has no branch. VKEEP
 * pins each B vector to a register: left alone gcc 12 folds B's load into
 * every FMA that uses it (RB loads per vector instead of one), which left
 * this loop load-bound on Zen 3; and each accumulator once per k-quad: at
 * -O2 gcc 12 kept a constant of the epilogue in a register through the loop
 * and one accumulator in memory (an FMA from and a store to the stack per
 * k-quad), which halved the speed of -O2 builds (RelWithDebInfo). */
static inline __attribute__((always_inline)) void
dq_tile(const int RB, const int NP, int n, int k, const float *A, ptrdiff_t lda, const float *Bq,
        float alpha, float beta, float *C, ptrdiff_t ldc, const int PF, const float *pf) {
    V acc[DQ_ROWS * 6];
    UNROLL for (int x = 0; x < RB * NP; x++) acc[x] = VZERO();
    const int kq = k / DQ_Q, pin = RB * NP + NP + 1 <= VEC_NREG; /* the loop's vectors fit the registers */
    const float *b = Bq;
    for (int p = 0; p < kq; p++, b += 2 * NP * DQ_Q) {
        V bv[6];
        UNROLL for (int c = 0; c < NP; c++) {
            bv[c] = VLOAD(b + c * VL);
            if (pin) VKEEP(bv[c]);
        }
        if (PF && (p * DQ_Q) % 16 == 0) /* a line of each of RB rows of the next block */
            UNROLL for (int r = 0; r < RB; r++) _mm_prefetch((const char *)(pf + (size_t)r * lda + p * DQ_Q), _MM_HINT_T0);
        UNROLL for (int r = 0; r < RB; r++) {
            const V a = VBCASTQ(A + (size_t)r * lda + p * DQ_Q); /* A(i, pQ .. pQ+Q-1) in both halves */
            UNROLL for (int c = 0; c < NP; c++) acc[r * NP + c] = VFMA(a, bv[c], acc[r * NP + c]);
        }
        if (pin)
            UNROLL for (int x = 0; x < RB * NP; x++) VKEEP(acc[x]);
    }
    if (k % DQ_Q)
        UNROLL for (int r = 0; r < RB; r++) {
            const V a = VBCASTQM(A + (size_t)r * lda + kq * DQ_Q, k % DQ_Q);
            UNROLL for (int c = 0; c < NP; c++) acc[r * NP + c] = VFMA(a, VLOAD(b + c * VL), acc[r * NP + c]);
        }
    /* The RB NP vectors in row-major order, 4 at a time through QSUM8: sum
     * vector v holds pairs 4v .. 4v+3, so the tile's sums come out row-major
     * with rows 2 NP wide (the pad column of odd n included), and odd NP
     * wastes no reduction on zeros but in the last vector. */
    const __m256 va = _mm256_set1_ps(alpha);
    __m256 s[(DQ_ROWS * 6 + 3) / 4];
    UNROLL for (int v = 0; v < (RB * NP + 3) / 4; v++) {
        V x[4];
        UNROLL for (int t = 0; t < 4; t++) x[t] = 4 * v + t < RB * NP ? acc[4 * v + t] : VZERO();
        s[v] = _mm256_mul_ps(va, QSUM8(x));
    }
    if (beta != 0.0f) { /* C = alpha sums + beta C, row by row through a copy of the sums */
        float f[8 * ((DQ_ROWS * 6 + 3) / 4)];
        const __m256 vb = _mm256_set1_ps(beta);
        UNROLL for (int v = 0; v < (RB * NP + 3) / 4; v++) _mm256_storeu_ps(f + 8 * v, s[v]);
        for (int r = 0; r < RB; r++)
            for (int j = 0; j < n; j += 8) {
                const int w = n - j < 8 ? n - j : 8;
                float *c = C + (size_t)r * ldc + j;
                store_first(c, _mm256_fmadd_ps(vb, load_first8(c, w), load_first8(f + 2 * NP * r + j, w)), w);
            }
        return;
    }
    const int odd = n & 1;
    UNROLL for (int r = 0; r < RB; r++) { /* row r: sums 2 NP r .. 2 NP r + n - 1, in pieces of the vectors */
        float *c = C + (size_t)r * ldc;
        const int f0 = 2 * NP * r, f1 = f0 + 2 * NP - 1; /* the row's first and (without the pad) last sum */
        UNROLL for (int v = f0 / 8; v * 8 < f1; v++) {
            const int lo = f0 > 8 * v ? f0 - 8 * v : 0, hi = f1 < 8 * v + 8 ? f1 - 8 * v : 8;
            store_lanes(c + 8 * v + lo - f0, s[v], lo, hi - lo);
        }
        if (!odd) store_lanes(c + 2 * NP - 1, s[f1 / 8], f1 % 8, 1);
    }
}

/* Row tiles of DQ_ROWS, then single rows; the tile at row i prefetches rows
 * i .. i+DQ_ROWS-1 of `next` (same k and lda) while they exist. */
#define DQ_NP(NP)                                                                                \
    static void dq_np##NP(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda,      \
                          const float *Bq, float beta, float *C, ptrdiff_t ldc, const mlpb_span *next) { \
        const int pfr = next ? next->rows : 0;                                                   \
        int i = 0;                                                                               \
        for (; i + DQ_ROWS <= m; i += DQ_ROWS) {                                                 \
            const float *a = A + (size_t)i * lda;                                                \
            float *c = C + (size_t)i * ldc;                                                      \
            if (i + DQ_ROWS <= pfr)                                                              \
                dq_tile(DQ_ROWS, NP, n, k, a, lda, Bq, alpha, beta, c, ldc, 1, next->p + (size_t)i * lda); \
            else                                                                                 \
                dq_tile(DQ_ROWS, NP, n, k, a, lda, Bq, alpha, beta, c, ldc, 0, NULL);            \
        }                                                                                        \
        for (; i < m; i++) /* no prefetch: at most DQ_ROWS - 1 rows */                          \
            dq_tile(1, NP, n, k, A + (size_t)i * lda, lda, Bq, alpha, beta, C + (size_t)i * ldc, ldc, 0, NULL); \
    }
DQ_NP(1) DQ_NP(2) DQ_NP(3) DQ_NP(4) DQ_NP(5) DQ_NP(6)
#undef DQ_NP

static void k_dotq(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda, const float *Bq,
                   float beta, float *C, ptrdiff_t ldc, const mlpb_span *next) {
    switch ((n + 1) / 2) {
    case 1: dq_np1(m, n, k, alpha, A, lda, Bq, beta, C, ldc, next); break;
    case 2: dq_np2(m, n, k, alpha, A, lda, Bq, beta, C, ldc, next); break;
    case 3: dq_np3(m, n, k, alpha, A, lda, Bq, beta, C, ldc, next); break;
    case 4: dq_np4(m, n, k, alpha, A, lda, Bq, beta, C, ldc, next); break;
    case 5: dq_np5(m, n, k, alpha, A, lda, Bq, beta, C, ldc, next); break;
    case 6: dq_np6(m, n, k, alpha, A, lda, Bq, beta, C, ldc, next); break;
    default: break;
    }
}

/* ---- narrow N with op(A) = T: C computed as C^T tiles ------------------------ */
/* A's rows beyond the caches come in slowly as C^T tiles read them, one 16-
 * or 32-float slab of many rows at a time (a 512-byte stride at m = 128),
 * which the hardware prefetcher serves poorly from DRAM. So while a K block
 * is computed, the next one (`next`) is requested, spread over the block:
 * a tile asks for one line of every pfs-th row of the next block as k
 * reaches that row (k_narrow_tc says which line and pfs; gemm.c when;
 * results/frame_ab/pf.txt the gain). */
/* JB columns x G VL rows of C (lanes = rows, G = 1 or 2 vectors of rows): per
 * k step G loads of the row A(p, i0 : i0+G VL) (op(A) = A^T, so rows of A are
 * columns of C), JB broadcasts of B(p, j), G JB FMAs; U sets as above. Then
 * each 8 rows by 4 columns are transposed in 128-bit lanes (rows l and l+4 in
 * one vector) and stored as `rows` rows of JB floats: C = alpha acc + beta C,
 * rd = (beta != 0) a constant after inlining, beta == 0 never reads C.
 * (Before: 8x8 transposes, tr8x8, and a test of beta per row; the store and
 * the tile's set-up took ~300 instructions, a third of a tile's at b = 32.) */
#define TC_MAXJ 12 /* accumulators of a C^T tile */
#define PF_CH 2 /* the largest pfs: at most this many k steps per prefetch */
static inline __attribute__((always_inline)) void
tc_tile(const int G, const int JB, const int U, const int rd, V *acc, int rows, int k, const float *A, ptrdiff_t lda,
        const float *B, ptrdiff_t ldb, float alpha, float beta, float *C, ptrdiff_t ldc,
        const char *pfb, ptrdiff_t pfld, int pfn, int pfs, int pfph) {
    UNROLL for (int x = 0; x < U * G * JB; x++) acc[x] = VZERO();
    const int full = rows == G * VL, rl = rows - (G - 1) * VL; /* rows of the last vector */
    const VM rm = VMASK(rl > 0 && rl < VL ? rl : 1);
    int p = 0;
#define TC_STEP(u, FULL) {                                                                       \
        const float *a = A + (size_t)(p + (u)) * lda, *b = B + (size_t)(p + (u)) * ldb;          \
        V av[2]; /* G <= 2 */                                                                    \
        UNROLL for (int g = 0; g < G; g++)                                                       \
            av[g] = (FULL) || g < G - 1 ? VLOAD(a + g * VL) : VLOADM(a + g * VL, rm);            \
        V *s = acc + (u) * G * JB;                                                               \
        UNROLL for (int q = 0; q < JB; q++) {                                                    \
            const V bq = VSET1(b[q]);                                                            \
            UNROLL for (int g = 0; g < G; g++) s[g * JB + q] = VFMA(bq, av[g], s[g * JB + q]);   \
        } }
    /* With a span (pfn rows): before each step of U k's, the tile asks for
     * the next block's rows q (of phase pfph mod pfs) that k has reached, its
     * address bumped as an integer (it runs past the span). Without, the
     * plain loop: with the span, dW3 at batch 1024 (A in cache) takes 1.1-1.4x
     * the time (Zen 3, results/frame_ab/pf.txt), as it did with the k loop cut
     * in PF_CH-step chunks that this loop replaced (02d68bd's pf.txt). */
    const int ku = k - k % U;
#define TC_LOOP(FULL)                                                                            \
    if (pfn == 0)                                                                                \
        for (; p < ku; p += U)                                                                   \
            UNROLL for (int u = 0; u < U; u++) TC_STEP(u, FULL)                                  \
    else {                                                                                       \
        uintptr_t pa = (uintptr_t)pfb + (uintptr_t)(pfph * pfld); /* row qn's line, bumped */   \
        for (int qn = pfph; p < ku; p += U) {                                                    \
            for (; qn < pfn && qn < p + U; qn += pfs, pa += (uintptr_t)(pfs * pfld))             \
                _mm_prefetch((const char *)pa, _MM_HINT_T1);                                     \
            UNROLL for (int u = 0; u < U; u++) TC_STEP(u, FULL)                                  \
        }                                                                                        \
    }                                                                                            \
    for (; p < k; p++) TC_STEP(0, FULL)
    if (full) {
        TC_LOOP(1)
    } else {
        TC_LOOP(0)
    }
#undef TC_LOOP
#undef TC_STEP
    UNROLL for (int u = 1; u < U; u++)
        UNROLL for (int x = 0; x < G * JB; x++) acc[x] = VADD(acc[x], acc[u * G * JB + x]);
    const __m256 va = _mm256_set1_ps(alpha);
    const __m128 vb = _mm_set1_ps(beta);
    UNROLL for (int h = 0; h < G * VL / 8; h++) {             /* rows 8h .. 8h+7 of the tile */
        if (8 * h >= rows) break;
        const int g = h / (VL / 8), gh = h % (VL / 8);        /* in lanes 8gh .. of vector g */
        __m256 u[TC_MAXJ]; /* u[c0 + l]: rows l and l+4 (low, high half) of columns c0 .. c0+w-1 */
        UNROLL for (int c0 = 0; c0 < JB; c0 += 4) {           /* columns c0 .. c0+w-1 */
            const int w = JB - c0 < 4 ? JB - c0 : 4;
            __m256 x[4];
            UNROLL for (int q = 0; q < 4; q++)
                x[q] = q < w ? _mm256_mul_ps(va, VHALF(acc[g * JB + c0 + q], gh)) : _mm256_setzero_ps();
            (void)gh;
            if (w == 1) {
                UNROLL for (int l = 0; l < 4; l++) u[c0 + l] = _mm256_permutevar_ps(x[0], _mm256_set1_epi32(l));
            } else if (w == 2) { /* half the shuffles: rows l and l+1 of one unpack, the second moved down */
                const __m256 t0 = _mm256_unpacklo_ps(x[0], x[1]), t1 = _mm256_unpackhi_ps(x[0], x[1]);
                u[c0] = t0;
                u[c0 + 1] = _mm256_permute_ps(t0, _MM_SHUFFLE(3, 2, 3, 2));
                u[c0 + 2] = t1;
                u[c0 + 3] = _mm256_permute_ps(t1, _MM_SHUFFLE(3, 2, 3, 2));
            } else {
                tr4x8_lanes(x, u + c0);
            }
        }
        UNROLL for (int l = 0; l < 8; l++) {                  /* row 8h + l: its column groups */
            if (8 * h + l >= rows) break;
            float *c = C + (size_t)(8 * h + l) * ldc;
            UNROLL for (int c0 = 0; c0 < JB; c0 += 4) {
                const int w = JB - c0 < 4 ? JB - c0 : 4;
                __m128 y = l < 4 ? _mm256_castps256_ps128(u[c0 + l]) : _mm256_extractf128_ps(u[c0 + l - 4], 1);
                if (rd) y = _mm_fmadd_ps(vb, load_first4(c + c0, w), y);
                store_first(c + c0, _mm256_castps128_ps256(y), w);
            }
        }
    }
}

#define TC_U(J) ((J) >= 6 ? 1 : (J) >= 3 ? 2 : 4)     /* here the rows are split, never the columns */
#define TC_CALL(G, J, RD) tc_tile(G, J, G == 2 ? 1 : TC_U(J), RD, acc, rows, k, A + i0, lda, B + j, ldb, alpha, beta, \
                                  C + (size_t)i0 * ldc + j, ldc, pfb + pf_off(pft, pfw), pfld,                 \
                                  tile < pfs * pfl ? pfn : 0, pfs, pfp)
#define TC_BLOCK(G, J) case J: if (beta != 0.0f) TC_CALL(G, J, 1); else TC_CALL(G, J, 0); break;
/* the byte of a next-block row (w bytes) on its line l */
static inline int pf_off(int l, int w) { return 64 * l < w ? 64 * l : w - 1; }
/* the tiling of k_narrow_tc: vectors of rows (G) for a tile with `left`
 * rows of C to go, and the column blocks (at most TC_MAXJ / G wide) of n */
static inline int tc_g(int two, int left) { return two && left > VL ? 2 : 1; }
static inline int tc_nb(int n, int G) { return (n + TC_MAXJ / G - 1) / (TC_MAXJ / G); }

/* Columns in balanced blocks of at most 12 (tiles of one vector of rows) or
 * 6 (two vectors: half the broadcasts per FMA; dW3 at batch 32-1024 took
 * 3-30% less time, Zen 3), except that two-vector tiles with 9-12 columns to
 * go cut 6 and the rest (n = 10: 6 + 4, stored as 4 + 2 and 4 columns, not
 * 4 + 1 twice: faster at b = 1, the same from b = 32 on, in a scratch A/B).
 * Two vectors only where U = 1 either way (6 <= n <= 12),
 * so each element's sum is the same however the rows are grouped, and the
 * thread split cannot change it. */
static void k_narrow_tc(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda, const float *B,
                        ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc, const mlpb_span *next) {
    V acc[TC_MAXJ];
    const int two = n >= 6 && n <= 12;
    /* the next block: row 0 at pfb, rows pfld bytes apart, pfn rows of pfw bytes on pfl lines */
    const int pfn = next && next->cols > 0 ? next->rows : 0;
    const char *pfb = pfn ? (const char *)next->p : (const char *)A;
    const ptrdiff_t pfld = pfn ? next->ld * (ptrdiff_t)sizeof(float) : 0;
    const int pfw = pfn ? (int)sizeof(float) * next->cols : 1;
    const int pfl = (int)((((uintptr_t)pfb + (uintptr_t)pfw - 1) >> 6) - ((uintptr_t)pfb >> 6)) + 1; /* its lines */
    /* tile t < pfs pfl prefetches line t mod pfl of the rows r with r mod pfs
     * = t / pfl; pfs = 2 (PF_CH) when there are tiles enough, else 1. Spread
     * so (a line every pfs k steps per tile, over the whole block), 128 x 10
     * x 60000 gained more than with every line asked for in the first pfl
     * tiles, which outruns DRAM (frame_ab pf, the two variants' runs in
     * turns). With fewer tiles than lines (AVX-512, or n <= 6 with rows not
     * on a line boundary) the lines past the last tile go unasked; giving a
     * tile several lines cost ~8% on the AVX2 n = 10 case, so they stay a
     * hint not taken. pfl follows row 0: with ld not a whole number of lines
     * a row may have one line more, also unasked. */
    int tile = 0, pfs = 1, pft = 0, pfp = 0; /* pft = tile mod pfl, pfp = tile / pfl mod pfs */
    if (pfn) { /* the pace needs the tile count; without a span there is none to set */
        int tiles = 0;
        for (int i0 = 0; i0 < m; i0 += tc_g(two, m - i0) * VL) tiles += tc_nb(n, tc_g(two, m - i0));
        while (2 * pfs * pfl <= tiles && 2 * pfs <= PF_CH) pfs *= 2;
    }
    for (int i0 = 0; i0 < m;) {
        const int G = tc_g(two, m - i0), rows = m - i0 < G * VL ? m - i0 : G * VL, nb = tc_nb(n, G);
        for (int b = 0, j = 0; b < nb; b++) {
            const int left = nb - b; /* blocks to go, the width of this one without a division when <= 2 */
            const int jb = left == 1   ? n - j
                           : left == 2 ? (G == 2 && n - j > 8 ? 6 : (n - j + 1) / 2)
                                       : (n - j + left - 1) / left;
            if (G == 2) {
                switch (jb) {
                TC_BLOCK(2, 3) TC_BLOCK(2, 4) TC_BLOCK(2, 5) TC_BLOCK(2, 6)
                default: break;
                }
            } else {
                switch (jb) {
                TC_BLOCK(1, 1) TC_BLOCK(1, 2) TC_BLOCK(1, 3) TC_BLOCK(1, 4) TC_BLOCK(1, 5) TC_BLOCK(1, 6)
                TC_BLOCK(1, 7) TC_BLOCK(1, 8) TC_BLOCK(1, 9) TC_BLOCK(1, 10) TC_BLOCK(1, 11) TC_BLOCK(1, 12)
                default: break;
                }
            }
            j += jb;
            tile++;
            if (++pft == pfl) {
                pft = 0;
                if (++pfp == pfs) pfp = 0;
            }
        }
        i0 += rows;
    }
}

const mlpb_vec_isa VEC_TABLE = {
    VEC_ISA, VL, VEC_SM_MAXR, SMK_MAXK, DQ_ROWS, k_exp,
    k_bias_row, k_sigmoid_row, k_bias_sigmoid_row, k_dsigmoid_row, k_dsigmoid_epi_row,
    k_softmax_row, k_xent_row, k_colsum, k_axpy,
    k_pack_t, k_smallm_bn, k_smallm_bt, k_pack_q, k_dotq, k_narrow_tc, k_stream_rows, k_stream_fence,
    k_rank1, k_smallk,
};
#endif /* MLPB_VEC_PART == 2 */

#endif /* MLPB_VEC_TEMPLATE */
