/* train.h - the three ways of the seed's "Gradient descent" section: full
 * batch (gradient descent), one row (SGD), b rows (mini-batch). Shuffles every
 * epoch from the seeded generator, keeps the last partial batch, evaluates on
 * the test set after every epoch and hands each point to a callback. Not here:
 * printing, CSV, flags (cli/). */
#ifndef MLPB_TRAIN_H
#define MLPB_TRAIN_H

#include <stdint.h>

#include "data/dataset.h"
#include "nn/mlp.h"

typedef struct mlpb_train_opts {
    int batch;              /* rows per step; 0 = full batch */
    int epochs;
    float lr;
    mlpb_reduction reduction;
    uint64_t seed;          /* shuffling stream (weights are seeded at init) */
    int eval_rows;          /* rows per evaluation chunk */
} mlpb_train_opts;

/* One point of the loss curve. Losses are mean per sample whatever the
 * reduction; train_loss is the mean of the losses of the batches of the
 * epoch, each taken before its update. wall_s counts training only. */
typedef struct mlpb_point {
    int epoch;
    long step;
    long samples_seen;
    double wall_s, eval_s;
    double train_loss, test_loss, test_acc;
    double samples_per_s;   /* this epoch's training samples / training seconds */
} mlpb_point;

/* Return non-zero from the callback to stop training early. */
typedef int (*mlpb_point_fn)(const mlpb_point *p, void *user);

/* Returns 0, or -1 with a message in err (out of memory, non-finite loss). */
int mlpb_train(mlpb_ctx *ctx, mlpb_mlp *net, const mlpb_dataset *train, const mlpb_dataset *test,
               const mlpb_train_opts *o, mlpb_point_fn on_point, void *user, char *err, size_t errlen);

#endif
