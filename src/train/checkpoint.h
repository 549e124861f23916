/* checkpoint.h - save and load a run: the network's widths and weights, the
 * settings that must not change across a resume, the training state (epoch,
 * position in the epoch's permutation, generator state, counters), and a
 * CRC32 (zlib) of everything before it. Written atomically (temporary file,
 * fsync, rename). Not here: the training loop (train.c), flags (cli/).
 *
 * Layout (host byte order, which the header records): "MLPBCKPT", u32 version,
 * u32 byte-order mark 0x01020304, then the fields of mlpb_ckpt_meta, the
 * parameters (float32), the state, u32 crc32. */
#ifndef MLPB_CHECKPOINT_H
#define MLPB_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "nn/mlp.h"
#include "train/train.h"

#define MLPB_CKPT_VERSION 1
#define MLPB_CKPT_MAX_LAYERS 64

/* What a resumed run must agree with. */
typedef struct mlpb_ckpt_meta {
    int L;
    int widths[MLPB_CKPT_MAX_LAYERS + 1];
    int reduction;
    uint64_t seed;
    int batch;            /* 0 = full */
    float lr;
    int points_per_epoch;
    uint32_t data_crc32;  /* of the training set's source (0: synthetic) */
    int data_rows;        /* training rows */
} mlpb_ckpt_meta;

int mlpb_ckpt_save(const char *path, const mlpb_ckpt_meta *meta, const mlpb_mlp *net, const mlpb_train_state *st,
                   char *err, size_t errlen);

/* Parse a checkpoint held in memory (name is used in messages). On success
 * net is initialised with the saved widths and weights and st holds the state
 * (st->perm allocated); on failure nothing is allocated. */
int mlpb_ckpt_parse(const unsigned char *buf, size_t len, const char *name, mlpb_ckpt_meta *meta, mlpb_mlp *net,
                    mlpb_train_state *st, char *err, size_t errlen);
int mlpb_ckpt_load(const char *path, mlpb_ckpt_meta *meta, mlpb_mlp *net, mlpb_train_state *st, char *err,
                   size_t errlen);

/* "" when a resume with `want` may continue `have`, else a message naming
 * what differs (written into buf). */
const char *mlpb_ckpt_mismatch(const mlpb_ckpt_meta *have, const mlpb_ckpt_meta *want, char *buf, size_t len);

#endif
