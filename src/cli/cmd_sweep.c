/* cmd_sweep.c - `mlpbench sweep`: the cross product of lists (batch, threads,
 * hidden widths, kernel, ISA, learning rate, seeds) run one after the other
 * into one results folder: meta.json, runs.csv, summary.csv, curves/<id>.csv.
 * Every file is replaced atomically; a re-run of the same sweep into the same
 * folder skips finished runs; Ctrl-C keeps every finished run. Everything is
 * validated before the first run. Not here: plotting (scripts/plot.sh). */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "nn/mlp.h"
#include "sys/atomic_file.h"
#include "sys/hugemem.h"
#include "sys/dist.h"
#include "sys/peak.h"
#include "sys/pin.h"
#include "sys/timer.h"
#include "train/train.h"

#define MAX_LIST 64
#define MAX_LAYERS 16

static const cli_opt sweep_opts[] = {
    {"file", "FILE", NULL, "none", "read flags from a sweep file of `key = value` lines (bench/sweeps/*.sweep); flags given here win"},
    {"out", "DIR", NULL, "required", "results folder (created; re-running into it resumes)"},
    CLI_DATA_OPTS,
    {"batch", "LIST", "full,1,32,64,128", NULL, "batch sizes: full = gradient descent, 1 = SGD, N = mini-batch"},
    {"threads", "LIST", NULL, "1,all cores", "thread counts"},
    {"hidden", "LIST", "256x128", NULL, "hidden widths, one config per comma, layers joined by x: 256x128,1024x512"},
    {"kernel", "LIST", "simd", NULL, "kernel rungs: ref, blocked, simd"},
    {"isa", "LIST", "auto", NULL, "micro-kernel ISAs for simd: auto, avx512, avx2, scalar, all (every one this CPU has)"},
    {"lr", "LIST", "0.5", NULL, "learning rates; more than one is a grid: the best by validation accuracy is kept per setting"},
    {"lr-scale", "none|linear|sqrt", "none", NULL, "scale each rate by (batch/lr-ref-batch) or its square root"},
    {"lr-ref-batch", "N", "64", NULL, "the batch size at which --lr holds as given"},
    {"reduction", "mean|sum", "mean", NULL, "mean: gradients / batch size; sum: the seed's literal (7)-(18)"},
    {"epochs", "N", "5", NULL, "budget: at most N epochs per run (0 = no epoch limit)"},
    {"max-samples", "N", "0", NULL, "budget: stop a run after N training rows (0 = no limit)"},
    {"max-seconds", "S", "0", NULL, "budget: stop a run after S training seconds (0 = no limit)"},
    {"target-acc", "A", "0", NULL, "stop a run once test accuracy reaches A (0 = none); time, samples, epochs to it are recorded"},
    {"points", "N", "10", NULL, "curve points per epoch, the same for every batch size (full batch: one per step)"},
    {"val-frac", "F", NULL, "0.1 with an lr grid, else 0", "fraction of the training rows held out for validation"},
    {"seed", "N", "1", NULL, "first seed (weights, shuffling, synthetic data)"},
    {"repeat", "R", "1", NULL, "runs per setting, seeds seed .. seed+R-1"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct run {
    char id[256];
    int hidden_idx, batch, threads, kernel, repeat;
    const mlpb_ukr *ukr;
    double lr;        /* after --lr-scale */
    double lr_given;  /* the grid value it came from */
    long seed;
} run;

/* One finished row of runs.csv, with the fields selection and summary need. */
typedef struct row {
    char *line;
    char group[512];  /* the setting without lr and seed */
    char sgroup[600]; /* the setting without seed: one summary line */
    char setting[512]; /* without lr, seed and threads: where one rate is chosen */
    char lgroup[600];  /* setting + lr */
    double score;     /* how well its rate did: see selected() */
    double lr, val_acc, test_acc, tta, sps, gflops, pct;
    int reached;
    char lr_s[64];
} row;

typedef struct sweep {
    cli c;
    const char *out;
    int nbatch, batches[MAX_LIST];
    int nthreads, threads[MAX_LIST];
    int nhidden, hidden[MAX_LIST][MAX_LAYERS], nlayers[MAX_LIST];
    int nkernel, kernels[4];
    int nisa;
    const mlpb_ukr *isas[8];
    int nlr;
    double lrs[MAX_LIST];
    int lr_scale, lr_ref, reduction, epochs, points, repeat;
    long max_samples, seed;
    double max_seconds, target_acc, val_frac;
    char fixed_hash[16];
    mlpb_dataset tr, val, te;
    const char *dname;
    mlpb_sysinfo si;
    double peak[8][MAX_LIST]; /* by isa index, thread index */
    const mlpb_dist *dist;
    int R, root;             /* MPI ranks; this process is rank 0 (writes every file) */
    row *rows;
    int nrows, caprows;
    char header[1024];
} sweep;

static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) { (void)sig; interrupted = 1; }

static const char *const runs_cols =
    "run_id,method,batch,batch_rows,threads,hidden,isa,kernel,reduction,lr,seed,repeat,selected,epochs,steps,"
    "samples_seen,train_s,eval_s,final_train_loss,final_test_loss,final_test_acc,final_val_acc,target_acc,reached,"
    "time_to_target_s,samples_to_target,epochs_to_target,samples_per_s,gflops,peak_gflops,pct_peak,t_data,"
    "t_forward,t_loss,t_backward,t_comm,t_update,stopped_by,ranks";

static const char *method(int batch) { return batch == 0 ? "gd" : batch == 1 ? "sgd" : "minibatch"; }

static void hidden_str(const sweep *s, int h, char *buf, size_t len) {
    buf[0] = 0;
    for (int i = 0; i < s->nlayers[h]; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%d", i ? "x" : "", s->hidden[h][i]);
    if (!s->nlayers[h]) snprintf(buf, len, "none");
}

static uint32_t fnv1a(const char *p) {
    uint32_t h = 2166136261u;
    for (; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

/* ---- parsing and validation: everything before the first run ---- */

static int split_list(const cli *c, const char *flag, const char *s, char items[][64], int max) {
    int n = 0;
    if (!s || !*s) cli_usage_error(c, "%s: empty list", flag);
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) cli_usage_error(c, "%s: empty item in '%s'", flag, s);
        if (len >= 64) cli_usage_error(c, "%s: item too long in '%s'", flag, s);
        if (n == max) cli_usage_error(c, "%s: more than %d items in '%s'", flag, max, s);
        memcpy(items[n], p, len);
        items[n++][len] = 0;
        if (!p[len]) return n;
        p += len + 1;
    }
}

static void parse_sweep(sweep *s, int argc, char **argv) {
    cli *c = &s->c;
    c->cmd = "sweep";
    c->opts = sweep_opts;
    cli_parse(c, argc, argv);
    if (cli_get(c, "file")) cli_apply_file(c, cli_get(c, "file"));
    s->out = cli_get(c, "out");
    if (!s->out || !*s->out) cli_usage_error(c, "--out DIR is required");
    cli_check_data(c);
    mlpb_sysinfo_read(&s->si);
    char items[MAX_LIST][64], err[256];

    s->nbatch = split_list(c, "--batch", cli_get(c, "batch"), items, MAX_LIST);
    for (int i = 0; i < s->nbatch; i++)
        s->batches[i] = strcmp(items[i], "full") ? (int)cli_long(c, "--batch", items[i], 1, 2147483647L) : 0;

    char tdef[32];
    snprintf(tdef, sizeof tdef, s->si.cores > 1 ? "1,%d" : "1", s->si.cores);
    const char *tl = cli_get(c, "threads") ? cli_get(c, "threads") : tdef;
    s->nthreads = split_list(c, "--threads", tl, items, MAX_LIST);
    for (int i = 0; i < s->nthreads; i++) s->threads[i] = (int)cli_long(c, "--threads", items[i], 1, 1024);

    s->nhidden = split_list(c, "--hidden", cli_get(c, "hidden"), items, MAX_LIST);
    for (int i = 0; i < s->nhidden; i++)
        if (mlpb_parse_int_list("--hidden", items[i], 1, 1 << 20, s->hidden[i], MAX_LAYERS - 2, &s->nlayers[i], err,
                                sizeof err))
            cli_usage_error(c, "%s", err);

    s->nkernel = split_list(c, "--kernel", cli_get(c, "kernel"), items, 4);
    for (int i = 0; i < s->nkernel; i++) s->kernels[i] = cli_word(c, "--kernel", items[i], cli_kernel_names);

    int n = split_list(c, "--isa", cli_get(c, "isa"), items, 8);
    for (int i = 0; i < n; i++) {
        if (!strcmp(items[i], "all")) {
            int nt;
            const mlpb_ukr *const *t = mlpb_ukr_table(&nt);
            for (int j = 0; j < nt && s->nisa < 8; j++)
                if (mlpb_isa_available(t[j]->isa)) s->isas[s->nisa++] = t[j];
        } else if (s->nisa < 8) {
            s->isas[s->nisa++] = cli_isa(c, items[i]);
        }
    }
    for (int i = 0; i < s->nisa; i++) /* auto and an explicit name may pick the same one */
        for (int j = i + 1; j < s->nisa; j++)
            if (s->isas[j] == s->isas[i]) s->isas[j--] = s->isas[--s->nisa];

    s->nlr = split_list(c, "--lr", cli_get(c, "lr"), items, MAX_LIST);
    for (int i = 0; i < s->nlr; i++) s->lrs[i] = cli_double(c, "--lr", items[i], FLT_MIN, FLT_MAX);
    static const char *const scales[] = { "none", "linear", "sqrt", NULL };
    static const char *const reds[] = { "mean", "sum", NULL };
    s->lr_scale = cli_word(c, "--lr-scale", cli_get(c, "lr-scale"), scales);
    s->lr_ref = (int)cli_long(c, "--lr-ref-batch", cli_get(c, "lr-ref-batch"), 1, 2147483647L);
    s->reduction = cli_word(c, "--reduction", cli_get(c, "reduction"), reds);
    s->epochs = (int)cli_long(c, "--epochs", cli_get(c, "epochs"), 0, 1000000);
    s->max_samples = cli_long(c, "--max-samples", cli_get(c, "max-samples"), 0, 0x7fffffffffffffffL);
    s->max_seconds = cli_double(c, "--max-seconds", cli_get(c, "max-seconds"), 0, 1e9);
    s->target_acc = cli_double(c, "--target-acc", cli_get(c, "target-acc"), 0, 1);
    s->points = (int)cli_long(c, "--points", cli_get(c, "points"), 1, 10000);
    s->val_frac = cli_get(c, "val-frac") ? cli_double(c, "--val-frac", cli_get(c, "val-frac"), 0, 0.5)
                                         : s->nlr > 1 ? 0.1 : 0.0;
    if (s->nlr > 1 && s->val_frac == 0)
        cli_usage_error(c, "--lr with %d rates is a grid: it needs a validation split (--val-frac > 0)", s->nlr);
    s->seed = cli_long(c, "--seed", cli_get(c, "seed"), 0, 0x7fffffffffffffffL);
    s->repeat = (int)cli_long(c, "--repeat", cli_get(c, "repeat"), 1, 1000);
    if (!s->epochs && !s->max_samples && s->max_seconds == 0 && s->target_acc == 0)
        cli_usage_error(c, "no budget: give --epochs, --max-samples, --max-seconds or --target-acc");
    if (s->target_acc > 0 && !s->epochs && !s->max_samples && s->max_seconds == 0)
        cli_usage_error(c, "--target-acc alone may never stop: add --epochs, --max-samples or --max-seconds");

    /* the settings that are not swept: part of every run id, so a folder
     * reused with other fixed settings does not mistake old runs for new */
    char fixed[1024];
    snprintf(fixed, sizeof fixed, "%s|%s|%s|%s|%s|%s|%s|%d|%d|%d|%d|%ld|%g|%g|%g", cli_get(c, "data"),
             cli_get(c, "data-dir") ? cli_get(c, "data-dir") : "", cli_get(c, "features"), cli_get(c, "classes"),
             cli_get(c, "samples"), cli_get(c, "limit") ? cli_get(c, "limit") : "", scales[s->lr_scale], s->lr_ref,
             s->reduction, s->epochs, s->points, s->max_samples, s->max_seconds, s->target_acc, s->val_frac);
    snprintf(s->fixed_hash, sizeof s->fixed_hash, "%08x", fnv1a(fixed));
}

/* data once for the whole sweep; checks that need the set's size */
static void load_data(sweep *s) {
    mlpb_dataset all;
    char err[MLPB_ERRLEN];
    cli_load_data(&s->c, s->seed, &all, &s->te, &s->dname);
    if (s->val_frac > 0) {
        int nval = (int)(all.n * s->val_frac);
        if (nval < 1) nval = 1;
        if (mlpb_dataset_split(&all, nval, (uint64_t)s->seed, &s->tr, &s->val, err, sizeof err)) cli_fail("%s", err);
        mlpb_dataset_free(&all);
    } else {
        s->tr = all;
    }
    for (int i = 0; i < s->nbatch; i++) {
        if (s->batches[i] == 0 && s->max_samples > 0 && s->max_samples < s->tr.n)
            cli_usage_error(&s->c, "--batch full with --max-samples %ld: one full-batch step takes %d rows", s->max_samples,
                            s->tr.n);
        if (s->batches[i] > s->tr.n)
            cli_usage_error(&s->c, "--batch %d: the training set has only %d rows (use full)", s->batches[i], s->tr.n);
    }
}

/* ---- runs.csv: read what is there, rewrite atomically after each run ---- */

static int csv_field(const char *line, int idx, char *buf, size_t len) {
    for (int i = 0; i < idx; i++) {
        line = strchr(line, ',');
        if (!line) return -1;
        line++;
    }
    size_t n = strcspn(line, ",\n");
    if (n >= len) n = len - 1;
    memcpy(buf, line, n);
    buf[n] = 0;
    return 0;
}

static int col_index(const char *name) {
    char buf[64];
    for (int i = 0; csv_field(runs_cols, i, buf, sizeof buf) == 0; i++)
        if (!strcmp(buf, name)) return i;
    return -1;
}

static double fieldd(const char *line, const char *name) {
    char buf[64];
    if (csv_field(line, col_index(name), buf, sizeof buf) || !buf[0]) return NAN;
    return strtod(buf, NULL);
}

static void add_row(sweep *s, const char *line) {
    if (s->nrows == s->caprows) {
        s->caprows = s->caprows ? 2 * s->caprows : 64;
        s->rows = realloc(s->rows, (size_t)s->caprows * sizeof(row));
        if (!s->rows) cli_fail("out of memory");
    }
    row *r = &s->rows[s->nrows++];
    memset(r, 0, sizeof *r);
    r->line = strdup(line);
    if (!r->line) cli_fail("out of memory");
    r->line[strcspn(r->line, "\n")] = 0;
    char f[8][64];
    const char *keys[8] = { "method", "batch", "threads", "hidden", "isa", "kernel", "lr", "ranks" };
    for (int i = 0; i < 8; i++) csv_field(r->line, col_index(keys[i]), f[i], sizeof f[i]);
    snprintf(r->group, sizeof r->group, "%s,%s,%s,%s,%s,%s,%s", f[0], f[1], f[2], f[3], f[4], f[5], f[7]);
    snprintf(r->sgroup, sizeof r->sgroup, "%s,%s", r->group, f[6]);
    snprintf(r->setting, sizeof r->setting, "%s,%s,%s,%s,%s,%s", f[0], f[1], f[3], f[4], f[5], f[7]);
    snprintf(r->lgroup, sizeof r->lgroup, "%s,%s", r->setting, f[6]);
    snprintf(r->lr_s, sizeof r->lr_s, "%s", f[6]);
    r->lr = fieldd(r->line, "lr");
    r->val_acc = fieldd(r->line, "final_val_acc");
    r->test_acc = fieldd(r->line, "final_test_acc");
    r->tta = fieldd(r->line, "time_to_target_s");
    r->sps = fieldd(r->line, "samples_per_s");
    r->gflops = fieldd(r->line, "gflops");
    r->pct = fieldd(r->line, "pct_peak");
    r->reached = fieldd(r->line, "reached") == 1;
    /* reaching the target beats not reaching it, and sooner (in samples: the same
     * for every thread count) beats later; otherwise validation accuracy */
    double acc = isfinite(r->val_acc) ? r->val_acc : r->test_acc;
    r->score = r->reached ? 2.0 - fieldd(r->line, "samples_to_target") * 1e-15 : acc;
}

static int finished(const sweep *s, const char *id) {
    char buf[256];
    for (int i = 0; i < s->nrows; i++)
        if (!csv_field(s->rows[i].line, 0, buf, sizeof buf) && !strcmp(buf, id)) return 1;
    return 0;
}

static void read_runs(sweep *s) {
    char path[4096], line[8192];
    snprintf(path, sizeof path, "%s/runs.csv", s->out);
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (!fgets(line, sizeof line, f) || strncmp(line, runs_cols, strlen(runs_cols)))
        cli_fail("%s: not a runs.csv of this version of mlpbench (header differs); use another --out", path);
    /* a torn or edited row (missing fields, too long) is refused: later code
     * walks every row's fields blindly */
    int ncols = 1, lineno = 1;
    for (const char *p = runs_cols; *p; p++) ncols += *p == ',';
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!line[0] || line[0] == '\n') continue;
        int nf = 1;
        for (const char *p = line; *p; p++) nf += *p == ',';
        if (nf != ncols || (!strchr(line, '\n') && !feof(f)))
            cli_fail("%s:%d: a row with %d fields (or too long), not %d; remove it or use another --out", path,
                     lineno, nf, ncols);
        add_row(s, line);
    }
    fclose(f);
}

