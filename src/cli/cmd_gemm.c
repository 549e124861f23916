/* cmd_gemm.c - `mlpbench gemm`: the GEMM benchmark. Square sizes and the
 * 3L-1 GEMMs of one training step of --net (forward NN, dW TN, delta NT) at
 * each --batches, for every kernel rung x ISA x thread count, each verified
 * against ref_gemm before it is timed; GFLOP/s against the measured peak
 * (sys/peak.h) and, when built with OpenBLAS, against cblas_sgemm in the same
 * process. One CSV row per configuration (stdout or --out), a sidecar
 * FILE.meta.txt with the machine and the run's setup, progress on stderr.
 * Not here: the kernels (src/kernels/), the BLAS binding (blas_cmp.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/blas_cmp.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "kernels/ref.h"
#include "nn/mlp.h"
#include "sys/peak.h"
#include "sys/pin.h"
#include "sys/rng.h"
#include "sys/timer.h"

#define MAX_LIST 64
#define MAX_REPS 999
#define MAX_CFG 24          /* kernel/ISA/split variants */
#define REF_MAX_MNK (1L << 28)
#define CHECK_BUDGET (1L << 25) /* multiply-adds spent on reference rows per shape */

static const cli_opt gemm_opts[] = {
    {"sizes", "LIST", "64,128,256,512,1024,2048", NULL, "square sizes m = n = k; none: no square group (--quick: 32,67)"},
    {"net", "LIST", "784x256x128x10", NULL, "widths of the network whose training-step GEMMs are timed: L forward NN, L dW TN, L-1 delta NT"},
    {"batches", "LIST", "1,32,64,128,1024,60000", NULL, "batch sizes of the training-step groups; none: no step groups (--quick: 1,8)"},
    {"isa", "auto|avx512|avx2|scalar|all", NULL, "$MLPB_ISA or auto", "micro-kernel ISA for --kernel simd; all: every ISA this CPU has"},
    {"kernel", "LIST", "ref,blocked,simd", NULL, "kernel rungs to time, comma list (ref skips shapes with m*n*k > 2^28)"},
    {"threads", "LIST", NULL, "1,all cores", "thread counts, comma list; OpenBLAS runs with the same count"},
    {"reps", "N", "5", NULL, "timed runs per configuration after a warm-up, median reported; each run repeats the GEMM for >= 20 ms, and the runs of a shape's configurations (BLAS, kernels, threads) take turns, in reverse order every other round (--quick: 2, 1 ms)"},
    {"split", "LIST", "auto", NULL, "how the threads share a packed GEMM, comma list of auto|shared|rows|cols (several: each a variant of the blocked and simd rungs, timed in turns); auto: the frame's choice; the small-M path splits N with cols, K's halves otherwise"},
    {"par-min", "FLOPS", NULL, "$MLPB_PAR_MIN or 0", "GEMMs below this many flops run on one thread; 0: the frame's measured thresholds; -1: split every GEMM (to find the crossover: --threads 1,2 --par-min -1)"},
    {"team", "on|off", "on", NULL, "on: each timed run of our kernels inside one team (mlpb_team_run: the other threads wait spinning, no parallel region per call), as training runs its steps; off: a parallel region per call"},
    {"quick", "", "off", NULL, "a switch, no value: tiny shapes and short runs for the smoke test (explicit flags still win)"},
    {"out", "FILE.csv", NULL, "stdout", "write the CSV here, and the run's setup to FILE.meta.txt beside it"},
    {NULL, NULL, NULL, NULL, NULL},
};

static const char *const gemm_notes =
    "\nCSV columns: group,shape,op,m,n,k,isa,kernel,threads,reps,median_s,min_s,gflops,peak_gflops,\n"
    "pct_peak,blas_gflops,ratio_vs_blas,split. group: square or step-b<batch>; median_s/min_s: seconds per GEMM;\n"
    "gflops = 2mnk / median_s. peak_gflops: the FMA peak measured by the probe for the row's ISA and\n"
    "thread count; ref and blocked rows (plain C, isa none/scalar) are compared with the peak of the\n"
    "machine's best ISA. blas_gflops: cblas_sgemm on the same data and threads (our threads idle);\n"
    "ratio_vs_blas = gflops / blas_gflops (> 1: faster than the BLAS); both empty without a CBLAS.\n"
    "split: the --split the row ran with (shared: both packed operands shared by the threads; rows /\n"
    "cols: each thread packs what its rows / columns of C need; auto: the frame picks; ref: -).\n"
    "A step-total row per group, ISA, kernel, split and threads sums the flops and median times of the group's\n"
    "GEMMs. The step shapes lay W and dW out as the network does, rows mlpb_mlp_ldw(width) floats apart\n"
    "(whole cache lines, an odd number of them), for the BLAS too. Every output is checked against\n"
    "ref_gemm (|c - c_ref| <= 2(k+2) eps sum|a||b|, on a sample of rows for big shapes) before timing;\n"
    "a mismatch stops the run (exit 1). Flush-to-zero is on.\n"
    "OpenBLAS threads: openblas_set_num_threads (or OPENBLAS_NUM_THREADS for another CBLAS).\n";

typedef struct shape {
    char group[24], name[24];
    mlpb_op ta, tb;
    int m, n, k;
    int ldb, ldc;           /* 0: dense; the step shapes give the weights the network's row stride */
} shape;

typedef struct variant {
    mlpb_kernel kernel;
    mlpb_split split;
    const mlpb_ukr *ukr;
    const char *isa;        /* as reported: none (ref), scalar (blocked), the ISA (simd) */
    const char *peak_isa;   /* whose peak the row is compared with */
} variant;

