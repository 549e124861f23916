/* bench_common.h - what the one-thread bench/ drivers share (ukr_ceiling.c,
 * ukr_shapes.c): their positional counts, their start (caches read, one
 * thread pinned as mlpbench pins, flush-to-zero on, the build and the caches
 * named on stderr), the median of their rounds. Not here: messages, usage. */
#ifndef MLPB_BENCH_COMMON_H
#define MLPB_BENCH_COMMON_H

#include "cli/cli.h"
#include "sys/pin.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* argument i: def when absent or 0 (zero_ok), else a count in lo..hi
 * (decimal digits only); -1 when not */
static inline long bench_arg_count(int argc, char **argv, int i, long def, long lo, long hi, int zero_ok) {
    if (argc <= i) return def;
    if (argv[i][0] < '0' || argv[i][0] > '9') return -1; /* no sign, no space */
    char *e;
    const long v = strtol(argv[i], &e, 10);
    if (e == argv[i] || *e) return -1;
    if (v == 0 && zero_ok) return def;
    return v >= lo && v <= hi ? v : -1;
}

/* the median of v[0 .. n-1], n >= 1, which it sorts */
static inline double bench_median(double *v, long n) {
    qsort(v, (size_t)n, sizeof *v, mlpb_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* *si read, this thread pinned (binding: what was applied), FTZ on; on
 * stderr "TOOL: built from COMMIT[ with uncommitted changes D]; caches ..." */
static inline void bench_start_1t(const char *tool, mlpb_sysinfo *si, char *binding, size_t nbinding) {
    mlpb_sysinfo_read(si);
    mlpb_pin_threads(1, binding, nbinding);
    mlpb_set_ftz(1);
    const char *commit = cli_build_commit(), *diff = cli_build_diff();
    fprintf(stderr, "%s: built from %s%s%s; caches L1d %ld KiB, L2 %ld KiB, L3 %ld KiB\n", tool, commit,
            diff[0] ? " with uncommitted changes " : "", diff, si->l1d >> 10, si->l2 >> 10, si->l3 >> 10);
}

#endif /* MLPB_BENCH_COMMON_H */
