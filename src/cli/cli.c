/* cli.c - see cli.h. */
#define _GNU_SOURCE
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/args.h"
#include "sys/dist.h"
#include "sys/pin.h"

void cli_help(const cli *c, FILE *f) {
    fprintf(f, "usage: mlpbench %s [--flag VALUE]...\n\n", c->cmd);
    for (const cli_opt *o = c->opts; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s %s", o->name, o->meta);
        fprintf(f, "  %-34s %s (default: %s)\n", left, o->help, o->dflt ? o->dflt : o->note);
    }
}

/* "mlpbench: " or, in a job of several ranks, "mlpbench[rank N]: " */
static void prefix(void) {
    const mlpb_dist *d = mlpb_dist_world();
    if (d && d->size > 1) fprintf(stderr, "mlpbench[rank %d]: ", d->rank);
    else fputs("mlpbench: ", stderr);
}

/* A usage error is the same on every rank (same argv): rank 0 says it, and
 * every rank leaves together. */
_Noreturn void cli_usage_error(const cli *c, const char *fmt, ...) {
    mlpb_dist *d = mlpb_dist_world();
    if (!d || d->rank == 0) {
        va_list ap;
        va_start(ap, fmt);
        fputs("mlpbench: ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, " (see mlpbench %s --help)\n", c->cmd);
    }
    if (d) mlpb_dist_finalize(d);
    exit(2);
}

/* A failure at run time may strike one rank only: it names itself and stops
 * the whole job (no rank is left waiting in a collective). */
_Noreturn void cli_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    prefix();
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    mlpb_dist_abort(mlpb_dist_world(), 1);
}

void cli_parse(cli *c, int argc, char **argv) {
    int n = 0;
    for (; c->opts[n].name; n++) c->vals[n] = c->opts[n].dflt;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { cli_help(c, stdout); exit(0); }
        if (strncmp(a, "--", 2)) cli_usage_error(c, "unexpected argument '%s'", a);
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        int idx = -1;
        for (int j = 0; j < n; j++)
            if (strlen(c->opts[j].name) == len && !strncmp(c->opts[j].name, a + 2, len)) idx = j;
        if (idx < 0) cli_usage_error(c, "unknown flag '%.*s' for %s", (int)(len + 2), a, c->cmd);
        if (eq) c->vals[idx] = eq + 1;
        else if (i + 1 < argc) c->vals[idx] = argv[++i];
        else cli_usage_error(c, "--%s needs a value (%s)", c->opts[idx].name, c->opts[idx].meta);
        c->given[idx] = 1;
    }
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = 0;
    return s;
}

int cli_kv_parse(char *text, const char *name, const char *cmd, const cli_opt *opts, const char **vals,
                 const unsigned char *given, char *err, size_t errlen) {
    unsigned char seen[CLI_MAX_OPTS] = {0};
    int lineno = 0;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *l = trim(line);
        if (!*l) continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'key = value', got '%s'", name, lineno, l);
            return -1;
        }
        *eq = 0;
        char *key = trim(l), *value = trim(eq + 1);
        int idx = -1;
        for (int j = 0; j < CLI_MAX_OPTS && opts[j].name; j++)
            if (!strcmp(opts[j].name, key)) idx = j;
        if (idx < 0 || !strcmp(key, "file")) {
            snprintf(err, errlen, "%s:%d: unknown key '%s' for %s", name, lineno, key, cmd);
            return -1;
        }
        if (seen[idx]) {
            snprintf(err, errlen, "%s:%d: key '%s' given twice", name, lineno, key);
            return -1;
        }
        seen[idx] = 1;
        if (!given || !given[idx]) vals[idx] = value;
    }
    return 0;
}

void cli_apply_file(cli *c, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) cli_usage_error(c, "--file %s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0)
        if ((len += got) + 1 == cap) {
            char *nt = realloc(text, cap *= 2);
            if (!nt) free(text);
            text = nt;
        }
    fclose(f);
    if (!text) cli_fail("--file %s: out of memory", path);
    text[len] = 0;
    if (memchr(text, 0, len)) cli_usage_error(c, "--file %s: not a text file", path);
    c->file_text = text;
    char err[1024];
    if (cli_kv_parse(text, path, c->cmd, c->opts, c->vals, c->given, err, sizeof err))
        cli_usage_error(c, "%s", err);
}

void cli_free(cli *c) {
    free(c->file_text);
    c->file_text = NULL;
}

const char *cli_get(const cli *c, const char *name) {
    for (int j = 0; c->opts[j].name; j++)
        if (!strcmp(c->opts[j].name, name)) return c->vals[j];
    cli_fail("internal: no flag --%s for %s", name, c->cmd);
}

