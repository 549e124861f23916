/* train.c - gradient descent, mini-batch and SGD loops (see train.h). */
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/rng.h"
#include "sys/timer.h"

static void shuffle(int *perm, int n, mlpb_rng *rng) { /* Fisher-Yates */
    for (int i = n - 1; i > 0; i--) {
        int j = (int)mlpb_rng_below(rng, (uint64_t)i + 1);
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

/* rows perm[r0 .. r0+nb) of src (.., width) into dst (nb, width) */
static void gather(float *dst, const float *src, int width, const int *perm, int nb) {
    for (int i = 0; i < nb; i++)
        memcpy(dst + (size_t)i * width, src + (size_t)perm[i] * width, (size_t)width * sizeof(float));
}

int mlpb_train(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_dataset *tr, const mlpb_dataset *te,
               const mlpb_train_opts *o, mlpb_point_fn on_point, void *user, char *err, size_t errlen) {
    const int n = tr->n, d = tr->d, k = tr->k;
    const int full = o->batch <= 0 || o->batch >= n;
    const int B = full ? n : o->batch;
    int rc = -1;
    mlpb_acts acts = {0}, eacts = {0};
    int *perm = malloc((size_t)n * sizeof(int));
    float *Xb = full ? NULL : malloc((size_t)B * d * sizeof(float));
    float *Yb = full ? NULL : malloc((size_t)B * k * sizeof(float));
    int ecap = o->eval_rows > 0 ? o->eval_rows : 1000;
    if (!perm || (!full && (!Xb || !Yb)) || mlpb_acts_init(&acts, net, B) ||
        mlpb_acts_init(&eacts, net, ecap)) {
        snprintf(err, errlen, "out of memory allocating activations for batch %d (%d features)", B, d);
        goto out;
    }
    for (int i = 0; i < n; i++) perm[i] = i;
    mlpb_rng rng;
    mlpb_rng_seed(&rng, o->seed ^ 0x5B0FF1E5ull);
    long step = 0, seen = 0;
    double wall = 0.0;
    for (int epoch = 1; epoch <= o->epochs; epoch++) {
        double t0 = mlpb_now(), loss_sum = 0.0;
        if (!full) shuffle(perm, n, &rng); /* full batch: the order does not enter the sum */
        for (int r0 = 0; r0 < n; r0 += B) {
            const int nb = n - r0 < B ? n - r0 : B; /* the last partial batch is kept */
            const float *X = tr->X, *Y = tr->Y;
            if (!full) {
                gather(Xb, tr->X, d, perm + r0, nb);
                gather(Yb, tr->Y, k, perm + r0, nb);
                X = Xb; Y = Yb;
            }
            mlpb_forward(ctx, net, &acts, X, nb);                          /* Step 2 */
            double l = mlpb_loss_delta(ctx, net, &acts, Y, nb, o->reduction);
            if (!isfinite(l)) {
                snprintf(err, errlen,
                         "loss became %s at epoch %d, step %ld (learning rate %g): lower --lr%s",
                         isnan(l) ? "NaN" : "infinite", epoch, step + 1, (double)o->lr,
                         o->reduction == MLPB_REDUCE_SUM
                             ? "; --reduction sum multiplies the effective rate by the batch size" : "");
                goto out;
            }
            mlpb_backward(ctx, net, &acts, X, nb);                         /* Step 3 */
            mlpb_update(ctx, net, o->lr);                                  /* Step 4 */
            loss_sum += l;
            seen += nb;
            step++;
        }
        double t1 = mlpb_now();
        wall += t1 - t0;
        long correct = 0;
        double test_loss = mlpb_evaluate(ctx, net, &eacts, te->X, te->Y, te->label, te->n, &correct);
        mlpb_point p = {
            .epoch = epoch, .step = step, .samples_seen = seen, .wall_s = wall,
            .eval_s = mlpb_now() - t1, .train_loss = loss_sum / n, .test_loss = test_loss / te->n,
            .test_acc = (double)correct / te->n, .samples_per_s = n / (t1 - t0),
        };
        if (on_point && on_point(&p, user)) break;
    }
    rc = 0;
out:
    mlpb_acts_free(&acts, net);
    mlpb_acts_free(&eacts, net);
    free(perm); free(Xb); free(Yb);
    return rc;
}
