/* fuzz_args.c - libFuzzer target for the strict value parsers of args.h
 * (mlpb_parse_long, _double, _size, _int_list) on a NUL-terminated copy of
 * the input. A value they accept must satisfy the range they were given. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = 0;
    char err[256];
    long l;
    double d;
    int list[16], n;
    if (mlpb_parse_long("--n", s, -5, 1L << 40, &l, err, sizeof err) == 0 && (l < -5 || l > 1L << 40)) abort();
    if (mlpb_parse_long("--n", s, LONG_MIN, LONG_MAX, &l, err, sizeof err) < 0 && !err[0])
        abort();
    if (mlpb_parse_double("--x", s, -1e300, 1e300, &d, err, sizeof err) == 0 && !(d >= -1e300 && d <= 1e300))
        abort();
    if (mlpb_parse_size("--max-memory", s, &d, err, sizeof err) == 0 && !(isfinite(d) && d > 0)) abort();
    if (mlpb_parse_int_list("--hidden", s, 1, 1 << 20, list, 16, &n, err, sizeof err) == 0) {
        if (n < 0 || n > 16) abort();
        for (int i = 0; i < n; i++)
            if (list[i] < 1 || list[i] > 1 << 20) abort();
    }
    free(s);
    return 0;
}
