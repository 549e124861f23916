/* ref.c - naive reference twins of every kernel (see ref.h). Written for
 * obviousness, not speed: the oracle the fast kernels are tested against. */
#include "kernels/ref.h"

#include <math.h>

#define AT(P, ld, i, j) (P)[(size_t)(i) * (size_t)(ld) + (size_t)(j)]

void ref_gemm(mlpb_op ta, mlpb_op tb, int m, int n, int k, float alpha,
              const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
              float beta, float *C, ptrdiff_t ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int p = 0; p < k; p++) {
                float a = ta == MLPB_N ? AT(A, lda, i, p) : AT(A, lda, p, i);
                float b = tb == MLPB_N ? AT(B, ldb, p, j) : AT(B, ldb, j, p);
                acc += a * b;
            }
            /* beta == 0 must not read C */
            AT(C, ldc, i, j) = beta == 0.0f ? alpha * acc : alpha * acc + beta * AT(C, ldc, i, j);
        }
}

static float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); } /* (2)(4) */

void ref_epilogue(int m, int n, const mlpb_epi *epi, float *C, ptrdiff_t ldc) {
    if (!epi || epi->kind == MLPB_EPI_NONE) return;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *c = &AT(C, ldc, i, j);
            switch (epi->kind) {
            case MLPB_EPI_BIAS: *c += epi->bias[j]; break;                         /* (1)(3)(5) */
            case MLPB_EPI_BIAS_SIGMOID: *c = sigmoidf(*c + epi->bias[j]); break;   /* (1)-(4) */
            case MLPB_EPI_DSIGMOID: {                                              /* (11)(15) */
                float h = AT(epi->h, epi->ldh, i, j);
                *c = *c * h * (1.0f - h);
                break;
            }
            default: break;
            }
        }
}

void ref_bias_add(int m, int n, const float *b, float *Z, ptrdiff_t ldz) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) AT(Z, ldz, i, j) += b[j]; /* (1)(3)(5) */
}

void ref_sigmoid(int m, int n, const float *Z, ptrdiff_t ldz, float *H, ptrdiff_t ldh) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) AT(H, ldh, i, j) = sigmoidf(AT(Z, ldz, i, j)); /* (2)(4) */
}

void ref_dsigmoid_mul(int m, int n, const float *H, ptrdiff_t ldh, float *D, ptrdiff_t ldd) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float h = AT(H, ldh, i, j);
            AT(D, ldd, i, j) *= h * (1.0f - h); /* (11)(15) with (12) */
        }
}

void ref_softmax(int m, int n, const float *Z, ptrdiff_t ldz, float *P, ptrdiff_t ldp) {
    for (int i = 0; i < m; i++) {
        float mx = AT(Z, ldz, i, 0);
        for (int j = 1; j < n; j++) mx = fmaxf(mx, AT(Z, ldz, i, j));
        float s = 0.0f;
        for (int j = 0; j < n; j++) s += expf(AT(Z, ldz, i, j) - mx);
        for (int j = 0; j < n; j++) AT(P, ldp, i, j) = expf(AT(Z, ldz, i, j) - mx) / s; /* (6) */
    }
}

double ref_softmax_xent(int m, int n, const float *Z, ptrdiff_t ldz, const float *Y, ptrdiff_t ldy,
                        float scale, float *D, ptrdiff_t ldd, float *row_loss) {
    double total = 0.0;
    for (int i = 0; i < m; i++) {
        float mx = AT(Z, ldz, i, 0);
        for (int j = 1; j < n; j++) mx = fmaxf(mx, AT(Z, ldz, i, j));
        float s = 0.0f;
        for (int j = 0; j < n; j++) s += expf(AT(Z, ldz, i, j) - mx);
        float lse = mx + logf(s);
        float l = 0.0f;
        for (int j = 0; j < n; j++) l -= AT(Y, ldy, i, j) * (AT(Z, ldz, i, j) - lse); /* (7) */
        if (D)
            for (int j = 0; j < n; j++) {
                float p = expf(AT(Z, ldz, i, j) - lse);                              /* (6) */
                AT(D, ldd, i, j) = scale * (p - AT(Y, ldy, i, j));                   /* (8) */
            }
        if (row_loss) row_loss[i] = l;
        total += l;
    }
    return total;
}

void ref_colsum(int m, int n, float alpha, const float *D, ptrdiff_t ldd, float *db) {
    for (int j = 0; j < n; j++) {
        float s = 0.0f;
        for (int i = 0; i < m; i++) s += AT(D, ldd, i, j); /* (10)(14)(17) */
        db[j] = alpha * s;
    }
}

void ref_axpy(size_t n, float a, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] += a * x[i]; /* (18) with a = -eta */
}
