/*
 * tz.c — TZif reader and POSIX TZ rule evaluation (see tz.h, RFC 8536).
 *
 * Part of util/: the one place that knows how local time is derived, so that
 * core/date.c can turn the clock's UTC instant into the company's "today"
 * without the C library's hidden global time zone state (localtime and TZ
 * are banned).  A file is parsed once into a small immutable struct tz; the
 * parser treats the file as hostile: every count is checked against the
 * bytes actually present before anything is read.
 */
#include "util/tz.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/civil.h"

#define TZ_HEADER_LEN 44
#define TZ_FILE_MAX   (1024 * 1024)
/* RFC 8536: UT offsets SHOULD lie in -89999..93599; anything else is refused
 * so that instant + offset can never overflow for sane instants. */
#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599
#define SECS_PER_DAY 86400
/* The Gregorian calendar (leap years and weekdays alike) repeats every
 * 400 years = 146097 days, an exact number of weeks. */
#define SECS_PER_400Y (INT64_C(146097) * SECS_PER_DAY)

enum rule_kind {
    RULE_JULIAN,     /* Jn: 1..365, 29 February never counted */
    RULE_ZERO_BASED, /* n: 0..365, 29 February counted */
    RULE_MONTH_WEEK, /* Mm.w.d: day d of week w (5 = last) of month m */
};

struct rule_date {
    enum rule_kind kind;
    int day;      /* J and n: the day number; M: weekday 0 = Sunday .. 6 */
    int week;     /* M only: 1..5 */
    int month;    /* M only: 1..12 */
    int32_t time; /* seconds after local midnight, -167h..167h */
};

/* A POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
struct rule {
    int32_t std_utoff; /* seconds east of UTC */
    int32_t dst_utoff;
    bool has_dst;
    struct rule_date start, end;
};

struct tz {
    size_t timecnt;
    int64_t *times;     /* transition instants, strictly ascending */
    unsigned char *idx; /* for each transition, an index into utoff */
    size_t typecnt;
    int32_t *utoff; /* per local time type, seconds east of UTC */
    bool has_rule;  /* footer present and non-empty */
    struct rule rule;
};

struct header {
    int version; /* 1, 2, 3 or 4 */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ---- calendar helpers (util cannot use core/date.h) ---- */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int64_t year_from_days(int64_t z)
{
    int64_t y;
    int m, d;

    civil_from_days(z, &y, &m, &d);
    return y;
}

/* Day number of the rule's date in year y. */
static int64_t rule_day(const struct rule_date *r, int64_t y)
{
    int64_t jan1 = civil_to_days(y, 1, 1), first, d;
    int wd;

    switch (r->kind) {
    case RULE_JULIAN:
        return jan1 + r->day - 1 + (is_leap(y) && r->day >= 60);
    case RULE_ZERO_BASED:
        return jan1 + r->day;
    case RULE_MONTH_WEEK:
    default:
        first = civil_to_days(y, r->month, 1);
        /* 1970-01-01 was a Thursday: 4 with Sunday = 0. */
        wd = (int)(((first + 4) % 7 + 7) % 7);
        d = first + (r->day - wd + 7) % 7 + 7 * (r->week - 1);
        while (d - first >= month_days(y, r->month))
            d -= 7;
        return d;
    }
}

static int32_t rule_offset(const struct rule *r, int64_t t)
{
    int64_t y, best = 0;
    bool found = false, dst = false;

    if (!r->has_dst)
        return r->std_utoff;
    /* The rule repeats every 400 years: fold t into 1970..2370 exactly. */
    t %= SECS_PER_400Y;
    if (t < 0)
        t += SECS_PER_400Y;
    y = year_from_days(t / SECS_PER_DAY);
    /* The latest transition at or before t, looking at the neighbouring
     * years too so that rules near New Year and southern-hemisphere rules
     * (DST across the year boundary) come out right. */
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        int64_t start = rule_day(&r->start, yy) * SECS_PER_DAY + r->start.time - r->std_utoff;
        int64_t end = rule_day(&r->end, yy) * SECS_PER_DAY + r->end.time - r->dst_utoff;

        if (end <= t && (!found || end > best)) {
            best = end;
            dst = false;
            found = true;
        }
        /* On a tie DST wins: that is how "DST all year" rules are written. */
        if (start <= t && (!found || start >= best)) {
            best = start;
            dst = true;
            found = true;
        }
    }
    return dst ? r->dst_utoff : r->std_utoff;
}