/* median, min, max of the finite values; NaN when none */
static void stats(double *v, int n, double *med, double *lo, double *hi) {
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) v[m++] = v[i];
    if (!m) { *med = *lo = *hi = NAN; return; }
    qsort(v, (size_t)m, sizeof *v, mlpb_cmp_double);
    *lo = v[0]; *hi = v[m - 1];
    *med = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* The rate kept for a setting: the best median score over seeds and thread
 * counts (a rate is chosen once per setting, so threads change only the
 * speed); the smaller rate on a tie. Score: reaching the target, in fewer
 * samples, beats not reaching it; then the final validation accuracy (test
 * accuracy without a validation set). */
static void select_rates(const sweep *s, char *sel) {
    const int n = s->nrows;
    double *med = malloc(((size_t)n + 1) * sizeof(double)), *v = malloc(((size_t)n + 1) * sizeof(double));
    if (!med || !v) cli_fail("out of memory");
    for (int i = 0; i < n; i++) { /* each row's rate: its median score */
        int m = 0;
        for (int j = 0; j < n; j++)
            if (!strcmp(s->rows[j].lgroup, s->rows[i].lgroup)) v[m++] = s->rows[j].score;
        double lo, hi;
        stats(v, m, &med[i], &lo, &hi);
    }
    for (int i = 0; i < n; i++) { /* kept if no rate of its setting does better */
        sel[i] = 1;
        for (int j = 0; j < n && sel[i]; j++)
            if (!strcmp(s->rows[j].setting, s->rows[i].setting) &&
                (med[j] > med[i] || (med[j] == med[i] && s->rows[j].lr < s->rows[i].lr)))
                sel[i] = 0;
    }
    free(med);
    free(v);
}

