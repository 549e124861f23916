/* ukr_ceiling.c - each micro-kernel's own speed: the ceiling the packed
 * frame works under, in % of this machine's measured FMA peak for its ISA
 * (the peak probe, sys/peak.c: FMAs on registers only). Per kernel of the
 * table that this CPU has, on packed panels of its MR and NR:
 *   l1     the same A panel (MR x KC) and B panel (KC x NR) into the same C
 *          tile (MR x NR), call after call: the kernel's loop alone, its
 *          operands in L1d as far as they fit (on a 48 KiB L1d the rule's
 *          KC gives the two panels 49.5 KiB; a KC of 144 keeps them inside)
 *   l1e    the same through the edge kernel (ME rows), if it has one
 *   ir     the frame's two inner loops on packed operands: JR over NJ B
 *          panels, IR over the MC / MR A panels of one block (A from L2),
 *          C an MC x NJ NR block with rows NJ NR + 16 floats apart
 *   ir_c1  the same loops with every tile written to C's first tile: what
 *          the kernel loses to C's traffic is what ir_c1 gains over ir
 *   ir_a1  the same loops with every tile reading A's first panel: what it
 *          loses to A's panels coming from L2 (or past it)
 * beta = 0 throughout (the frame's first K block; the later ones read C too).
 * The scalar kernel (plain C, which gcc vectorises with SSE) is set against
 * the one-lane scalar probe, so its per cent passes 100.
 * KC and MC are the blocking rule's for this machine's caches
 * (sys/sysinfo.c) unless given; NJ (B panels) defaults to 8. Each
 * timing repeats calls for >= 2 ms; ROUNDS timings per case, the cases in
 * turns, the median; one thread, pinned as mlpbench pins (sys/pin.h),
 * flush-to-zero on. CSV on stdout (mr: the rows of the case's kernel, ME
 * for l1e; mc, nj: the block, MR and 1 for l1 and l1e); on stderr the
 * commit the binary was built from, the caches, and each kernel's setting:
 *   ukr,isa,mr,nr,kc,mc,nj,case,gflops,peak_gflops,pct_peak
 *   build/ukr_ceiling [ROUNDS [KC [MC [NJ]]]]     (defaults 11, rule, rule, 8)
 *   build/ukr_ceiling 11 0 0 64                   (the rule's KC and MC, a B block of 64 panels)
 * Not a test: a measurement. Not here: packing, the frame's partial tiles,
 * threads (bench/frame_ab.c, mlpbench gemm). */
#include "bench_common.h"
#include "kernels/kernels.h"
#include "sys/peak.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CASE_L1, CASE_L1E, CASE_IR, CASE_IR_C1, CASE_IR_A1, NCASE };
static const char *case_name[NCASE] = { "l1", "l1e", "ir", "ir_c1", "ir_a1" };

typedef struct bench {
    const mlpb_ukr *u;
    int kc, mc, nj;
    ptrdiff_t ldc;
    float *a, *b, *c;
    long reps[NCASE]; /* calls (l1, l1e) or IR sweeps (ir) per timing */
} bench;

/* whether kernel x has case w (l1e: an edge kernel) */
static int has_case(const bench *x, int w) { return w != CASE_L1E || x->u->me > 0; }

/* reps runs of case w; seconds */
static double run(const bench *x, int w, long reps) {
    const mlpb_ukr *u = x->u;
    const int np = x->mc / u->mr;
    const size_t ai = w == CASE_IR_A1 ? 0 : (size_t)u->mr * x->kc; /* A panel ir at a + ir ai */
    const size_t ci = w == CASE_IR_C1 ? 0 : (size_t)u->mr * x->ldc, cj = w == CASE_IR_C1 ? 0 : (size_t)u->nr;
    const double t0 = mlpb_now();
    for (long r = 0; r < reps; r++) {
        if (w == CASE_L1) u->fn(x->kc, x->a, x->b, x->c, u->nr, 1.0f, 0.0f);
        else if (w == CASE_L1E) u->fn_e(x->kc, x->a, x->b, x->c, u->nr, 1.0f, 0.0f);
        else
            for (int jr = 0; jr < x->nj; jr++)      /* JR loop */
                for (int ir = 0; ir < np; ir++)     /* IR loop */
                    u->fn(x->kc, x->a + (size_t)ir * ai, x->b + (size_t)jr * x->kc * u->nr,
                          x->c + (size_t)ir * ci + (size_t)jr * cj, x->ldc, 1.0f, 0.0f);
    }
    return mlpb_now() - t0;
}

static double flops(const bench *x, int w) {
    const mlpb_ukr *u = x->u;
    const double rows = w == CASE_L1 ? u->mr : w == CASE_L1E ? u->me : (double)(x->mc / u->mr) * u->mr * x->nj; /* ir* */
    return 2.0 * rows * u->nr * x->kc;
}

