/* ukr_shapes.c - whether another register shape of the micro-kernel would
 * run faster on this machine: the same packed-panel loop (ukr_shapes_tmpl.h)
 * for each R x NR of its ISA that fits the register file (AVX-512: 12x32,
 * the table's, 14x32, 28x16, 8x48, 9x48, 6x64, 4x96; AVX2: 6x16, the
 * table's, 4x24, 12x8, 2x40), the same A panel (R x KC) and B panel
 * (KC x NR) into the same C tile call after call (ukr_ceiling's l1 case), in
 * % of the peak probe of its ISA (sys/peak.c: FMAs on registers only); and
 * in the same turns the micro-kernel table's entry for the ISA itself on its
 * shape's panels (alpha 1, beta 0: with its prefetches of A and C and its
 * epilogue), so that what those cost shows beside the bare loop. KC is per
 * shape, both panels in 3/4 of L1d (a multiple of 8), unless given.
 * Each kernel's C is first checked bit for bit against a plain-C chain of
 * fmaf over k (the same operations in the same order); a difference exits 1
 * naming the shape and the element. Each timing repeats calls for >= 2 ms;
 * ROUNDS timings per shape, the shapes in turns (the order reversed every
 * other round), the median; and per row the median over the rounds of the
 * round's ratio of GFLOP/s to the loop of the table's shape (both in the
 * same round: > 1, faster than that loop). One thread,
 * pinned as mlpbench pins, flush-to-zero on. CSV on stdout, on stderr the
 * commit it was built from and the caches:
 *   isa,kernel,shape,mr,nr,kc,regs,gflops,peak_gflops,pct_peak,vs_table_loop
 * (kernel: loop, or the table entry's name; regs: zmm / ymm registers the
 * loop needs, R NV + NV + 1; pct_peak can pass 100 when the probe, run
 * after the rounds, meets a slower clock than they did)
 *   build/ukr_shapes [ROUNDS [KC]]      (defaults 11, per shape)
 * Not a test: a measurement. Not here: the frame's loops around the kernel
 * (ukr_ceiling's ir cases), edges, threads. */
#include "bench_common.h"
#include "kernels/kernels.h"
#include "sys/peak.h"
#include "ukr_shapes_tmpl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const ukr_shape ukr_shapes_avx512[], ukr_shapes_avx2[];

typedef struct run_of {
    const char *isa;
    const ukr_shape *s;
    const mlpb_ukr *u; /* the table's kernel itself (alpha 1, beta 0), or NULL: the loop of shape s */
    int kc, vl;
    int base; /* the row of the loop of the table's shape, this ISA's */
    float *a, *b, *c;
    long reps;
} run_of;

/* reps calls; seconds */
static double run(const run_of *x, long reps) {
    const double t0 = mlpb_now();
    if (x->u)
        for (long r = 0; r < reps; r++) x->u->fn(x->kc, x->a, x->b, x->c, x->s->nr, 1.0f, 0.0f);
    else
        for (long r = 0; r < reps; r++) x->s->fn(x->kc, x->a, x->b, x->c, x->s->nr);
    return mlpb_now() - t0;
}

/* flops of one call */
static double flops_of(const run_of *x) { return 2.0 * x->s->r * x->s->nr * x->kc; }

/* C (R x NR) against fmaf chains over k from 0; 0 if every bit agrees */
static int check(const run_of *x) {
    const int R = x->s->r, NR = x->s->nr;
    for (int i = 0; i < R * NR; i++) x->c[i] = NAN; /* every element must be written */
    run(x, 1);
    for (int i = 0; i < R; i++)
        for (int j = 0; j < NR; j++) {
            float want = 0.0f;
            for (int p = 0; p < x->kc; p++) want = fmaf(x->a[p * R + i], x->b[p * NR + j], want);
            const float got = x->c[i * NR + j];
            if (memcmp(&got, &want, sizeof got)) {
                fprintf(stderr,
                        "ukr_shapes: %s %s %s differs from the plain-C fmaf chain at C(%d,%d) (KC %d): %.9g, want %.9g\n",
                        x->isa, x->u ? "table" : "loop", x->s->name, i, j, x->kc, (double)got, (double)want);
                return 1;
            }
        }
    return 0;
}

