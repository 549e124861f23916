/* fuzz_idx.c - libFuzzer target for the IDX reader (mlpb_idx_parse, the
 * checks behind mlpb_idx_load). Input: u32 little-endian split point, one
 * byte for the class count, then the image file's bytes up to the split and
 * the label file's bytes after it. Each part is copied into a buffer of its
 * exact size so that any read past it is an ASan report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) return 0;
    size_t rest = size - 5;
    size_t split = (size_t)(data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24);
    if (split > rest) split = rest;
    int classes = data[4] + 1; /* 1..256: 1 is refused */
    unsigned char *img = malloc(split ? split : 1), *lbl = malloc(rest - split ? rest - split : 1);
    if (!img || !lbl) abort();
    memcpy(img, data + 5, split);
    memcpy(lbl, data + 5 + split, rest - split);

    mlpb_dataset ds;
    char err[MLPB_ERRLEN];
    if (mlpb_idx_parse(img, split, lbl, rest - split, "images", "labels", classes, &ds, err, sizeof err) == 0) {
        /* what a caller relies on: the shape matches the bytes, one-hot rows */
        if (ds.n < 1 || ds.d < 1 || ds.k != classes || (size_t)ds.n * (size_t)ds.d + 16 != split ||
            (size_t)ds.n + 8 != rest - split)
            abort();
        for (int i = 0; i < ds.n; i++)
            if (ds.label[i] >= ds.k || ds.Y[(size_t)i * ds.k + ds.label[i]] != 1.0f) abort();
        for (size_t i = 0; i < (size_t)ds.n * ds.d; i++)
            if (!(ds.X[i] >= 0.0f && ds.X[i] <= 1.0f)) abort();
        mlpb_dataset_free(&ds);
    } else if (!err[0] || ds.X || ds.Y || ds.label || ds.n) {
        abort(); /* a refusal has a message and leaves nothing allocated */
    }
    free(img);
    free(lbl);
    return 0;
}
