/* train.h - the three ways of the seed's "Gradient descent" section: full
 * batch (gradient descent), one row (SGD), b rows (mini-batch). Shuffles every
 * epoch from the seeded generator, keeps the last partial batch, evaluates at
 * a fixed number of points per epoch, stops on a budget (epochs, samples,
 * seconds) or a target accuracy, times each phase, and hands each point to a
 * callback. Not here: printing, CSV, flags (cli/). */
#ifndef MLPB_TRAIN_H
#define MLPB_TRAIN_H

#include <signal.h>
#include <stdint.h>

#include "data/dataset.h"
#include "nn/mlp.h"
#include "sys/dist.h"
#include "sys/rng.h"

/* Phases of a step, timed with the monotonic clock (seconds, cumulative). */
enum { MLPB_PH_DATA, MLPB_PH_FORWARD, MLPB_PH_LOSS, MLPB_PH_BACKWARD, MLPB_PH_COMM, MLPB_PH_UPDATE, MLPB_NPHASES };
extern const char *const mlpb_phase_names[MLPB_NPHASES]; /* "data", "forward", ... */

/* Where a run is: everything needed to continue it bit for bit (with the
 * weights). Saved in checkpoints (checkpoint.h). */
typedef struct mlpb_train_state {
    int epoch;              /* epochs completed */
    int r0;                 /* the next batch starts at row r0 of this epoch's order;
                               0 = the epoch (and its shuffle) has not started */
    int next_point;         /* the next curve point is at fraction next_point / P of the epoch */
    long step, seen, seen_at_point;
    double wall, eval, wall_at_point, loss_since;
    double phase_s[MLPB_NPHASES];
    mlpb_rng rng;           /* the shuffling stream */
    int n;                  /* training rows = entries of perm */
    int *perm;              /* this epoch's order (owned) */
} mlpb_train_state;

void mlpb_train_state_free(mlpb_train_state *st);

/* Called at the end of every epoch and when training stops early (budget,
 * target, callback): a consistent state to save. Return non-zero to abort
 * training with the message in err (e.g. the checkpoint could not be written). */
typedef int (*mlpb_save_fn)(const mlpb_train_state *st, const mlpb_mlp *net, void *user, char *err, size_t errlen);

typedef struct mlpb_train_opts {
    int batch;              /* rows per step; 0 (or >= n) = full batch */
    int epochs;             /* budget: at most this many epochs (0 = no limit) */
    long max_samples;       /* budget: stop once this many rows were seen (0 = no limit) */
    double max_seconds;     /* budget: stop once training time exceeds it (0 = no limit) */
    double target_acc;      /* stop at the first point whose test accuracy reaches it (0 = none) */
    int points_per_epoch;   /* evaluations per epoch (>= 1; full batch: at most 1 per step) */
    float lr;
    mlpb_reduction reduction;
    uint64_t seed;          /* shuffling stream (weights are seeded at init) */
    int eval_rows;          /* rows per evaluation chunk */
    const mlpb_train_state *resume; /* continue from here (NULL: from the start) */
    mlpb_save_fn on_save;   /* NULL: no checkpoints */
    void *save_user;
    const mlpb_dist *dist;  /* data parallel over ranks (NULL or one rank: this process only) */
    volatile sig_atomic_t *stop; /* checked every step (e.g. set by SIGINT): ends the run at
                                    that step with a point and a save, stopped_by "signal" */
} mlpb_train_opts;

/* One point of a curve. Losses are mean per sample whatever the reduction;
 * train_loss is the mean loss of the batches since the previous point, each
 * taken before its update. wall_s counts training only; eval_s the evaluations. */
typedef struct mlpb_point {
    double epoch;           /* fractional: samples_seen / training rows */
    long step;
    long samples_seen;
    double wall_s, eval_s;
    double train_loss, test_loss, test_acc;
    double val_loss, val_acc; /* NaN without a validation set */
    double samples_per_s;   /* since the previous point */
    double phase_s[MLPB_NPHASES];
} mlpb_point;

typedef struct mlpb_train_result {
    mlpb_point last;        /* the last point */
    int reached;            /* target_acc was reached */
    mlpb_point at_target;   /* the first point that reached it */
    const char *stopped_by; /* "epochs", "samples", "seconds", "target", "callback", "signal" */
} mlpb_train_result;

/* Return non-zero from the callback to stop training after this point. */
typedef int (*mlpb_point_fn)(const mlpb_point *p, void *user);

/* val may be NULL. Returns 0, or -1 with a message in err (out of memory,
 * non-finite loss, naming epoch, step and learning rate). */
int mlpb_train(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_dataset *train, const mlpb_dataset *val,
               const mlpb_dataset *test, const mlpb_train_opts *o, mlpb_point_fn on_point, void *user,
               mlpb_train_result *res, char *err, size_t errlen);

#endif
