/* dist.h - the one door to MPI: rank, size, the fused gradient allreduce, a
 * broadcast, a checksum agreement check and an abort that stops every rank.
 * Without MPI (MLPB_HAVE_MPI undefined, or not launched by mpirun) it is a
 * single rank and every call is a no-op. Not here: what is reduced (train.c). */
#ifndef MLPB_DIST_H
#define MLPB_DIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlpb_dist {
    int rank, size;
    int active;             /* MPI initialised by us */
    char library[256];      /* MPI library version, or "none" */
} mlpb_dist;

void mlpb_dist_init(mlpb_dist *d, int *argc, char ***argv);
void mlpb_dist_finalize(mlpb_dist *d);
/* buf[0..n) summed over ranks, in place (one call per step: the fused buffer). */
void mlpb_dist_allreduce_sum(const mlpb_dist *d, float *buf, size_t n);
void mlpb_dist_bcast(const mlpb_dist *d, void *buf, size_t bytes, int root);
/* 1 if every rank passed the same value. */
int mlpb_dist_agree(const mlpb_dist *d, uint32_t value);
/* Stop every rank now (MPI_Abort), or exit when single. */
_Noreturn void mlpb_dist_abort(const mlpb_dist *d, int code);

/* The process-wide communicator state, for the error paths that must stop
 * every rank (cli_fail). Set once by main; NULL before. */
mlpb_dist *mlpb_dist_world(void);
void mlpb_dist_set_world(mlpb_dist *d);

#endif
