/* blas_cmp.c - see blas_cmp.h: cblas_sgemm and OpenBLAS's thread control
 * behind the benchmark's interface. Built into the mlpbench executable only
 * (CMakeLists.txt, MLPB_WITH_BLAS); not a kernel, never used for training. */
#include "cli/blas_cmp.h"

#include <stdio.h>

#ifdef MLPB_HAVE_CBLAS
#include <cblas.h>

int mlpb_blas_available(void) { return 1; }

const char *mlpb_blas_describe(char *buf, size_t len) {
#ifdef MLPB_HAVE_OPENBLAS_API
    snprintf(buf, len, "%s (core %s)", openblas_get_config(), openblas_get_corename());
#else
    snprintf(buf, len, "a CBLAS (not OpenBLAS: threads from its own environment variables)");
#endif
    return buf;
}

int mlpb_blas_set_threads(int threads) {
#ifdef MLPB_HAVE_OPENBLAS_API
    openblas_set_num_threads(threads);
    return openblas_get_num_threads();
#else
    (void)threads;
    return 0;
#endif
}

void mlpb_blas_sgemm(mlpb_op ta, mlpb_op tb, int m, int n, int k, const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc) {
    cblas_sgemm(CblasRowMajor, ta == MLPB_T ? CblasTrans : CblasNoTrans, tb == MLPB_T ? CblasTrans : CblasNoTrans,
                m, n, k, 1.0f, A, (int)lda, B, (int)ldb, 0.0f, C, (int)ldc);
}

#else

int mlpb_blas_available(void) { return 0; }

const char *mlpb_blas_describe(char *buf, size_t len) {
    snprintf(buf, len, "none (built without a CBLAS: MLPB_WITH_BLAS=OFF or OpenBLAS not found)");
    return buf;
}

int mlpb_blas_set_threads(int threads) {
    (void)threads;
    return 0;
}

void mlpb_blas_sgemm(mlpb_op ta, mlpb_op tb, int m, int n, int k, const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc) {
    (void)ta; (void)tb; (void)m; (void)n; (void)k; (void)A; (void)lda; (void)B; (void)ldb; (void)C; (void)ldc;
}

#endif
