/*
 * date.c — day-number calendar arithmetic (see date.h).
 *
 * Part of core/: pure functions, no I/O.  Due dates, overdue days, interest
 * periods and the company's "today" are all day numbers from here.
 * Conversions use Howard Hinnant's days_from_civil / civil_from_days
 * algorithms for the proleptic Gregorian calendar; they are computed in 64
 * bits so that any int32_t day number converts without overflow.
 */
#include "core/date.h"

#include <stdio.h>
#include <string.h>

#include "util/civil.h"
#include "util/tz.h"

bool date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12)
        return 0;
    return month == 2 && date_is_leap(year) ? 29 : days[month - 1];
}

bool date_valid(int year, int month, int day)
{
    return year >= DATE_MIN_YEAR && year <= DATE_MAX_YEAR && month >= 1 && month <= 12 &&
           day >= 1 && day <= date_days_in_month(year, month);
}

static int32_t days_from_civil(int y, int m, int d)
{
    return (int32_t)civil_to_days(y, m, d);
}

enum pm_err date_from_ymd(int year, int month, int day, int32_t *out)
{
    if (!date_valid(year, month, day))
        return PM_ERR_INVALID;
    *out = days_from_civil(year, month, day);
    return PM_OK;
}

void date_to_ymd(int32_t date, int *year, int *month, int *day)
{
    int64_t y;

    civil_from_days(date, &y, month, day);
    *year = (int)y;
}

static bool digits_at(const char *s, int from, int n, int *value)
{
    int v = 0;

    for (int i = from; i < from + n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return true;
}

enum pm_err date_parse_iso(const char *s, int32_t *out)
{
    int y, m, d;

    if (!s)
        return PM_ERR_INVALID;
    for (int i = 0; i < DATE_ISO_LEN; i++)
        if (s[i] == '\0')
            return PM_ERR_INVALID;
    if (s[DATE_ISO_LEN] != '\0' || s[4] != '-' || s[7] != '-')
        return PM_ERR_INVALID;
    if (!digits_at(s, 0, 4, &y) || !digits_at(s, 5, 2, &m) || !digits_at(s, 8, 2, &d))
        return PM_ERR_INVALID;
    return date_from_ymd(y, m, d, out);
}

void date_format_iso(int32_t date, char *dst)
{
    int y, m, d;

    date_to_ymd(date, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    dst[0] = (char)('0' + y / 1000);
    dst[1] = (char)('0' + y / 100 % 10);
    dst[2] = (char)('0' + y / 10 % 10);
    dst[3] = (char)('0' + y % 10);
    dst[4] = '-';
    dst[5] = (char)('0' + m / 10);
    dst[6] = (char)('0' + m % 10);
    dst[7] = '-';
    dst[8] = (char)('0' + d / 10);
    dst[9] = (char)('0' + d % 10);
    dst[10] = '\0';
}

enum pm_err date_add_months(int32_t date, int months, int32_t *out)
{
    int y, m, d, total;

    date_to_ymd(date, &y, &m, &d);
    if (months > 12 * 400 || months < -12 * 400)
        return PM_ERR_RANGE;
    total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    if (d > date_days_in_month(y, m))
        d = date_days_in_month(y, m);
    if (!date_valid(y, m, d))
        return PM_ERR_RANGE;
    *out = days_from_civil(y, m, d);
    return PM_OK;
}

int date_weekday(int32_t date)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0). */
    int64_t w = ((int64_t)date + 3) % 7;

    return (int)(w < 0 ? w + 7 : w);
}

int32_t date_half_year_start(int32_t date)
{
    int y, m, d;

    date_to_ymd(date, &y, &m, &d);
    return days_from_civil(y, m <= 6 ? 1 : 7, 1);
}

int32_t date_local_from_utc(const struct tz *tz, int64_t unix_seconds)
{
    int64_t local, days;

    /* Instants so far out that they overflow are clamped: no day number
     * could express them anyway. */
    if (__builtin_add_overflow(unix_seconds, (int64_t)tz_offset(tz, unix_seconds), &local))
        local = unix_seconds < 0 ? INT64_MIN : INT64_MAX;
    days = local / 86400;
    if (local % 86400 < 0)
        days--;
    if (days > INT32_MAX)
        return INT32_MAX;
    if (days < INT32_MIN)
        return INT32_MIN;
    return (int32_t)days;
}

int64_t date_local_start(const struct tz *tz, int32_t date)
{
    int64_t midnight = (int64_t)date * 86400;

    /* The offset in force just before the guess is the one at midnight:
     * zones change their offset at night, never across midnight twice. */
    return midnight - tz_offset(tz, midnight - tz_offset(tz, midnight));
}

/* The zone suffix of an RFC 3339 instant at s[*i]: *east = its offset
 * east of UTC in seconds; *i moves past it. */
static bool zone_at(const char *s, size_t *i, int *east)
{
    int oh, om;

    if (s[*i] == 'Z' || s[*i] == 'z') {
        *east = 0;
        *i += 1;
        return true;
    }
    if ((s[*i] != '+' && s[*i] != '-') || !digits_at(s, (int)*i + 1, 2, &oh) || s[*i + 3] != ':' ||
        !digits_at(s, (int)*i + 4, 2, &om) || oh > 23 || om > 59)
        return false;
    *east = (s[*i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    *i += 6;
    return true;
}

enum pm_err date_parse_instant(const char *s, int64_t *unix_s)
{
    char day_text[DATE_ISO_LEN + 1];
    int h = 0, mi = 0, sec = 0, east = 0;
    size_t i = DATE_ISO_LEN;
    int32_t day;

    if (!s || strnlen(s, DATE_ISO_LEN) < DATE_ISO_LEN)
        return PM_ERR_INVALID;
    memcpy(day_text, s, DATE_ISO_LEN);
    day_text[DATE_ISO_LEN] = '\0';
    if (date_parse_iso(day_text, &day))
        return PM_ERR_INVALID;
    if (s[i] == 'T' || s[i] == 't' || s[i] == ' ') {
        if (!digits_at(s, (int)i + 1, 2, &h) || s[i + 3] != ':' ||
            !digits_at(s, (int)i + 4, 2, &mi) || s[i + 6] != ':' ||
            !digits_at(s, (int)i + 7, 2, &sec) || h > 23 || mi > 59 || sec > 60)
            return PM_ERR_INVALID;
        i += 9;
        if (s[i] == '.') {
            i++;
            if (s[i] < '0' || s[i] > '9')
                return PM_ERR_INVALID;
            while (s[i] >= '0' && s[i] <= '9')
                i++;
        }
        if (!zone_at(s, &i, &east))
            return PM_ERR_INVALID;
    }
    if (s[i] != '\0')
        return PM_ERR_INVALID;
    *unix_s = (int64_t)day * 86400 + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec) - east;
    return PM_OK;
}
