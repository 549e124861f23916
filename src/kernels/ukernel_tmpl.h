/* ukernel_tmpl.h - the one body of every SIMD micro-kernel, included by
 * ukernel_<isa>.c (once per row count) after it defines the vector vocabulary:
 *   MR, NR            the packed A panel's width, the tile's width (2 vectors)
 *   VEC, VL           vector type and lanes
 *   V_ZERO() V_SET1(x) V_LOADU(p) V_STOREU(p, v) V_FMA(a, b, c) V_MUL(a, b)
 *   ROWS(X)           X(0) ... X(r-1): the tile's rows, r <= MR (r < MR: the
 *                     edge kernel, rows 0 .. r-1 of an MR-wide A panel)
 *   PF_C_SKIP_MAXK    the longest k loop whose C, only written, is not
 *                     prefetched (< 0: C always prefetched)
 *   UKR_NAME(suffix)  the entry points' names
 * A tile of row-major C in 2r accumulators; per k two loads of B, r
 * broadcasts of A (from the packed panel, or from r rows of A in place), 2r
 * FMAs. Each element of C is the same FMA chain over k
 * whatever r is, so an edge tile's bits equal the full kernel's. The k loop
 * is not unrolled by hand (gcc 12 then shuffles or spills accumulators).
 * Contract (kernels.h): full r x NR tile, C = alpha*Ap*Bp + beta*C, beta == 0
 * never reads C; no alignment assumed. The includer defines the descriptor. */
#ifndef MLPB_UKERNEL_TMPL_H
#define MLPB_UKERNEL_TMPL_H

/* Software prefetch of the packed A micro-panel (streamed from L2), PF_K k
 * steps ahead; of in-place B rows (the _ldb entry, and _lda with B in place),
 * PF_B rows ahead; of the C tile before the k loop, unless C is only
 * written (beta == 0) by a loop of at most PF_C_SKIP_MAXK k steps (the
 * includer's; < 0: always, the test folded away at compile time), where the
 * stores fetch its lines themselves. */
#define PF_K 8
#define PF_B 16
#ifndef PF_C_SKIP_MAXK
#error "ukernel_tmpl.h: the includer defines PF_C_SKIP_MAXK"
#endif
#define PF_LINE(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
/* every cache line of NR floats starting at p */
#define PF_ROW(p) { PF_LINE(p); if (NR > 16) PF_LINE((p) + 16); PF_LINE((p) + NR - 1); }

#define ACC_DECL(i) VEC c##i##0 = V_ZERO(), c##i##1 = V_ZERO();
#define A_ROW(i) const float *restrict a##i = a + (i) * lda; /* A in place: row i */
#define ROW_FMA(i) { const VEC ai = V_SET1(arows ? a##i[p] : a[i]); \
    c##i##0 = V_FMA(ai, b0, c##i##0); c##i##1 = V_FMA(ai, b1, c##i##1); }
/* one k step: row-of-B vectors b0, b1, then every row of the tile */
#define KSTEP { const VEC b0 = V_LOADU(b), b1 = V_LOADU(b + VL); ROWS(ROW_FMA) if (!arows) a += MR; b += ldb; }
#define PF_C(i) PF_ROW(c + (i) * ldc)
/* row i of C from its accumulators scaled by S: C = S(acc) (beta == 0, C not
 * read) or S(acc) + beta * C; S is AX_1 (alpha == 1: 1 * acc is acc, so the
 * same bits without the multiplies) or AX (alpha * acc) */
#define AX_1(v) (v)
#define AX(v) V_MUL(va, v)
#define ST_0(i, S) { float *ci = c + (i) * ldc; V_STOREU(ci, S(c##i##0)); V_STOREU(ci + VL, S(c##i##1)); }
#define ST_N(i, S) { float *ci = c + (i) * ldc; \
    V_STOREU(ci, V_FMA(vb, V_LOADU(ci), S(c##i##0))); V_STOREU(ci + VL, V_FMA(vb, V_LOADU(ci + VL), S(c##i##1))); }
#define ST_A1B0(i) ST_0(i, AX_1)
#define ST_A1BN(i) ST_N(i, AX_1)
#define ST_B0(i) ST_0(i, AX)
#define ST_BN(i) ST_N(i, AX)

#endif /* MLPB_UKERNEL_TMPL_H */

/* B row p at b + p ldb (ldb = NR: a packed panel); A from the packed panel
 * (arows = 0) or row i at a + i lda (arows = 1). Inlined into the entry
 * points with constant pf_b and arows, so each keeps only its own addressing. */
static inline __attribute__((always_inline)) void
UKR_NAME(_body)(int kc, const float *restrict a, ptrdiff_t lda, const float *restrict b, ptrdiff_t ldb,
                float *restrict c, ptrdiff_t ldc, float alpha, float beta, const int pf_b, const int arows) {
    ROWS(ACC_DECL)
    if (PF_C_SKIP_MAXK < 0 || beta != 0.0f || kc > PF_C_SKIP_MAXK) { ROWS(PF_C) }
    ROWS(A_ROW)
    for (int p = 0; p < kc; p++) {
        if (!arows) PF_LINE(a + PF_K * MR); /* A's rows in place: one sequential stream per row, the hardware's */
        if (pf_b) PF_ROW(b + PF_B * ldb);
        KSTEP
    }
    /* C's row addresses are computed again here: kept from PF_C through the
     * loop they took registers and (gcc 12, 12x32 _ldb) pushed a B vector to
     * the stack, 12 FMAs a k step reading it back */
    __asm__("" : "+r"(c));
    const VEC va = V_SET1(alpha), vb = V_SET1(beta);
    if (alpha == 1.0f) {
        if (beta == 0.0f) {
            ROWS(ST_A1B0)
        } else {
            ROWS(ST_A1BN)
        }
    } else if (beta == 0.0f) {
        ROWS(ST_B0)
    } else {
        ROWS(ST_BN)
    }
}

/* C(r,NR) = alpha * Ap(kc,MR)^T Bp(kc,NR) + beta * C, the first r rows of Ap */
static void UKR_NAME()(int kc, const float *restrict a, const float *restrict b, float *restrict c, ptrdiff_t ldc,
                       float alpha, float beta) {
    UKR_NAME(_body)(kc, a, 0, b, NR, c, ldc, alpha, beta, 0, 0);
}

/* the same on B in place (op(B) = N, full panel) */
static void UKR_NAME(_ldb)(int kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
                           float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    UKR_NAME(_body)(kc, a, 0, b, ldb, c, ldc, alpha, beta, 1, 0);
}

/* the same on A's rows in place (op(A) = N, rows i at a + i lda), B packed
 * (ldb = NR) or in place */
static void UKR_NAME(_lda)(int kc, const float *restrict a, ptrdiff_t lda, const float *restrict b, ptrdiff_t ldb,
                           float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    if (ldb == NR) UKR_NAME(_body)(kc, a, lda, b, NR, c, ldc, alpha, beta, 0, 1);
    else UKR_NAME(_body)(kc, a, lda, b, ldb, c, ldc, alpha, beta, 1, 1);
}