long cli_long(const cli *c, const char *flag, const char *s, long lo, long hi) {
    long v;
    char err[256];
    if (mlpb_parse_long(flag, s, lo, hi, &v, err, sizeof err)) cli_usage_error(c, "%s", err);
    return v;
}

double cli_double(const cli *c, const char *flag, const char *s, double lo, double hi) {
    double v;
    char err[256];
    if (mlpb_parse_double(flag, s, lo, hi, &v, err, sizeof err)) cli_usage_error(c, "%s", err);
    return v;
}

int cli_word(const cli *c, const char *flag, const char *s, const char *const *words) {
    for (int i = 0; words[i]; i++)
        if (!strcmp(s, words[i])) return i;
    char list[256] = "";
    for (int i = 0; words[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? (words[i + 1] ? ", " : " or ") : "", words[i]);
    cli_usage_error(c, "%s: expected %s, not '%s'", flag, list, s);
}

static void human_bytes(double b, char *buf, size_t len) {
    const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int i = 0;
    while (b >= 1024 && i < 4) b /= 1024, i++;
    snprintf(buf, len, "%.1f %s", b, u[i]);
}

static double mem_available(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb * 1024;
}

void cli_check_memory(const cli *c, const char *max_memory, double bytes, const char *what) {
    double limit;
    char err[256];
    const char *src = "--max-memory";
    if (max_memory) {
        if (mlpb_parse_size("--max-memory", max_memory, &limit, err, sizeof err)) cli_usage_error(c, "%s", err);
    } else {
        limit = mem_available();
        src = "available memory";
        if (limit <= 0) return; /* unknown: let malloc decide */
    }
    if (bytes > limit) {
        char need[32], have[32];
        human_bytes(bytes, need, sizeof need);
        human_bytes(limit, have, sizeof have);
        cli_fail("%s needs %s, more than the %s of %s", what, need, have, src);
    }
}

const char *cli_thp_mode(char *buf, size_t len) {
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f) return buf;
    char line[128];
    if (fgets(line, sizeof line, f)) {
        const char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
        if (b) snprintf(buf, len, "%.*s", (int)(b - a - 1), a + 1);
    }
    fclose(f);
    return buf;
}

void cli_now_utc(char *buf, size_t len) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_mkdirs_for(const char *path) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) { errno = ENAMETOOLONG; return -1; }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

void cli_check_data(const cli *c) {
    const char *data = cli_get(c, "data");
    if (strcmp(data, "fashion-mnist") && strcmp(data, "synthetic") && strncmp(data, "idx:", 4))
        cli_usage_error(c, "--data: expected fashion-mnist, idx:DIR or synthetic, not '%s'", data);
    if (!strncmp(data, "idx:", 4) && !data[4]) cli_usage_error(c, "--data idx:DIR: the folder is missing");
    cli_long(c, "--features", cli_get(c, "features"), 1, 1 << 20);
    cli_long(c, "--classes", cli_get(c, "classes"), 2, 255);
    cli_long(c, "--samples", cli_get(c, "samples"), 1, 100000000);
    if (cli_get(c, "limit")) cli_long(c, "--limit", cli_get(c, "limit"), 1, 2147483647L);
}

void cli_load_data(const cli *c, long seed, mlpb_dataset *tr, mlpb_dataset *te, const char **name) {
    char err[MLPB_ERRLEN];
    cli_check_data(c);
    const char *data = cli_get(c, "data");
    *name = data;
    if (!strcmp(data, "synthetic")) {
        long features = cli_long(c, "--features", cli_get(c, "features"), 1, 1 << 20);
        long classes = cli_long(c, "--classes", cli_get(c, "classes"), 2, 255);
        long samples = cli_long(c, "--samples", cli_get(c, "samples"), 1, 100000000);
        long ntest = samples / 4 < 100 ? 100 : samples / 4;
        cli_check_memory(c, cli_get(c, "max-memory"), (double)(samples + ntest) * (features + classes + 0.25) * 4,
                         "the synthetic set");
        if (mlpb_synthetic((int)samples, (int)features, (int)classes, (uint64_t)seed, (uint64_t)seed * 2 + 1, tr,
                           err, sizeof err) ||
            mlpb_synthetic((int)ntest, (int)features, (int)classes, (uint64_t)seed, (uint64_t)seed * 2 + 2, te,
                           err, sizeof err))
            cli_fail("%s", err);
    } else {
        const char *dir = data + 4, *given = cli_get(c, "data-dir");
        if (!strcmp(data, "fashion-mnist")) {
            const char *env = getenv("MLPBENCH_DATA");
            dir = given ? given : env && *env ? env : MLPB_DEFAULT_DATA_DIR;
        }
        if (mlpb_idx_load_dir(dir, tr, te, err, sizeof err)) {
            if (!strcmp(data, "fashion-mnist") && !given)
                cli_fail("%s (install the Debian package dataset-fashion-mnist, or give --data-dir)", err);
            cli_fail("%s", err);
        }
    }
    if (cli_get(c, "limit")) {
        long limit = cli_long(c, "--limit", cli_get(c, "limit"), 1, 2147483647L);
        if (limit > tr->n) cli_usage_error(c, "--limit %ld: the training set has only %d rows", limit, tr->n);
        mlpb_dataset_truncate(tr, (int)limit);
    }
}

