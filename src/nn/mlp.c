/* mlp.c - forward, loss, backward and update of the seed's network on the
 * kernels of kernels.h (see mlp.h). Every line of math cites its equation. */
#include "nn/mlp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sys/hugemem.h"
#include "sys/rng.h"

#define PAD 16 /* tensors start on 64-byte boundaries inside the blocks */

static size_t padded(size_t x) { return (x + PAD - 1) / PAD * PAD; }

int mlpb_mlp_ldw(int w) {
    int ld = (int)padded((size_t)w);
    return (ld / PAD) % 2 ? ld : ld + PAD;
}

size_t mlpb_mlp_bytes(int L, const int *w) {
    size_t n = 0;
    for (int l = 0; l < L; l++) n += (size_t)w[l] * (size_t)mlpb_mlp_ldw(w[l + 1]) + padded((size_t)w[l + 1]);
    return 2 * n * sizeof(float);
}

size_t mlpb_mlp_dense_count(int L, const int *w) {
    size_t n = 0;
    for (int l = 0; l < L; l++) n += padded((size_t)w[l] * w[l + 1]) + padded((size_t)w[l + 1]);
    return n;
}

/* One of to_dense (params -> dense) and from_dense (dense -> params) is set;
 * the weights are written through net->W, the struct itself never. */
static void dense_copy(const mlpb_mlp *net, float *to_dense, const float *from_dense) {
    const int *w = net->w;
    size_t off = 0;
    for (int l = 0; l < net->L; l++) {
        const size_t q = (size_t)w[l + 1], nw = (size_t)w[l] * q;
        for (int i = 0; i < w[l]; i++) {
            float *row = net->W[l] + (size_t)i * net->ldw[l];
            if (to_dense) memcpy(to_dense + off + (size_t)i * q, row, q * sizeof(float));
            else memcpy(row, from_dense + off + (size_t)i * q, q * sizeof(float));
        }
        if (to_dense) memset(to_dense + off + nw, 0, (padded(nw) - nw) * sizeof(float));
        off += padded(nw);
        if (to_dense) memcpy(to_dense + off, net->b[l], padded(q) * sizeof(float));
        else memcpy(net->b[l], from_dense + off, q * sizeof(float)); /* the bias padding stays 0 */
        off += padded(q);
    }
}

void mlpb_mlp_get_dense(const mlpb_mlp *net, float *dst) { dense_copy(net, dst, NULL); }
void mlpb_mlp_set_dense(mlpb_mlp *net, const float *src) { dense_copy(net, NULL, src); }

int mlpb_mlp_init(mlpb_mlp *net, int L, const int *widths, uint64_t seed) {
    memset(net, 0, sizeof *net);
    net->L = L;
    net->w = malloc((size_t)(L + 1) * sizeof(int));
    net->ldw = malloc((size_t)L * sizeof(int));
    net->W = calloc((size_t)L, sizeof(float *));
    net->b = calloc((size_t)L, sizeof(float *));
    net->dW = calloc((size_t)L, sizeof(float *));
    net->db = calloc((size_t)L, sizeof(float *));
    net->nparams = mlpb_mlp_bytes(L, widths) / (2 * sizeof(float));
    net->params = mlpb_huge_alloc(net->nparams * sizeof(float), 0); /* big ones on huge pages */
    net->grads = mlpb_huge_alloc((net->nparams + MLPB_GRAD_EXTRA) * sizeof(float), 0);
    if (!net->w || !net->ldw || !net->W || !net->b || !net->dW || !net->db || !net->params || !net->grads) {
        mlpb_mlp_free(net);
        return -1;
    }
    memcpy(net->w, widths, (size_t)(L + 1) * sizeof(int));
    memset(net->params, 0, net->nparams * sizeof(float));
    memset(net->grads, 0, (net->nparams + MLPB_GRAD_EXTRA) * sizeof(float));
    mlpb_rng rng;
    mlpb_rng_seed(&rng, seed ^ 0x5EEDC0DEull);
    size_t off = 0;
    for (int l = 0; l < L; l++) {
        const int ld = net->ldw[l] = mlpb_mlp_ldw(widths[l + 1]);
        net->W[l] = net->params + off;
        net->dW[l] = net->grads + off;
        off += (size_t)widths[l] * (size_t)ld;
        net->b[l] = net->params + off;
        net->db[l] = net->grads + off;
        off += padded((size_t)widths[l + 1]);
        /* Step 1: Glorot/Xavier uniform weights (row by row, the padding left 0), zero biases */
        double lim = sqrt(6.0 / (widths[l] + widths[l + 1]));
        for (int i = 0; i < widths[l]; i++)
            for (int j = 0; j < widths[l + 1]; j++)
                net->W[l][(size_t)i * ld + j] = (float)((2.0 * mlpb_rng_uniform(&rng) - 1.0) * lim);
    }
    return 0;
}

