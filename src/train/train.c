/* train.c - gradient descent, mini-batch and SGD loops (see train.h). */
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "sys/rng.h"
#include "sys/timer.h"

const char *const mlpb_phase_names[MLPB_NPHASES] = { "data", "forward", "loss", "backward", "comm", "update" };

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

void mlpb_train_state_free(mlpb_train_state *st) {
    free(st->perm);
    memset(st, 0, sizeof *st);
}

static int train_body(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_dataset *tr, const mlpb_dataset *val,
                      const mlpb_dataset *te, const mlpb_train_opts *o, mlpb_point_fn on_point, void *user,
                      mlpb_train_result *res, char *err, size_t errlen) {
    const int n = tr->n, d = tr->d, k = tr->k;
    const int full = o->batch <= 0 || o->batch >= n;
    const int B = full ? n : o->batch;
    const int P = o->points_per_epoch > 0 ? o->points_per_epoch : 1;
    int rc = -1;
    mlpb_acts acts = {0}, eacts = {0};
    mlpb_train_state st = {0};
    float *Xb = full ? NULL : malloc((size_t)B * d * sizeof(float));
    float *Yb = full ? NULL : malloc((size_t)B * k * sizeof(float));
    int ecap = o->eval_rows > 0 ? o->eval_rows : 1000;
    memset(res, 0, sizeof *res);
    st.perm = malloc((size_t)n * sizeof(int));
    if (!st.perm || (!full && (!Xb || !Yb)) || mlpb_acts_init(&acts, net, B) || mlpb_acts_init(&eacts, net, ecap)) {
        snprintf(err, errlen, "out of memory allocating activations for batch %d (%d features)", B, d);
        goto out;
    }
    if (o->resume) {
        if (o->resume->n != n) {
            snprintf(err, errlen, "the checkpoint's run had %d training rows, this one has %d", o->resume->n, n);
            goto out;
        }
        int *perm = st.perm;
        st = *o->resume;
        st.perm = perm;
        memcpy(st.perm, o->resume->perm, (size_t)n * sizeof(int));
    } else {
        for (int i = 0; i < n; i++) st.perm[i] = i;
        mlpb_rng_seed(&st.rng, o->seed ^ 0x5B0FF1E5ull);
        st.n = n;
        st.next_point = 1;
    }
    const int rank = o->dist ? o->dist->rank : 0, R = o->dist ? o->dist->size : 1;
    mlpb_point pt = {0};
    res->stopped_by = "epochs";
    for (; o->epochs <= 0 || st.epoch < o->epochs; st.epoch++) {
        if (st.r0 == 0) { /* a new epoch */
            double t = mlpb_now();
            if (!full) shuffle(st.perm, n, &st.rng); /* full batch: the order does not enter the sum */
            t = mlpb_now() - t;
            st.phase_s[MLPB_PH_DATA] += t;
            st.wall += t;
            st.next_point = 1; /* the point at fraction next_point / P of the epoch */
        }
        for (; st.r0 < n;) {
            const int r0 = st.r0, nb = n - r0 < B ? n - r0 : B; /* the last partial batch is kept */
            /* this rank's share of the global batch: rows [lo, hi) of it, the same
             * permutation on every rank (R = 1: all of it) */
            const int lo = (int)((long)nb * rank / R), hi = (int)((long)nb * (rank + 1) / R), nl = hi - lo;
            const float *X = tr->X + (size_t)(r0 + lo) * d, *Y = tr->Y + (size_t)(r0 + lo) * k;
            double t0 = mlpb_now();
            if (!full) {
                gather(Xb, tr->X, d, st.perm + r0 + lo, nl);
                gather(Yb, tr->Y, k, st.perm + r0 + lo, nl);
                X = Xb; Y = Yb;
            }
            double t1 = mlpb_now();
            mlpb_forward(ctx, net, &acts, X, nl);                          /* Step 2: (1)-(5) */
            double t2 = mlpb_now();
            const float scale = o->reduction == MLPB_REDUCE_MEAN ? 1.0f / (float)nb : 1.0f;
            double l = mlpb_loss_delta(ctx, net, &acts, Y, nl, scale);      /* (6)-(8) */
            double t3 = mlpb_now();
            /* Step 3: (9)-(17); one rank: the deltas only, their weight
             * gradients fused into the update (18) below */
            if (R > 1) mlpb_backward(ctx, net, &acts, X, nl);
            else mlpb_backward_deltas(ctx, net, &acts, nl);
            double t4 = mlpb_now();
            int vote = (o->stop && *o->stop) || (o->max_seconds > 0 && st.wall + (t4 - t0) >= o->max_seconds);
            if (R > 1) { /* one fused allreduce: every gradient, the loss, the stop vote */
                net->grads[net->nparams] = (float)l;
                net->grads[net->nparams + 1] = (float)vote;
                mlpb_dist_allreduce_sum(o->dist, net->grads, net->nparams + 2);
                l = net->grads[net->nparams];
                vote = net->grads[net->nparams + 1] > 0;
            }
            double t5 = mlpb_now();
            if (!isfinite(l)) {
                snprintf(err, errlen,
                         "loss became %s at epoch %d, step %ld (learning rate %g): lower --lr%s",
                         isnan(l) ? "NaN" : "infinite", st.epoch + 1, st.step + 1, (double)o->lr,
                         o->reduction == MLPB_REDUCE_SUM
                             ? "; --reduction sum multiplies the effective rate by the batch size" : "");
                goto out;
            }
            if (R > 1) mlpb_update(ctx, net, o->lr, nl);                   /* Step 4: (18) */
            else mlpb_update_fused(ctx, net, &acts, X, nl, o->lr);          /* (9)(13)(16) into (18) */
            double t6 = mlpb_now();
            double *ph = st.phase_s;
            ph[MLPB_PH_DATA] += t1 - t0; ph[MLPB_PH_FORWARD] += t2 - t1; ph[MLPB_PH_LOSS] += t3 - t2;
            ph[MLPB_PH_BACKWARD] += t4 - t3; ph[MLPB_PH_COMM] += t5 - t4; ph[MLPB_PH_UPDATE] += t6 - t5;
            st.wall += t6 - t0;
            st.loss_since += l;
            st.seen += nb;
            st.step++;
            st.r0 += nb;

            const int end_of_epoch = st.r0 >= n;
            const int signalled = o->stop && *o->stop; /* this rank's own view; the vote decided */
            const int budget = (o->max_samples > 0 && st.seen >= o->max_samples) || vote;
            const int scheduled = end_of_epoch || (long)st.r0 * P >= (long)st.next_point * n;
            if (!(scheduled || budget)) continue;
            /* an unscheduled point (a budget or a signal inside the schedule) is saved as
             * the state before it, so a resumed run logs exactly the points of an
             * uninterrupted one */
            mlpb_train_state before = st;
            while ((long)st.r0 * P >= (long)st.next_point * n) st.next_point++;

            double te0 = mlpb_now();
            pt.epoch = st.epoch + (double)st.r0 / n;
            pt.step = st.step;
            pt.samples_seen = st.seen;
            pt.wall_s = st.wall;
            pt.train_loss = st.loss_since / (double)(st.seen - st.seen_at_point);
            pt.samples_per_s = (st.seen - st.seen_at_point) / (st.wall - st.wall_at_point);
            memcpy(pt.phase_s, st.phase_s, sizeof pt.phase_s);
            eval_set(ctx, net, &eacts, te, &pt.test_loss, &pt.test_acc);
            eval_set(ctx, net, &eacts, val, &pt.val_loss, &pt.val_acc);
            st.eval += mlpb_now() - te0;
            if (!mlpb_dist_agree(o->dist, (uint32_t)crc32_z(0L, (const unsigned char *)net->params,
                                                          net->nparams * sizeof(float)))) {
                snprintf(err, errlen, "the weights differ across ranks at epoch %d, step %ld", st.epoch + 1, st.step);
                goto out;
            }
            for (size_t i = 0; i < net->nparams; i++)
                if (!isfinite(net->params[i])) {
                    snprintf(err, errlen, "a weight became %s by epoch %d, step %ld (learning rate %g): lower --lr",
                             isnan(net->params[i]) ? "NaN" : "infinite", st.epoch + 1, st.step, (double)o->lr);
                    goto out;
                }
            pt.eval_s = st.eval;
            st.loss_since = 0.0;
            st.seen_at_point = st.seen;
            st.wall_at_point = st.wall;
            res->last = pt;
            if (o->target_acc > 0 && !res->reached && pt.test_acc >= o->target_acc) {
                res->reached = 1;
                res->at_target = pt;
            }
            int stop = on_point && on_point(&pt, user);
            if (o->on_save && (end_of_epoch || stop || res->reached || budget)) {
                mlpb_train_state snap = scheduled ? st : before;
                if (end_of_epoch) snap.r0 = 0, snap.epoch++; /* at an epoch's end: the start of the next */
                if (o->on_save(&snap, net, o->save_user, err, errlen)) goto out;
            }
            if (stop || res->reached || budget) {
                res->stopped_by = stop ? "callback" : res->reached ? "target" : signalled ? "signal"
                                : (o->max_samples > 0 && st.seen >= o->max_samples) ? "samples" : "seconds";
                rc = 0;
                goto out;
            }
        }
        st.r0 = 0;
    }
    rc = 0;
out:
    mlpb_acts_free(&acts, net);
    mlpb_acts_free(&eacts, net);
    mlpb_train_state_free(&st);
    free(Xb); free(Yb);
    return rc;
}

typedef struct {
    mlpb_ctx *ctx; mlpb_mlp *net;
    const mlpb_dataset *tr, *val, *te;
    const mlpb_train_opts *o;
    mlpb_point_fn on_point; void *user;
    mlpb_train_result *res;
    char *err; size_t errlen;
    int rc;
} train_args;

static void train_team(void *p) {
    train_args *a = p;
    a->rc = train_body(a->ctx, a->net, a->tr, a->val, a->te, a->o, a->on_point, a->user, a->res, a->err, a->errlen);
}

/* The whole run in one team (kernels.h): a step's ~10 parallel kernel calls
 * then cost no parallel region each (3 us apiece on the Zen 5 VM) */
int mlpb_train(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_dataset *tr, const mlpb_dataset *val,
               const mlpb_dataset *te, const mlpb_train_opts *o, mlpb_point_fn on_point, void *user,
               mlpb_train_result *res, char *err, size_t errlen) {
    train_args a = { ctx, net, tr, val, te, o, on_point, user, res, err, errlen, -1 };
    mlpb_team_run(ctx, train_team, &a);
    return a.rc;
}
