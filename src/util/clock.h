/*
 * clock.h — where "now" comes from.
 *
 * Nothing in Påminn reads the system clock directly: it asks a struct clock
 * passed in its context, so that schedules, overdue state and interest can
 * be tested (and demonstrated) at any date.  A clock with fixed_us != 0
 * always answers that instant; otherwise it answers the real time plus
 * offset_us.
 */
#ifndef PM_CLOCK_H
#define PM_CLOCK_H

#include <stdint.h>

#include "util/err.h"

struct clock {
    int64_t fixed_us;  /* 0 = follow the real time */
    int64_t offset_us; /* added to the real time */
};

/* Microseconds since 1970-01-01T00:00:00Z. */
int64_t clock_now_us(const struct clock *c);
static inline int64_t clock_now_s(const struct clock *c)
{
    return clock_now_us(c) / 1000000;
}

/* Parse "YYYY-MM-DDTHH:MM:SSZ" (or a bare date, meaning 12:00 UTC that day)
 * into a fixed clock.  PM_ERR_INVALID for anything else. */
enum pm_err clock_parse_fixed(const char *s, struct clock *out);

/* Write an instant as RFC 3339 UTC with seconds ("2026-11-22T15:04:05Z");
 * dst must hold 21 bytes. */
void clock_format_rfc3339(int64_t unix_us, char *dst);

#endif
