/* ukernel.c - the named run-time table of micro-kernels, best first, and the
 * CPU-feature checks that decide which are usable. The choice is made once
 * (sys/ or the CLI calls mlpb_ukr_find); `--isa` / MLPB_ISA override it. */
#include "kernels/ukernel.h"

#include <string.h>

static const mlpb_ukr *const table[] = {
#ifdef MLPB_HAVE_AVX512
    &mlpb_ukr_avx512,
#endif
#ifdef MLPB_HAVE_AVX2
    &mlpb_ukr_avx2,
#endif
    &mlpb_ukr_scalar,
};

#define NTAB ((int)(sizeof table / sizeof table[0]))

const mlpb_ukr *const *mlpb_ukr_table(int *count) {
    *count = NTAB;
    return table;
}

int mlpb_isa_available(const char *isa) {
    if (!strcmp(isa, "scalar")) return 1;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (!strcmp(isa, "avx2")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (!strcmp(isa, "avx512"))
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
#endif
    return 0;
}

const mlpb_ukr *mlpb_ukr_find(const char *isa) {
    int n;
    const mlpb_ukr *const *t = mlpb_ukr_table(&n);
    for (int i = 0; i < n; i++) {
        if (!mlpb_isa_available(t[i]->isa)) continue;
        if (!strcmp(isa, "auto") || !strcmp(isa, t[i]->isa)) return t[i];
    }
    return NULL;
}
