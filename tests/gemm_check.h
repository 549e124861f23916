/* gemm_check.h - shared by the kernel tests: random matrices and the
 * comparison of a GEMM result against ref_gemm with the standard forward
 * error bound, element by element:
 *   |c - c_ref| <= 2 (k + 2) eps (|alpha| sum_p |a_ip b_pj| + |beta c0|) + tiny,
 * computed in double. Returns the number of elements outside the bound. */
#ifndef MLPB_GEMM_CHECK_H
#define MLPB_GEMM_CHECK_H

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels/kernels.h"
#include "sys/rng.h"

static inline void fill_uniform(float *x, size_t n, mlpb_rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(2.0 * mlpb_rng_uniform(r) - 1.0);
}

static inline float opget(mlpb_op t, const float *A, ptrdiff_t ld, int i, int p) {
    return t == MLPB_N ? A[(size_t)i * ld + p] : A[(size_t)p * ld + i];
}

/* C (after) vs Cref (after) with C0 (before) for the bound. */
static inline long gemm_mismatches(mlpb_op ta, mlpb_op tb, int m, int n, int k, float alpha,
                                   const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                                   float beta, const float *C0, const float *C, const float *Cref,
                                   ptrdiff_t ldc, const char *what) {
    long bad = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double mag = 0.0;
            for (int p = 0; p < k; p++) mag += fabs((double)opget(ta, A, lda, i, p) * opget(tb, B, ldb, p, j));
            double c0 = beta == 0.0f ? 0.0 : fabs((double)beta * C0[(size_t)i * ldc + j]);
            double bound = 2.0 * (k + 2) * FLT_EPSILON * (fabs(alpha) * mag + c0) + 1e-30;
            double c = C[(size_t)i * ldc + j], cr = Cref[(size_t)i * ldc + j];
            if (!(fabs(c - cr) <= bound)) {
                if (bad < 3)
                    fprintf(stderr, "  %s: C(%d,%d) = %.9g, reference %.9g, bound %.3g\n", what, i, j, c, cr, bound);
                bad++;
            }
        }
    return bad;
}

#endif