static void put(FILE *f, double x, const char *fmt) {
    if (isfinite(x)) fprintf(f, fmt, x);
}

static void write_runs_and_summary(sweep *s) {
    char path[4096];
    mlpb_afile a;
    snprintf(path, sizeof path, "%s/runs.csv", s->out);
    if (mlpb_afile_open(&a, path)) cli_fail("%s: cannot write: %s", path, strerror(errno));
    fprintf(a.f, "%s\n", runs_cols);
    int sel_col = col_index("selected");
    char *sel = calloc((size_t)s->nrows + 1, 1);
    select_rates(s, sel);
    for (int i = 0; i < s->nrows; i++) {
        /* rewrite the selected field: everything before it, the flag, everything after */
        const char *p = s->rows[i].line;
        for (int k = 0; k < sel_col; k++) p = strchr(p, ',') + 1;
        const char *rest = strchr(p, ',');
        fprintf(a.f, "%.*s%d%s\n", (int)(p - s->rows[i].line), s->rows[i].line, sel[i], rest);
    }
    if (mlpb_afile_commit(&a)) cli_fail("%s: cannot write: %s", path, strerror(errno));

    snprintf(path, sizeof path, "%s/summary.csv", s->out);
    if (mlpb_afile_open(&a, path)) cli_fail("%s: cannot write: %s", path, strerror(errno));
    fprintf(a.f, "method,batch,batch_rows,threads,hidden,isa,kernel,lr,runs,reached,tta_median,tta_min,tta_max,"
                 "acc_median,acc_min,acc_max,sps_median,sps_min,sps_max,gflops_median,pct_peak_median,ranks\n");
    char *done = calloc((size_t)s->nrows + 1, 1);
    double *v = malloc(((size_t)s->nrows + 1) * sizeof(double));
    for (int i = 0; i < s->nrows; i++) {
        if (done[i] || !sel[i]) continue;
        const row *r = &s->rows[i];
        int idx[1024], n = 0, reached = 0;
        for (int j = i; j < s->nrows && n < 1024; j++)
            if (!done[j] && sel[j] && !strcmp(s->rows[j].sgroup, r->sgroup)) idx[n++] = j, done[j] = 1;
        char brow[32];
        csv_field(r->line, col_index("batch_rows"), brow, sizeof brow);
        char g[7][64];
        for (int k = 0; k < 7; k++) csv_field(r->group, k, g[k], sizeof g[k]);
        fprintf(a.f, "%s,%s,%s,%s,%s,%s,%s,%s,%d,", g[0], g[1], brow, g[2], g[3], g[4], g[5], r->lr_s, n);
        for (int k = 0; k < n; k++) reached += s->rows[idx[k]].reached;
        fprintf(a.f, "%d", reached);
        double med, lo, hi;
#define STAT(field, fmt3)                                                                  \
        for (int k = 0; k < n; k++) v[k] = s->rows[idx[k]].field;                           \
        stats(v, n, &med, &lo, &hi);                                                        \
        fputc(',', a.f); put(a.f, med, fmt3); fputc(',', a.f); put(a.f, lo, fmt3);          \
        fputc(',', a.f); put(a.f, hi, fmt3);
        STAT(tta, "%.4f")
        STAT(test_acc, "%.5f")
        STAT(sps, "%.1f")
        for (int k = 0; k < n; k++) v[k] = s->rows[idx[k]].gflops;
        stats(v, n, &med, &lo, &hi);
        fputc(',', a.f); put(a.f, med, "%.3f");
        for (int k = 0; k < n; k++) v[k] = s->rows[idx[k]].pct;
        stats(v, n, &med, &lo, &hi);
        fputc(',', a.f); put(a.f, med, "%.3f");
        fprintf(a.f, ",%s\n", g[6]);
#undef STAT
    }
    free(done); free(v); free(sel);
    if (mlpb_afile_commit(&a)) cli_fail("%s: cannot write: %s", path, strerror(errno));
}