void mlpb_mlp_free(mlpb_mlp *net) {
    free(net->w); free(net->ldw); free(net->W); free(net->b); free(net->dW); free(net->db);
    free(net->params); free(net->grads);
    memset(net, 0, sizeof *net);
}

size_t mlpb_acts_bytes(const int *w, int L, int cap) {
    size_t n = (size_t)cap; /* row_loss */
    for (int l = 1; l <= L; l++) n += padded((size_t)cap * w[l]) * (l < L ? 2 : 1);
    return n * sizeof(float);
}

int mlpb_acts_init(mlpb_acts *a, const mlpb_mlp *net, int cap) {
    memset(a, 0, sizeof *a);
    a->cap = cap;
    a->H = calloc((size_t)net->L + 1, sizeof(float *));
    a->D = calloc((size_t)net->L + 1, sizeof(float *));
    a->row_loss = malloc((size_t)cap * sizeof(float));
    int ok = a->H && a->D && a->row_loss;
    for (int l = 1; ok && l <= net->L; l++) {
        size_t bytes = padded((size_t)cap * net->w[l]) * sizeof(float);
        a->H[l] = mlpb_huge_alloc(bytes, 0); /* full batch: tens of MB, walked by the GEMMs' packing */
        if (l < net->L) a->D[l] = mlpb_huge_alloc(bytes, 0);
        ok = a->H[l] && (l == net->L || a->D[l]);
    }
    if (!ok) { mlpb_acts_free(a, net); return -1; }
    return 0;
}

void mlpb_acts_free(mlpb_acts *a, const mlpb_mlp *net) {
    for (int l = 1; a->H && l <= net->L; l++) {
        free(a->H[l]);
        if (a->D) free(a->D[l]);
    }
    free(a->H); free(a->D); free(a->row_loss);
    memset(a, 0, sizeof *a);
}

void mlpb_forward(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *X, int n) {
    const int L = net->L, *w = net->w;
    for (int l = 0; l < L; l++) {
        const float *in = l == 0 ? X : a->H[l];
        mlpb_epi epi = { l < L - 1 ? MLPB_EPI_BIAS_SIGMOID : MLPB_EPI_BIAS, net->b[l], NULL, 0 };
        /* Z = H W + b (1)(3)(5); H = sigmoid(Z) (2)(4) fused for hidden layers */
        mlpb_gemm(ctx, MLPB_N, MLPB_N, n, w[l + 1], w[l], 1.0f, in, w[l], net->W[l], net->ldw[l],
                  0.0f, a->H[l + 1], w[l + 1], &epi);
    }
}

double mlpb_loss_delta(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *Y, int n, float scale) {
    const int k = net->w[net->L];
    /* L (7) summed over rows; delta_O = scale (yhat - y) (6)(8), in place over Z_O */
    return mlpb_softmax_xent(ctx, n, k, a->H[net->L], k, Y, k, scale, a->H[net->L], k, a->row_loss);
}

/* The delta feeding layer l's weight gradient: delta_O (in place over Z_O) for
 * the output layer, else the one mlpb_backward_deltas left in D[l + 1]. */
static const float *delta_of(const mlpb_mlp *net, const mlpb_acts *a, int l) {
    return l == net->L - 1 ? a->H[net->L] : a->D[l + 1];
}

