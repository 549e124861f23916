/* args.h - strict parsing of command-line values: whole-string numbers (no
 * trailing junk, no overflow), ranges, lists. Returns 0 or -1 with a message
 * in err naming the flag. In the library so tests and fuzzers reach it. */
#ifndef MLPB_ARGS_H
#define MLPB_ARGS_H

#include <stddef.h>

int mlpb_parse_long(const char *flag, const char *s, long lo, long hi, long *out, char *err, size_t errlen);
int mlpb_parse_double(const char *flag, const char *s, double lo, double hi, double *out, char *err,
                      size_t errlen);
/* "512M", "2G", "1.5G", "123456" (bytes; K/M/G/T are powers of 1024) */
int mlpb_parse_size(const char *flag, const char *s, double *bytes, char *err, size_t errlen);

/* "256,128" or "256x128" -> {256, 128}; each in [lo, hi]; at most max entries;
 * "none" -> zero entries. */
int mlpb_parse_int_list(const char *flag, const char *s, int lo, int hi, int *out, int max, int *count,
                        char *err, size_t errlen);

#endif