/* ---- meta.json ---- */

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static void write_meta(sweep *s, int argc, char **argv, const char *start, const char *end) {
    char path[4096], buf[512], host[256] = "unknown";
    mlpb_afile a;
    snprintf(path, sizeof path, "%s/meta.json", s->out);
    if (mlpb_afile_open(&a, path)) cli_fail("%s: cannot write: %s", path, strerror(errno));
    FILE *f = a.f;
    gethostname(host, sizeof host);
    fprintf(f, "{\n  \"command\": ");
    char cmdline[8192] = "mlpbench sweep";
    for (int i = 0; i < argc; i++) snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), " %s", argv[i]);
    json_str(f, cmdline);
    snprintf(buf, sizeof buf, "%s, %s", host, s->si.cpu);
    fprintf(f, ",\n  \"machine\": "); json_str(f, buf);
    fprintf(f, ",\n  \"cpu\": "); json_str(f, s->si.cpu);
    fprintf(f, ",\n  \"cores\": %d", s->si.cores);
    fprintf(f, ",\n  \"mpi\": {\"ranks\": %d, \"library\": ", s->R);
    json_str(f, s->dist ? s->dist->library : "none");
    fprintf(f, ", \"threads_per_rank\": \"the run's threads\"}");
    fprintf(f, ",\n  \"caches\": {\"l1d\": %ld, \"l2\": %ld, \"l3\": %ld, \"source\": \"%s\"}", s->si.l1d, s->si.l2,
            s->si.l3, s->si.cache_src);
    /* the commit of the source tree this binary was built from (at build time) */
    fprintf(f, ",\n  \"git_commit\": "); json_str(f, cli_build_commit());
    fprintf(f, ",\n  \"git_dirty\": %s", cli_build_diff()[0] ? "true" : "false");
    if (cli_build_diff()[0]) { fprintf(f, ",\n  \"git_diff_sha1\": "); json_str(f, cli_build_diff()); }
    fprintf(f, ",\n  \"compiler\": "); json_str(f, MLPB_COMPILER);
    fprintf(f, ",\n  \"cflags\": "); json_str(f, MLPB_CFLAGS);
    fprintf(f, ",\n  \"isas\": [");
    for (int i = 0; i < s->nisa; i++) fprintf(f, "%s\"%s\"", i ? ", " : "", s->isas[i]->name);
    fprintf(f, "],\n  \"openmp\": {\"version\": %d, \"max_threads\": %d, \"proc_bind\": %d", _OPENMP,
            omp_get_max_threads(), (int)omp_get_proc_bind());
    const char *envs[] = { "OMP_NUM_THREADS", "OMP_PLACES", "OMP_PROC_BIND", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT" };
    for (int i = 0; i < 5; i++) {
        fprintf(f, ", \"%s\": ", envs[i]);
        json_str(f, getenv(envs[i]) ? getenv(envs[i]) : "unset");
    }
    fprintf(f, "},\n  \"thread_binding\": {");
    for (int t = 0; t < s->nthreads; t++) {
        fprintf(f, "%s\"%d\": ", t ? ", " : "", s->threads[t]);
        json_str(f, mlpb_pin_threads(s->threads[t], buf, sizeof buf));
    }
    fprintf(f, "},\n  \"parallel\": {"); /* each thread count's region cost and one-thread thresholds */
    for (int t = 0; t < s->nthreads; t++) {
        const char *used;
        mlpb_ctx *c = cli_make_ctx(&s->si, MLPB_KERNEL_SIMD, s->isas[0], s->threads[t], &used);
        fprintf(f, "%s\"%d\": ", t ? ", " : "", s->threads[t]);
        json_str(f, cli_par_line(c, buf, sizeof buf));
        mlpb_ctx_free(c);
    }
    fprintf(f, "}");
    fprintf(f, ",\n  \"flush_to_zero\": true,\n  \"peak_gflops\": {");
    for (int t = 0; t < s->nthreads; t++)
        fprintf(f, "%s\"%d\": %.2f", t ? ", " : "", s->threads[t], s->peak[0][t]);
    fprintf(f, "},\n  \"peak_isa\": \"%s\"", s->isas[0]->isa);
    fprintf(f, ",\n  \"dataset\": {\"name\": "); json_str(f, s->dname);
    fprintf(f, ", \"train_rows\": %d, \"val_rows\": %d, \"test_rows\": %d, \"features\": %d, \"classes\": %d, "
               "\"crc32\": \"%08x\", \"huge_page_kib\": %ld, \"thp\": ", s->tr.n, s->val.n, s->te.n, s->tr.d,
            s->tr.k, s->tr.crc32, mlpb_huge_kb(s->tr.X));
    cli_thp_mode(buf, sizeof buf);
    json_str(f, buf);
    fprintf(f, "}");
    fprintf(f, ",\n  \"settings_hash\": \"%s\"", s->fixed_hash);
    fprintf(f, ",\n  \"start_time\": \"%s\",\n  \"end_time\": ", start);
    if (end) json_str(f, end); else fprintf(f, "null");
    fprintf(f, "\n}\n");
    if (mlpb_afile_commit(&a)) cli_fail("%s: cannot write: %s", path, strerror(errno));
}