typedef struct timing { double median, min; long iters; int done; } timing;

typedef struct bufs {
    float *A, *B, *C;
    ptrdiff_t lda, ldb, ldc;
    int nrows;              /* sampled rows for the check */
    int *rows;
    float *cref;            /* nrows x n */
    double *bound;          /* nrows x n */
} bufs;

typedef struct runner { mlpb_ctx *ctx; int blas; int team; } runner;

static void run_once(const runner *r, const shape *s, bufs *b) {
    if (r->blas)
        mlpb_blas_sgemm(s->ta, s->tb, s->m, s->n, s->k, b->A, b->lda, b->B, b->ldb, b->C, b->ldc);
    else
        mlpb_gemm(r->ctx, s->ta, s->tb, s->m, s->n, s->k, 1.0f, b->A, b->lda, b->B, b->ldb, 0.0f, b->C, b->ldc, NULL);
}

static float opget(mlpb_op t, const float *X, ptrdiff_t ld, int i, int p) {
    return t == MLPB_N ? X[(size_t)i * ld + p] : X[(size_t)p * ld + i];
}

/* 64-byte aligned, as the network's weights and activations are (mlp.c):
 * glibc's malloc puts a big block 16 bytes into a page, and every 64-byte
 * slab of a row then straddles two cache lines, which the network's own
 * buffers never do (it hid the narrow dW3 path's prefetch gain on one
 * thread: results/frame_ab/pf.txt as of 66be0d2 against now). */
static void *xmalloc(size_t n, const shape *s) {
    void *p = mlpb_alloc64(n);
    if (!p) cli_fail("out of memory for %s %s (%dx%dx%d)", s->group, s->name, s->m, s->n, s->k);
    return p;
}

/* Data in [-1,1], seeded by the shape's index: the same bits for every run. */
static void bufs_make(bufs *b, const shape *s, uint64_t seed) {
    b->lda = s->ta == MLPB_N ? s->k : s->m;
    b->ldb = s->ldb ? s->ldb : s->tb == MLPB_N ? s->n : s->k;
    b->ldc = s->ldc ? s->ldc : s->n;
    const size_t na = (size_t)s->m * s->k, nb = (size_t)(s->tb == MLPB_N ? s->k : s->n) * (size_t)b->ldb,
                 nc = (size_t)s->m * (size_t)b->ldc;
    b->A = xmalloc(na * sizeof(float), s);
    b->B = xmalloc(nb * sizeof(float), s);
    b->C = xmalloc(nc * sizeof(float), s);
    mlpb_rng r;
    mlpb_rng_seed(&r, seed);
    for (size_t i = 0; i < na; i++) b->A[i] = (float)(2.0 * mlpb_rng_uniform(&r) - 1.0);
    for (size_t i = 0; i < nb; i++) b->B[i] = (float)(2.0 * mlpb_rng_uniform(&r) - 1.0);
    /* reference rows: all of them for small shapes, else evenly spread ones */
    long per_row = (long)s->n * s->k;
    long want = per_row > 0 ? CHECK_BUDGET / per_row : s->m;
    int nr = want >= s->m ? s->m : want < 4 ? 4 : (int)want;
    if (nr > s->m) nr = s->m;
    b->nrows = nr;
    b->rows = xmalloc((size_t)nr * sizeof(int), s);
    b->cref = xmalloc((size_t)nr * s->n * sizeof(float), s);
    b->bound = xmalloc((size_t)nr * s->n * sizeof(double), s);
    double *mag = b->bound;
    for (int r = 0; r < nr; r++) {
        int i = nr == s->m ? r : nr == 1 ? 0 : (int)((long)r * (s->m - 1) / (nr - 1));
        b->rows[r] = i;
        const float *Ai = s->ta == MLPB_N ? b->A + (size_t)i * b->lda : b->A + i;
        ref_gemm(s->ta, s->tb, 1, s->n, s->k, 1.0f, Ai, b->lda, b->B, b->ldb, 0.0f, b->cref + (size_t)r * s->n, s->n);
        double *mr = mag + (size_t)r * s->n;
        for (int j = 0; j < s->n; j++) mr[j] = 0.0;
        for (int p = 0; p < s->k; p++) {
            double a = fabs((double)opget(s->ta, b->A, b->lda, i, p));
            for (int j = 0; j < s->n; j++) mr[j] += a * fabs((double)opget(s->tb, b->B, b->ldb, p, j));
        }
        for (int j = 0; j < s->n; j++) mr[j] = 2.0 * (s->k + 2) * FLT_EPSILON * mr[j] + 1e-30;
    }
}

static void bufs_free(bufs *b) {
    free(b->A); free(b->B); free(b->C); free(b->rows); free(b->cref); free(b->bound);
    memset(b, 0, sizeof *b);
}

typedef struct { const runner *r; const shape *s; bufs *b; long iters; double t; } timed_args;

static void timed_body(void *p) {
    timed_args *a = p;
    const double t0 = mlpb_now();
    for (long i = 0; i < a->iters; i++) run_once(a->r, a->s, a->b);
    a->t = (mlpb_now() - t0) / (double)a->iters;
}

/* One timed run of `iters` calls: seconds per call; our kernels' calls in one
 * team (--team on), as a training step makes them. */
static double timed_run(const runner *r, const shape *s, bufs *b, long iters) {
    timed_args a = { r, s, b, iters, 0.0 };
    if (!r->blas && r->team) mlpb_team_run(r->ctx, timed_body, &a);
    else timed_body(&a);
    return a.t;
}

