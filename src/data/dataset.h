/* dataset.h - in-memory labelled data sets: IDX files (MNIST, Fashion-MNIST,
 * plain or .gz), seeded synthetic sets. Not a batch iterator: train/ gathers
 * batches from these arrays.
 *
 * X: (n, d) row-major float32, pixels scaled to [0,1].
 * Y: (n, k) row-major float32 one-hot rows (the seed's y).
 * label: (n) class index of each row, 0..k-1. */
#ifndef MLPB_DATASET_H
#define MLPB_DATASET_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlpb_dataset {
    int n, d, k;
    float *X;
    float *Y;
    uint8_t *label;
    uint32_t crc32;     /* zlib crc32 of the raw (decompressed) IDX bytes, 0 for synthetic */
} mlpb_dataset;

/* Error reporting: functions returning int give 0 on success, -1 on failure
 * with one human-readable message (naming the file) written to err. */
#define MLPB_ERRLEN 512

/* Read an IDX image file (magic 0x00000803, dims n x rows x cols, uint8) and
 * the matching label file (magic 0x00000801, n labels, uint8 < classes).
 * Either may be gzip'd (detected by content, not by name). Validates magic,
 * dimensions, that the two counts agree, labels < classes, and truncation
 * (and trailing bytes). */
int mlpb_idx_load(const char *images_path, const char *labels_path, int classes,
                  mlpb_dataset *out, char *err, size_t errlen);

/* The same checks on the (decompressed) bytes of both files held in memory;
 * mlpb_idx_load reads the files and calls this. The names are for messages. */
int mlpb_idx_parse(const unsigned char *img, size_t img_len, const unsigned char *lbl, size_t lbl_len,
                   const char *img_name, const char *lbl_name, int classes, mlpb_dataset *out,
                   char *err, size_t errlen);

/* Load the four standard files from dir: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each with or without a .gz suffix (the plain one preferred when both exist). */
int mlpb_idx_load_dir(const char *dir, mlpb_dataset *train, mlpb_dataset *test,
                      char *err, size_t errlen);

/* A seeded, learnable k-class set of n rows with d features in [0,1]:
 * class centres drawn from the seed, rows = centre + noise, clipped. The same
 * (n, d, k, seed) always gives the same bytes. Different seeds for train and
 * test sets give independent draws from the same distribution when
 * centre_seed is shared. */
int mlpb_synthetic(int n, int d, int k, uint64_t centre_seed, uint64_t sample_seed,
                   mlpb_dataset *out, char *err, size_t errlen);

/* Hold out nval rows (a seeded choice) as a validation set; the rest, in
 * their original order, become train. Copies; src is untouched. */
int mlpb_dataset_split(const mlpb_dataset *src, int nval, uint64_t seed, mlpb_dataset *train,
                       mlpb_dataset *val, char *err, size_t errlen);

/* Keep only the first n rows (n <= ds->n). */
void mlpb_dataset_truncate(mlpb_dataset *ds, int n);

void mlpb_dataset_free(mlpb_dataset *ds);

#endif
