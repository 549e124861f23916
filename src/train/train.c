/* train.c - gradient descent, mini-batch and SGD loops (see train.h). */
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/rng.h"
#include "sys/timer.h"

const char *const mlpb_phase_names[MLPB_NPHASES] = { "data", "forward", "loss", "backward", "update" };

static void shuffle(int *perm, int n, mlpb_rng *rng) { /* Fisher-Yates */
    for (int i = n - 1; i > 0; i--) {
        int j = (int)mlpb_rng_below(rng, (uint64_t)i + 1);
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

/* rows perm[0 .. nb) of src (.., width) into dst (nb, width) */
static void gather(float *dst, const float *src, int width, const int *perm, int nb) {
    for (int i = 0; i < nb; i++)
        memcpy(dst + (size_t)i * width, src + (size_t)perm[i] * width, (size_t)width * sizeof(float));
}

static void eval_set(mlpb_ctx *ctx, const mlpb_mlp *net, mlpb_acts *a, const mlpb_dataset *ds, double *loss,
                     double *acc) {
    long correct = 0;
    if (!ds) { *loss = *acc = NAN; return; }
    *loss = mlpb_evaluate(ctx, net, a, ds->X, ds->Y, ds->label, ds->n, &correct) / ds->n;
    *acc = (double)correct / ds->n;
}

int mlpb_train(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_dataset *tr, const mlpb_dataset *val,
               const mlpb_dataset *te, const mlpb_train_opts *o, mlpb_point_fn on_point, void *user,
               mlpb_train_result *res, char *err, size_t errlen) {
    const int n = tr->n, d = tr->d, k = tr->k;
    const int full = o->batch <= 0 || o->batch >= n;
    const int B = full ? n : o->batch;
    const int P = o->points_per_epoch > 0 ? o->points_per_epoch : 1;
    int rc = -1;
    mlpb_acts acts = {0}, eacts = {0};
    int *perm = malloc((size_t)n * sizeof(int));
    float *Xb = full ? NULL : malloc((size_t)B * d * sizeof(float));
    float *Yb = full ? NULL : malloc((size_t)B * k * sizeof(float));
    int ecap = o->eval_rows > 0 ? o->eval_rows : 1000;
    memset(res, 0, sizeof *res);
    if (!perm || (!full && (!Xb || !Yb)) || mlpb_acts_init(&acts, net, B) ||
        mlpb_acts_init(&eacts, net, ecap)) {
        snprintf(err, errlen, "out of memory allocating activations for batch %d (%d features)", B, d);
        goto out;
    }
    for (int i = 0; i < n; i++) perm[i] = i;
    mlpb_rng rng;
    mlpb_rng_seed(&rng, o->seed ^ 0x5B0FF1E5ull);
    mlpb_point pt = {0};
    long step = 0, seen = 0, seen_at_point = 0;
    double wall = 0.0, eval = 0.0, loss_since = 0.0, wall_at_point = 0.0, ph[MLPB_NPHASES] = {0};
    res->stopped_by = "epochs";
    for (int epoch = 0; o->epochs <= 0 || epoch < o->epochs; epoch++) {
        double t = mlpb_now();
        if (!full) shuffle(perm, n, &rng); /* full batch: the order does not enter the sum */
        ph[MLPB_PH_DATA] += mlpb_now() - t;
        wall += mlpb_now() - t;
        int next_point = 1; /* the point at fraction next_point / P of the epoch */
        for (int r0 = 0; r0 < n; r0 += B) {
            const int nb = n - r0 < B ? n - r0 : B; /* the last partial batch is kept */
            const float *X = tr->X, *Y = tr->Y;
            double t0 = mlpb_now();
            if (!full) {
                gather(Xb, tr->X, d, perm + r0, nb);
                gather(Yb, tr->Y, k, perm + r0, nb);
                X = Xb; Y = Yb;
            }
            double t1 = mlpb_now();
            mlpb_forward(ctx, net, &acts, X, nb);                          /* Step 2: (1)-(5) */
            double t2 = mlpb_now();
            double l = mlpb_loss_delta(ctx, net, &acts, Y, nb, o->reduction); /* (6)-(8) */
            double t3 = mlpb_now();
            if (!isfinite(l)) {
                snprintf(err, errlen,
                         "loss became %s at epoch %d, step %ld (learning rate %g): lower --lr%s",
                         isnan(l) ? "NaN" : "infinite", epoch + 1, step + 1, (double)o->lr,
                         o->reduction == MLPB_REDUCE_SUM
                             ? "; --reduction sum multiplies the effective rate by the batch size" : "");
                goto out;
            }
            mlpb_backward(ctx, net, &acts, X, nb);                         /* Step 3: (9)-(17) */
            double t4 = mlpb_now();
            mlpb_update(ctx, net, o->lr);                                  /* Step 4: (18) */
            double t5 = mlpb_now();
            ph[MLPB_PH_DATA] += t1 - t0; ph[MLPB_PH_FORWARD] += t2 - t1; ph[MLPB_PH_LOSS] += t3 - t2;
            ph[MLPB_PH_BACKWARD] += t4 - t3; ph[MLPB_PH_UPDATE] += t5 - t4;
            wall += t5 - t0;
            loss_since += l;
            seen += nb;
            step++;

            const int end_of_epoch = r0 + nb >= n;
            const int budget = (o->max_samples > 0 && seen >= o->max_samples) ||
                               (o->max_seconds > 0 && wall >= o->max_seconds);
            if (!(end_of_epoch || budget || (long)(r0 + nb) * P >= (long)next_point * n)) continue;
            while ((long)(r0 + nb) * P >= (long)next_point * n) next_point++;

            double te0 = mlpb_now();
            pt.epoch = (double)seen / n;
            pt.step = step;
            pt.samples_seen = seen;
            pt.wall_s = wall;
            pt.train_loss = loss_since / (double)(seen - seen_at_point);
            pt.samples_per_s = (seen - seen_at_point) / (wall - wall_at_point);
            memcpy(pt.phase_s, ph, sizeof ph);
            eval_set(ctx, net, &eacts, te, &pt.test_loss, &pt.test_acc);
            eval_set(ctx, net, &eacts, val, &pt.val_loss, &pt.val_acc);
            eval += mlpb_now() - te0;
            pt.eval_s = eval;
            loss_since = 0.0;
            seen_at_point = seen;
            wall_at_point = wall;
            res->last = pt;
            const double judged = val ? pt.val_acc : pt.test_acc;
            if (o->target_acc > 0 && !res->reached && judged >= o->target_acc) {
                res->reached = 1;
                res->at_target = pt;
            }
            int stop = on_point && on_point(&pt, user);
            if (stop || res->reached || budget) {
                res->stopped_by = stop ? "callback" : res->reached ? "target"
                                : (o->max_samples > 0 && seen >= o->max_samples) ? "samples" : "seconds";
                rc = 0;
                goto out;
            }
        }
    }
    rc = 0;
out:
    mlpb_acts_free(&acts, net);
    mlpb_acts_free(&eacts, net);
    free(perm); free(Xb); free(Yb);
    return rc;
}