/* Run once over a NaN-filled C, then: every element of C(m,n) finite (beta = 0
 * wrote them all), the row padding past n (ldc > n) untouched, the sampled
 * rows within the forward-error bound. */
static void verify(const runner *r, const shape *s, bufs *b, const char *what) {
    const size_t nc = (size_t)s->m * (size_t)b->ldc;
    for (size_t i = 0; i < nc; i++) b->C[i] = NAN;
    timed_run(r, s, b, 1); /* as the timed runs call it: in a team with --team on */
    for (size_t i = 0; i < nc; i++) {
        const size_t row = i / (size_t)b->ldc, col = i % (size_t)b->ldc;
        if (col < (size_t)s->n && !isfinite(b->C[i]))
            cli_fail("gemm: %s %s %s: C(%zu,%zu) = %g is not finite: the GEMM is wrong", s->group, s->name, what,
                     row, col, (double)b->C[i]);
        if (col >= (size_t)s->n && !isnan(b->C[i]))
            cli_fail("gemm: %s %s %s: C(%zu,%zu) written, past n = %d in a row of ldc = %td", s->group, s->name,
                     what, row, col, s->n, b->ldc);
    }
    for (int q = 0; q < b->nrows; q++)
        for (int j = 0; j < s->n; j++) {
            int i = b->rows[q];
            double c = b->C[(size_t)i * b->ldc + j], cr = b->cref[(size_t)q * s->n + j];
            double bd = b->bound[(size_t)q * s->n + j];
            if (!(fabs(c - cr) <= bd))
                cli_fail("gemm: %s %s %s: C(%d,%d) = %.9g, reference %.9g, outside the bound %.3g", s->group,
                         s->name, what, i, j, c, cr, bd);
        }
}

/* One more warm-up call, timed: the calls per run that make a run last
 * >= min_time. */
static long calibrate(const runner *r, const shape *s, bufs *b, double min_time) {
    double one = timed_run(r, s, b, 1);
    if (one >= min_time) return 1;
    double it = ceil(min_time / (one > 1e-9 ? one : 1e-9));
    return it > 1e7 ? 10000000L : (long)it;
}

static timing summarize(double *dt, int reps, long iters) {
    timing t = { 0, 0, iters, 1 };
    qsort(dt, (size_t)reps, sizeof dt[0], mlpb_cmp_double);
    t.min = dt[0];
    t.median = reps % 2 ? dt[reps / 2] : 0.5 * (dt[reps / 2 - 1] + dt[reps / 2]);
    return t;
}

static double flops_of(const shape *s) { return 2.0 * s->m * (double)s->n * s->k; }

static const char *op_name(const shape *s) {
    static const char *const names[] = { "NN", "NT", "TN", "TT" };
    return names[s->ta * 2 + s->tb];
}

/* the split a row ran with; the REF rung never packs */
static const char *split_name(const variant *v) {
    return v->kernel == MLPB_KERNEL_REF ? "-" : mlpb_split_names[v->split];
}

static void csv_row(FILE *f, const shape *s, const char *group, const char *shape_name, int total,
                    const variant *v, int threads, int reps, double median, double min, double flops,
                    double peak, double blas_median) {
    double gf = flops / median * 1e-9;
    if (total) fprintf(f, "%s,%s,all,,,,", group, shape_name);
    else fprintf(f, "%s,%s,%s,%d,%d,%d,", group, shape_name, op_name(s), s->m, s->n, s->k);
    fprintf(f, "%s,%s,%d,%d,%.6e,%.6e,%.3f,%.2f,%.2f,", v->isa, cli_kernel_names[v->kernel], threads, reps, median,
            min, gf, peak, peak > 0 ? 100.0 * gf / peak : 0.0);
    if (blas_median > 0) {
        double bg = flops / blas_median * 1e-9;
        fprintf(f, "%.3f,%.3f,", bg, gf / bg);
    } else {
        fprintf(f, ",,");
    }
    fprintf(f, "%s\n", split_name(v));
}

/* The comma list of words in flag's value: their indices in `words`, each
 * once, in the order given (at most max); a usage error otherwise. */
static int word_list(const cli *c, const char *flag, const char *example, const char *const *words, int *out, int max) {
    const char *s = cli_get(c, flag + 2);
    char item[32];
    int n = 0;
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item) cli_usage_error(c, "%s: '%s' is not a list like %s", flag, s, example);
        memcpy(item, p, len);
        item[len] = 0;
        const int w = cli_word(c, flag, item, words);
        int seen = 0;
        for (int i = 0; i < n; i++) seen |= out[i] == w;
        if (!seen && n < max) out[n++] = w;
        if (!p[len]) break;
        p += len + 1;
    }
    return n;
}

static const char *env_or_unset(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : "unset";
}

static void read_loadavg(char *buf, size_t len) {
    FILE *f = fopen("/proc/loadavg", "r");
    snprintf(buf, len, "unknown");
    if (f) {
        if (fgets(buf, (int)len, f)) buf[strcspn(buf, "\n")] = 0;
        fclose(f);
    }
}

typedef struct peaks {
    const char *isa[4];
    int nisa;
    double gf[4][MAX_LIST];  /* [isa][thread-count index] */
} peaks;

static double peak_of(const peaks *pk, const char *isa, int ti) {
    for (int i = 0; i < pk->nisa; i++)
        if (!strcmp(pk->isa[i], isa)) return pk->gf[i][ti];
    return 0.0;
}

