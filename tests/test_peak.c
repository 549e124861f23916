/* test_peak.c - the peak probe (sys/peak.h): for "scalar" and every ISA this
 * CPU has, 1 thread and all cores, a finite positive GFLOP/s; an ISA the CPU
 * lacks, an unknown name and 0 threads give 0. Timing on a shared machine is
 * noisy, so the only comparison is a very safe one: a vector ISA's FMA peak
 * is more than 2x the scalar mul+add peak (8 or 16 lanes vs 1). The numbers
 * are printed. Not here: the gemm benchmark (bench_gemm_smoke). */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "kernels/kernels.h"
#include "sys/peak.h"
#include "sys/sysinfo.h"

int main(void) {
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    static const char *const isas[] = { "scalar", "avx2", "avx512" };
    double one[3] = { 0, 0, 0 };
    for (int i = 0; i < 3; i++) {
        if (!mlpb_isa_available(isas[i])) {
            double g = mlpb_peak_gflops(isas[i], 1, 0.05);
            fprintf(stderr, "test_peak: %s not on this CPU (skipped; probe returns %g)\n", isas[i], g);
            CHECK(g == 0.0, "%s unavailable but the probe returned %g", isas[i], g);
            continue;
        }
        one[i] = mlpb_peak_gflops(isas[i], 1, 0.2);
        double all = mlpb_peak_gflops(isas[i], si.cores, 0.2);
        fprintf(stderr, "test_peak: %-6s 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s (%.2fx)\n", isas[i], one[i],
                si.cores, all, one[i] > 0 ? all / one[i] : 0.0);
        CHECK(isfinite(one[i]) && one[i] > 0.0, "%s 1 thread: %g", isas[i], one[i]);
        CHECK(isfinite(all) && all > 0.0, "%s %d threads: %g", isas[i], si.cores, all);
    }
    for (int i = 1; i < 3; i++)
        if (one[i] > 0.0)
            CHECK(one[i] > 2.0 * one[0], "%s peak %.1f is not above 2 x scalar %.1f: the probe is broken", isas[i],
                  one[i], one[0]);
    CHECK(mlpb_peak_gflops("sse9", 1, 0.01) == 0.0, "unknown ISA must give 0");
    CHECK(mlpb_peak_gflops("scalar", 0, 0.01) == 0.0, "0 threads must give 0");
    return check_summary("test_peak");
}
