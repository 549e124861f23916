/* dist.c - see dist.h. */
#include "sys/dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MLPB_HAVE_MPI
#include <mpi.h>
#endif

static mlpb_dist *world; /* set once in main, read by the exit paths */

mlpb_dist *mlpb_dist_world(void) { return world; }
void mlpb_dist_set_world(mlpb_dist *d) { world = d; }

void mlpb_dist_init(mlpb_dist *d, int *argc, char ***argv) {
    memset(d, 0, sizeof *d);
    d->size = 1;
    snprintf(d->library, sizeof d->library, "none");
#ifdef MLPB_HAVE_MPI
    /* only when launched by an MPI starter: a plain run stays a plain process */
    if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK")) {
        int provided;
        MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &d->size);
        int len;
        char lib[MPI_MAX_LIBRARY_VERSION_STRING];
        MPI_Get_library_version(lib, &len);
        lib[strcspn(lib, "\n,")] = 0;
        snprintf(d->library, sizeof d->library, "%s", lib);
        d->active = 1;
    }
#else
    (void)argc; (void)argv;
#endif
}

void mlpb_dist_finalize(mlpb_dist *d) {
#ifdef MLPB_HAVE_MPI
    if (d->active) MPI_Finalize();
#endif
    d->active = 0;
}

void mlpb_dist_allreduce_sum(const mlpb_dist *d, float *buf, size_t n) {
#ifdef MLPB_HAVE_MPI
    if (d && d->size > 1) MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
#else
    (void)d; (void)buf; (void)n;
#endif
}

void mlpb_dist_bcast(const mlpb_dist *d, void *buf, size_t bytes, int root) {
#ifdef MLPB_HAVE_MPI
    if (d && d->size > 1) MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
#else
    (void)d; (void)buf; (void)bytes; (void)root;
#endif
}

int mlpb_dist_agree(const mlpb_dist *d, uint32_t value) {
#ifdef MLPB_HAVE_MPI
    if (d && d->size > 1) {
        unsigned long v[2] = { value, ~(unsigned long)value }, r[2];
        MPI_Allreduce(v, r, 2, MPI_UNSIGNED_LONG, MPI_MAX, MPI_COMM_WORLD);
        return r[0] == value && r[1] == ~(unsigned long)value; /* max == min */
    }
#else
    (void)d; (void)value;
#endif
    return 1;
}

_Noreturn void mlpb_dist_abort(const mlpb_dist *d, int code) {
#ifdef MLPB_HAVE_MPI
    if (d && d->active && d->size > 1) {
        fflush(stdout);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, code);
    }
#else
    (void)d;
#endif
    exit(code);
}