int main(int argc, char **argv) {
    static const char *usage = "usage: ukr_shapes [ROUNDS [KC]] (KC 0: per shape, both panels in 3/4 of L1d)";
    if (argc > 3) {
        fprintf(stderr, "ukr_shapes: %d arguments, at most 2; %s\n", argc - 1, usage);
        return 2;
    }
    const long rounds = bench_arg_count(argc, argv, 1, 11, 1, 1001, 0);
    const long kc_arg = bench_arg_count(argc, argv, 2, 0, 8, 4096, 1);
    if (rounds < 0 || kc_arg < 0) {
        fprintf(stderr, "ukr_shapes: %s (got '%s'); %s\n",
                rounds < 0 ? "ROUNDS: not a count in 1..1001" : "KC: not 0 or a count in 8..4096",
                argv[rounds < 0 ? 1 : 2], usage);
        return 2;
    }
    mlpb_sysinfo si;
    char binding[160];
    bench_start_1t("ukr_shapes", &si, binding, sizeof binding);
    fprintf(stderr, "ukr_shapes: %ld rounds, %s\n", rounds, binding);
    static const struct { const char *isa; const ukr_shape *tab; int vl; } isas[] = {
        { "avx512", ukr_shapes_avx512, 16 },
        { "avx2", ukr_shapes_avx2, 8 },
    };
    run_of xs[32] = { { 0 } };
    const int maxx = (int)(sizeof xs / sizeof xs[0]);
    int nx = 0, rc = 1; /* xs[0 .. nx) and xs[nx]'s buffers are freed at the end */
    double *t = NULL, *rt = NULL, *vs = NULL;
    for (size_t q = 0; q < sizeof isas / sizeof isas[0]; q++) {
        if (!mlpb_isa_available(isas[q].isa)) {
            fprintf(stderr, "ukr_shapes: %s: not on this CPU, skipped\n", isas[q].isa);
            continue;
        }
        const mlpb_ukr *u = mlpb_ukr_find(isas[q].isa);
        const int first = nx;
        int base = -1;
        for (const ukr_shape *s = isas[q].tab; s->name; s++) {
            const int table = u && u->mr == s->r && u->nr == s->nr; /* then the table's kernel too */
            for (int w = 0; w <= table; w++) {
                if (nx == maxx) {
                    fprintf(stderr, "ukr_shapes: more than %d kernels in the tables\n", maxx);
                    goto done;
                }
                if (table && !w) base = nx;
                run_of *x = &xs[nx];
                x->isa = isas[q].isa;
                x->s = s;
                x->u = w ? u : NULL;
                x->vl = isas[q].vl;
                const long kc = kc_arg ? kc_arg : si.l1d * 3 / 4 / ((long)(s->r + s->nr) * (long)sizeof(float)) / 8 * 8;
                x->kc = (int)(kc < 8 ? 8 : kc);
                x->a = mlpb_alloc64(sizeof(float) * (size_t)s->r * (size_t)x->kc);
                x->b = mlpb_alloc64(sizeof(float) * (size_t)s->nr * (size_t)x->kc);
                x->c = mlpb_alloc64(sizeof(float) * (size_t)s->r * (size_t)s->nr);
                if (!x->a || !x->b || !x->c) {
                    fprintf(stderr, "ukr_shapes: out of memory (%s %s, KC %d)\n", x->isa, s->name, x->kc);
                    goto done;
                }
                for (size_t j = 0; j < (size_t)s->r * (size_t)x->kc; j++) x->a[j] = (float)(j % 101) / 101.0f - 0.5f;
                for (size_t j = 0; j < (size_t)s->nr * (size_t)x->kc; j++) x->b[j] = (float)(j % 37) / 37.0f - 0.5f;
                if (check(x)) goto done;
                long r = 1; /* calibrate: >= 2 ms a timing */
                while (run(x, r) < 2e-3 && r < (1L << 40)) r *= 2;
                x->reps = r;
                fprintf(stderr, "ukr_shapes: %s %s %s KC %d (%.1f KiB of panels)\n", x->isa, w ? u->name : "loop",
                        s->name, x->kc, (double)(s->r + s->nr) * x->kc * sizeof(float) / 1024.0);
                nx++;
            }
        }
        if (base < 0) {
            fprintf(stderr, "ukr_shapes: %s: the table's shape %dx%d is not in its list\n", isas[q].isa,
                    u ? u->mr : 0, u ? u->nr : 0);
            goto done;
        }
        for (int i = first; i < nx; i++) xs[i].base = base;
    }
    t = malloc(sizeof(double) * (size_t)(nx > 0 ? nx : 1) * (size_t)rounds);
    rt = malloc(sizeof(double) * (size_t)rounds);
    vs = malloc(sizeof(double) * (size_t)(nx > 0 ? nx : 1));
    if (!t || !rt || !vs) {
        fprintf(stderr, "ukr_shapes: out of memory\n");
        goto done;
    }
    for (long r = 0; r < rounds; r++) /* every shape once per round, the order reversed every other round */
        for (int q = 0; q < nx; q++) {
            const int i = r % 2 ? nx - 1 - q : q;
            t[(size_t)i * (size_t)rounds + (size_t)r] = run(&xs[i], xs[i].reps) / (double)xs[i].reps;
        }
    /* each row's rate over its base's in every round, before the medians sort the rounds */
    for (int i = 0; i < nx; i++) {
        const int b = xs[i].base;
        const double *v = t + (size_t)i * (size_t)rounds, *vb = t + (size_t)b * (size_t)rounds;
        for (long r = 0; r < rounds; r++) rt[r] = (flops_of(&xs[i]) / v[r]) / (flops_of(&xs[b]) / vb[r]);
        vs[i] = bench_median(rt, rounds);
    }
    printf("isa,kernel,shape,mr,nr,kc,regs,gflops,peak_gflops,pct_peak,vs_table_loop\n");
    const char *last = "";
    double peak = 0.0;
    for (int i = 0; i < nx; i++) {
        const run_of *x = &xs[i];
        if (strcmp(last, x->isa)) peak = mlpb_peak_gflops(x->isa, 1, 0.5);
        last = x->isa;
        const double gf = flops_of(x) / bench_median(t + (size_t)i * (size_t)rounds, rounds) / 1e9;
        const int nv = x->s->nr / x->vl;
        printf("%s,%s,%s,%d,%d,%d,%d,%.1f,%.1f,%.1f,%.3f\n", x->isa, x->u ? x->u->name : "loop", x->s->name, x->s->r,
               x->s->nr, x->kc, x->s->r * nv + nv + 1, gf, peak, peak > 0 ? 100.0 * gf / peak : 0.0, vs[i]);
    }
    rc = 0;
done:
    free(vs);
    free(rt);
    free(t);
    for (int i = 0; i <= nx && i < maxx; i++) {
        free(xs[i].a);
        free(xs[i].b);
        free(xs[i].c);
    }
    return rc;
}
