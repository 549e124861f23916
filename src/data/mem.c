/* mem.c - the allocation of a data set's arrays (dataset.h): big ones on
 * 2 MiB boundaries with transparent huge pages asked for, and what the
 * kernel granted (/proc/self/smaps). Not a pool: one call, one block,
 * released with free(). */
#define _DEFAULT_SOURCE /* madvise */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "data/dataset.h"

#define HUGE_BYTES ((size_t)2 << 20)

float *mlpb_data_floats(size_t n, int zero) {
    const size_t bytes = (n ? n : 1) * sizeof(float);
    if (bytes < HUGE_BYTES) return zero ? calloc(n ? n : 1, sizeof(float)) : malloc(bytes);
    const size_t whole = (bytes + HUGE_BYTES - 1) / HUGE_BYTES * HUGE_BYTES; /* aligned_alloc: a multiple */
    float *p = aligned_alloc(HUGE_BYTES, whole);
    if (!p) return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, whole, MADV_HUGEPAGE); /* a request: refused (THP off, old kernel) it changes nothing */
#endif
    if (zero) memset(p, 0, bytes); /* after madvise: the first touch may map huge pages (the kernel's
                                    * call; a block from malloc's heap may sit on pages touched before) */
    return p;
}

long mlpb_data_huge_kb(const void *p) {
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512];
    int in = 0;
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        const char *dash = strchr(line, '-'), *space = strchr(line, ' ');
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && space && dash < space) { /* a mapping's header line */
            if (in) break; /* past the mapping, its field not seen */
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        } else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}
