/* cmd_info.c - `mlpbench info`: the machine as the kernels see it. */
#include <omp.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "sys/peak.h"
#include "sys/sysinfo.h"

int mlpb_cmd_info(int argc, char **argv) {
    (void)argc; (void)argv;
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    printf("cpu             %s\n", si.cpu);
    printf("cores           %d\n", si.cores);
    printf("caches          L1d %ld KiB, L2 %ld KiB, L3 %ld KiB (from %s)\n", si.l1d / 1024, si.l2 / 1024,
           si.l3 / 1024, si.cache_src);
    printf("omp max threads %d\n", omp_get_max_threads());
    char thp[64];
    printf("huge pages      transparent, mode %s (data sets ask for them: madvise)\n", cli_thp_mode(thp, sizeof thp));
    int n;
    const mlpb_ukr *const *t = mlpb_ukr_table(&n);
    for (int i = 0; i < n; i++) {
        mlpb_kcfg c = { MLPB_KERNEL_SIMD, t[i], 0, 0, 0, 1, 0, 0 };
        mlpb_blocking_from_caches(&si, t[i], &c);
        printf("micro-kernel    %-12s isa %-7s MRxNR %dx%d  MC/KC/NC %d/%d/%d%s  %s\n", t[i]->name, t[i]->isa,
               t[i]->mr, t[i]->nr, c.mc, c.kc, c.nc, c.ir_outer ? " (1 thread: IR outer)" : "",
               mlpb_isa_available(t[i]->isa) ? "available" : "not on this CPU");
    }
    printf("auto picks      %s\n", mlpb_ukr_find("auto")->name);
    if (si.cores > 1) { /* the GEMM's one-thread thresholds scale with this machine's fork/join cost */
        const char *used;
        char par[512];
        mlpb_ctx *ctx = cli_make_ctx(&si, MLPB_KERNEL_SIMD, mlpb_ukr_find("auto"), si.cores, &used);
        printf("parallel        %s\n", cli_par_line(ctx, par, sizeof par));
        mlpb_ctx_free(ctx);
    }
    /* measured FP32 peak (sys/peak.h), a short probe per ISA: 1 thread, all cores */
    static const char *const isas[] = { "avx512", "avx2", "scalar" };
    for (int i = 0; i < 3; i++)
        if (mlpb_isa_available(isas[i]))
            printf("peak GFLOP/s    %-7s 1 thread %.1f, %d threads %.1f%s\n", isas[i], mlpb_peak_gflops(isas[i], 1, 0.2),
                   si.cores, mlpb_peak_gflops(isas[i], si.cores, 0.2), i == 2 ? " (plain C mul+add)" : " (FMA)");
    return 0;
}