/* ---- one run ---- */

typedef struct progress {
    sweep *s;
    const run *r;
    FILE *curve;
    int index, total, tty;
    double t_start, runs_done_s; /* sweep clock; seconds of finished runs this session */
    int runs_done;
    double last_print;
} progress;

static double run_fraction(const sweep *s, const mlpb_point *p) {
    double f = 0;
    if (s->epochs) f = fmax(f, p->epoch / s->epochs);
    if (s->max_samples) f = fmax(f, (double)p->samples_seen / s->max_samples);
    if (s->max_seconds > 0) f = fmax(f, p->wall_s / s->max_seconds);
    return fmin(f, 1.0);
}

static int on_point(const mlpb_point *p, void *user) {
    progress *pg = user;
    if (!pg->curve) return interrupted;
    fprintf(pg->curve, "%.6g,%ld,%ld,%.6f,%.6f,%.8g,%.8g,%.6f,", p->epoch, p->step, p->samples_seen, p->wall_s,
            p->eval_s, p->train_loss, p->test_loss, p->test_acc);
    put(pg->curve, p->val_loss, "%.8g");
    fputc(',', pg->curve);
    put(pg->curve, p->val_acc, "%.6f");
    fprintf(pg->curve, ",%.1f\n", p->samples_per_s);
    double now = mlpb_now();
    if (pg->s->root && (pg->tty || now - pg->last_print > 10 || fmod(p->epoch, 1.0) < 1e-9)) {
        double frac = run_fraction(pg->s, p), eta = NAN;
        double elapsed = now - pg->t_start;
        double per_run = (elapsed) / (pg->runs_done + frac > 0 ? pg->runs_done + frac : 1);
        if (pg->runs_done + frac > 0.05) eta = per_run * (pg->total - pg->index + 1 - frac);
        fprintf(stderr, "%s[%d/%d] %s: epoch %.2f, test loss %.4f, acc %.4f, ETA %s%.0fs%s", pg->tty ? "\r" : "",
                pg->index, pg->total, pg->r->id, p->epoch, p->test_loss, p->test_acc, isfinite(eta) ? "" : "?",
                isfinite(eta) ? eta : 0.0, pg->tty ? "\033[K" : "\n");
        pg->last_print = now;
    }
    return interrupted;
}