static void write_meta(FILE *f, const char *prefix, const char *cmdline, const mlpb_sysinfo *si,
                       const variant *vs, int nv, const int *threads, int nt, const peaks *pk, const char *when,
                       const char *load, const char *binding, const char *par) {
    char buf[512];
    fprintf(f, "%sdate            %s\n", prefix, when);
    fprintf(f, "%scommand         %s\n", prefix, cmdline);
    const char *diff = cli_build_diff(), *commit = cli_build_commit();
    if (!strcmp(commit, "unknown"))
        fprintf(f, "%sgit commit      unknown (not built in a git work tree)\n", prefix);
    else
        fprintf(f, "%sgit commit      %s (built from it %s%s)\n", prefix, commit,
                diff[0] ? "with uncommitted changes, sha1 of `git diff HEAD -- src tests bench CMakeLists.txt "
                          "scripts/build_commit.cmake` "
                        : "as committed", diff);
    fprintf(f, "%scpu             %s, %d cores\n", prefix, si->cpu, si->cores);
    fprintf(f, "%scaches          L1d %ld KiB, L2 %ld KiB, L3 %ld KiB (from %s)\n", prefix, si->l1d / 1024,
            si->l2 / 1024, si->l3 / 1024, si->cache_src);
#ifdef __OPTIMIZE__
    const char *opt = "optimised";
#else
    const char *opt = "NOT optimised (a Debug build: do not quote these numbers)";
#endif
#if defined(MLPB_COMPILER) && defined(MLPB_CFLAGS)
    fprintf(f, "%scompiler        %s, %s, flags '%s' -ffp-contract=off, per-ISA files their ISA flags\n", prefix,
            MLPB_COMPILER, opt, MLPB_CFLAGS);
#else
    fprintf(f, "%scompiler        %s, %s, -ffp-contract=off, per-ISA files their ISA flags\n", prefix, __VERSION__, opt);
#endif
    for (int i = 0; i < nv; i++) {
        mlpb_kcfg c = { vs[i].kernel, vs[i].ukr, 0, 0, 0, 1, 0, 0 };
        mlpb_blocking_from_caches(si, vs[i].ukr, &c);
        fprintf(f, "%svariant         kernel %-7s isa %-6s split %-6s micro-kernel %-12s MRxNR %dx%d MC/KC/NC %d/%d/%d%s%s\n",
                prefix, cli_kernel_names[vs[i].kernel], vs[i].isa, split_name(&vs[i]), vs[i].ukr->name, vs[i].ukr->mr,
                vs[i].ukr->nr, c.mc, c.kc, c.nc, c.ir_outer && vs[i].kernel != MLPB_KERNEL_REF ? ", 1 thread IR outer" : "",
                vs[i].kernel == MLPB_KERNEL_REF ? " (blocking unused)" : "");
    }
    for (int i = 0; i < pk->nisa; i++) {
        fprintf(f, "%speak GFLOP/s    %-6s", prefix, pk->isa[i]);
        for (int t = 0; t < nt; t++) fprintf(f, "  %d thread%s %.1f", threads[t], threads[t] > 1 ? "s" : "", pk->gf[i][t]);
        fprintf(f, "%s\n", !strcmp(pk->isa[i], "scalar") ? "  (plain C mul+add, one lane)" : "  (FMA)");
    }
    fprintf(f, "%sbinding         %s\n", prefix, binding);
    fprintf(f, "%sparallel        %s\n", prefix, par);
    fprintf(f, "%slayout          squares dense; step shapes: W and dW rows mlpb_mlp_ldw(width) floats apart "
               "(256 -> %d, 128 -> %d, 10 -> %d), activations dense\n", prefix, mlpb_mlp_ldw(256),
            mlpb_mlp_ldw(128), mlpb_mlp_ldw(10));
    fprintf(f, "%sdenormals       flush-to-zero + denormals-are-zero on in our threads (not set in BLAS threads)\n",
            prefix);
    fprintf(f, "%sblas            %s\n", prefix, mlpb_blas_describe(buf, sizeof buf));
    fprintf(f, "%senvironment     OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s OPENBLAS_NUM_THREADS=%s\n", prefix,
            env_or_unset("OPENBLAS_CORETYPE"), env_or_unset("OPENBLAS_L2_SIZE"), env_or_unset("OPENBLAS_NUM_THREADS"));
    fprintf(f, "%senvironment     OMP_NUM_THREADS=%s OMP_PROC_BIND=%s OMP_WAIT_POLICY=%s GOMP_SPINCOUNT=%s MLPB_ISA=%s "
            "MLPB_PAR_MIN=%s\n", prefix, env_or_unset("OMP_NUM_THREADS"), env_or_unset("OMP_PROC_BIND"),
            env_or_unset("OMP_WAIT_POLICY"), env_or_unset("GOMP_SPINCOUNT"), env_or_unset("MLPB_ISA"),
            env_or_unset("MLPB_PAR_MIN"));
    fprintf(f, "%sload average    %s (at start)\n", prefix, load);
}

/* set on the command line (cli_parse leaves the default's pointer otherwise) */
static int given(const cli *c, const char *name) {
    for (int j = 0; c->opts[j].name; j++)
        if (!strcmp(c->opts[j].name, name)) return c->vals[j] != c->opts[j].dflt;
    return 0;
}

