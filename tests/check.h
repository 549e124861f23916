/* check.h - the suite's assertion macros: print file:line and the failed
 * expression on stderr, count failures; main returns check_summary(). */
#ifndef MLPB_CHECK_H
#define MLPB_CHECK_H

#include <stdio.h>

static int check_failures_ = 0, check_count_ = 0;

#define CHECK(cond, ...) do { check_count_++; if (!(cond)) { check_failures_++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static inline int check_summary(const char *name) {
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count_, check_failures_);
    return check_failures_ ? 1 : 0;
}

#endif