static double flops_per_sample(const int *w, int L) {
    double f = 0;
    for (int l = 0; l < L; l++) f += 2.0 * w[l] * w[l + 1] * (l > 0 ? 3 : 2); /* (1)(3)(5), (9)(13)(16), (11)(15) */
    return f;
}

/* returns 1 when interrupted */
static int do_run(sweep *s, const run *r, progress *pg) {
    char path[4096], err[MLPB_ERRLEN];
    int widths[MAX_LAYERS];
    const int L = s->nlayers[r->hidden_idx] + 1;
    widths[0] = s->tr.d;
    for (int i = 0; i < L - 1; i++) widths[i + 1] = s->hidden[r->hidden_idx][i];
    widths[L] = s->tr.k;
    mlpb_mlp net;
    if (mlpb_mlp_init(&net, L, widths, (uint64_t)r->seed)) cli_fail("%s: out of memory allocating the network", r->id);
    const char *isa_used;
    mlpb_ctx *ctx = cli_make_ctx(&s->si, (mlpb_kernel)r->kernel, r->ukr, r->threads, &isa_used);
    mlpb_afile cf = { 0 };
    snprintf(path, sizeof path, "%s/curves/%s.csv", s->out, r->id);
    if (s->root) {
        if (mlpb_afile_open(&cf, path)) cli_fail("%s: cannot write: %s", path, strerror(errno));
        fprintf(cf.f, "epoch,step,samples_seen,wall_s,eval_s,train_loss,test_loss,test_acc,val_loss,val_acc,"
                      "samples_per_s\n");
    }
    pg->curve = cf.f;
    pg->r = r;
    mlpb_train_opts o = { .batch = r->batch, .epochs = s->epochs, .max_samples = s->max_samples,
                          .max_seconds = s->max_seconds, .target_acc = s->target_acc, .points_per_epoch = s->points,
                          .lr = (float)r->lr, .reduction = (mlpb_reduction)s->reduction, .seed = (uint64_t)r->seed,
                          .eval_rows = 1000, .dist = s->dist, .stop = &interrupted };
    mlpb_train_result res;
    double t0 = mlpb_now();
    int rc = mlpb_train(ctx, &net, &s->tr, s->val.n ? &s->val : NULL, &s->te, &o, on_point, pg, &res, err, sizeof err);
    if (pg->tty && s->root) fputc('\n', stderr);
    mlpb_ctx_free(ctx);
    mlpb_mlp_free(&net);
    if (rc) { /* divergence is a result of the setting, not a failure of the sweep: keep the curve, record it */
        if (s->root) fprintf(stderr, "mlpbench: run %s: %s\n", r->id, err);
        res.stopped_by = "diverged";
    } else if (!strcmp(res.stopped_by, "signal") || interrupted) {
        if (s->root) mlpb_afile_abort(&cf);
        return 1;
    }
    if (!s->root) return 0;
    if (mlpb_afile_commit(&cf)) cli_fail("%s: cannot write: %s", path, strerror(errno));

    /* the row */
    const mlpb_point *p = &res.last, *tg = &res.at_target;
    double fps = flops_per_sample(widths, L);
    double nreal = 0; /* parameters (18) updates, the row padding not counted */
    for (int l = 0; l < L; l++) nreal += (double)(widths[l] + 1) * widths[l + 1];
    double flops = fps * (double)p->samples_seen + 2.0 * nreal * (double)p->step; /* + (18) */
    int ti = 0, ii = 0;
    while (s->threads[ti] != r->threads) ti++;
    while (s->isas[ii] != r->ukr) ii++;
    double gflops = p->wall_s > 0 ? flops / p->wall_s * 1e-9 : NAN, peak = s->peak[ii][ti] * s->R;
    char hs[256], line[4096];
    hidden_str(s, r->hidden_idx, hs, sizeof hs);
    FILE *m = fmemopen(line, sizeof line, "w");
    fprintf(m, "%s,%s,", r->id, method(r->batch));
    if (r->batch) fprintf(m, "%d", r->batch); else fprintf(m, "full");
    fprintf(m, ",%d,%d,%s,%s,%s,%s,%g,%ld,%d,1,%.6g,%ld,%ld,%.6f,%.6f,", r->batch ? r->batch : s->tr.n, r->threads, hs,
            isa_used, cli_kernel_names[r->kernel], s->reduction ? "sum" : "mean", r->lr, r->seed, r->repeat, p->epoch,
            p->step, p->samples_seen, p->wall_s, p->eval_s);
    fprintf(m, "%.8g,%.8g,%.6f,", p->train_loss, p->test_loss, p->test_acc);
    put(m, p->val_acc, "%.6f");
    fprintf(m, ",");
    put(m, s->target_acc > 0 ? s->target_acc : NAN, "%g");
    fprintf(m, ",%d,", res.reached);
    if (res.reached) fprintf(m, "%.6f,%ld,%.6g", tg->wall_s, tg->samples_seen, tg->epoch);
    else fprintf(m, ",,");
    fprintf(m, ",%.1f,", p->wall_s > 0 ? p->samples_seen / p->wall_s : 0.0);
    put(m, gflops, "%.3f");
    fprintf(m, ",%.2f,", peak);
    put(m, gflops / peak * 100, "%.3f");
    for (int k = 0; k < MLPB_NPHASES; k++) fprintf(m, ",%.6f", p->phase_s[k]);
    fprintf(m, ",%s,%d", res.stopped_by, s->R);
    fclose(m);
    add_row(s, line);
    write_runs_and_summary(s);
    pg->runs_done++;
    fprintf(stderr, "[%d/%d] %s: done in %.1fs: test acc %.4f%s, %.0f samples/s, %.1f GFLOP/s (%.1f%% of peak)\n",
            pg->index, pg->total, r->id, mlpb_now() - t0, p->test_acc,
            res.reached ? ", target reached" : "", p->wall_s > 0 ? p->samples_seen / p->wall_s : 0.0, gflops,
            gflops / peak * 100);
    return 0;
}

