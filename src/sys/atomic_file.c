/* atomic_file.c - see atomic_file.h. */
#define _GNU_SOURCE
#include "sys/atomic_file.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int mlpb_afile_open(mlpb_afile *a, const char *path) {
    a->f = NULL;
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path ||
        snprintf(a->tmp, sizeof a->tmp, "%s.tmp", path) >= (int)sizeof a->tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    a->f = fopen(a->tmp, "w");
    return a->f ? 0 : -1;
}

int mlpb_afile_commit(mlpb_afile *a) {
    int rc = 0, saved = 0;
    if (fflush(a->f) || ferror(a->f) || fsync(fileno(a->f))) rc = -1, saved = errno;
    if (fclose(a->f) && !rc) rc = -1, saved = errno;
    a->f = NULL;
    if (!rc && rename(a->tmp, a->path)) rc = -1, saved = errno;
    if (rc) {
        unlink(a->tmp);
        errno = saved;
    }
    return rc;
}

void mlpb_afile_abort(mlpb_afile *a) {
    if (a->f) fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
