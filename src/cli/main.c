/* main.c - the `mlpbench` command: subcommands train and info. Parses and
 * validates every flag before any work, loads data, then hands off to train/.
 * Data rows go to stdout (or --log CSV); diagnostics go to stderr. Exit 0 on
 * success, 1 on a failure at run time, 2 on bad usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/args.h"
#include "data/dataset.h"
#include "kernels/kernels.h"
#include "nn/mlp.h"
#include "sys/sysinfo.h"
#include "train/train.h"

#define MAX_LAYERS 64

/* dflt: the value used when the flag is absent (NULL: computed, see note). */
typedef struct opt { const char *name, *meta, *dflt, *note, *help; } opt;

/* The train flags: parsing, defaults and --help all come from this table. */
static const opt train_opts[] = {
    {"data", "SRC", "fashion-mnist", NULL, "fashion-mnist | idx:DIR (the four standard IDX files, .gz or not) | synthetic"},
    {"data-dir", "DIR", NULL, "$MLPBENCH_DATA or " MLPB_DEFAULT_DATA_DIR, "where fashion-mnist's IDX files are"},
    {"features", "N", "64", NULL, "synthetic: input features"},
    {"classes", "N", "10", NULL, "synthetic: classes"},
    {"samples", "N", "10000", NULL, "synthetic: training rows (test rows: a quarter, at least 100)"},
    {"limit", "N", NULL, "all", "train on the first N training rows only"},
    {"hidden", "LIST", "256,128", NULL, "hidden layer widths, e.g. 256,128 or 1024x512x256"},
    {"batch", "full|N", "64", NULL, "rows per step: full = gradient descent, 1 = SGD, N = mini-batch"},
    {"epochs", "N", "10", NULL, "passes over the training set"},
    {"lr", "ETA", "0.5", NULL, "learning rate eta of update (18)"},
    {"reduction", "mean|sum", "mean", NULL, "mean: loss and gradients / batch size; sum: the seed's literal (7)-(18)"},
    {"threads", "N", NULL, "all cores", "OpenMP threads for every kernel"},
    {"seed", "N", "1", NULL, "seeds weights and shuffling; same seed => same bits for any thread count"},
    {"kernel", "ref|blocked|simd", "simd", NULL, "ref: naive loops; blocked: packed GEMM, scalar micro-kernel; simd: ISA micro-kernel"},
    {"isa", "auto|avx512|avx2|scalar", NULL, "$MLPB_ISA or auto", "micro-kernel ISA for --kernel simd"},
    {"log", "FILE.csv", NULL, "none", "write the loss curve (one row per epoch) to this CSV"},
    {NULL, NULL, NULL, NULL, NULL},
};

static void die_usage(const char *msg) {
    fprintf(stderr, "mlpbench: %s (see mlpbench train --help)\n", msg);
    exit(2);
}

static void die(const char *msg) {
    fprintf(stderr, "mlpbench: %s\n", msg);
    exit(1);
}

static void print_help(FILE *f, const char *cmd, const opt *opts) {
    fprintf(f, "usage: mlpbench %s [--flag VALUE]...\n\n", cmd);
    for (const opt *o = opts; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s %s", o->name, o->meta);
        fprintf(f, "  %-34s %s (default: %s)\n", left, o->help, o->dflt ? o->dflt : o->note);
    }
}

/* argv -> vals[i] for opts[i]; --flag VALUE or --flag=VALUE; anything else refused. */
static void parse_flags(int argc, char **argv, const opt *opts, const char **vals, const char *cmd) {
    char msg[256];
    for (int j = 0; opts[j].name; j++) vals[j] = opts[j].dflt;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { print_help(stdout, cmd, opts); exit(0); }
        if (strncmp(a, "--", 2)) {
            snprintf(msg, sizeof msg, "unexpected argument '%s'", a);
            die_usage(msg);
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        int idx = -1;
        for (int j = 0; opts[j].name; j++)
            if (strlen(opts[j].name) == len && !strncmp(opts[j].name, a + 2, len)) idx = j;
        if (idx < 0) {
            snprintf(msg, sizeof msg, "unknown flag '%.*s' for %s", (int)(len + 2), a, cmd);
            die_usage(msg);
        }
        if (eq) vals[idx] = eq + 1;
        else if (i + 1 < argc) vals[idx] = argv[++i];
        else {
            snprintf(msg, sizeof msg, "--%s needs a value (%s)", opts[idx].name, opts[idx].meta);
            die_usage(msg);
        }
    }
}

