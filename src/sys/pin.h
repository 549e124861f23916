/* pin.h - bind the OpenMP threads one per core (thread i -> core i mod cores;
 * MPI rank r of a machine, from OMPI_COMM_WORLD_LOCAL_RANK, starts at core r*threads)
 * through hwloc, unless the user already chose a binding with OMP_PLACES or
 * OMP_PROC_BIND (then OpenMP's binding stands). Says what was applied, so
 * every result can record it. */
#ifndef MLPB_PIN_H
#define MLPB_PIN_H

#include <stddef.h>

/* Returns a short description of the binding now in force, e.g.
 * "hwloc: 2 threads, thread i on core i mod 2", "OMP_PLACES=cores
 * OMP_PROC_BIND=close (OpenMP's own)", "none (built without hwloc; ...)".
 * hwloc's ends in " (oversubscribed: cores run several threads)" when this
 * machine's threads (times its MPI ranks) outnumber its cores. */
const char *mlpb_pin_threads(int threads, char *buf, size_t len);

/* This job's ranks on this machine (OMPI_COMM_WORLD_LOCAL_SIZE), 1 outside mpirun. */
int mlpb_pin_local_ranks(void);

#endif
