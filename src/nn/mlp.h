/* mlp.h - the seed's network: any number of sigmoid hidden layers, softmax
 * output, cross-entropy loss. Forward (1)-(6), loss (7), backward (8)-(17)
 * into explicit gradient buffers, update (18); or the weight gradients fused
 * into the update (mlpb_update_fused, what training runs in one process).
 * Not here: batching, shuffling, schedules (train/), file formats (data/),
 * kernels (kernels/).
 *
 * Layer l = 0..L-1 maps width w[l] to w[l+1]: W[l] (w[l], w[l+1]), b[l] (1, w[l+1]).
 * w[0] = d inputs, w[L] = k classes. Parameters and gradients each live in
 * one contiguous block (W0 b0 W1 b1 ...), so the update is one axpy. The rows
 * of W[l] and dW[l] are ldw[l] = mlpb_mlp_ldw(w[l+1]) floats apart: each row
 * starts a cache line and rows are an odd number of lines apart, so reading a
 * column panel of W down its rows spreads over every L1 set (a 1 KiB stride,
 * 256 floats, would fold it onto 4 of the 64 sets). The padding holds zeros
 * and stays zero (its gradient is never written). */
#ifndef MLPB_MLP_H
#define MLPB_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernels.h"

typedef enum { MLPB_REDUCE_MEAN = 0, MLPB_REDUCE_SUM = 1 } mlpb_reduction;

#define MLPB_GRAD_EXTRA 16

typedef struct mlpb_mlp {
    int L;                 /* weight layers = hidden layers + 1 */
    int *w;                /* widths, L + 1 entries */
    int *ldw;              /* leading dimension of W[l] and dW[l], L entries */
    float **W, **b;        /* views into params */
    float **dW, **db;      /* views into grads */
    float *params, *grads;
    size_t nparams;        /* floats in each block, padding included; grads has
                              MLPB_GRAD_EXTRA more, for what travels with the
                              gradients in one allreduce (the loss) */
} mlpb_mlp;

/* Activations and deltas for up to cap rows. */
typedef struct mlpb_acts {
    int cap;
    float **H;             /* H[l] (cap, w[l]), l = 1..L; H[L] holds Z_O, then delta_O */
    float **D;             /* D[l] (cap, w[l]), l = 1..L-1: delta_l */
    float *row_loss;       /* (cap) */
} mlpb_acts;

/* widths: L + 1 entries, all >= 1. Weights Glorot/Xavier uniform
 * U(-sqrt(6/(fan_in+fan_out)), +sqrt(...)) from seed, biases 0.
 * Returns 0, or -1 on out-of-memory. */
int mlpb_mlp_init(mlpb_mlp *net, int L, const int *widths, uint64_t seed);
void mlpb_mlp_free(mlpb_mlp *net);
/* Bytes a network of these widths needs (params + grads). */
size_t mlpb_mlp_bytes(int L, const int *widths);
/* The row stride of a weight matrix w columns wide: w rounded up to 16
 * floats (a 64-byte line), plus 16 if that is an even number of lines. */
int mlpb_mlp_ldw(int w);
/* The dense layout (checkpoints): each W[l] row after row without row
 * padding, then b[l], each tensor rounded up to 16 floats with zeros. Its
 * length in floats; copies to and from it. */
size_t mlpb_mlp_dense_count(int L, const int *widths);
void mlpb_mlp_get_dense(const mlpb_mlp *net, float *dst);
void mlpb_mlp_set_dense(mlpb_mlp *net, const float *src);

int mlpb_acts_init(mlpb_acts *a, const mlpb_mlp *net, int cap);
void mlpb_acts_free(mlpb_acts *a, const mlpb_mlp *net);
size_t mlpb_acts_bytes(const int *widths, int L, int cap);

/* (1)-(5): H[1..L-1] = sigmoid hidden outputs, H[L] = Z_O. X (n, w[0]), n <= cap. */
void mlpb_forward(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *X, int n);

/* (6)-(8) on H[L]: returns the summed loss of the n rows; leaves
 * delta_O = scale * (yhat - y) in H[L]: scale = 1/batch for MEAN (batch: the
 * global batch, when n rows are one rank's share), 1 for SUM. */
double mlpb_loss_delta(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *Y, int n, float scale);

/* (9)-(17): grads from the deltas; needs the same X as the forward. The
 * deltas first (mlpb_backward_deltas), then the weight gradients. */
void mlpb_backward(mlpb_ctx *ctx, mlpb_mlp *net, mlpb_acts *a, const float *X, int n);

/* (10)(11)(14)(15)(17): the deltas D[L-1..1] and db, from delta_O in H[L]. */
void mlpb_backward_deltas(mlpb_ctx *ctx, mlpb_mlp *net, mlpb_acts *a, int n);

/* (18): params -= lr * grads; rows: the step's batch rows (the update takes
 * as many threads as the step's GEMMs: mlpb_gemm_splits). */
void mlpb_update(mlpb_ctx *ctx, mlpb_mlp *net, float lr, int rows);

/* (9)(13)(16) fused into (18), after mlpb_backward_deltas: W := W - lr H^T delta
 * by GEMMs with beta = 1 (no dW written or read back), b := b - lr db. Up to
 * KC rows the same bits as mlpb_backward + mlpb_update: each weight is
 * fl(W + fl(-lr s)) both ways, with the same sum s; past KC the GEMM rounds
 * once per K block. Leaves dW as it was (the distributed path sums dW: not
 * this). */
void mlpb_update_fused(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_acts *a, const float *X, int n, float lr);

/* Forward + loss (no delta) + argmax: returns the summed loss, adds the
 * number of rows whose argmax equals label to *correct. */
double mlpb_evaluate(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *X,
                     const float *Y, const uint8_t *label, int n, long *correct);

/* As mlpb_evaluate, and pred[i] = argmax of row i's output (pred may be NULL). */
double mlpb_predict(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *X, const float *Y,
                    const uint8_t *label, int n, long *correct, int *pred);

#endif
