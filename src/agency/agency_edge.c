/*
 * agency_edge.c — pure conversions at the agency's edge (see agency_edge.h).
 *
 * Money crosses the edge as a JSON number of kronor.  Going out, öre / 100
 * as a double printed with 15 significant digits is the exact decimal (every
 * amount up to MONEY_MAX has at most 15 significant digits, and any such
 * decimal survives a round trip through a double).  Coming in, the double
 * jansson parsed is printed back the same way, which gives the text the
 * agency sent, and that text is converted exactly, rounding at the öre half
 * away from zero — the product's one rounding rule.
 */
#include "agency/agency_edge.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"

json_t *agency_money_json(int64_t ore)
{
    return json_real((double)ore / 100.0);
}

void agency_money_text(int64_t ore, char *dst, size_t cap)
{
    uint64_t a = ore < 0 ? (uint64_t)0 - (uint64_t)ore : (uint64_t)ore;

    snprintf(dst, cap, "%s%llu.%02llu", ore < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
}

enum pm_err agency_money_parse_text(const char *s, int64_t *ore)
{
    /* Digits of the number without the point, and where the point was. */
    char digits[64];
    size_t nd = 0;
    int point = -1, exp10 = 0, scale, i;
    bool neg = false, any = false;
    int64_t v = 0;
    int next;

    if (!s)
        return PM_ERR_INVALID;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s; s++) {
        if (isdigit((unsigned char)*s)) {
            if (nd >= sizeof(digits))
                return PM_ERR_RANGE;
            digits[nd++] = *s;
            any = true;
        } else if (*s == '.' && point < 0) {
            point = (int)nd;
        } else {
            break;
        }
    }
    if (!any)
        return PM_ERR_INVALID;
    if (point < 0)
        point = (int)nd;
    if (*s == 'e' || *s == 'E') {
        bool eneg = false;
        int e = 0;

        s++;
        if (*s == '-' || *s == '+')
            eneg = *s++ == '-';
        if (!isdigit((unsigned char)*s))
            return PM_ERR_INVALID;
        for (; isdigit((unsigned char)*s); s++) {
            e = e * 10 + (*s - '0');
            if (e > 400)
                return PM_ERR_RANGE;
        }
        exp10 = eneg ? -e : e;
    }
    if (*s)
        return PM_ERR_INVALID;
    /* The decimal point sits after `point + exp10` digits; we want the
     * digits up to two places after it, then round on the next one. */
    scale = point + exp10 + 2; /* digits that form the öre value */
    if (scale > 18)
        return PM_ERR_RANGE;
    for (i = 0; i < scale; i++) {
        int d = i >= 0 && (size_t)i < nd ? digits[i] - '0' : 0;

        v = v * 10 + d;
    }
    next = scale >= 0 && (size_t)scale < nd ? digits[scale] - '0' : 0;
    if (next >= 5)
        v += 1;
    if (v > MONEY_MAX)
        return PM_ERR_RANGE;
    *ore = neg ? -v : v;
    return PM_OK;
}

enum pm_err agency_money_parse(const json_t *v, int64_t *ore)
{
    char text[64];
    double d;

    if (json_is_integer(v)) {
        json_int_t k = json_integer_value(v);

        if (k > MONEY_MAX / 100 || k < -MONEY_MAX / 100)
            return PM_ERR_RANGE;
        *ore = (int64_t)k * 100;
        return PM_OK;
    }
    if (!json_is_real(v))
        return PM_ERR_INVALID;
    d = json_real_value(v);
    if (!isfinite(d))
        return PM_ERR_INVALID;
    snprintf(text, sizeof(text), "%.15g", d);
    return agency_money_parse_text(text, ore);
}

/* ---- dates ---- */

static const char *const wdays[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void agency_date_rfc1123(int64_t unix_s, char *dst)
{
    int64_t day = floor_div(unix_s, 86400), sec = unix_s - day * 86400;
    int y, m, d;

    date_to_ymd((int32_t)day, &y, &m, &d);
    snprintf(dst, AGENCY_RFC1123_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             wdays[date_weekday((int32_t)day)], d, months[m - 1], y, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}

void agency_day_rfc1123(int32_t day, char *dst)
{
    agency_date_rfc1123((int64_t)day * 86400, dst);
}

/* n digits at *p into *out; advances *p. */
static bool take_digits(const char **p, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool take(const char **p, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static enum pm_err instant(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    int32_t day;

    if (date_from_ymd(y, mo, d, &day) || h > 23 || mi > 59 || s > 60)
        return PM_ERR_INVALID;
    *out = (int64_t)day * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s);
    return PM_OK;
}

static enum pm_err parse_rfc1123(const char *p, int64_t *out)
{
    int d, y, h, mi, s, mo = -1, i;

    for (i = 0; i < 7 && strncmp(p, wdays[i], 3) != 0; i++)
        ;
    if (i == 7)
        return PM_ERR_INVALID;
    p += 3;
    if (!take(&p, ", ") || !take_digits(&p, 2, &d) || !take(&p, " "))
        return PM_ERR_INVALID;
    for (i = 0; i < 12; i++)
        if (!strncmp(p, months[i], 3))
            mo = i + 1;
    if (mo < 0)
        return PM_ERR_INVALID;
    p += 3;
    if (!take(&p, " ") || !take_digits(&p, 4, &y) || !take(&p, " ") || !take_digits(&p, 2, &h) ||
        !take(&p, ":") || !take_digits(&p, 2, &mi) || !take(&p, ":") || !take_digits(&p, 2, &s) ||
        !take(&p, " GMT") || *p)
        return PM_ERR_INVALID;
    return instant(y, mo, d, h, mi, s, out);
}

enum pm_err agency_date_parse(const char *s, int64_t *unix_s)
{
    if (!s || !*s)
        return PM_ERR_INVALID;
    if (isdigit((unsigned char)s[0]))
        return date_parse_instant(s, unix_s);
    return parse_rfc1123(s, unix_s);
}

/* ---- URLs ---- */

enum pm_err agency_url_escape(const char *s, char *dst, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            if (n + 1 >= cap)
                return PM_ERR_RANGE;
            dst[n++] = (char)c;
        } else {
            if (n + 3 >= cap)
                return PM_ERR_RANGE;
            dst[n++] = '%';
            dst[n++] = hex[c >> 4];
            dst[n++] = hex[c & 15];
        }
    }
    if (n >= cap)
        return PM_ERR_RANGE;
    dst[n] = '\0';
    return PM_OK;
}

/* ---- retries ---- */

int64_t agency_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint64_t random)
{
    int64_t d = base_ms > 0 ? base_ms : 1;
    int64_t half;
    int i;

    if (attempt < 1)
        attempt = 1;
    for (i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    half = d / 2;
    return half + (int64_t)(random % (uint64_t)(d - half + 1));
}

enum pm_err agency_retry_after_s(const char *value, int64_t now_s, int64_t *out)
{
    const char *p = value;
    int64_t v = 0, when;

    if (!value)
        return PM_ERR_INVALID;
    while (*p == ' ')
        p++;
    if (isdigit((unsigned char)*p)) {
        for (; isdigit((unsigned char)*p); p++) {
            v = v * 10 + (*p - '0');
            if (v > 86400 * 365)
                return PM_ERR_RANGE;
        }
        while (*p == ' ')
            p++;
        if (*p)
            return PM_ERR_INVALID;
        *out = v;
        return PM_OK;
    }
    if (parse_rfc1123(p, &when))
        return PM_ERR_INVALID;
    *out = when > now_s ? when - now_s : 0;
    return PM_OK;
}

uint64_t agency_random_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
