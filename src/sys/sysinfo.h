/* sysinfo.h - what the machine is: CPU model, cores, cache sizes (hwloc when
 * built with it, sysfs otherwise, documented constants last), flush-to-zero,
 * and the blocking config derived from the caches. The only place that knows
 * machine-specific block sizes. */
#ifndef MLPB_SYSINFO_H
#define MLPB_SYSINFO_H

#include "kernels/kernels.h"

typedef struct mlpb_sysinfo {
    char cpu[128];
    int cores;              /* physical cores */
    long l1d, l2, l3;       /* bytes per cache instance */
    const char *cache_src;  /* "hwloc", "sysfs" or "fallback" */
} mlpb_sysinfo;

void mlpb_sysinfo_read(mlpb_sysinfo *s);

/* MC/KC/NC for micro-kernel u from the caches:
 * KC: the NR-wide B micro-panel (KC x NR) fills 3/4 of L1d (the scalar
 *     kernel keeps the older rule: one MR and one NR micro-panel in half of L1d);
 * MC: the packed A block (MC x KC) fills half of L2;
 * NC: the two (double-buffered) packed B panels fill half of the L3 share of
 *     one core, at most 4096; on Intel's CPUs the B block fills half of L2,
 *     and for the AVX-512 kernel ir_outer is set (one thread takes the tiles
 *     in row bands; sysinfo.c says why). Rounded to multiples of 8, MR, NR. */
void mlpb_blocking_from_caches(const mlpb_sysinfo *s, const mlpb_ukr *u, mlpb_kcfg *cfg);
/* The same rule with the vendor given (intel: 1 for Intel's CPUs), whatever
 * this CPU is: what mlpb_blocking_from_caches applies, open to the tests. */
void mlpb_blocking_rule(const mlpb_sysinfo *s, const mlpb_ukr *u, int intel, mlpb_kcfg *cfg);

/* Set flush-to-zero and denormals-are-zero in the calling thread and every
 * thread of a `threads`-wide OpenMP pool. Returns 1 if set, 0 if this CPU has
 * no such control (non-x86). */
int mlpb_set_ftz(int threads);

#endif