const char *const cli_kernel_names[] = { "ref", "blocked", "simd", NULL };

const mlpb_ukr *cli_isa(const cli *c, const char *isa) {
    static const char *const isas[] = { "auto", "avx512", "avx2", "scalar", NULL };
    if (!isa) isa = getenv("MLPB_ISA") && *getenv("MLPB_ISA") ? getenv("MLPB_ISA") : "auto";
    cli_word(c, "--isa", isa, isas);
    const mlpb_ukr *u = mlpb_ukr_find(isa);
    if (!u) cli_fail("--isa %s: this CPU or this build has no %s micro-kernel", isa, isa);
    return u;
}

static void team_noop(void *arg) { (void)arg; }

int cli_env_par_min(long *flops, char *err, size_t errlen) {
    const char *pm = getenv("MLPB_PAR_MIN");
    if (!pm || !*pm) return 0;
    return mlpb_parse_long("MLPB_PAR_MIN", pm, -1, 1L << 50, flops, err, errlen) ? -1 : 1;
}

mlpb_ctx *cli_make_ctx(const mlpb_sysinfo *si, mlpb_kernel kernel, const mlpb_ukr *ukr, int threads,
                       const char **isa_used) {
    const mlpb_ukr *u = kernel == MLPB_KERNEL_SIMD ? ukr : mlpb_ukr_find("scalar");
    mlpb_kcfg cfg = { kernel, u, 0, 0, 0, threads, 0, 0 };
    mlpb_blocking_from_caches(si, u, &cfg);
    char buf[256]; /* pinned first: the context measures its parallel region's cost */
    mlpb_pin_threads(threads, buf, sizeof buf);
    mlpb_ctx *ctx = mlpb_ctx_new(&cfg);
    if (!ctx) cli_fail("out of memory allocating packing buffers for %d threads", threads);
    mlpb_set_ftz(threads);
    long par_min; /* the thresholds overridden (gemm --par-min's meaning); main.c refused a bad value */
    char err[256];
    if (cli_env_par_min(&par_min, err, sizeof err) > 0) mlpb_ctx_set_par_min_flops(ctx, par_min);
    mlpb_team_run(ctx, team_noop, NULL); /* times a team's post once (cli_par_line) */
    *isa_used = kernel == MLPB_KERNEL_REF ? "none" : u->isa;
    return ctx;
}

const char *cli_par_line(const mlpb_ctx *ctx, char *buf, size_t len) {
    const int t = mlpb_ctx_cfg(ctx)->threads;
    if (t < 2) snprintf(buf, len, "1 thread: no parallel regions");
    else
        snprintf(buf, len, "%d threads: an empty parallel region %.2f us, a team's post %.2f us; GEMMs of fewer flops "
                 "than %.3gM (packed), %.3gM (narrow), %.3gM (small-M and k <= MR; in a team %.3gM, %.3gM with a W of "
                 "%ld floats or more) run on one thread (%s kernels)%s", t, mlpb_ctx_region_us(ctx),
                 mlpb_ctx_team_us(ctx), mlpb_ctx_par_min(ctx, MLPB_PATH_PACKED) / 1e6,
                 mlpb_ctx_par_min(ctx, MLPB_PATH_NARROW) / 1e6, mlpb_ctx_par_min(ctx, MLPB_PATH_SMALLM) / 1e6,
                 mlpb_ctx_team_par_min(ctx, 0) / 1e6, mlpb_ctx_team_par_min(ctx, 1) / 1e6,
                 mlpb_ctx_team_w_min(ctx),
                 mlpb_ctx_cfg(ctx)->ukr->isa, mlpb_ctx_par_min_set(ctx) ? " [set: MLPB_PAR_MIN or --par-min]" : "");
    return buf;
}
