/* cli.h - what every mlpbench subcommand shares: the flag table (one table
 * drives parsing, defaults and --help), usage and run-time errors (one line on
 * stderr, exit 2 or 1), the data, kernel and threading flags and their setup.
 * Not the commands themselves (cmd_*.c). */
#ifndef MLPB_CLI_H
#define MLPB_CLI_H

#include <stdio.h>

#include "data/dataset.h"
#include "kernels/kernels.h"
#include "sys/sysinfo.h"

/* dflt: the value used when the flag is absent (NULL: computed, see note). */
typedef struct cli_opt { const char *name, *meta, *dflt, *note, *help; } cli_opt;

#define CLI_MAX_OPTS 64

typedef struct cli {
    const char *cmd;        /* "train", "sweep", ... */
    const cli_opt *opts;    /* NULL-terminated */
    const char *vals[CLI_MAX_OPTS];
    unsigned char given[CLI_MAX_OPTS]; /* set on the command line (beats a --file) */
    char *file_text;        /* owns the strings a --file supplied */
} cli;

/* The data flags, shared by every command that trains. */
#define CLI_DATA_OPTS \
    {"data", "SRC", "fashion-mnist", NULL, "fashion-mnist | idx:DIR (the four standard IDX files, .gz or not) | synthetic"}, \
    {"data-dir", "DIR", NULL, "$MLPBENCH_DATA or " MLPB_DEFAULT_DATA_DIR, "where fashion-mnist's IDX files are"}, \
    {"features", "N", "64", NULL, "synthetic: input features"}, \
    {"classes", "N", "10", NULL, "synthetic: classes"}, \
    {"samples", "N", "10000", NULL, "synthetic: training rows (test rows: a quarter, at least 100)"}, \
    {"limit", "N", NULL, "all", "train on the first N training rows only"}, \
    {"max-memory", "SIZE", NULL, "available memory", "refuse settings whose buffers would need more (e.g. 4G)"}

/* --flag VALUE or --flag=VALUE; --help prints the table and exits 0;
 * anything else is a usage error. */
void cli_parse(cli *c, int argc, char **argv);
const char *cli_get(const cli *c, const char *name);
/* Values from a file of `key = value` lines (# comments, blank lines): keys
 * are flag names; the command line wins. Unknown keys, lines without '=' and
 * repeated keys are usage errors naming file:line. */
void cli_apply_file(cli *c, const char *path);
/* The parser behind it, on NUL-terminated text it cuts in place (values
 * point into it): sets vals[i] for each key opts[i] (unless given[i]; given
 * may be NULL). 0, or -1 with "name:line: ..." in err; never exits. */
int cli_kv_parse(char *text, const char *name, const char *cmd, const cli_opt *opts, const char **vals,
                 const unsigned char *given, char *err, size_t errlen);
void cli_free(cli *c);
void cli_help(const cli *c, FILE *f);

/* One line "mlpbench: ..." on stderr, then exit 2 (usage) or 1 (run time). */
_Noreturn void cli_usage_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

long cli_long(const cli *c, const char *flag, const char *s, long lo, long hi);
double cli_double(const cli *c, const char *flag, const char *s, double lo, double hi);
/* pick one of a NULL-terminated list of words; returns its index */
int cli_word(const cli *c, const char *flag, const char *s, const char *const *words);

/* Refuse (exit 1) when `bytes` exceed --max-memory (flag value, NULL = the
 * MemAvailable of /proc/meminfo), naming what needs them. */
void cli_check_memory(const cli *c, const char *max_memory, double bytes, const char *what);

/* The commit of the source tree this binary was built from ("unknown" outside
 * git), and "" when the tracked files of src/, tests/, bench/,
 * CMakeLists.txt and scripts/build_commit.cmake matched it at build time, else the first 12 hex digits of
 * the sha1 of their diff ("unknown" if git diff failed). */
const char *cli_build_commit(void);
const char *cli_build_diff(void);
/* The transparent huge page mode in force (always, madvise, never; "unknown"
 * without the sysfs file), into buf; returns buf. */
const char *cli_thp_mode(char *buf, size_t len);
/* Now, as 2026-01-31T12:00:00Z. */
void cli_now_utc(char *buf, size_t len);

/* mkdir -p of the folder that will hold path; 0 or -1 with errno */
int cli_mkdirs_for(const char *path);

/* Validate the data flags (usage errors exit 2), then load (failures exit 1).
 * seed seeds the synthetic set. *name describes the source. */
void cli_load_data(const cli *c, long seed, mlpb_dataset *train, mlpb_dataset *test, const char **name);
/* Check the data flags only, before any work. */
void cli_check_data(const cli *c);

extern const char *const cli_kernel_names[]; /* "ref", "blocked", "simd", NULL */
/* The micro-kernel for --isa (auto, avx512, avx2, scalar; $MLPB_ISA when the
 * flag is absent). Unknown: usage error; not on this CPU: run-time error. */
const mlpb_ukr *cli_isa(const cli *c, const char *isa);
/* $MLPB_PAR_MIN: 1 and *flops when set, 0 when unset or empty, -1 and a
 * message naming it in err when it is not a whole number in [-1, 2^50]. */
int cli_env_par_min(long *flops, char *err, size_t errlen);
/* A kernel context with blocking from the caches; exits on failure. Sets
 * flush-to-zero in every thread and pins the threads (sys/pin.h: call
 * mlpb_pin_threads again to learn what was applied). *isa_used: the ISA the
 * GEMM really runs. */
mlpb_ctx *cli_make_ctx(const mlpb_sysinfo *si, mlpb_kernel kernel, const mlpb_ukr *ukr, int threads,
                       const char **isa_used);
/* "2 threads: an empty parallel region 2.50 us; GEMMs of fewer flops than
 * ... run on one thread (avx512 kernels)": what the context measured and the
 * thresholds in effect for its micro-kernel's ISA (info, result metadata). */
const char *cli_par_line(const mlpb_ctx *ctx, char *buf, size_t len);

#endif
