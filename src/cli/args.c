/* args.c - see args.h. */
#include "cli/args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mlpb_parse_long(const char *flag, const char *s, long lo, long hi, long *out, char *err, size_t errlen) {
    char *end;
    errno = 0;
    long v = s && *s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno == ERANGE) {
        snprintf(err, errlen, "%s: '%s' is not a whole number", flag, s ? s : "");
        return -1;
    }
    if (v < lo || v > hi) {
        snprintf(err, errlen, "%s: %ld is out of range [%ld, %ld]", flag, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int mlpb_parse_double(const char *flag, const char *s, double lo, double hi, double *out, char *err,
                      size_t errlen) {
    char *end;
    errno = 0;
    double v = s && *s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || errno == ERANGE || !isfinite(v)) {
        snprintf(err, errlen, "%s: '%s' is not a finite number", flag, s ? s : "");
        return -1;
    }
    if (v < lo || v > hi) {
        snprintf(err, errlen, "%s: %g is out of range [%g, %g]", flag, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int mlpb_parse_int_list(const char *flag, const char *s, int lo, int hi, int *out, int max, int *count,
                        char *err, size_t errlen) {
    *count = 0;
    if (s && !strcmp(s, "none")) return 0;
    if (!s || !*s) {
        snprintf(err, errlen, "%s: empty list", flag);
        return -1;
    }
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",x");
        char item[32];
        if (len == 0 || len >= sizeof item) {
            snprintf(err, errlen, "%s: '%s' is not a list of whole numbers like 256,128", flag, s);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = 0;
        if (*count == max) {
            snprintf(err, errlen, "%s: more than %d entries in '%s'", flag, max, s);
            return -1;
        }
        long v;
        char e2[160];
        if (mlpb_parse_long(flag, item, lo, hi, &v, e2, sizeof e2)) {
            snprintf(err, errlen, "%s: '%s' in '%s' is not a whole number in [%d, %d]", flag, item, s, lo, hi);
            return -1;
        }
        out[(*count)++] = (int)v;
        if (!p[len]) return 0;
        p += len + 1;
    }
}

int mlpb_parse_size(const char *flag, const char *s, double *bytes, char *err, size_t errlen) {
    char *end;
    errno = 0;
    double v = s && *s ? strtod(s, &end) : -1;
    double mult = 1;
    if (s && *s && errno == 0 && end != s) {
        const char *units = "KMGT";
        const char *u = *end ? strchr(units, *end) : NULL;
        if (u) {
            for (const char *q = units; q <= u; q++) mult *= 1024;
            end++;
            if (*end == 'B' || *end == 'b') end++;
        }
    }
    if (!s || !*s || errno || end == s || *end || !isfinite(v * mult) || v <= 0) { /* 5e304M: inf bytes */
        snprintf(err, errlen, "%s: '%s' is not a size like 512M or 2G", flag, s ? s : "");
        return -1;
    }
    *bytes = v * mult;
    return 0;
}
