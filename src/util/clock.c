/*
 * clock.c — the injectable clock (see clock.h).
 *
 * util cannot use core/date.h (layers point down): the calendar steps come
 * from util/civil.h, which core/date.c uses too.
 */
#include "util/clock.h"

#include "util/civil.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_us(const struct clock *c)
{
    struct timespec ts;

    if (c && c->fixed_us)
        return c->fixed_us;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + (c ? c->offset_us : 0);
}

static bool parse_num(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

enum pm_err clock_parse_fixed(const char *s, struct clock *out)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h = 12, mi = 0, se = 0;
    size_t len = s ? strlen(s) : 0;

    if (len != 10 && len != 20)
        return PM_ERR_INVALID;
    if (s[4] != '-' || s[7] != '-' || !parse_num(s, 4, &y) || !parse_num(s + 5, 2, &mo) ||
        !parse_num(s + 8, 2, &d))
        return PM_ERR_INVALID;
    if (len == 20 &&
        (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
         !parse_num(s + 11, 2, &h) || !parse_num(s + 14, 2, &mi) || !parse_num(s + 17, 2, &se)))
        return PM_ERR_INVALID;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59)
        return PM_ERR_INVALID;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return PM_ERR_INVALID;
    out->offset_us = 0;
    out->fixed_us = ((civil_to_days(y, mo, d) * 86400) + h * 3600 + mi * 60 + se) * 1000000;
    return PM_OK;
}

void clock_format_rfc3339(int64_t unix_us, char *dst)
{
    int64_t secs = unix_us / 1000000 - (unix_us % 1000000 < 0);
    int64_t days = secs / 86400 - (secs % 86400 < 0);
    int64_t rem = secs - days * 86400, y;
    int m, d;

    civil_from_days(days, &y, &m, &d);
    snprintf(dst, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(y % 10000), (unsigned)m,
             (unsigned)d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}
