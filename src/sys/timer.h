/* timer.h - monotonic wall clock for timing threaded code (never clock()). */
#ifndef MLPB_TIMER_H
#define MLPB_TIMER_H

double mlpb_now(void); /* seconds, CLOCK_MONOTONIC */
/* qsort's order of doubles (ascending), for the medians of timings */
int mlpb_cmp_double(const void *x, const void *y);

#endif
