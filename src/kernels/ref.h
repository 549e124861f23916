/* ref.h - naive plain-C twins of every kernel in kernels.h: the test oracle,
 * the ablation baseline (--kernel ref) and the fallback. Serial, textbook
 * loops, no blocking, no threads. Same contracts as kernels.h. */
#ifndef MLPB_REF_H
#define MLPB_REF_H

#include "kernels/kernels.h"

void ref_gemm(mlpb_op ta, mlpb_op tb, int m, int n, int k, float alpha,
              const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
              float beta, float *C, ptrdiff_t ldc);
void ref_epilogue(int m, int n, const mlpb_epi *epi, float *C, ptrdiff_t ldc);
void ref_bias_add(int m, int n, const float *b, float *Z, ptrdiff_t ldz);
void ref_sigmoid(int m, int n, const float *Z, ptrdiff_t ldz, float *H, ptrdiff_t ldh);
void ref_dsigmoid_mul(int m, int n, const float *H, ptrdiff_t ldh, float *D, ptrdiff_t ldd);
void ref_softmax(int m, int n, const float *Z, ptrdiff_t ldz, float *P, ptrdiff_t ldp);
double ref_softmax_xent(int m, int n, const float *Z, ptrdiff_t ldz, const float *Y, ptrdiff_t ldy,
                        float scale, float *D, ptrdiff_t ldd, float *row_loss);
void ref_colsum(int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db);
void ref_axpy(size_t n, float a, const float *x, float *y);

#endif
