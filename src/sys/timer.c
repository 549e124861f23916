/* timer.c - see timer.h. */
#define _POSIX_C_SOURCE 200809L
#include "sys/timer.h"

#include <time.h>

double mlpb_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int mlpb_cmp_double(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}
