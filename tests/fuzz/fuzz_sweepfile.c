/* fuzz_sweepfile.c - libFuzzer target for the sweep-file parser
 * (cli_kv_parse, behind `mlpbench sweep --file`), standing in for a CSV
 * reader: sweep files are the text tables mlpbench reads. The option table
 * mirrors the sweep command's keys (the parser only compares names). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const cli_opt opts[] = {
    {"file", "", NULL, NULL, ""}, {"out", "", NULL, NULL, ""}, {"data", "", "x", NULL, ""},
    {"data-dir", "", NULL, NULL, ""}, {"features", "", "64", NULL, ""}, {"classes", "", "10", NULL, ""},
    {"samples", "", "1", NULL, ""}, {"limit", "", NULL, NULL, ""}, {"max-memory", "", NULL, NULL, ""},
    {"batch", "", "full", NULL, ""}, {"threads", "", NULL, NULL, ""}, {"hidden", "", "8", NULL, ""},
    {"kernel", "", "simd", NULL, ""}, {"isa", "", "auto", NULL, ""}, {"lr", "", "0.5", NULL, ""},
    {"lr-scale", "", "none", NULL, ""}, {"lr-ref-batch", "", "64", NULL, ""}, {"reduction", "", "mean", NULL, ""},
    {"epochs", "", "5", NULL, ""}, {"max-samples", "", "0", NULL, ""}, {"max-seconds", "", "0", NULL, ""},
    {"target-acc", "", "0", NULL, ""}, {"points", "", "10", NULL, ""}, {"val-frac", "", NULL, NULL, ""},
    {"seed", "", "1", NULL, ""}, {"repeat", "", "1", NULL, ""}, {NULL, NULL, NULL, NULL, NULL},
};
#define NOPTS (sizeof opts / sizeof opts[0] - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = 0;
    const char *vals[CLI_MAX_OPTS] = {0};
    unsigned char given[CLI_MAX_OPTS] = {0};
    given[2] = 1; /* as if --data were on the command line: the file must not override it */
    vals[2] = "cmdline";
    char err[256];
    if (cli_kv_parse(text, "fuzz.sweep", "sweep", opts, vals, given, err, sizeof err) == 0) {
        if (strcmp(vals[2], "cmdline")) abort();
        for (size_t i = 0; i < NOPTS; i++)
            if (!given[i] && vals[i] && ((uintptr_t)vals[i] < (uintptr_t)text || (uintptr_t)vals[i] > (uintptr_t)(text + size)))
                abort(); /* the file's values point into its text */
    } else if (!strstr(err, "fuzz.sweep:")) {
        abort();
    }
    free(text);
    return 0;
}
