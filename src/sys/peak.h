/* peak.h - the measured FP32 multiply-add peak of this machine, per ISA and
 * thread count: the yardstick the gemm benchmark reports "% of peak" against.
 * A probe, not a model: independent register chains of FMAs (mul+add for
 * "scalar") timed with the monotonic clock, all threads in one OpenMP parallel
 * region. Not here: memory bandwidth, the GEMM itself. */
#ifndef MLPB_PEAK_H
#define MLPB_PEAK_H

/* Total GFLOP/s (an FMA counts 2 flops) of `threads` threads each running
 * the probe for isa "avx512", "avx2" (fused multiply-add, 16 / 8 lanes) or
 * "scalar" (plain C float multiply then add, no vectors, no contraction),
 * for about `seconds` in all: the median of 5 timed repetitions after one
 * warm-up. 0.0 if the ISA is unknown, not built in, or not on this CPU, or the
 * probe could not measure (no memory, no time elapsed, a non-finite sum). */
double mlpb_peak_gflops(const char *isa, int threads, double seconds);

/* The per-ISA probe loops (peak_<isa>.c, each compiled with its ISA flags).
 * Run `iters` iterations of `chains` independent multiply-add chains
 * acc = acc * m + a, return the sum of the accumulators (keeps it observable).
 * *flops_per_iter receives the flops one iteration performs. */
double mlpb_peak_run_avx512(long iters, float m, float a, long *flops_per_iter);
double mlpb_peak_run_avx2(long iters, float m, float a, long *flops_per_iter);
double mlpb_peak_run_scalar(long iters, float m, float a, long *flops_per_iter);

#endif
