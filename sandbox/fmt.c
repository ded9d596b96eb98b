/*
 * fmt.c — the sandbox's edge formats: ids, RFC 1123 dates, money as JSON.
 *
 * Everything inside the sandbox is öre (int64_t) and day numbers (core/);
 * this file converts at the JSON edge exactly as amili-api.md says: dates
 * out as RFC 1123 GMT and in as RFC 1123 or ISO 8601, money as a JSON
 * number of kronor with decimals.  A double only ever carries a value that
 * was already a JSON number; it is turned into öre through its shortest
 * decimal text and money_parse(), never by multiplying.
 */
#include "sandbox.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"

static const char *const WDAYS[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
static const char *const MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void sb_fmt_new_id(char dst[SB_ID_LEN + 1])
{
    unsigned char raw[SB_ID_LEN / 2];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(dst, SB_ID_LEN + 1, raw, sizeof(raw));
}

bool sb_fmt_is_id(const char *s)
{
    size_t i;

    if (!s)
        return false;
    for (i = 0; i < SB_ID_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[i] == '\0';
}

int32_t sb_fmt_day_of(int64_t unix_s)
{
    int64_t d = unix_s / 86400;

    if (unix_s % 86400 < 0)
        d--;
    return (int32_t)d;
}

void sb_fmt_rfc1123(int64_t unix_s, char dst[SB_RFC1123_LEN])
{
    int32_t day = sb_fmt_day_of(unix_s);
    int64_t rem = unix_s - (int64_t)day * 86400;
    int y, m, d;

    date_to_ymd(day, &y, &m, &d);
    snprintf(dst, SB_RFC1123_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT", WDAYS[((day % 7) + 7) % 7],
             d % 100, MONTHS[(m - 1) % 12], y % 10000, (int)(rem / 3600), (int)(rem / 60 % 60),
             (int)(rem % 60));
}

void sb_fmt_day_rfc1123(int32_t day, char dst[SB_RFC1123_LEN])
{
    sb_fmt_rfc1123((int64_t)day * 86400, dst);
}

static bool digits(const char *s, size_t n, int *out)
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

static enum pm_err hms(const char *s, int *secs)
{
    int h, mi, se;

    if (s[2] != ':' || s[5] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &mi) ||
        !digits(s + 6, 2, &se) || h > 23 || mi > 59 || se > 60)
        return PM_ERR_INVALID;
    *secs = h * 3600 + mi * 60 + (se == 60 ? 59 : se);
    return PM_OK;
}

/* "Mon, 16 Jun 2025 00:00:00 GMT" */
static enum pm_err parse_rfc1123(const char *s, int64_t *out)
{
    int d, y, m = -1, secs = 0;
    int32_t day;
    bool wday_ok = false;

    if (strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || strcmp(s + 25, " GMT") != 0)
        return PM_ERR_INVALID;
    for (int i = 0; i < 7; i++)
        if (memcmp(s, WDAYS[i], 3) == 0)
            wday_ok = true;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, MONTHS[i], 3) == 0)
            m = i + 1;
    if (!wday_ok || m < 0 || !digits(s + 5, 2, &d) || !digits(s + 12, 4, &y) || hms(s + 17, &secs))
        return PM_ERR_INVALID;
    if (date_from_ymd(y, m, d, &day))
        return PM_ERR_INVALID;
    *out = (int64_t)day * 86400 + secs;
    return PM_OK;
}

/* "2025-06-16", "2025-06-16T10:00:00Z", "2025-06-16T10:00:00.123+02:00" */
static enum pm_err parse_iso(const char *s, int64_t *out)
{
    char date[DATE_ISO_LEN + 1];
    int32_t day;
    int secs = 0, oh, om, sign;
    const char *p;
    size_t n = strlen(s);

    if (n < DATE_ISO_LEN)
        return PM_ERR_INVALID;
    memcpy(date, s, DATE_ISO_LEN);
    date[DATE_ISO_LEN] = '\0';
    if (date_parse_iso(date, &day))
        return PM_ERR_INVALID;
    *out = (int64_t)day * 86400;
    if (n == DATE_ISO_LEN)
        return PM_OK;
    if ((s[10] != 'T' && s[10] != ' ') || n < 19 || hms(s + 11, &secs))
        return PM_ERR_INVALID;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return PM_ERR_INVALID;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
        *out += secs;
        return PM_OK;
    }
    if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || p[3] != ':' || !digits(p + 1, 2, &oh) ||
        !digits(p + 4, 2, &om) || oh > 23 || om > 59)
        return PM_ERR_INVALID;
    sign = p[0] == '+' ? 1 : -1;
    *out += secs - sign * (oh * 3600 + om * 60);
    return PM_OK;
}

enum pm_err sb_fmt_parse_instant(const char *s, int64_t *unix_s)
{
    if (!s || !*s)
        return PM_ERR_INVALID;
    if (isdigit((unsigned char)s[0]))
        return parse_iso(s, unix_s);
    return parse_rfc1123(s, unix_s);
}

enum pm_err sb_fmt_parse_day(const char *s, int32_t *day)
{
    int64_t t;
    enum pm_err rc = sb_fmt_parse_instant(s, &t);

    if (rc)
        return rc;
    *day = sb_fmt_day_of(t);
    return PM_OK;
}

json_t *sb_fmt_money(int64_t ore)
{
    return json_real((double)ore / 100.0);
}

enum pm_err sb_fmt_money_in(const json_t *v, int64_t *ore)
{
    char text[64];
    int n;

    if (json_is_integer(v)) {
        json_int_t k = json_integer_value(v);

        if (k > MONEY_MAX / 100 || k < -MONEY_MAX / 100)
            return PM_ERR_RANGE;
        *ore = (int64_t)k * 100;
        return PM_OK;
    }
    if (!json_is_real(v) || !isfinite(json_real_value(v)))
        return PM_ERR_INVALID;
    /* 15 significant digits give back the decimal the sender wrote for
     * any amount up to 10^13 kr with two decimals. */
    n = snprintf(text, sizeof(text), "%.15g", json_real_value(v));
    if (n <= 0 || (size_t)n >= sizeof(text) || strpbrk(text, "eEni"))
        return PM_ERR_INVALID;
    return money_parse(text, ore);
}

char *sb_fmt_dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
}

void sb_fmt_issue(json_t *issues, const char *path, const char *message)
{
    if (!json_object_get(issues, path))
        json_object_set_new(issues, path, json_string(message));
}

const char *sb_fmt_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

const char *sb_fmt_nonempty(const json_t *obj, const char *key)
{
    const char *s = sb_fmt_str(obj, key);

    return s && *s ? s : NULL;
}
