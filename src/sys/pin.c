/* pin.c - see pin.h. */
#include "sys/pin.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MLPB_HAVE_HWLOC
#include <hwloc.h>
#endif

int mlpb_pin_local_ranks(void) {
    const char *ls = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    const int n = ls ? atoi(ls) : 1;
    return n > 1 ? n : 1;
}

const char *mlpb_pin_threads(int threads, char *buf, size_t len) {
    const char *places = getenv("OMP_PLACES"), *bind = getenv("OMP_PROC_BIND");
    if ((places && *places) || (bind && *bind)) {
        snprintf(buf, len, "OMP_PLACES=%s OMP_PROC_BIND=%s (OpenMP's own)", places ? places : "unset",
                 bind ? bind : "unset");
        return buf;
    }
#ifdef MLPB_HAVE_HWLOC
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) || hwloc_topology_load(topo)) {
        snprintf(buf, len, "none (hwloc could not read the topology)");
        return buf;
    }
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE), failed = 0;
    if (cores < 1) {
        hwloc_topology_destroy(topo);
        snprintf(buf, len, "none (hwloc found no cores)");
        return buf;
    }
    /* several MPI ranks on one machine take consecutive blocks of cores */
    const char *lr = getenv("OMPI_COMM_WORLD_LOCAL_RANK");
    const int first = lr ? atoi(lr) * threads : 0;
    #pragma omp parallel num_threads(threads) reduction(+ : failed)
    {
        hwloc_obj_t core =
            hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)((first + omp_get_thread_num()) % cores));
        failed += !core || hwloc_set_cpubind(topo, core->cpuset, HWLOC_CPUBIND_THREAD) != 0;
    }
    hwloc_topology_destroy(topo);
    if (failed) snprintf(buf, len, "none (hwloc could not bind %d of %d threads)", failed, threads);
    else if (first)
        snprintf(buf, len, "hwloc: %d thread%s, thread i on core (%d + i) mod %d", threads, threads > 1 ? "s" : "",
                 first, cores);
    else snprintf(buf, len, "hwloc: %d thread%s, thread i on core i mod %d", threads, threads > 1 ? "s" : "", cores);
    if (!failed && (long)mlpb_pin_local_ranks() * threads > cores && len > 0) { /* this machine's ranks' threads, all */
        const size_t used = strlen(buf);
        snprintf(buf + used, len - used, " (oversubscribed: cores run several threads)");
    }
#else
    (void)threads;
    snprintf(buf, len, "none (built without hwloc; set OMP_PLACES=cores OMP_PROC_BIND=close)");
#endif
    return buf;
}
