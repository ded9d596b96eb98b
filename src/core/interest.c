/*
 * interest.c — late-payment interest per räntelagen and the reference-rate
 * table it needs (see interest.h).
 *
 * Part of core/: the rate table arrives as text (read from
 * data/reference-rates.csv by a caller that does the I/O) and is parsed
 * strictly here; the computation is pure.  Interest is accumulated exactly
 * as capital × rate_bp × days in 128 bits over segments in which neither
 * the half-year nor the capital changes, and divided by 10 000 × 365 once,
 * rounded half away from zero like every other amount (money.c).
 *
 * Days the table does not cover are "unknown": days after its last
 * half-year, and also days before its first one (a due date far in the
 * past).  They are left out of amount_minor and valued for estimate_minor
 * at the nearest known rate: the last one carried forward, or the first one
 * carried back.  unknown_from is the first unknown day, so with days before
 * the table it equals first_day.  A negative reference rate never makes the
 * interest rate go below zero.
 */
#include "core/interest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"

#define RATE_MIN_BP       (-1000) /* -10 % */
#define RATE_MAX_BP       5000    /* 50 % */
#define DAY_COUNT_DIVISOR ((__int128)10000 * 365)

/* ------------------------------------------------------------------ */
/* Half-years                                                          */
/* ------------------------------------------------------------------ */

/* First day of the half-year after the one starting on `start` (1 Jan / 1 Jul). */
static int32_t half_year_next(int32_t start)
{
    int y, m, d;

    date_to_ymd(start, &y, &m, &d);
    if (m == 1)
        return start + (date_is_leap(y) ? 182 : 181);
    return start + 184;
}

void rate_table_release(struct rate_table *t)
{
    if (!t)
        return;
    free(t->periods);
    t->periods = NULL;
    t->n = 0;
}

int32_t rate_table_known_until(const struct rate_table *t)
{
    if (!t || t->n == 0)
        return -1;
    return half_year_next(t->periods[t->n - 1].from) - 1;
}

enum pm_err rate_table_reference_bp(const struct rate_table *t, int32_t date, int32_t *out)
{
    size_t lo = 0, hi;

    if (!t || t->n == 0 || date < t->periods[0].from || date > rate_table_known_until(t))
        return PM_ERR_UNKNOWN_RATE;
    /* Last period whose start is <= date. */
    hi = t->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->periods[mid].from <= date)
            lo = mid;
        else
            hi = mid;
    }
    *out = t->periods[lo].reference_bp;
    return PM_OK;
}