int main(int argc, char **argv) {
    static const char *usage = "usage: ukr_ceiling [ROUNDS [KC [MC [NJ]]]] (KC, MC, NJ: 0 for the default)";
    static const char *what[5] = { "", "ROUNDS: not a count in 1..1001", "KC: not 0 or a count in 8..4096",
                                   "MC: not 0 or a count in 1..8192", "NJ: not 0 or a count in 1..1024" };
    static const long lo[5] = { 0, 1, 8, 1, 1 }, hi[5] = { 0, 1001, 4096, 8192, 1024 }, def[5] = { 0, 11, 0, 0, 8 };
    if (argc > 5) {
        fprintf(stderr, "ukr_ceiling: %d arguments, at most 4; %s\n", argc - 1, usage);
        return 2;
    }
    long v[5];
    for (int i = 1; i < 5; i++)
        if ((v[i] = bench_arg_count(argc, argv, i, def[i], lo[i], hi[i], i > 1)) < 0) {
            fprintf(stderr, "ukr_ceiling: %s (got '%s'); %s\n", what[i], argv[i], usage);
            return 2;
        }
    const long rounds = v[1], kc_arg = v[2], mc_arg = v[3], nj = v[4];
    mlpb_sysinfo si;
    char binding[160];
    bench_start_1t("ukr_ceiling", &si, binding, sizeof binding);
    int nt = 0;
    const mlpb_ukr *const *tab = mlpb_ukr_table(&nt);
    bench *bs = calloc((size_t)nt, sizeof *bs);
    if (!bs) {
        fprintf(stderr, "ukr_ceiling: out of memory\n");
        return 1;
    }
    int nb = 0;
    for (int i = 0; i < nt; i++) {
        const mlpb_ukr *u = tab[i];
        if (!mlpb_isa_available(u->isa)) continue;
        mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, 0, 0, 0, 1, 0, 0 };
        mlpb_blocking_from_caches(&si, u, &cfg);
        bench *x = &bs[nb];
        x->u = u;
        x->kc = kc_arg ? (int)kc_arg : cfg.kc;
        x->mc = mc_arg ? (int)mc_arg : cfg.mc;
        if (x->mc < u->mr) x->mc = u->mr;
        x->mc = x->mc / u->mr * u->mr;
        x->nj = (int)nj;
        x->ldc = (ptrdiff_t)x->nj * u->nr + 16;
        x->a = mlpb_alloc64(sizeof(float) * (size_t)x->mc * (size_t)x->kc);
        x->b = mlpb_alloc64(sizeof(float) * (size_t)x->nj * (size_t)x->kc * (size_t)u->nr);
        x->c = mlpb_alloc64(sizeof(float) * (size_t)x->mc * (size_t)x->ldc);
        if (!x->a || !x->b || !x->c) {
            fprintf(stderr, "ukr_ceiling: out of memory (%s: MC %d, KC %d, NJ %d)\n", u->name, x->mc, x->kc, x->nj);
            return 1;
        }
        for (size_t j = 0; j < (size_t)x->mc * (size_t)x->kc; j++) x->a[j] = (float)(j % 101) / 101.0f - 0.5f;
        for (size_t j = 0; j < (size_t)x->nj * (size_t)x->kc * (size_t)u->nr; j++)
            x->b[j] = (float)(j % 37) / 37.0f - 0.5f;
        for (int w = 0; w < NCASE; w++) { /* calibrate: >= 2 ms a timing */
            if (!has_case(x, w)) continue;
            long r = 1;
            while (run(x, w, r) < 2e-3 && r < (1L << 40)) r *= 2;
            x->reps[w] = r;
        }
        fprintf(stderr, "ukr_ceiling: %s MRxNR %dx%d (edge %d rows) KC %d MC %d NJ %d, %ld rounds, %s\n", u->name,
                u->mr, u->nr, u->me, x->kc, x->mc, x->nj, rounds, binding);
        nb++;
    }
    double *t = malloc(sizeof(double) * (size_t)nb * NCASE * (size_t)rounds);
    if (!t) {
        fprintf(stderr, "ukr_ceiling: out of memory\n");
        return 1;
    }
    for (long r = 0; r < rounds; r++) /* every case once per round, the order reversed every other round */
        for (int q = 0; q < nb * NCASE; q++) {
            const int qq = r % 2 ? nb * NCASE - 1 - q : q, i = qq / NCASE, w = qq % NCASE;
            if (!has_case(&bs[i], w)) continue;
            t[(size_t)qq * (size_t)rounds + (size_t)r] = run(&bs[i], w, bs[i].reps[w]) / (double)bs[i].reps[w];
        }
    printf("ukr,isa,mr,nr,kc,mc,nj,case,gflops,peak_gflops,pct_peak\n");
    for (int i = 0; i < nb; i++) {
        const bench *x = &bs[i];
        const double peak = mlpb_peak_gflops(x->u->isa, 1, 0.5);
        for (int w = 0; w < NCASE; w++) {
            if (!has_case(x, w)) continue;
            double *v = t + (size_t)(i * NCASE + w) * (size_t)rounds;
            const double med = bench_median(v, rounds);
            const double gf = flops(x, w) / med / 1e9;
            printf("%s,%s,%d,%d,%d,%d,%d,%s,%.1f,%.1f,%.1f\n", x->u->name, x->u->isa, w == CASE_L1E ? x->u->me : x->u->mr,
                   x->u->nr, x->kc, w >= CASE_IR ? x->mc : w == CASE_L1E ? x->u->me : x->u->mr, w >= CASE_IR ? x->nj : 1,
                   case_name[w], gf, peak, peak > 0 ? 100.0 * gf / peak : 0.0);
        }
    }
    free(t);
    for (int i = 0; i < nb; i++) {
        free(bs[i].a);
        free(bs[i].b);
        free(bs[i].c);
    }
    free(bs);
    return 0;
}