static void sleep_s(double s) {
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

int mlpb_cmd_gemm(int argc, char **argv) {
    cli c = { .cmd = "gemm", .opts = gemm_opts };
    /* --quick is a switch (no value): take it out before the table parser;
     * --help gets the column notes after the flag table. */
    int quick = 0, nargs = 0;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) cli_fail("out of memory");
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cli_help(&c, stdout);
            fputs(gemm_notes, stdout);
            exit(0);
        }
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else args[nargs++] = argv[i];
    }
    cli_parse(&c, nargs, args);
    static const char *const onoff[] = { "off", "on", NULL };
    if (strcmp(cli_get(&c, "quick"), "off")) quick |= cli_word(&c, "--quick", cli_get(&c, "quick"), onoff);
    const int team = cli_word(&c, "--team", cli_get(&c, "team"), onoff);
    char err[256];
    /* explicit flags win over --quick's shapes */
    int sizes[MAX_LIST], nsizes, net[MAX_LIST], nnet, batches[MAX_LIST], nbatches, threads[MAX_LIST], nt;
    const char *sz = quick && !given(&c, "sizes") ? "32,67" : cli_get(&c, "sizes");
    const char *bt = quick && !given(&c, "batches") ? "1,8" : cli_get(&c, "batches");
    if (mlpb_parse_int_list("--sizes", sz, 1, 32768, sizes, MAX_LIST, &nsizes, err, sizeof err) ||
        mlpb_parse_int_list("--net", cli_get(&c, "net"), 1, 1 << 20, net, MAX_LIST, &nnet, err, sizeof err) ||
        mlpb_parse_int_list("--batches", bt, 1, 10000000, batches, MAX_LIST, &nbatches, err, sizeof err))
        cli_usage_error(&c, "%s", err);
    if (nnet < 2 && nbatches > 0) cli_usage_error(&c, "--net: '%s' needs at least two widths", cli_get(&c, "net"));
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    char tdef[32];
    snprintf(tdef, sizeof tdef, si.cores > 1 ? "1,%d" : "1", si.cores);
    if (mlpb_parse_int_list("--threads", cli_get(&c, "threads") ? cli_get(&c, "threads") : tdef, 1, 1024, threads,
                            MAX_LIST, &nt, err, sizeof err))
        cli_usage_error(&c, "%s", err);
    if (nt == 0) cli_usage_error(&c, "--threads: at least one thread count");
    long reps = cli_long(&c, "--reps", quick && !given(&c, "reps") ? "2" : cli_get(&c, "reps"), 1, MAX_REPS);
    const int par_flag = cli_get(&c, "par-min") != NULL; /* else cli_make_ctx applied $MLPB_PAR_MIN */
    const long par_min = par_flag ? cli_long(&c, "--par-min", cli_get(&c, "par-min"), -1, 1L << 50) : 0;
    const double min_time = quick ? 1e-3 : 20e-3, peak_s = quick ? 0.05 : 0.5, calm = quick ? 0.05 : 1.0;

    /* kernels and splits: comma lists of words */
    int kernels[3], nk = word_list(&c, "--kernel", "ref,blocked,simd", cli_kernel_names, kernels, 3);
    int want_kernel[3] = { 0, 0, 0 };
    for (int i = 0; i < nk; i++) want_kernel[kernels[i]] = 1;
    int splits[4], nsplit = word_list(&c, "--split", "auto,shared", mlpb_split_names, splits, 4);
    /* ISAs for simd */
    static const char *const isa_words[] = { "auto", "avx512", "avx2", "scalar", "all", NULL };
    const char *isa_flag = cli_get(&c, "isa");
    if (!isa_flag) isa_flag = getenv("MLPB_ISA") && *getenv("MLPB_ISA") ? getenv("MLPB_ISA") : "auto";
    int isa_all = cli_word(&c, "--isa", isa_flag, isa_words) == 4;
    const mlpb_ukr *simd_ukr[4];
    int nsimd = 0;
    if (isa_all) {
        int n;
        const mlpb_ukr *const *tab = mlpb_ukr_table(&n);
        for (int i = 0; i < n; i++)
            if (mlpb_isa_available(tab[i]->isa)) simd_ukr[nsimd++] = tab[i];
    } else {
        simd_ukr[nsimd++] = cli_isa(&c, isa_flag);
    }
    const char *best_isa = mlpb_ukr_find("auto")->isa;

    variant vs[MAX_CFG];
    int nv = 0;
    const mlpb_ukr *scalar = mlpb_ukr_find("scalar");
    if (want_kernel[MLPB_KERNEL_REF]) vs[nv++] = (variant){ MLPB_KERNEL_REF, MLPB_SPLIT_AUTO, scalar, "none", best_isa };
    for (int q = 0; q < nsplit; q++) {
        if (want_kernel[MLPB_KERNEL_BLOCKED])
            vs[nv++] = (variant){ MLPB_KERNEL_BLOCKED, (mlpb_split)splits[q], scalar, "scalar", best_isa };
        if (want_kernel[MLPB_KERNEL_SIMD])
            for (int i = 0; i < nsimd; i++)
                vs[nv++] = (variant){ MLPB_KERNEL_SIMD, (mlpb_split)splits[q], simd_ukr[i], simd_ukr[i]->isa,
                                      simd_ukr[i]->isa };
    }

    /* the shapes: squares, then per batch the training step's GEMMs */
    int nshapes_max = nsizes + nbatches * (3 * nnet);
    shape *shapes = calloc((size_t)nshapes_max + 1, sizeof *shapes);
    if (!shapes) cli_fail("out of memory");
    int ns = 0;
    for (int i = 0; i < nsizes; i++) {
        shape *s = &shapes[ns++];
        *s = (shape){ .ta = MLPB_N, .tb = MLPB_N, .m = sizes[i], .n = sizes[i], .k = sizes[i] };
        snprintf(s->group, sizeof s->group, "square");
        snprintf(s->name, sizeof s->name, "sq%d", sizes[i]);
    }
    const int L = nnet - 1;
    for (int bi = 0; bi < nbatches; bi++) {
        const int b = batches[bi];
        /* W and dW as the network lays them out: rows mlpb_mlp_ldw(w_{l+1}) floats apart */
        for (int l = 0; l < L; l++)   /* forward: H_l (b, w_l) W_{l+1} (w_l, w_{l+1}) */
            shapes[ns++] = (shape){ "", "", MLPB_N, MLPB_N, b, net[l + 1], net[l], mlpb_mlp_ldw(net[l + 1]), 0 };
        for (int l = 0; l < L; l++)   /* dW_{l+1} = H_l^T delta_{l+1}: (w_l, w_{l+1}), k = b */
            shapes[ns++] = (shape){ "", "", MLPB_T, MLPB_N, net[l], net[l + 1], b, 0, mlpb_mlp_ldw(net[l + 1]) };
        for (int l = 1; l < L; l++)   /* delta_l = delta_{l+1} W_{l+1}^T: (b, w_l), k = w_{l+1} */
            shapes[ns++] = (shape){ "", "", MLPB_N, MLPB_T, b, net[l], net[l + 1], mlpb_mlp_ldw(net[l + 1]), 0 };
        for (int q = ns - (3 * L - 1), j = 0; q < ns; q++, j++) {
            snprintf(shapes[q].group, sizeof shapes[q].group, "step-b%d", b);
            if (j < L) snprintf(shapes[q].name, sizeof shapes[q].name, "fwd-W%d", j + 1);
            else if (j < 2 * L) snprintf(shapes[q].name, sizeof shapes[q].name, "dW%d", j - L + 1);
            else snprintf(shapes[q].name, sizeof shapes[q].name, "bwd-W%d", j - 2 * L + 2);
        }
    }
    if (ns == 0) cli_usage_error(&c, "--sizes none and --batches none: nothing to benchmark");

    /* the CSV, only now that every flag is valid */
    const char *out = cli_get(&c, "out");
    FILE *csv = stdout, *meta = NULL;
    if (out) {
        if (cli_mkdirs_for(out) || !(csv = fopen(out, "w"))) cli_fail("--out %s: cannot create: %s", out, strerror(errno));
        char mp[4096];
        size_t ol = strlen(out);
        int base = ol > 4 && !strcmp(out + ol - 4, ".csv") ? (int)(ol - 4) : (int)ol;
        snprintf(mp, sizeof mp, "%.*s.meta.txt", base, out);
        if (!(meta = fopen(mp, "w"))) cli_fail("--out %s: cannot create the sidecar %s: %s", out, mp, strerror(errno));
    }
    fprintf(csv, "group,shape,op,m,n,k,isa,kernel,threads,reps,median_s,min_s,gflops,peak_gflops,pct_peak,"
                 "blas_gflops,ratio_vs_blas,split\n");
    fflush(csv);

    /* contexts (blocking from the caches, flush-to-zero in every thread) */
    mlpb_ctx *ctx[MAX_CFG][MAX_LIST];
    for (int v = 0; v < nv; v++)
        for (int t = 0; t < nt; t++) {
            const char *used;
            ctx[v][t] = cli_make_ctx(&si, vs[v].kernel, vs[v].ukr, threads[t], &used);
            if (par_flag) mlpb_ctx_set_par_min_flops(ctx[v][t], par_min);
            mlpb_ctx_set_split(ctx[v][t], vs[v].split);
        }
    int maxt = 1;
    for (int t = 0; t < nt; t++) maxt = threads[t] > maxt ? threads[t] : maxt;
    mlpb_set_ftz(maxt);
    char binding[256]; /* cli_make_ctx pinned the threads; the same call again says how */
    mlpb_pin_threads(maxt, binding, sizeof binding);

    /* peaks: every ISA a row is compared with, and scalar */
    peaks pk = { .nisa = 0 };
    for (int v = 0; v < nv; v++) {
        int seen = 0;
        for (int i = 0; i < pk.nisa; i++) seen |= !strcmp(pk.isa[i], vs[v].peak_isa);
        if (!seen) pk.isa[pk.nisa++] = vs[v].peak_isa;
    }
    {
        int seen = 0;
        for (int i = 0; i < pk.nisa; i++) seen |= !strcmp(pk.isa[i], "scalar");
        if (!seen) pk.isa[pk.nisa++] = "scalar";
    }
    for (int i = 0; i < pk.nisa; i++)
        for (int t = 0; t < nt; t++) pk.gf[i][t] = mlpb_peak_gflops(pk.isa[i], threads[t], peak_s);

    /* the setup: stderr and the sidecar */
    char cmdline[4096] = "mlpbench gemm", when[64], load[128];
    for (int i = 0; i < argc; i++)
        snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), " %s", argv[i]);
    cli_now_utc(when, sizeof when);
    read_loadavg(load, sizeof load);
    for (int i = 0; i < pk.nisa; i++)
        for (int t = 0; t < nt; t++)
            if (threads[t] <= si.cores && pk.gf[i][t] / threads[t] < 0.8 * pk.gf[i][0] / threads[0])
                fprintf(stderr, "gemm: warning: the %s peak per thread with %d threads is %.0f%% of that with %d: "
                                "is another process using a core? these numbers will be low\n", pk.isa[i], threads[t],
                        100.0 * pk.gf[i][t] / threads[t] / (pk.gf[i][0] / threads[0]), threads[0]);
    int pv = 0; /* the region cost and thresholds at the most threads, of the last simd variant (else the first) */
    for (int v = 0; v < nv; v++)
        if (vs[v].kernel == MLPB_KERNEL_SIMD) pv = v;
    char par[512];
    for (int t = 0; t < nt; t++)
        if (threads[t] == maxt) cli_par_line(ctx[pv][t], par, sizeof par);
    if (maxt > 1) /* how our timed runs enter the threads */
        snprintf(par + strlen(par), sizeof par - strlen(par), "; %s",
                 team ? "each timed run in one team (--team on)" : "a parallel region per call (--team off)");
    write_meta(stderr, "gemm: ", cmdline, &si, vs, nv, threads, nt, &pk, when, load, binding, par);
    if (meta) write_meta(meta, "", cmdline, &si, vs, nv, threads, nt, &pk, when, load, binding, par);

    const int blas = mlpb_blas_available();
    const int per_shape = nv * nt + (blas ? nt : 0);
    const int total = ns * per_shape;
    int done = 0;

    timing *blas_t = calloc((size_t)ns * nt, sizeof *blas_t);
    timing *our = calloc((size_t)ns * nv * nt, sizeof *our);
    if (!blas_t || !our) cli_fail("out of memory");

    /* shape by shape, the configurations interleaved: in each of the reps
     * rounds every one runs once (the BLAS, then ours, per thread count; every
     * other round in the reverse order, and each timed run after an untimed
     * eighth of it: two identical 2-thread configurations, the first always
     * just after the sleep below, read 2-10% apart, the first slower), so a
     * drift of the machine reaches all of them alike and the ratio to the BLAS
     * compares runs seconds apart. Sleeps keep the two thread pools apart:
     * before a BLAS run our OpenMP threads stop spinning, after a
     * multi-threaded one OpenBLAS's idle workers stop polling (0.1 s was not enough).
     * Rows as each shape finishes, step totals after each group. */
    typedef struct conf { runner r; int v, t; long iters; double *dt; } conf;
    conf *cf = calloc((size_t)(nv + 1) * (size_t)nt, sizeof *cf);
    double *dts = calloc((size_t)(nv + 1) * (size_t)nt * (size_t)reps, sizeof *dts);
    if (!cf || !dts) cli_fail("out of memory");
    for (int si_ = 0; si_ < ns; si_++) {
        const shape *s = &shapes[si_];
        bufs b;
        bufs_make(&b, s, 1000 + (uint64_t)si_);
        const long mnk = (long)s->m * s->n * s->k;
        int nc = 0;
        for (int t = 0; t < nt; t++) {
            if (blas) cf[nc++] = (conf){ { NULL, 1, 0 }, -1, t, 0, NULL };
            for (int v = 0; v < nv; v++) {
                if (vs[v].kernel == MLPB_KERNEL_REF && mnk > REF_MAX_MNK) {
                    if (t == 0)
                        fprintf(stderr, "gemm: skip kernel ref for %s %s (%dx%dx%d: m*n*k > 2^28), no row\n",
                                s->group, s->name, s->m, s->n, s->k);
                    done++;
                    continue;
                }
                cf[nc++] = (conf){ { ctx[v][t], 0, team }, v, t, 0, NULL };
            }
        }
        for (int q = 0; q < nc; q++) { /* check each output, then calibrate */
            conf *c = &cf[q];
            char what[96];
            if (c->r.blas) {
                mlpb_blas_set_threads(threads[c->t]);
                snprintf(what, sizeof what, "blas threads %d", threads[c->t]);
            } else {
                snprintf(what, sizeof what, "kernel %s isa %s split %s threads %d", cli_kernel_names[vs[c->v].kernel],
                         vs[c->v].isa, split_name(&vs[c->v]), threads[c->t]);
            }
            verify(&c->r, s, &b, what);
            c->iters = calibrate(&c->r, s, &b, min_time);
            c->dt = dts + (size_t)q * (size_t)reps;
        }
        for (int rep = 0; rep < reps; rep++)
            for (int i = 0; i < nc; i++) {
                conf *c = &cf[rep % 2 ? nc - 1 - i : i];
                if (c->r.blas) {
                    sleep_s(calm * 0.02);
                    mlpb_blas_set_threads(threads[c->t]);
                }
                timed_run(&c->r, s, &b, c->iters / 8 + 1); /* untimed: threads and core awake, caches warm */
                c->dt[rep] = timed_run(&c->r, s, &b, c->iters);
                if (c->r.blas && threads[c->t] > 1) sleep_s(calm * 0.3);
            }
        for (int q = 0; q < nc; q++) { /* BLAS rows first within each thread count */
            conf *c = &cf[q];
            timing tm = summarize(c->dt, (int)reps, c->iters);
            const char *noisy = tm.min < 0.8 * tm.median ? " NOISY: min < 0.8 x median, another process?" : "";
            if (c->r.blas) {
                blas_t[si_ * nt + c->t] = tm;
                fprintf(stderr, "gemm: %d/%d %s %s %s %dx%dx%d blas t%d: %.2f GFLOP/s (%ld calls per run)%s\n",
                        ++done, total, s->group, s->name, op_name(s), s->m, s->n, s->k, threads[c->t],
                        flops_of(s) / tm.median * 1e-9, tm.iters, noisy);
                continue;
            }
            const int v = c->v, t = c->t;
            our[((size_t)si_ * nv + v) * nt + t] = tm;
            double gf = flops_of(s) / tm.median * 1e-9, peak = peak_of(&pk, vs[v].peak_isa, t);
            const timing *bl = &blas_t[si_ * nt + t];
            fprintf(stderr, "gemm: %d/%d %s %s %s %dx%dx%d %s %s%s%s t%d: %.2f GFLOP/s, %.0f%% of %s peak", ++done,
                    total, s->group, s->name, op_name(s), s->m, s->n, s->k, vs[v].isa,
                    cli_kernel_names[vs[v].kernel], nsplit > 1 ? " split " : "", nsplit > 1 ? split_name(&vs[v]) : "",
                    threads[t], gf, peak > 0 ? 100 * gf / peak : 0.0, vs[v].peak_isa);
            if (bl->done) fprintf(stderr, ", x%.2f vs blas", gf / (flops_of(s) / bl->median * 1e-9));
            fprintf(stderr, " (%ld calls per run)%s\n", tm.iters, noisy);
        }
        for (int v = 0; v < nv; v++) /* the CSV in its usual order: variant, then threads */
            for (int t = 0; t < nt; t++) {
                const timing *tm = &our[((size_t)si_ * nv + v) * nt + t];
                if (!tm->done) continue;
                const timing *bl = &blas_t[si_ * nt + t];
                csv_row(csv, s, s->group, s->name, 0, &vs[v], threads[t], (int)reps, tm->median, tm->min,
                        flops_of(s), peak_of(&pk, vs[v].peak_isa, t), bl->done ? bl->median : 0.0);
            }
        if (fflush(csv) || ferror(csv)) cli_fail("--out %s: write failed: %s", out ? out : "stdout", strerror(errno));
        bufs_free(&b);
        /* end of a step group: one step-total row per variant and thread count */
        int last_of_group = strncmp(s->group, "step-", 5) == 0 &&
                            (si_ + 1 == ns || strcmp(shapes[si_ + 1].group, s->group));
        if (!last_of_group) continue;
        int first = si_;
        while (first > 0 && !strcmp(shapes[first - 1].group, s->group)) first--;
        for (int v = 0; v < nv; v++)
            for (int t = 0; t < nt; t++) {
                double fl = 0, med = 0, mn = 0, bmed = 0;
                int complete = 1, bcomplete = 1;
                for (int q = first; q <= si_; q++) {
                    const timing *tm = &our[((size_t)q * nv + v) * nt + t];
                    const timing *bl = &blas_t[q * nt + t];
                    complete &= tm->done;
                    bcomplete &= bl->done;
                    fl += flops_of(&shapes[q]);
                    med += tm->median;
                    mn += tm->min;
                    bmed += bl->median;
                }
                if (!complete) {
                    if (t == 0)
                        fprintf(stderr, "gemm: no step-total for %s kernel %s: some of its GEMMs were skipped\n",
                                s->group, cli_kernel_names[vs[v].kernel]);
                    continue;
                }
                double peak = peak_of(&pk, vs[v].peak_isa, t);
                csv_row(csv, NULL, s->group, "step-total", 1, &vs[v], threads[t], (int)reps, med, mn, fl, peak,
                        bcomplete ? bmed : 0.0);
                fprintf(stderr, "gemm: %s step-total %s %s%s%s t%d: %.2f GFLOP/s", s->group, vs[v].isa,
                        cli_kernel_names[vs[v].kernel], nsplit > 1 ? " split " : "", nsplit > 1 ? split_name(&vs[v]) : "",
                        threads[t], fl / med * 1e-9);
                if (bcomplete) fprintf(stderr, ", blas %.2f GFLOP/s, x%.2f", fl / bmed * 1e-9, bmed / med);
                fputc('\n', stderr);
            }
        if (fflush(csv) || ferror(csv)) cli_fail("--out %s: write failed: %s", out ? out : "stdout", strerror(errno));
    }

    /* the peaks again: a run whose peaks moved shared the machine with something */
    char end[64], load2[128], again[512] = "";
    for (int i = 0; i < pk.nisa; i++)
        for (int t = 0; t < nt; t++) {
            double g = mlpb_peak_gflops(pk.isa[i], threads[t], peak_s);
            snprintf(again + strlen(again), sizeof again - strlen(again), "%s%s %dt %.1f", *again ? ", " : "",
                     pk.isa[i], threads[t], g);
            if (fabs(g - pk.gf[i][t]) > 0.05 * pk.gf[i][t])
                fprintf(stderr, "gemm: warning: the %s peak with %d threads was %.1f GFLOP/s at the start, %.1f at the "
                                "end: the machine was shared, these numbers are noisy\n",
                        pk.isa[i], threads[t], pk.gf[i][t], g);
        }
    cli_now_utc(end, sizeof end);
    read_loadavg(load2, sizeof load2);
    fprintf(stderr, "gemm: peaks at the end: %s\n", again);
    fprintf(stderr, "gemm: finished %s, load average %s\n", end, load2);
    if (meta) {
        fprintf(meta, "peaks at end    %s\n", again);
        fprintf(meta, "finished        %s, load average %s\n", end, load2);
        if (fclose(meta)) cli_fail("--out %s: the sidecar: %s", out, strerror(errno));
    }
    if (csv != stdout && fclose(csv)) cli_fail("--out %s: %s", out, strerror(errno));
    for (int v = 0; v < nv; v++)
        for (int t = 0; t < nt; t++) mlpb_ctx_free(ctx[v][t]);
    free(blas_t);
    free(cf);
    free(dts);
    free(our);
    free(shapes);
    free(args);
    return 0;
}
