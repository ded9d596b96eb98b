/*
 * date.h — calendar dates as day numbers.
 *
 * A date is an int32_t count of days since 1970-01-01 (proleptic Gregorian),
 * so comparing and subtracting dates is integer arithmetic.  Only years
 * 1900..2199 are accepted from outside.  The company's "today" is the local
 * date in its time zone (Europe/Stockholm), computed from a UTC instant with
 * the zone rules of util/tz.h — never the server's UTC date.
 */
#ifndef PM_DATE_H
#define PM_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct tz;

#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2199

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_valid(int year, int month, int day);

/* Day number of a valid y-m-d; PM_ERR_INVALID if it is not a real date in range. */
enum pm_err date_from_ymd(int year, int month, int day, int32_t *out);
void date_to_ymd(int32_t date, int *year, int *month, int *day);

/* Strict ISO 8601 calendar date "YYYY-MM-DD" (exactly 10 characters). */
enum pm_err date_parse_iso(const char *s, int32_t *out);
/* Writes "YYYY-MM-DD" and a NUL: dst must hold DATE_ISO_LEN + 1 bytes. */
#define DATE_ISO_LEN 10
void date_format_iso(int32_t date, char *dst);

/* Add months, clamping to the month's last day (2025-01-31 + 1 = 2025-02-28). */
enum pm_err date_add_months(int32_t date, int months, int32_t *out);
/* 0 = Monday .. 6 = Sunday. */
int date_weekday(int32_t date);
/* First day of the calendar half-year containing date (1 Jan or 1 Jul). */
int32_t date_half_year_start(int32_t date);

/* The local calendar date at UTC instant unix_seconds in zone tz. */
int32_t date_local_from_utc(const struct tz *tz, int64_t unix_seconds);
/* The UTC instant (unix seconds) at which local date `date` begins in zone
 * tz (its local midnight). */
int64_t date_local_start(const struct tz *tz, int32_t date);

/* An RFC 3339 instant "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"
 * ('t', 'z' or a space for the 'T' also accepted, the fraction ignored, a
 * leap second read as :59) or a bare date (00:00 UTC), in the years
 * date_parse_iso accepts, into unix seconds.  PM_ERR_INVALID otherwise. */
enum pm_err date_parse_instant(const char *s, int64_t *unix_s);

#endif
