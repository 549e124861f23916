/* vec_inl.h - what the frame (gemm.c) and vec.c share with each other and
 * with the per-ISA SIMD files:
 *   1. scalar element functions, so fused and unfused plain-C paths compute
 *      the same bits;
 *   2. mlpb_vec_isa, the per-ISA table of SIMD kernels (vectorised exp and
 *      everything built on it, the other element-wise kernels, the frame's
 *      transposing pack and its small-M GEMM), picked once per context
 *      (mlpb_ctx_vec): kernel SIMD with an avx2/avx512 micro-kernel gets the
 *      table of that ISA; REF, BLOCKED and the scalar micro-kernel get NULL
 *      and keep the plain-C paths of vec.c/gemm.c;
 *   3. under MLPB_VEC_TEMPLATE only: the body of those SIMD kernels, written
 *      once over a handful of vector macros (V, VL, VADD, ...). vec_avx2.c and
 *      vec_avx512.c define the macros for their ISA, include this file, and are
 *      each compiled with their own ISA flags (CMakeLists.txt), so the AVX-512
 *      kernels are the AVX2 ones, lane for lane, with wider vectors.
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

typedef struct mlpb_vec_isa {
    const char *isa;   /* "avx2", "avx512" */
    int lanes;         /* floats per vector */
    int smallm_maxr;   /* the small-M GEMM takes m <= this */
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
     * beta == 0 never reads C. Each element's sum runs in a fixed order that
     * does not depend on n, so column ranges can be split over threads. */
    void (*smallm_bn)(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
                      const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc);
    void (*smallm_bt)(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda,
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
 *   VFMA(a,b,c) = a b + c,  VFNMA(a,b,c) = c - a b  (one rounding)
 *   VROUND (to nearest even), VCVTI (to int32), VI_SET1 VI_ADD VI_SUB
 *   VI_SRAI VI_SLLI, VI_ASF (reinterpret as float)
 *   VLT(a,b) mask of a < b (false on NaN),  VSEL(m,a,b) = m ? b : a
 *   VMASK(n) the first n lanes (0 < n < VL), VLOADM (masked lanes read as 0,
 *   never touched) and VSTOREM (masked lanes not written)
 *   vhsum, vhmax: horizontal sum / max in a fixed order
 *   VEC_TABLE, VEC_ISA, VEC_SM_ACC (accumulator registers the small-M kernels
 *   may use), VEC_SM_MAXR (largest m of the small-M kernels: the ISA's MR). */
#include <float.h>
#include <immintrin.h>

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
/* 8x8 transpose of r[0..7] (256-bit, the same code in both ISAs) */
static inline void tr8x8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* the first w (<= 8) floats of v to d; w is a constant after inlining */
static inline __attribute__((always_inline)) void store_first(float *d, __m256 v, const int w) {
    const __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    if (w == 8) _mm256_storeu_ps(d, v);
    else if (w == 6) { _mm_storeu_ps(d, lo); _mm_storel_pi((__m64 *)(d + 4), hi); }
    else if (w == 4) _mm_storeu_ps(d, lo);
    else if (w == 2) _mm_storel_pi((__m64 *)d, lo);
    else { float t[8]; _mm256_storeu_ps(t, v); for (int i = 0; i < w; i++) d[i] = t[i]; }
}

/* 8 k-steps of one group of (up to) 8 source lines: lines past `valid` read
 * as zeros; w columns of dst written per k-step */
static inline __attribute__((always_inline)) void
tr_group(const float *src, ptrdiff_t ld, int valid, float *dst, int R, const int w) {
    __m256 r[8];
    if (valid >= 8)
        for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + (size_t)q * ld);
    else
        for (int q = 0; q < 8; q++) r[q] = q < valid ? _mm256_loadu_ps(src + (size_t)q * ld) : _mm256_setzero_ps();
    tr8x8(r);
    for (int q = 0; q < 8; q++) store_first(dst + (size_t)q * R, r[q], w);
}

static void k_pack_t(int R, int kc, int rows, const float *src, ptrdiff_t ld, float *dst) {
    const int full = R / 8 * 8, w = R - full; /* groups of 8 lines, then one of w */
    int p = 0;
    for (; p + 8 <= kc; p += 8) {
        float *d = dst + (size_t)p * R;
        for (int i0 = 0; i0 < full; i0 += 8)
            tr_group(src + (size_t)i0 * ld + p, ld, rows - i0, d + i0, R, 8);
        const float *s = src + (size_t)full * ld + p;
        switch (w) {
        case 0: break;
        case 2: tr_group(s, ld, rows - full, d + full, R, 2); break;
        case 4: tr_group(s, ld, rows - full, d + full, R, 4); break;
        case 6: tr_group(s, ld, rows - full, d + full, R, 6); break;
        default: tr_group(s, ld, rows - full, d + full, R, w); break;
        }
    }
    for (; p < kc; p++) {
        float *d = dst + (size_t)p * R;
        for (int i = 0; i < rows; i++) d[i] = src[(size_t)i * ld + p];
        for (int i = rows; i < R; i++) d[i] = 0.0f;
    }
}

/* ---- small-M GEMM --------------------------------------------------------- */
/* RB rows x NV vectors of C, op(B) = N: per k step NV loads of B, RB broadcasts
 * of A, RB NV FMAs; acc (RB NV vectors) is the caller's fixed-size array, so
 * after inlining it lives in registers. masked: one vector, lanes of `mask`. */
static inline __attribute__((always_inline)) void
smn_tile(const int RB, const int NV, V *acc, const int masked, const VM mask, int k,
         const float *A, ptrdiff_t asi, ptrdiff_t asp, const float *B, ptrdiff_t ldb,
         float alpha, float beta, float *C, ptrdiff_t ldc) {
    for (int x = 0; x < RB * NV; x++) acc[x] = VZERO();
    for (int p = 0; p < k; p++) {
        const float *a = A + (size_t)p * asp, *b = B + (size_t)p * ldb;
        for (int v = 0; v < NV; v++) {
            const V bv = masked ? VLOADM(b + v * VL, mask) : VLOAD(b + v * VL);
            for (int r = 0; r < RB; r++) acc[r * NV + v] = VFMA(VSET1(a[r * asi]), bv, acc[r * NV + v]);
        }
    }
    const V va = VSET1(alpha), vb = VSET1(beta);
    for (int r = 0; r < RB; r++)
        for (int v = 0; v < NV; v++) {
            float *c = C + (size_t)r * ldc + v * VL;
            V y = VMUL(va, acc[r * NV + v]);
            if (beta != 0.0f) y = VFMA(vb, masked ? VLOADM(c, mask) : VLOAD(c), y);
            if (masked) VSTOREM(c, mask, y); else VSTORE(c, y);
        }
}

/* RB rows x JB columns of C, op(B) = T: dot products along k, VL lanes
 * (lane = p mod VL, the k tail masked), then a fixed horizontal sum. */
static inline __attribute__((always_inline)) void
smt_tile(const int RB, const int JB, V *acc, int k, const float *A, ptrdiff_t lda,
         const float *B, ptrdiff_t ldb, float alpha, float beta, float *C, ptrdiff_t ldc) {
    for (int x = 0; x < RB * JB; x++) acc[x] = VZERO();
    int p = 0;
    for (; p + VL <= k; p += VL)
        for (int r = 0; r < RB; r++) {
            const V a = VLOAD(A + (size_t)r * lda + p);
            for (int q = 0; q < JB; q++) acc[r * JB + q] = VFMA(a, VLOAD(B + (size_t)q * ldb + p), acc[r * JB + q]);
        }
    if (p < k) {
        const VM m = VMASK(k - p);
        for (int r = 0; r < RB; r++) {
            const V a = VLOADM(A + (size_t)r * lda + p, m);
            for (int q = 0; q < JB; q++)
                acc[r * JB + q] = VFMA(a, VLOADM(B + (size_t)q * ldb + p, m), acc[r * JB + q]);
        }
    }
    for (int r = 0; r < RB; r++)
        for (int q = 0; q < JB; q++) {
            float *c = C + (size_t)r * ldc + q;
            const float s = alpha * vhsum(acc[r * JB + q]);
            *c = beta == 0.0f ? s : s + beta * *c;
        }
}

#define SM_WIDTH(RB) (VEC_SM_ACC / (RB) < 1 ? 1 : VEC_SM_ACC / (RB) > 8 ? 8 : VEC_SM_ACC / (RB))

/* one function per row count RB: whole row blocks of C */
#define SM_ROWS(RB)                                                                              \
    static void smn_r##RB(int n, int k, const float *A, ptrdiff_t asi, ptrdiff_t asp,           \
                          const float *B, ptrdiff_t ldb, float alpha, float beta, float *C,     \
                          ptrdiff_t ldc) {                                                       \
        enum { NV = SM_WIDTH(RB) };                                                              \
        V acc[RB * NV];                                                                          \
        const VM none = VMASK(1);                                                                \
        int j = 0;                                                                               \
        for (; j + NV * VL <= n; j += NV * VL)                                                   \
            smn_tile(RB, NV, acc, 0, none, k, A, asi, asp, B + j, ldb, alpha, beta, C + j, ldc); \
        for (; j + VL <= n; j += VL)                                                             \
            smn_tile(RB, 1, acc, 0, none, k, A, asi, asp, B + j, ldb, alpha, beta, C + j, ldc);  \
        if (j < n)                                                                               \
            smn_tile(RB, 1, acc, 1, VMASK(n - j), k, A, asi, asp, B + j, ldb, alpha, beta, C + j, ldc); \
    }                                                                                            \
    static void smt_r##RB(int n, int k, const float *A, ptrdiff_t lda, const float *B,          \
                          ptrdiff_t ldb, float alpha, float beta, float *C, ptrdiff_t ldc) {    \
        enum { JB = SM_WIDTH(RB) };                                                              \
        V acc[RB * JB];                                                                          \
        int j = 0;                                                                               \
        for (; j + JB <= n; j += JB)                                                             \
            smt_tile(RB, JB, acc, k, A, lda, B + (size_t)j * ldb, ldb, alpha, beta, C + j, ldc); \
        for (; j < n; j++)                                                                       \
            smt_tile(RB, 1, acc, k, A, lda, B + (size_t)j * ldb, ldb, alpha, beta, C + j, ldc);  \
    }

SM_ROWS(1) SM_ROWS(2) SM_ROWS(3) SM_ROWS(4) SM_ROWS(5) SM_ROWS(6)
#if VEC_SM_MAXR > 6
SM_ROWS(7) SM_ROWS(8) SM_ROWS(9) SM_ROWS(10) SM_ROWS(11) SM_ROWS(12)
#endif

static void k_smallm_bn(int m, int n, int k, float alpha, const float *A, ptrdiff_t asi, ptrdiff_t asp,
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

static void k_smallm_bt(int m, int n, int k, float alpha, const float *A, ptrdiff_t lda,
                        const float *B, ptrdiff_t ldb, float beta, float *C, ptrdiff_t ldc) {
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

const mlpb_vec_isa VEC_TABLE = {
    VEC_ISA, VL, VEC_SM_MAXR, k_exp,
    k_bias_row, k_sigmoid_row, k_bias_sigmoid_row, k_dsigmoid_row, k_dsigmoid_epi_row,
    k_softmax_row, k_xent_row, k_colsum, k_axpy,
    k_pack_t, k_smallm_bn, k_smallm_bt,
};

#endif /* MLPB_VEC_TEMPLATE */
