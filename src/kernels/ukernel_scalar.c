/* ukernel_scalar.c - the portable micro-kernel: plain C, no intrinsics,
 * compiled with the project's default flags, so it runs on any CPU. It is the
 * BLOCKED rung of the ablation ladder and the SIMD fallback. */
#include "kernels/ukernel.h"

#define MR 4
#define NR 8

/* C(MR,NR) = alpha * Ap(kc,MR)^T Bp(kc,NR) + beta * C */
static void sgemm_ukr_scalar_4x8(int kc, const float *restrict a, const float *restrict b,
                                 float *restrict c, ptrdiff_t ldc, float alpha, float beta) {
    float ab[MR][NR] = {{0}};
    for (int p = 0; p < kc; p++)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) ab[i][j] += a[p * MR + i] * b[p * NR + j];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) {
            float *cij = c + (size_t)i * ldc + j;
            *cij = beta == 0.0f ? alpha * ab[i][j] : alpha * ab[i][j] + beta * *cij;
        }
}

const mlpb_ukr mlpb_ukr_scalar = { "scalar_4x8", "scalar", MR, NR, sgemm_ukr_scalar_4x8, NULL, 0, NULL, NULL, NULL, NULL };