static const char *val(const opt *opts, const char **vals, const char *name) {
    for (int j = 0; opts[j].name; j++)
        if (!strcmp(opts[j].name, name)) return vals[j];
    return NULL;
}

static long want_long(const char *flag, const char *s, long lo, long hi) {
    long v;
    char err[256];
    if (mlpb_parse_long(flag, s, lo, hi, &v, err, sizeof err)) die_usage(err);
    return v;
}

/* mkdir -p of the folder that will hold path */
static int make_parent_dirs(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

typedef struct run_log {
    FILE *csv;
    const char *path, *isa, *kernel;
    int threads, batch;
} run_log;

static int on_point(const mlpb_point *p, void *user) {
    run_log *lg = user;
    printf("%5.0f %9ld %11.5g %10.5g %9.4f %12.0f %9.2f\n", p->epoch, p->step, p->train_loss, p->test_loss,
           p->test_acc, p->samples_per_s, p->wall_s);
    fflush(stdout);
    if (lg->csv) {
        fprintf(lg->csv, "%.6g,%ld,%ld,%.6f,%.6f,%.8g,%.8g,%.6f,%.1f,%s,%s,%d,%d\n", p->epoch, p->step,
                p->samples_seen, p->wall_s, p->eval_s, p->train_loss, p->test_loss, p->test_acc,
                p->samples_per_s, lg->isa, lg->kernel, lg->threads, lg->batch);
        if (fflush(lg->csv) || ferror(lg->csv)) {
            fprintf(stderr, "mlpbench: %s: write failed: %s\n", lg->path, strerror(errno));
            return 1;
        }
    }
    return 0;
}

static int cmd_train(int argc, char **argv) {
    const char *vals[sizeof train_opts / sizeof train_opts[0]] = {0};
    parse_flags(argc, argv, train_opts, vals, "train");
#define V(name) val(train_opts, vals, name)
    char err[MLPB_ERRLEN];

    /* 1. every flag, before any work */
    const char *data = V("data");
    if (strcmp(data, "fashion-mnist") && strcmp(data, "synthetic") && strncmp(data, "idx:", 4))
        die_usage("--data: expected fashion-mnist, idx:DIR or synthetic");
    if (!strncmp(data, "idx:", 4) && !data[4]) die_usage("--data idx:DIR: the folder is missing");
    long features = want_long("--features", V("features"), 1, 1 << 20);
    long classes = want_long("--classes", V("classes"), 2, 255);
    long samples = want_long("--samples", V("samples"), 1, 100000000);
    long limit = V("limit") ? want_long("--limit", V("limit"), 1, 2147483647L) : 0;
    int hidden[MAX_LAYERS], nh;
    if (mlpb_parse_int_list("--hidden", V("hidden"), 1, 1 << 20, hidden,
                            MAX_LAYERS - 2, &nh, err, sizeof err))
        die_usage(err);
    const char *bs = V("batch");
    long batch = strcmp(bs, "full") ? want_long("--batch", bs, 1, 2147483647L) : 0;
    long epochs = want_long("--epochs", V("epochs"), 1, 1000000);
    double lr;
    if (mlpb_parse_double("--lr", V("lr"), FLT_MIN, FLT_MAX, &lr, err, sizeof err)) die_usage(err);
    const char *red = V("reduction");
    if (strcmp(red, "mean") && strcmp(red, "sum")) die_usage("--reduction: expected mean or sum");
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    long threads = V("threads") ? want_long("--threads", V("threads"), 1, 1024) : si.cores;
    long seed = want_long("--seed", V("seed"), 0, 0x7fffffffffffffffL);
    const char *kname = V("kernel");
    mlpb_kernel kernel = !strcmp(kname, "ref") ? MLPB_KERNEL_REF
                       : !strcmp(kname, "blocked") ? MLPB_KERNEL_BLOCKED
                       : !strcmp(kname, "simd") ? MLPB_KERNEL_SIMD : (mlpb_kernel)-1;
    if ((int)kernel < 0) die_usage("--kernel: expected ref, blocked or simd");
    const char *isa = V("isa") ? V("isa") : getenv("MLPB_ISA") && *getenv("MLPB_ISA") ? getenv("MLPB_ISA") : "auto";
    if (strcmp(isa, "auto") && strcmp(isa, "avx512") && strcmp(isa, "avx2") && strcmp(isa, "scalar"))
        die_usage("--isa: expected auto, avx512, avx2 or scalar");
    const mlpb_ukr *ukr = mlpb_ukr_find(isa);
    if (!ukr) {
        snprintf(err, sizeof err, "--isa %s: this CPU or this build has no %s micro-kernel", isa, isa);
        die(err);
    }

    /* 2. data */
    mlpb_dataset tr = {0}, te = {0};
    const char *dname = data;
    if (!strcmp(data, "synthetic")) {
        long ntest = samples / 4 < 100 ? 100 : samples / 4;
        if (mlpb_synthetic((int)samples, (int)features, (int)classes, (uint64_t)seed, (uint64_t)seed * 2 + 1, &tr,
                           err, sizeof err) ||
            mlpb_synthetic((int)ntest, (int)features, (int)classes, (uint64_t)seed, (uint64_t)seed * 2 + 2, &te,
                           err, sizeof err))
            die(err);
    } else {
        const char *dir = data + 4;
        if (!strcmp(data, "fashion-mnist")) {
            const char *env = getenv("MLPBENCH_DATA");
            dir = V("data-dir") ? V("data-dir") : env && *env ? env : MLPB_DEFAULT_DATA_DIR;
        }
        if (mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err)) {
            if (!strcmp(data, "fashion-mnist") && !V("data-dir"))
                fprintf(stderr, "mlpbench: %s (install the Debian package dataset-fashion-mnist, or give --data-dir)\n", err);
            else
                fprintf(stderr, "mlpbench: %s\n", err);
            return 1;
        }
    }
    if (limit) {
        if (limit > tr.n) {
            snprintf(err, sizeof err, "--limit %ld: the training set has only %d rows", limit, tr.n);
            die_usage(err);
        }
        mlpb_dataset_truncate(&tr, (int)limit);
    }

    /* 3. network, kernels */
    int widths[MAX_LAYERS];
    widths[0] = tr.d;
    for (int i = 0; i < nh; i++) widths[i + 1] = hidden[i];
    widths[nh + 1] = tr.k;
    mlpb_mlp net;
    if (mlpb_mlp_init(&net, nh + 1, widths, (uint64_t)seed)) die("out of memory allocating the network");
    mlpb_kcfg kcfg = { kernel, ukr, 0, 0, 0, (int)threads };
    mlpb_blocking_from_caches(&si, kernel == MLPB_KERNEL_SIMD ? ukr : mlpb_ukr_find("scalar"), &kcfg);
    mlpb_ctx *ctx = mlpb_ctx_new(&kcfg);
    if (!ctx) die("out of memory allocating packing buffers");
    int ftz = mlpb_set_ftz((int)threads);
    const char *isa_used = kernel == MLPB_KERNEL_SIMD ? ukr->isa : kernel == MLPB_KERNEL_BLOCKED ? "scalar" : "none";

    /* 4. the log, only now that everything is valid */
    run_log lg = { NULL, V("log"), isa_used, kname, (int)threads, batch ? (int)batch : tr.n };
    if (lg.path) {
        if (make_parent_dirs(lg.path) || !(lg.csv = fopen(lg.path, "w"))) {
            fprintf(stderr, "mlpbench: --log %s: cannot create: %s\n", lg.path, strerror(errno));
            return 1;
        }
        fprintf(lg.csv, "epoch,step,samples_seen,wall_s,eval_s,train_loss,test_loss,test_acc,samples_per_s,"
                        "isa,kernel,threads,batch\n");
        fflush(lg.csv);
    }

    fprintf(stderr, "mlpbench: %s: %d train / %d test rows, %d features, %d classes\n", dname, tr.n, te.n,
            tr.d, tr.k);
    fprintf(stderr, "mlpbench: network");
    for (int i = 0; i <= nh + 1; i++) fprintf(stderr, "%s%d", i ? "-" : " ", widths[i]);
    fprintf(stderr, ", batch %s, lr %g, reduction %s, seed %ld\n", batch ? bs : "full", lr, red, seed);
    fprintf(stderr, "mlpbench: kernel %s, isa %s (%s), threads %ld, MC/KC/NC %d/%d/%d, ftz+daz %s\n", kname,
            isa_used, mlpb_ctx_cfg(ctx)->ukr->name, threads, mlpb_ctx_cfg(ctx)->mc, mlpb_ctx_cfg(ctx)->kc,
            mlpb_ctx_cfg(ctx)->nc, ftz ? "on" : "unavailable");
    printf("epoch      step  train_loss  test_loss  test_acc    samples/s   seconds\n");

    mlpb_train_opts to = { .batch = (int)batch, .epochs = (int)epochs, .points_per_epoch = 1, .lr = (float)lr,
                           .reduction = strcmp(red, "sum") ? MLPB_REDUCE_MEAN : MLPB_REDUCE_SUM,
                           .seed = (uint64_t)seed, .eval_rows = 1000 };
    mlpb_train_result res;
    int rc = mlpb_train(ctx, &net, &tr, NULL, &te, &to, on_point, &lg, &res, err, sizeof err);
    if (rc) fprintf(stderr, "mlpbench: %s\n", err);
    if (lg.csv && fclose(lg.csv)) {
        fprintf(stderr, "mlpbench: %s: %s\n", lg.path, strerror(errno));
        rc = -1;
    }
    mlpb_ctx_free(ctx);
    mlpb_mlp_free(&net);
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return rc ? 1 : 0;
#undef V
}

