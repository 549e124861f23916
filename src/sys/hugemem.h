/* hugemem.h - big arrays on transparent huge pages: the data sets' rows and
 * the network's activations. Random rows of a large array, or the rows a
 * packed GEMM walks, are nearly each a TLB miss on 4 KiB pages, and in a VM a
 * miss is a nested page walk: an SGD step's gather took 11.9 us on the Zen 5
 * VM, 1.25 us on huge pages (results/train-fused-zen5/hugepages/ab.csv). */
#ifndef MLPB_HUGEMEM_H
#define MLPB_HUGEMEM_H

#include <stddef.h>

/* At least `bytes` (0 allowed), zeroed if zero, 64-byte aligned; from 2 MiB
 * up on 2 MiB boundaries with huge pages requested (madvise; `always` or
 * `madvise` in /sys/kernel/mm/transparent_hugepage/enabled grants them).
 * Released with free(); NULL when out of memory. */
void *mlpb_huge_alloc(size_t bytes, int zero);

/* KiB of huge pages backing the mapping that holds p (AnonHugePages in
 * /proc/self/smaps; a big block can share its mapping with others), -1 when
 * unknown (no /proc, p not mapped). For run metadata. */
long mlpb_huge_kb(const void *p);

#endif
