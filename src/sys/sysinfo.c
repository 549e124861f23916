/* sysinfo.c - see sysinfo.h. */
#define _GNU_SOURCE
#include "sys/sysinfo.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef MLPB_HAVE_HWLOC
#include <hwloc.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define HAVE_MXCSR 1
#endif

static long sysfs_cache(int level, const char *type) {
    for (int idx = 0; idx < 8; idx++) {
        char path[128], buf[64];
        long lv = 0, size = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
        FILE *f = fopen(path, "r");
        if (!f) break;
        if (fscanf(f, "%ld", &lv) != 1) lv = 0;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
        if (!(f = fopen(path, "r"))) continue;
        if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
        fclose(f);
        if (lv != level || strncmp(buf, type, strlen(type))) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
        if (!(f = fopen(path, "r"))) continue;
        if (fscanf(f, "%ldK", &size) != 1) size = 0;
        fclose(f);
        return size * 1024;
    }
    return 0;
}

void mlpb_sysinfo_read(mlpb_sysinfo *s) {
    memset(s, 0, sizeof *s);
    snprintf(s->cpu, sizeof s->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            char *colon = strchr(line, ':');
            if (!strncmp(line, "model name", 10) && colon) {
                colon += 2;
                colon[strcspn(colon, "\n")] = 0;
                snprintf(s->cpu, sizeof s->cpu, "%s", colon);
                break;
            }
        }
        fclose(f);
    }
    s->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    s->cache_src = "fallback";
#ifdef MLPB_HAVE_HWLOC
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0) {
        int nc = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
        if (nc > 0) s->cores = nc;
        hwloc_obj_t o;
        if ((o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L1CACHE, 0))) s->l1d = (long)o->attr->cache.size;
        if ((o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L2CACHE, 0))) s->l2 = (long)o->attr->cache.size;
        if ((o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L3CACHE, 0))) s->l3 = (long)o->attr->cache.size;
        if (s->l1d && s->l2) s->cache_src = "hwloc";
        hwloc_topology_destroy(topo);
    }
#endif
    if (!s->l1d || !s->l2) {
        s->l1d = sysfs_cache(1, "Data");
        s->l2 = sysfs_cache(2, "Unified");
        s->l3 = sysfs_cache(3, "Unified");
        if (s->l1d && s->l2) s->cache_src = "sysfs";
    }
    /* documented fallbacks: a common x86 core */
    if (!s->l1d) s->l1d = 32 * 1024;
    if (!s->l2) s->l2 = 256 * 1024;
    if (!s->l3) s->l3 = 8 * 1024 * 1024;
    if (s->cores < 1) s->cores = 1;
}

static int clampi(long x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : (int)x; }
/* x clamped to lo .. hi, then down to a multiple of m (lo is one) */
static int clamp_down(long x, int lo, int hi, int m) { return clampi(x, lo, hi) / m * m; }

/* The blocking rule (also README, "How it is built"), for micro-kernel MR x NR:
 * KC: the B micro-panel (KC x NR floats), which stays in L1d while the IR loop
 *     streams the A micro-panels past it, fills 3/4 of L1d; the A micro-panel
 *     (MR x KC) is prefetched from L2 and only passes through. (Half of L1d
 *     for both panels gave KC 184 on a 32 KiB L1d with AVX2; 384 halves the K
 *     blocks of the network's GEMMs: measured +4-7% on 64x256x784 and
 *     64x784x256, equal on 1024^3, Zen 3.) A multiple of 8, in [32, 1024].
 * MC: the packed A block (MC x KC), shared by the threads and read whole by
 *     each, fills half of L2; a multiple of MR.
 * NC: the two packed B buffers (double-buffered, 2 x KC x NC) fill half of the
 *     L3 share of one core; a multiple of NR, at most 4096.
 * The scalar micro-kernel (the BLOCKED rung) keeps the KC it always had, both
 * micro-panels in half of L1d: K blocks enter the rounding, so its results
 * stay what they were (MC and NC do not change any result).
 * On Intel's CPUs NC makes the packed B block (KC x NC) half of L2, and with
 * the AVX-512 kernel one thread walks the tiles in row bands (IR outer, JR
 * inner, as the ROWS split does on several: each A panel meets all of the
 * block's B panels, in L2, in a row); AVX2 and the scalar kernel keep JR
 * outer. Measured on the Xeon VM only (README, "Where the kernels stand: the
 * Xeon VM"; results/kernels/xeon_ir_outer*, results/frame_ab/irouter.txt):
 * NC gave AVX2's 2-thread squares 1024 / 2048 1.33x / 1.49x, the two
 * together AVX-512's 1-thread squares 1.05-1.09x; IR outer cost AVX2 4-5% on
 * dW1 and bwd-W2 (the other kernels' step shapes 0.98-1.03x). Elsewhere JR
 * outer and NC from L3, the rule the Zen 5 VM's figures were measured with.
 * Neither changes a result: the narrow paths' room for op(B) (gemm.c,
 * narrow_cap_of) and their L3 threshold keep the L3 rule's NC. */
static int cpu_intel(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_is("intel");
#else
    return 0;
#endif
}

void mlpb_blocking_from_caches(const mlpb_sysinfo *s, const mlpb_ukr *u, mlpb_kcfg *cfg) {
    mlpb_blocking_rule(s, u, cpu_intel(), cfg);
}

void mlpb_blocking_rule(const mlpb_sysinfo *s, const mlpb_ukr *u, int intel, mlpb_kcfg *cfg) {
    const long f = (long)sizeof(float);
    const long l1_kc = !strcmp(u->isa, "scalar") ? s->l1d / 2 / ((u->mr + u->nr) * f) : s->l1d * 3 / 4 / (u->nr * f);
    const int kc = clamp_down(l1_kc, 32, 1024, 8);
    const long l3core = s->l3 / (s->cores > 0 ? s->cores : 1);
    const int nc3 = clamp_down(l3core / 2 / (2 * kc * f), u->nr, 4096, u->nr); /* the L3 rule */
    cfg->mc = clamp_down(s->l2 / 2 / (kc * f), u->mr, 4096, u->mr);
    cfg->kc = kc;
    cfg->nc = intel ? clamp_down(s->l2 / 2 / (kc * f), u->nr, 4096, u->nr) : nc3;
    cfg->ir_outer = intel && !strcmp(u->isa, "avx512");
    cfg->l3_floats = 4L * kc * nc3; /* the narrow paths' threshold, the same whichever NC */
}

int mlpb_set_ftz(int threads) {
#ifdef HAVE_MXCSR
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
    #pragma omp parallel num_threads(threads)
    _mm_setcsr(_mm_getcsr() | 0x8040);
    return 1;
#else
    (void)threads;
    return 0;
#endif
}
