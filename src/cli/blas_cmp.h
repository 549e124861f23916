/* blas_cmp.h - the gemm benchmark's view of a CBLAS (OpenBLAS): compiled into
 * the mlpbench executable only, never the mlpb library or the tests. Without
 * MLPB_HAVE_CBLAS every function is a stub and mlpb_blas_available() is 0. */
#ifndef MLPB_BLAS_CMP_H
#define MLPB_BLAS_CMP_H

#include <stddef.h>

#include "kernels/kernels.h"

int mlpb_blas_available(void);
/* "OpenBLAS 0.3.21 ... (core Zen)" or "none"; writes into buf */
const char *mlpb_blas_describe(char *buf, size_t len);
/* The BLAS pool's thread count; 0 if it cannot be set (then only the
 * OPENBLAS_NUM_THREADS environment variable decides). */
int mlpb_blas_set_threads(int threads);
/* C(m,n) = op(A) op(B), row-major, like mlpb_gemm with alpha 1, beta 0. */
void mlpb_blas_sgemm(mlpb_op ta, mlpb_op tb, int m, int n, int k, const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc);

#endif