int mlpb_cmd_sweep(int argc, char **argv) {
    sweep *s = calloc(1, sizeof *s);
    if (!s) cli_fail("out of memory");
    s->dist = mlpb_dist_world();
    s->R = s->dist ? s->dist->size : 1;
    s->root = !s->dist || s->dist->rank == 0;
    parse_sweep(s, argc, argv);
    load_data(s);

    /* the run list: hidden x batch x kernel x isa x lr x repeat x threads */
    int cap = s->nhidden * s->nbatch * s->nkernel * s->nisa * s->nlr * s->repeat * s->nthreads, nr = 0;
    run *runs = calloc((size_t)cap, sizeof *runs);
    if (!runs) cli_fail("out of memory for %d runs", cap);
    for (int h = 0; h < s->nhidden; h++)
        for (int b = 0; b < s->nbatch; b++)
            for (int k = 0; k < s->nkernel; k++)
                for (int i = 0; i < (s->kernels[k] == MLPB_KERNEL_SIMD ? s->nisa : 1); i++)
                    for (int l = 0; l < s->nlr; l++)
                        for (int rep = 0; rep < s->repeat; rep++)
                            for (int t = 0; t < s->nthreads; t++) {
                                run *r = &runs[nr++];
                                r->hidden_idx = h;
                                r->batch = s->batches[b];
                                r->threads = s->threads[t];
                                r->kernel = s->kernels[k];
                                r->ukr = s->isas[i];
                                r->repeat = rep;
                                r->seed = s->seed + rep;
                                r->lr_given = s->lrs[l];
                                double ratio = (double)(r->batch ? r->batch : s->tr.n) / s->lr_ref;
                                r->lr = s->lrs[l] * (s->lr_scale == 1 ? ratio : s->lr_scale == 2 ? sqrt(ratio) : 1.0);
                                char hs[128];
                                hidden_str(s, h, hs, sizeof hs);
                                char bs[16];
                                if (r->batch) snprintf(bs, sizeof bs, "%d", r->batch); else snprintf(bs, sizeof bs, "full");
                                char rs[16] = "";
                                if (s->R > 1) snprintf(rs, sizeof rs, "-r%d", s->R);
                                snprintf(r->id, sizeof r->id, "b%s%s-t%d-h%s-%s-%s-lr%g-s%ld-%s", bs, rs, r->threads,
                                         hs, cli_kernel_names[r->kernel],
                                         r->kernel == MLPB_KERNEL_SIMD ? r->ukr->isa : "c", s->lrs[l], r->seed,
                                         s->fixed_hash);
                            }

    /* the folder (rank 0 alone touches files; the others learn what is finished) */
    char path[4096];
    char *done = calloc((size_t)nr + 1, 1);
    if (!done) cli_fail("out of memory");
    if (s->root) {
        snprintf(path, sizeof path, "%s/curves/x", s->out);
        if (cli_mkdirs_for(path)) cli_fail("--out %s: cannot create: %s", s->out, strerror(errno));
        read_runs(s);
        for (int i = 0; i < nr; i++) done[i] = (char)finished(s, runs[i].id);
    }
    mlpb_dist_bcast(s->dist, done, (size_t)nr, 0);
    int todo = 0;
    for (int i = 0; i < nr; i++) todo += !done[i];
    if (s->root) {
        fprintf(stderr, "mlpbench: sweep of %d runs into %s: %d finished before, %d to run\n", nr, s->out, nr - todo,
                todo);
        fprintf(stderr, "mlpbench: %s: %d train / %d validation / %d test rows\n", s->dname, s->tr.n, s->val.n,
                s->te.n);
        if (s->R > 1)
            fprintf(stderr, "mlpbench: %d MPI ranks, %s; each run's global batch is split over them\n", s->R,
                    s->dist->library);
    }

    /* the peak of each ISA at each thread count, for % of peak: measured by
     * rank 0 alone (ranks sharing cores would measure each other) */
    for (int i = 0; i < s->nisa; i++)
        for (int t = 0; t < s->nthreads; t++)
            if (s->root) s->peak[i][t] = mlpb_peak_gflops(s->isas[i]->isa, s->threads[t], 0.2);
    mlpb_dist_bcast(s->dist, s->peak, sizeof s->peak, 0);
    char start[32];
    cli_now_utc(start, sizeof start);
    if (s->root && todo) write_meta(s, argc, argv, start, NULL); /* nothing to run: the folder's meta stands */

    struct sigaction sa = { .sa_handler = on_sigint };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    progress pg = { .s = s, .total = nr, .tty = isatty(2), .t_start = mlpb_now() };
    int stopped = 0;
    for (int i = 0; i < nr && !stopped; i++) {
        if (done[i]) continue;
        pg.index = i + 1;
        stopped = do_run(s, &runs[i], &pg);
    }
    if (!stopped && s->root) {
        if (s->nrows) write_runs_and_summary(s); /* also when every run was already there */
        char end[32];
        cli_now_utc(end, sizeof end);
        if (todo) write_meta(s, argc, argv, start, end);
    }
    if (s->root)
        fprintf(stderr, stopped ? "mlpbench: interrupted: %d runs are complete in %s; run the same command again to resume\n"
                            : "mlpbench: sweep complete: %d runs in %s\n",
            s->nrows, s->out);
    for (int i = 0; i < s->nrows; i++) free(s->rows[i].line);
    free(s->rows);
    free(runs);
    free(done);
    mlpb_dataset_free(&s->tr);
    mlpb_dataset_free(&s->val);
    mlpb_dataset_free(&s->te);
    cli_free(&s->c);
    free(s);
    return stopped ? 130 : 0;
}
