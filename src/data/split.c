/* split.c - hold out a validation set: a seeded choice of rows, its own
 * stream, so the training rows left are the same for every other setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "sys/hugemem.h"
#include "sys/rng.h"

static int copy_rows(const mlpb_dataset *src, const int *rows, int n, mlpb_dataset *dst) {
    memset(dst, 0, sizeof *dst);
    dst->n = n; dst->d = src->d; dst->k = src->k; dst->crc32 = src->crc32;
    dst->X = mlpb_huge_alloc((size_t)n * src->d * sizeof(float), 0);
    dst->Y = mlpb_huge_alloc((size_t)n * src->k * sizeof(float), 0);
    dst->label = malloc((size_t)n + 1);
    if (!dst->X || !dst->Y || !dst->label) return -1;
    for (int i = 0; i < n; i++) {
        memcpy(dst->X + (size_t)i * src->d, src->X + (size_t)rows[i] * src->d, (size_t)src->d * sizeof(float));
        memcpy(dst->Y + (size_t)i * src->k, src->Y + (size_t)rows[i] * src->k, (size_t)src->k * sizeof(float));
        dst->label[i] = src->label[rows[i]];
    }
    return 0;
}

int mlpb_dataset_split(const mlpb_dataset *src, int nval, uint64_t seed, mlpb_dataset *train, mlpb_dataset *val,
                       char *err, size_t errlen) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    if (nval < 1 || nval >= src->n) {
        snprintf(err, errlen, "validation split of %d rows from a set of %d rows: need 1 <= rows < %d", nval,
                 src->n, src->n);
        return -1;
    }
    int *perm = malloc((size_t)src->n * sizeof(int));
    unsigned char *in_val = calloc((size_t)src->n, 1);
    int rc = -1;
    if (perm && in_val) {
        mlpb_rng rng;
        mlpb_rng_seed(&rng, seed ^ 0x0A11DA7Eull);
        for (int i = 0; i < src->n; i++) perm[i] = i;
        for (int i = 0; i < nval; i++) { /* partial Fisher-Yates: the first nval are the sample */
            int j = i + (int)mlpb_rng_below(&rng, (uint64_t)(src->n - i));
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
            in_val[perm[i]] = 1;
        }
        int nt = 0;
        for (int i = 0; i < src->n; i++)
            if (!in_val[i]) perm[nval + nt++] = i; /* training rows keep their order */
        rc = copy_rows(src, perm, nval, val) || copy_rows(src, perm + nval, nt, train) ? -1 : 0;
    }
    if (rc) {
        snprintf(err, errlen, "out of memory splitting %d validation rows", nval);
        mlpb_dataset_free(train);
        mlpb_dataset_free(val);
    }
    free(perm);
    free(in_val);
    return rc;
}