void mlpb_backward_deltas(mlpb_ctx *ctx, mlpb_mlp *net, mlpb_acts *a, int n) {
    const int L = net->L, *w = net->w;
    for (int l = L - 1; l >= 0; l--) {
        const float *delta = delta_of(net, a, l);
        /* db = 1^T delta (10)(14)(17) */
        mlpb_colsum(ctx, n, w[l + 1], 1.0f, delta, w[l + 1], net->db[l]);
        if (l > 0) {
            /* delta_l = (delta_{l+1} W^T) . H . (1 - H) (11)(15) with (12) */
            mlpb_epi epi = { MLPB_EPI_DSIGMOID, NULL, a->H[l], w[l] };
            mlpb_gemm(ctx, MLPB_N, MLPB_T, n, w[l], w[l + 1], 1.0f, delta, w[l + 1], net->W[l],
                      net->ldw[l], 0.0f, a->D[l], w[l], &epi);
        }
    }
}

/* C_l := alpha H_l^T delta + beta C_l for every layer: C = dW (alpha 1, beta 0)
 * or C = W (alpha -eta, beta 1). */
static void weight_gemms(mlpb_ctx *ctx, const mlpb_mlp *net, const mlpb_acts *a, const float *X, int n,
                         float alpha, float beta, float *const *C) {
    const int *w = net->w;
    for (int l = net->L - 1; l >= 0; l--)
        mlpb_gemm(ctx, MLPB_T, MLPB_N, w[l], w[l + 1], n, alpha, l == 0 ? X : a->H[l], w[l],
                  delta_of(net, a, l), w[l + 1], beta, C[l], net->ldw[l], NULL);
}

void mlpb_backward(mlpb_ctx *ctx, mlpb_mlp *net, mlpb_acts *a, const float *X, int n) {
    mlpb_backward_deltas(ctx, net, a, n);
    weight_gemms(ctx, net, a, X, n, 1.0f, 0.0f, net->dW); /* dW = H^T delta (9)(13)(16) */
}

void mlpb_update(mlpb_ctx *ctx, mlpb_mlp *net, float lr, int rows) {
    /* A := A - eta dA, b := b - eta db (18), all tensors in one pass, split
     * over the threads only if the step's largest GEMM (forward, layer 1) was */
    const int split = mlpb_gemm_splits(ctx, MLPB_N, MLPB_N, rows, net->w[1], net->w[0]);
    mlpb_axpy(ctx, split, net->nparams, -lr, net->grads, net->params);
}

void mlpb_update_fused(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_acts *a, const float *X, int n, float lr) {
    /* W := W - eta H^T delta ((9)(13)(16) into (18)): no dW stored or read again */
    weight_gemms(ctx, net, a, X, n, -lr, 1.0f, net->W);
    for (int l = 0; l < net->L; l++) /* b := b - eta db (18) */
        mlpb_axpy(ctx, 0, (size_t)net->w[l + 1], -lr, net->db[l], net->b[l]);
}

double mlpb_evaluate(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *X,
                     const float *Y, const uint8_t *label, int n, long *correct) {
    return mlpb_predict(ctx, net, a, X, Y, label, n, correct, NULL);
}

double mlpb_predict(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const float *X, const float *Y,
                    const uint8_t *label, int n, long *correct, int *pred) {
    const int d = net->w[0], k = net->w[net->L];
    double loss = 0.0;
    for (int r0 = 0; r0 < n; r0 += a->cap) {
        int nb = n - r0 < a->cap ? n - r0 : a->cap;
        mlpb_forward(ctx, net, a, X + (size_t)r0 * d, nb);
        const float *Z = a->H[net->L];
        loss += mlpb_softmax_xent(ctx, nb, k, Z, k, Y + (size_t)r0 * k, k, 1.0f, NULL, 0, a->row_loss); /* (7) */
        for (int i = 0; i < nb; i++) {
            int best = 0; /* softmax (6) is monotonic: argmax of Z_O */
            for (int j = 1; j < k; j++)
                if (Z[(size_t)i * k + j] > Z[(size_t)i * k + best]) best = j;
            *correct += best == label[r0 + i];
            if (pred) pred[r0 + i] = best;
        }
    }
    return loss;
}