static int cmd_info(void) {
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    printf("cpu            %s\n", si.cpu);
    printf("cores          %d\n", si.cores);
    printf("caches         L1d %ld KiB, L2 %ld KiB, L3 %ld KiB (from %s)\n", si.l1d / 1024, si.l2 / 1024,
           si.l3 / 1024, si.cache_src);
    printf("omp max threads %d\n", omp_get_max_threads());
    int n;
    const mlpb_ukr *const *t = mlpb_ukr_table(&n);
    for (int i = 0; i < n; i++) {
        mlpb_kcfg c = { MLPB_KERNEL_SIMD, t[i], 0, 0, 0, 1 };
        mlpb_blocking_from_caches(&si, t[i], &c);
        printf("micro-kernel   %-12s isa %-7s MRxNR %dx%d  MC/KC/NC %d/%d/%d  %s\n", t[i]->name, t[i]->isa,
               t[i]->mr, t[i]->nr, c.mc, c.kc, c.nc, mlpb_isa_available(t[i]->isa) ? "available" : "not on this CPU");
    }
    const mlpb_ukr *best = mlpb_ukr_find("auto");
    printf("auto picks     %s\n", best->name);
    return 0;
}

static void usage(FILE *f) {
    fprintf(f, "usage: mlpbench COMMAND [--flag VALUE]...\n\n"
               "commands:\n"
               "  train   train the seed's network (sigmoid hidden layers, softmax, cross-entropy)\n"
               "  info    the machine: CPU, cores, caches, micro-kernels and their blocking\n\n"
               "mlpbench COMMAND --help lists the command's flags with their defaults.\n"
               "environment: MLPBENCH_DATA (fashion-mnist folder), MLPB_ISA (default --isa)\n");
}

int main(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) { usage(stdout); return 0; }
    if (!strcmp(argv[1], "train")) return cmd_train(argc - 2, argv + 2);
    if (!strcmp(argv[1], "info")) return cmd_info();
    fprintf(stderr, "mlpbench: unknown command '%s' (see mlpbench --help)\n", argv[1]);
    return 2;
}