const struct rate_period *rate_table_period(const struct rate_table *t, int32_t date)
{
    size_t i;

    if (!t || t->n == 0 || date < t->periods[0].from || date > rate_table_known_until(t))
        return NULL;
    for (i = t->n; i-- > 0;) {
        if (t->periods[i].from <= date)
            return &t->periods[i];
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

#define FIELD_MAX 3
#define HEADER    "from,reference_rate_percent"

struct field {
    const char *p;
    size_t len;
    bool quoted;
};

/*
 * Split one line (without its end) into at most FIELD_MAX comma-separated
 * fields.  A field may be quoted ("3,5"); inside quotes "" is a quote, and a
 * quoted field's text keeps the doubled quotes (only notes may contain them,
 * and notes are not used).  Returns the number of fields, or -1 on bad
 * quoting or too many fields.
 */
static int split_fields(const char *line, size_t len, struct field *f)
{
    size_t i = 0;
    int n = 0;

    for (;;) {
        if (n == FIELD_MAX)
            return -1;
        if (i < len && line[i] == '"') {
            size_t start = ++i;

            for (;;) {
                if (i >= len)
                    return -1;
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            f[n].p = line + start;
            f[n].len = i - start;
            f[n].quoted = true;
            i++; /* the closing quote */
            if (i < len && line[i] != ',')
                return -1;
        } else {
            size_t start = i;

            while (i < len && line[i] != ',') {
                if (line[i] == '"')
                    return -1;
                i++;
            }
            f[n].p = line + start;
            f[n].len = i - start;
            f[n].quoted = false;
        }
        n++;
        if (i >= len)
            return n;
        i++; /* the comma */
    }
}

/* "2.00", "3,5" (quoted), "-0.5": one or two integer digits, one or two
 * decimals.  The decimals are required, so that an unquoted "3,5" can never
 * be read as the rate 3 followed by a note "5"; a decimal comma is only
 * possible inside quotes in a CSV file. */
static bool parse_rate(const struct field *f, int32_t *out)
{
    const char *s = f->p;
    size_t i = 0, n = f->len;
    int32_t whole = 0, frac = 0, bp;
    int int_digits = 0, frac_digits = 0;
    bool neg = false;

    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        int_digits++;
        if (int_digits > 2)
            return false;
        whole = whole * 10 + (s[i] - '0');
        i++;
    }
    if (int_digits == 0 || i >= n || (s[i] != '.' && s[i] != ','))
        return false;
    if (s[i] == ',' && !f->quoted)
        return false;
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        frac_digits++;
        if (frac_digits > 2)
            return false;
        frac = frac * 10 + (s[i] - '0');
        i++;
    }
    if (frac_digits == 0 || i != n)
        return false;
    if (frac_digits == 1)
        frac *= 10;
    bp = (neg ? -1 : 1) * (whole * 100 + frac);
    if (bp < RATE_MIN_BP || bp > RATE_MAX_BP)
        return false;
    *out = bp;
    return true;
}

static bool parse_date_field(const struct field *f, int32_t *out)
{
    char text[DATE_ISO_LEN + 1];

    if (f->quoted || f->len != DATE_ISO_LEN)
        return false;
    memcpy(text, f->p, DATE_ISO_LEN);
    text[DATE_ISO_LEN] = '\0';
    return date_parse_iso(text, out) == PM_OK;
}

static bool is_header(const struct field *f, int n)
{
    if (n < 2 || f[0].quoted || f[1].quoted)
        return false;
    if (f[0].len != 4 || memcmp(f[0].p, "from", 4) != 0)
        return false;
    if (f[1].len != strlen("reference_rate_percent") ||
        memcmp(f[1].p, "reference_rate_percent", f[1].len) != 0)
        return false;
    return n == 2 || f[2].len > 0;
}

static enum pm_err append_period(struct rate_period **v, size_t *n, size_t *cap,
                                 struct rate_period p)
{
    struct rate_period *grown;

    if (*n == *cap) {
        size_t want = *cap ? *cap * 2 : 32;

        grown = realloc(*v, want * sizeof(**v));
        if (!grown)
            return PM_ERR_NOMEM;
        *v = grown;
        *cap = want;
    }
    (*v)[(*n)++] = p;
    return PM_OK;
}

enum pm_err rate_table_parse(const char *text, size_t len, struct rate_table *out,
                             struct pm_error *e)
{
    enum pm_err rc = PM_OK;
    struct rate_period *periods = NULL;
    size_t n = 0, cap = 0, pos = 0, lineno = 0;
    int columns = 0; /* 0 until the header was seen */

    if (!text || !out) {
        rc = pm_error_set(e, PM_ERR_INVALID, "rates", "no rate table");
        goto out;
    }
    /* A UTF-8 byte order mark, as spreadsheets write, is not content. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;

    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        struct field f[FIELD_MAX];
        struct rate_period p;
        int nf;

        memset(&p, 0, sizeof(p));
        pos += ll + (nl ? 1 : 0);
        lineno++;
        if (ll > 0 && line[ll - 1] == '\r')
            ll--;
        if (memchr(line, '\0', ll) || memchr(line, '\r', ll)) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates", "line %zu: control character", lineno);
            goto out_free_periods;
        }
        if (ll == 0 || line[0] == '#')
            continue;
        nf = split_fields(line, ll, f);
        if (columns == 0) {
            if (nf < 0 || !is_header(f, nf)) {
                rc = pm_error_set(e, PM_ERR_INVALID, "rates",
                                  "line %zu: expected the header \"%s[,note]\"", lineno, HEADER);
                goto out_free_periods;
            }
            columns = nf;
            continue;
        }
        if (nf != columns) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates",
                              "line %zu: expected %d comma-separated fields", lineno, columns);
            goto out_free_periods;
        }
        if (!parse_date_field(&f[0], &p.from)) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates", "line %zu: not a date (YYYY-MM-DD)",
                              lineno);
            goto out_free_periods;
        }
        if (date_half_year_start(p.from) != p.from) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates",
                              "line %zu: a half-year starts on 1 January or 1 July", lineno);
            goto out_free_periods;
        }
        if (n > 0 && p.from <= periods[n - 1].from) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates",
                              "line %zu: dates must be in ascending order", lineno);
            goto out_free_periods;
        }
        if (n > 0 && p.from != half_year_next(periods[n - 1].from)) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates",
                              "line %zu: a half-year is missing before this one", lineno);
            goto out_free_periods;
        }
        if (!parse_rate(&f[1], &p.reference_bp)) {
            rc = pm_error_set(e, PM_ERR_INVALID, "rates",
                              "line %zu: rate must be a percentage like 2.00 in -10..50 with "
                              "one or two decimals",
                              lineno);
            goto out_free_periods;
        }
        if (columns > 2)
            snprintf(p.source, sizeof(p.source), "%.*s", (int)f[2].len, f[2].p);
        rc = append_period(&periods, &n, &cap, p);
        if (rc) {
            pm_error_set(e, rc, "rates", "line %zu: out of memory", lineno);
            goto out_free_periods;
        }
    }
    if (columns == 0) {
        rc = pm_error_set(e, PM_ERR_INVALID, "rates", "line %zu: no header line", lineno + 1);
        goto out_free_periods;
    }
    if (n == 0) {
        rc = pm_error_set(e, PM_ERR_INVALID, "rates", "line %zu: no reference rates", lineno + 1);
        goto out_free_periods;
    }
    out->periods = periods;
    out->n = n;
    goto out;

out_free_periods:
    free(periods);
out:
    return rc;
}

/* ------------------------------------------------------------------ */
/* Rates added by an administrator                                     */
/* ------------------------------------------------------------------ */

enum pm_err rate_parse_percent(const char *text, int32_t *bp)
{
    struct field f;

    if (!text)
        return PM_ERR_INVALID;
    f.p = text;
    f.len = strlen(text);
    f.quoted = true; /* a decimal comma is fine outside a CSV file */
    return parse_rate(&f, bp) ? PM_OK : PM_ERR_INVALID;
}

enum pm_err rate_check_new(const struct rate_table *t, int32_t from, int32_t bp, struct pm_error *e)
{
    char day[DATE_ISO_LEN + 1];
    int32_t next;

    if (date_half_year_start(from) != from)
        return pm_error_set(e, PM_ERR_RANGE, "valid_from",
                            "a reference rate starts on 1 January or 1 July");
    if (t && t->n > 0) {
        next = half_year_next(t->periods[t->n - 1].from);
        date_format_iso(next, day);
        if (from < next)
            return pm_error_set(e, PM_ERR_CONFLICT, "valid_from",
                                "that half-year has a reference rate already; the next one to "
                                "add starts %s",
                                day);
        if (from > next)
            return pm_error_set(e, PM_ERR_RANGE, "valid_from",
                                "a half-year would be missing: the next one to add starts %s", day);
    }
    if (bp < RATE_MIN_BP || bp > RATE_MAX_BP || bp % 50 != 0)
        return pm_error_set(e, PM_ERR_RANGE, "rate",
                            "a reference rate is a multiple of 0.50 %% in -10..50 "
                            "(räntelagen 9 §)");
    return PM_OK;
}

enum pm_err rate_table_extend(const struct rate_table *base, const struct rate_period *add,
                              size_t n, struct rate_table *out)
{
    struct rate_period *periods;
    size_t k, i;

    out->periods = NULL;
    out->n = 0;
    k = base ? base->n : 0;
    periods = malloc((k + n + 1) * sizeof(*periods));
    if (!periods)
        return PM_ERR_NOMEM;
    if (k)
        memcpy(periods, base->periods, k * sizeof(*periods));
    for (i = 0; i < n; i++) {
        if (k > 0 && add[i].from <= periods[k - 1].from)
            continue;
        if (k > 0 && add[i].from != half_year_next(periods[k - 1].from))
            break;
        periods[k++] = add[i];
    }
    out->periods = periods;
    out->n = k;
    return PM_OK;
}

/* ------------------------------------------------------------------ */
/* Interest                                                            */
/* ------------------------------------------------------------------ */

static int32_t interest_rate_bp(int32_t reference_bp)
{
    int32_t r = reference_bp + INTEREST_MARGIN_BP;

    return r > 0 ? r : 0;
}

/* acc / (10 000 × 365), half away from zero, within MONEY_MAX. */
static enum pm_err round_interest(__int128 acc, int64_t *out)
{
    __int128 q = acc / DAY_COUNT_DIVISOR;
    __int128 r = acc % DAY_COUNT_DIVISOR;

    if (r < 0)
        r = -r;
    if (r * 2 >= DAY_COUNT_DIVISOR)
        q += acc < 0 ? -1 : 1;
    if (q > MONEY_MAX || q < -MONEY_MAX)
        return PM_ERR_OVERFLOW;
    *out = (int64_t)q;
    return PM_OK;
}

/* Capital outstanding on `day`: changes count from the day after their date. */
static enum pm_err capital_on(int64_t capital, const struct capital_change *changes, size_t n,
                              int32_t day, int64_t *out)
{
    __int128 c = capital;

    for (size_t i = 0; i < n; i++)
        if (changes[i].date < day)
            c += changes[i].amount_minor;
    if (c > MONEY_MAX)
        return PM_ERR_OVERFLOW;
    *out = c > 0 ? (int64_t)c : 0;
    return PM_OK;
}

enum pm_err interest_compute(const struct rate_table *rates, int64_t capital_minor,
                             int32_t due_date, int32_t to, const struct capital_change *changes,
                             size_t n_changes, struct interest_result *out)
{
    return interest_compute_paused(rates, capital_minor, due_date, to, changes, n_changes, NULL, 0,
                                   out);
}

/* The last day of the pause holding day, or day - 1 when none holds it;
 * *next the first day after day where a pause starts (INT32_MAX: none). */
static int32_t paused_through(const struct interest_pause *pauses, size_t n, int32_t day,
                              int32_t *next)
{
    int32_t through = day - 1;
    bool again = true;

    /* Pauses may touch or overlap: follow them on. */
    while (again) {
        again = false;
        for (size_t i = 0; i < n; i++)
            if (pauses[i].from <= through + 1 && pauses[i].to > through) {
                through = pauses[i].to;
                again = true;
            }
    }
    *next = INT32_MAX;
    for (size_t i = 0; i < n; i++)
        if (pauses[i].from > through && pauses[i].from < *next && pauses[i].to >= pauses[i].from)
            *next = pauses[i].from;
    return through;
}

enum pm_err interest_compute_paused(const struct rate_table *rates, int64_t capital_minor,
                                    int32_t due_date, int32_t to,
                                    const struct capital_change *changes, size_t n_changes,
                                    const struct interest_pause *pauses, size_t n_pauses,
                                    struct interest_result *out)
{
    enum pm_err rc = PM_OK;
    struct interest_result res;
    __int128 acc = 0, est = 0;
    int32_t lo = 0, hi = 0, day, known_until;

    memset(&res, 0, sizeof(res));
    (void)date_from_ymd(DATE_MIN_YEAR, 1, 1, &lo);
    (void)date_from_ymd(DATE_MAX_YEAR, 12, 31, &hi);
    if (!rates || !out || (n_changes > 0 && !changes) || (n_pauses > 0 && !pauses)) {
        rc = PM_ERR_INVALID;
        goto out;
    }
    if (due_date < lo || due_date > hi || to < lo || to > hi || capital_minor > MONEY_MAX ||
        capital_minor < -MONEY_MAX) {
        rc = PM_ERR_RANGE;
        goto out;
    }
    for (size_t i = 0; i < n_changes; i++) {
        if (changes[i].amount_minor > MONEY_MAX || changes[i].amount_minor < -MONEY_MAX) {
            rc = PM_ERR_RANGE;
            goto out;
        }
    }
    if (to <= due_date) {
        *out = res;
        goto out;
    }

    known_until = rate_table_known_until(rates);
    res.first_day = due_date + 1;
    res.last_day = to;
    for (day = due_date + 1; day <= to;) {
        int32_t end = half_year_next(date_half_year_start(day)); /* exclusive */
        int32_t ref = 0, days, through, next_pause;
        int64_t capital = 0;
        __int128 part;

        through = paused_through(pauses, n_pauses, day, &next_pause);
        if (through >= day) {
            if (through > to)
                through = to;
            res.paused_days += through - day + 1;
            day = through + 1;
            continue;
        }
        if (end > next_pause)
            end = next_pause;
        if (end > to + 1)
            end = to + 1;
        for (size_t i = 0; i < n_changes; i++)
            if (changes[i].date >= day && changes[i].date < end - 1)
                end = changes[i].date + 1;
        days = end - day;
        rc = capital_on(capital_minor, changes, n_changes, day, &capital);
        if (rc)
            goto out;

        if (rate_table_reference_bp(rates, day, &ref) == PM_OK) {
            part = (__int128)capital * interest_rate_bp(ref) * days;
            acc += part;
            est += part;
            res.days += days;
            res.last_rate_bp = interest_rate_bp(ref);
        } else {
            if (!res.rate_unknown) {
                res.rate_unknown = true;
                res.unknown_from = day;
            }
            if (rates->n > 0) {
                ref = day > known_until ? rates->periods[rates->n - 1].reference_bp
                                        : rates->periods[0].reference_bp;
                est += (__int128)capital * interest_rate_bp(ref) * days;
            }
        }
        day = end;
    }
    if (res.days == 0 && res.rate_unknown) {
        rc = PM_ERR_UNKNOWN_RATE;
        goto out;
    }
    rc = round_interest(acc, &res.amount_minor);
    if (!rc)
        rc = round_interest(est, &res.estimate_minor);
    if (rc)
        goto out;
    *out = res;
out:
    return rc;
}
