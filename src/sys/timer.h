/* timer.h - monotonic wall clock for timing threaded code (never clock()). */
#ifndef MLPB_TIMER_H
#define MLPB_TIMER_H

double mlpb_now(void); /* seconds, CLOCK_MONOTONIC */

#endif