/* ---- POSIX TZ string parsing, bounded by `end` ---- */

struct cursor {
    const char *p, *end;
};

static int peek(const struct cursor *c)
{
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static bool is_alpha(int ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

/* Up to max_digits digits into *v; at least one required. */
static bool parse_num(struct cursor *c, int max_digits, int *v)
{
    int n = 0, value = 0;

    while (n < max_digits && is_digit(peek(c))) {
        value = value * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n == 0 || is_digit(peek(c)))
        return false;
    *v = value;
    return true;
}

static bool parse_name(struct cursor *c)
{
    int n = 0;

    if (peek(c) == '<') {
        c->p++;
        while (is_alpha(peek(c)) || is_digit(peek(c)) || peek(c) == '+' || peek(c) == '-') {
            c->p++;
            n++;
        }
        if (peek(c) != '>' || n < 3)
            return false;
        c->p++;
        return true;
    }
    while (is_alpha(peek(c))) {
        c->p++;
        n++;
    }
    return n >= 3;
}

/* [+-]hh[:mm[:ss]] with hours up to max_hours; *v in seconds. */
static bool parse_hms(struct cursor *c, int max_hours, int32_t *v)
{
    int sign = 1, h, m = 0, s = 0;

    if (peek(c) == '+' || peek(c) == '-') {
        sign = peek(c) == '-' ? -1 : 1;
        c->p++;
    }
    if (!parse_num(c, 3, &h) || h > max_hours)
        return false;
    if (peek(c) == ':') {
        c->p++;
        if (!parse_num(c, 2, &m) || m > 59)
            return false;
        if (peek(c) == ':') {
            c->p++;
            if (!parse_num(c, 2, &s) || s > 59)
                return false;
        }
    }
    *v = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool parse_rule_date(struct cursor *c, struct rule_date *r)
{
    r->time = 2 * 3600;
    if (peek(c) == 'M') {
        c->p++;
        r->kind = RULE_MONTH_WEEK;
        if (!parse_num(c, 2, &r->month) || r->month < 1 || r->month > 12 || peek(c) != '.')
            return false;
        c->p++;
        if (!parse_num(c, 1, &r->week) || r->week < 1 || r->week > 5 || peek(c) != '.')
            return false;
        c->p++;
        if (!parse_num(c, 1, &r->day) || r->day > 6)
            return false;
    } else if (peek(c) == 'J') {
        c->p++;
        r->kind = RULE_JULIAN;
        if (!parse_num(c, 3, &r->day) || r->day < 1 || r->day > 365)
            return false;
    } else {
        r->kind = RULE_ZERO_BASED;
        if (!parse_num(c, 3, &r->day) || r->day > 365)
            return false;
    }
    if (peek(c) == '/') {
        c->p++;
        /* RFC 8536 extends the POSIX 0..24 hours to -167..167. */
        if (!parse_hms(c, 167, &r->time))
            return false;
    }
    return true;
}

static enum pm_err parse_rule(const char *s, size_t len, struct rule *r)
{
    struct cursor c = {s, s + len};
    int32_t off;

    memset(r, 0, sizeof(*r));
    if (!parse_name(&c) || !parse_hms(&c, 24, &off))
        return PM_ERR_INVALID;
    /* POSIX offsets count west of Greenwich: "CET-1" is UTC+1. */
    r->std_utoff = -off;
    if (peek(&c) == -1)
        return PM_OK;
    if (!parse_name(&c))
        return PM_ERR_INVALID;
    r->has_dst = true;
    r->dst_utoff = r->std_utoff + 3600;
    if (peek(&c) != ',') {
        if (!parse_hms(&c, 24, &off))
            return PM_ERR_INVALID;
        r->dst_utoff = -off;
    }
    /* zic always writes the rule; a DST name without one has no meaning
     * we could rely on, so it is refused rather than guessed. */
    if (peek(&c) != ',')
        return PM_ERR_INVALID;
    c.p++;
    if (!parse_rule_date(&c, &r->start) || peek(&c) != ',')
        return PM_ERR_INVALID;
    c.p++;
    if (!parse_rule_date(&c, &r->end) || peek(&c) != -1)
        return PM_ERR_INVALID;
    return PM_OK;
}

/* ---- TZif parsing ---- */

static enum pm_err parse_header(const unsigned char *data, size_t len, size_t off, struct header *h)
{
    const unsigned char *p = data + off;

    if (len - off < TZ_HEADER_LEN || memcmp(p, "TZif", 4) != 0)
        return PM_ERR_INVALID;
    if (p[4] == 0)
        h->version = 1;
    else if (p[4] >= '2' && p[4] <= '4')
        h->version = p[4] - '0';
    else
        return PM_ERR_INVALID;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return PM_OK;
}

/* Bytes of the data block after a header; counts are < 2^32 so this cannot
 * overflow 64 bits. */
static uint64_t block_len(const struct header *h, unsigned timesize)
{
    return (uint64_t)h->timecnt * (timesize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (timesize + 4) + h->isstdcnt + h->isutcnt;
}

/* Check the counts of the header that describes the data we use. */
static bool counts_valid(const struct header *h)
{
    return h->typecnt >= 1 && h->typecnt <= 256 && h->charcnt >= 1 &&
           (h->isstdcnt == 0 || h->isstdcnt == h->typecnt) &&
           (h->isutcnt == 0 || h->isutcnt == h->typecnt);
}

/* Fill tz's transitions and types from the block at p (already known to fit). */
static enum pm_err read_block(const unsigned char *p, const struct header *h, unsigned timesize,
                              struct tz *tz)
{
    const unsigned char *idx = p + (size_t)h->timecnt * timesize;
    const unsigned char *types = idx + h->timecnt;

    for (size_t i = 0; i < h->timecnt; i++) {
        tz->times[i] = timesize == 8 ? be64(p + 8 * i) : (int32_t)be32(p + 4 * i);
        if (i > 0 && tz->times[i] <= tz->times[i - 1])
            return PM_ERR_INVALID;
        if (idx[i] >= h->typecnt)
            return PM_ERR_INVALID;
        tz->idx[i] = idx[i];
    }
    for (size_t i = 0; i < h->typecnt; i++) {
        const unsigned char *t = types + 6 * i;
        int32_t utoff = (int32_t)be32(t);

        if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX || t[4] > 1 || t[5] >= h->charcnt)
            return PM_ERR_INVALID;
        tz->utoff[i] = utoff;
    }
    return PM_OK;
}

enum pm_err tz_parse(const unsigned char *data, size_t len, struct tz **out)
{
    enum pm_err rc = PM_OK;
    struct header h1, h;
    struct tz *tz = NULL;
    size_t off = 0;
    unsigned timesize = 4;
    uint64_t blen;

    if (!data || !out)
        return PM_ERR_INVALID;
    rc = parse_header(data, len, 0, &h1);
    if (rc)
        goto out;
    h = h1;
    off = TZ_HEADER_LEN;
    blen = block_len(&h1, 4);
    if (blen > len - off) {
        rc = PM_ERR_INVALID;
        goto out;
    }
    if (h1.version >= 2) {
        /* Skip the 32-bit data and use the 64-bit section that follows. */
        off += (size_t)blen;
        rc = parse_header(data, len, off, &h);
        if (rc)
            goto out;
        off += TZ_HEADER_LEN;
        timesize = 8;
        blen = block_len(&h, 8);
        if (blen > len - off) {
            rc = PM_ERR_INVALID;
            goto out;
        }
    }
    if (!counts_valid(&h)) {
        rc = PM_ERR_INVALID;
        goto out;
    }

    tz = calloc(1, sizeof(*tz));
    if (!tz) {
        rc = PM_ERR_NOMEM;
        goto out;
    }
    tz->timecnt = h.timecnt;
    tz->typecnt = h.typecnt;
    /* Sizes are bounded by len, which was checked above. */
    tz->times = malloc(h.timecnt ? h.timecnt * sizeof(int64_t) : 1);
    tz->idx = malloc(h.timecnt ? h.timecnt : 1);
    tz->utoff = malloc(h.typecnt * sizeof(int32_t));
    if (!tz->times || !tz->idx || !tz->utoff) {
        rc = PM_ERR_NOMEM;
        goto out_free_tz;
    }
    rc = read_block(data + off, &h, timesize, tz);
    if (rc)
        goto out_free_tz;
    off += (size_t)blen;

    if (timesize == 8) {
        /* Footer: "\n" TZ-string "\n". */
        const unsigned char *nl;
        size_t slen;

        if (off >= len || data[off] != '\n') {
            rc = PM_ERR_INVALID;
            goto out_free_tz;
        }
        off++;
        nl = memchr(data + off, '\n', len - off);
        if (!nl) {
            rc = PM_ERR_INVALID;
            goto out_free_tz;
        }
        slen = (size_t)(nl - (data + off));
        if (slen > 0) {
            rc = parse_rule((const char *)data + off, slen, &tz->rule);
            if (rc)
                goto out_free_tz;
            tz->has_rule = true;
        }
    }
    *out = tz;
    tz = NULL;
out_free_tz:
    tz_free(&tz);
out:
    return rc;
}

void tz_free(struct tz **tz)
{
    if (!tz || !*tz)
        return;
    free((*tz)->times);
    free((*tz)->idx);
    free((*tz)->utoff);
    free(*tz);
    *tz = NULL;
}

int32_t tz_offset(const struct tz *tz, int64_t unix_seconds)
{
    size_t lo, hi;

    if (tz->timecnt == 0)
        return tz->has_rule ? rule_offset(&tz->rule, unix_seconds) : tz->utoff[0];
    if (unix_seconds < tz->times[0])
        return tz->utoff[0];
    if (unix_seconds > tz->times[tz->timecnt - 1] && tz->has_rule)
        return rule_offset(&tz->rule, unix_seconds);
    /* The last transition at or before the instant. */
    lo = 0;
    hi = tz->timecnt;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (tz->times[mid] <= unix_seconds)
            lo = mid;
        else
            hi = mid;
    }
    return tz->utoff[tz->idx[lo]];
}

/* Zone names are relative paths of letters, digits and "/_+-"; nothing that
 * could climb out of the zoneinfo directory. */
static bool name_valid(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 255 || name[0] == '/' || strstr(name, "..") != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];

        if (!is_alpha(ch) && !is_digit(ch) && ch != '/' && ch != '_' && ch != '+' && ch != '-')
            return false;
    }
    return true;
}

enum pm_err tz_load(const char *name, struct tz **out)
{
    enum pm_err rc = PM_OK;
    struct buf file = BUF_INIT;
    char path[4096];
    const char *dir = getenv("TZDIR");
    int n;

    if (!name || !out || !name_valid(name))
        return PM_ERR_INVALID;
    if (!dir || dir[0] == '\0')
        dir = "/usr/share/zoneinfo";
    n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return PM_ERR_INVALID;
    errno = 0;
    rc = buf_read_file(&file, path, TZ_FILE_MAX);
    if (rc == PM_ERR_IO && (errno == ENOENT || errno == ENOTDIR || errno == EISDIR))
        rc = PM_ERR_NOT_FOUND;
    if (rc)
        goto out_release_file;
    rc = tz_parse((const unsigned char *)file.data, file.len, out);
out_release_file:
    buf_release(&file);
    return rc;
}
