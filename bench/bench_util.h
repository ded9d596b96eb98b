/*
 * bench_util.h — what the benchmarks written in C share: a clock in
 * seconds and the order of figures for their min and median.
 */
#ifndef PAMINN_BENCH_UTIL_H
#define PAMINN_BENCH_UTIL_H

#include <time.h>

/* clock (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID ...) in seconds. */
static inline double bench_seconds(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort() of doubles, smallest first: then [0] is the min and
 * [(n - 1) / 2] the median (the lower of two). */
static inline int bench_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

#endif
