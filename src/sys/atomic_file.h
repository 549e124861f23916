/* atomic_file.h - files that are either absent, the old version or the whole
 * new version, never torn: write to PATH.tmp, fsync, rename over PATH. */
#ifndef MLPB_ATOMIC_FILE_H
#define MLPB_ATOMIC_FILE_H

#include <stdio.h>

typedef struct mlpb_afile {
    FILE *f;
    char tmp[4096];
    char path[4096];
} mlpb_afile;

/* 0, or -1 with errno set (f is NULL). */
int mlpb_afile_open(mlpb_afile *a, const char *path);
/* Flush, fsync, close and rename into place. 0, or -1 with errno set (the
 * temporary is removed, PATH untouched). */
int mlpb_afile_commit(mlpb_afile *a);
/* Close and remove the temporary; PATH untouched. */
void mlpb_afile_abort(mlpb_afile *a);

#endif
