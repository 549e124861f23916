/* hugemem.c - big arrays on transparent huge pages (hugemem.h): 2 MiB-aligned
 * blocks with MADV_HUGEPAGE, and what the kernel granted (/proc/self/smaps).
 * Not a pool: one call, one block, released with free(). */
#define _DEFAULT_SOURCE /* madvise */
#include "sys/hugemem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_BYTES ((size_t)2 << 20)

void *mlpb_huge_alloc(size_t bytes, int zero) {
    const size_t align = bytes >= HUGE_BYTES ? HUGE_BYTES : 64;
    const size_t whole = ((bytes ? bytes : 1) + align - 1) / align * align; /* aligned_alloc: a multiple */
    void *p = aligned_alloc(align, whole);
    if (!p) return NULL;
#ifdef MADV_HUGEPAGE
    if (align == HUGE_BYTES) (void)madvise(p, whole, MADV_HUGEPAGE); /* a request: refused, it changes nothing */
#endif
    if (zero) memset(p, 0, whole); /* after madvise: the first touch may map huge pages (the kernel's
                                    * call; a block from malloc's heap may sit on pages touched before) */
    return p;
}

long mlpb_huge_kb(const void *p) {
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
