/*
 * civil.h — the proleptic Gregorian calendar as day numbers.
 *
 * Howard Hinnant's days_from_civil / civil_from_days, in one place for the
 * layers that need them: util (the clock's RFC 3339 text, the tz rules) and
 * core/date.h (the product's dates), which adds range checks and parsing.
 * Day 0 is 1970-01-01; any int64 year that does not overflow works.
 */
#ifndef PM_CIVIL_H
#define PM_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; not validated). */
int64_t civil_to_days(int64_t y, int m, int d);
/* The y-m-d of a day number. */
void civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
