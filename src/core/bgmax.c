/*
 * bgmax.c — the strict BgMax reader (see bgmax.h).
 *
 * Part of core/: pure.  One pass over the lines with a small state machine
 * for the record order; every record is checked field by field, and the
 * section and file totals are compared at their 15 and 70 records; the
 * file's payments and its deposits each add up to at most MONEY_MAX.  On any
 * error everything read so far is released, so a caller never sees part of
 * a refused file.
 */
#include "core/bgmax.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/money.h"

#define REC_LEN 80

enum state { ST_START, ST_FILE, ST_SECTION, ST_ENTRY, ST_END };

/* Where the reader is, and the running counts. */
struct reader {
    struct bgmax_file *f;
    struct pm_error *e;
    size_t lineno;
    char rec[REC_LEN + 1];
    enum state st;
    /* section */
    int64_t sum20, sum21, n20_sec, n21_sec;
    /* entry: the highest rank of 22..29 seen, which of 26..29 were seen */
    int rank;
    bool seen[10];
    /* file */
    int64_t n20, n21, n2223, n15;
    int64_t deposits_sum; /* the deposits so far, at most MONEY_MAX */
    int64_t amounts_sum;  /* the payments and deductions so far, likewise */
};

static enum pm_err fail(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum pm_err fail(struct reader *r, const char *fmt, ...)
{
    char msg[200], field[32] = "";
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->lineno)
        snprintf(field, sizeof(field), "line %zu", r->lineno);
    if (r->lineno)
        return pm_error_set(r->e, PM_ERR_INVALID, field, "line %zu: %s", r->lineno, msg);
    return pm_error_set(r->e, PM_ERR_INVALID, field, "%s", msg);
}

static void warn(struct reader *r, const char *what)
{
    if (r->f->n_warnings++ == 0)
        snprintf(r->f->first_warning, sizeof(r->f->first_warning), "line %zu: %s", r->lineno, what);
}

/* Digits only at rec[off .. off+len); their value into *out when out is
 * not NULL (then len <= 18, so it fits). */
static bool digits(const char *rec, size_t off, size_t len, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = rec[off + i];

        if (c < '0' || c > '9')
            return false;
        if (out && len <= 18)
            v = v * 10 + (c - '0');
    }
    if (out)
        *out = v;
    return true;
}

static bool all_blank(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] != ' ')
            return false;
    }
    return true;
}

/* Copy rec[off .. off+len) as UTF-8 (from ISO-8859-1) into dst[cap], without
 * leading and trailing blanks. */
static void text(const char *rec, size_t off, size_t len, char *dst, size_t cap)
{
    const unsigned char *s = (const unsigned char *)rec + off;
    size_t n = 0;

    while (len > 0 && s[len - 1] == ' ')
        len--;
    while (len > 0 && s[0] == ' ') {
        s++;
        len--;
    }
    for (size_t i = 0; i < len && n + 3 < cap; i++) {
        if (s[i] < 0x80) {
            dst[n++] = (char)s[i];
        } else {
            dst[n++] = (char)(0xC0 | (s[i] >> 6));
            dst[n++] = (char)(0x80 | (s[i] & 0x3F));
        }
    }
    dst[n] = '\0';
}

static enum pm_err grow(void **arr, size_t n, size_t *cap, size_t size)
{
    void *p;
    size_t ncap;

    if (n < *cap)
        return PM_OK;
    ncap = *cap ? *cap * 2 : 64;
    p = realloc(*arr, ncap * size);
    if (!p)
        return PM_ERR_NOMEM;
    *arr = p;
    *cap = ncap;
    return PM_OK;
}

struct caps {
    size_t deposits, payments, extras;
};

static enum pm_err rec_start(struct reader *r)
{
    char layout[21];
    int64_t version, v = 0;
    int y, mo, d, h, mi, s;
    const char *ts = r->rec + 24;

    text(r->rec, 2, 20, layout, sizeof(layout));
    if (strcmp(layout, "BGMAX") != 0)
        return fail(r, "layout name (positions 3-22) is '%s', not BGMAX", layout);
    if (!digits(r->rec, 22, 2, &version))
        return fail(r, "layout version (positions 23-24) is not a number");
    if (version != 1)
        warn(r, "layout version is not 01");
    if (!digits(r->rec, 24, 20, NULL))
        return fail(r, "timestamp (positions 25-44) is not 20 digits");
    digits(ts, 0, 4, &v);
    y = (int)v;
    digits(ts, 4, 2, &v);
    mo = (int)v;
    digits(ts, 6, 2, &v);
    d = (int)v;
    digits(ts, 8, 2, &v);
    h = (int)v;
    digits(ts, 10, 2, &v);
    mi = (int)v;
    digits(ts, 12, 2, &v);
    s = (int)v;
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || !date_valid(y, mo, d) || h > 23 || mi > 59 ||
        s > 59)
        return fail(r, "timestamp (positions 25-44) is not a valid date and time");
    if (r->rec[44] != 'T' && r->rec[44] != 'P')
        return fail(r, "test marker (position 45) must be T or P");
    memcpy(r->f->timestamp, ts, 20);
    r->f->timestamp[20] = '\0';
    r->f->marker = r->rec[44];
    return PM_OK;
}

static bool currency_ok(const char *c)
{
    return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] >= 'A' && c[2] <= 'Z';
}

static enum pm_err rec_open(struct reader *r, struct caps *caps)
{
    struct bgmax_deposit *dep;

    if (!digits(r->rec, 2, 10, NULL))
        return fail(r, "payee bankgiro number (positions 3-12) is not 10 digits");
    if (!all_blank(r->rec + 12, 10) && !digits(r->rec, 12, 10, NULL))
        return fail(r, "payee plusgiro number (positions 13-22) is neither blank nor digits");
    if (!currency_ok(r->rec + 22))
        return fail(r, "currency (positions 23-25) is not a currency code");
    if (grow((void **)&r->f->deposits, r->f->n_deposits, &caps->deposits, sizeof(*r->f->deposits)))
        return pm_error_set(r->e, PM_ERR_NOMEM, "", "out of memory");
    dep = &r->f->deposits[r->f->n_deposits++];
    memset(dep, 0, sizeof(*dep));
    memcpy(dep->payee_bankgiro, r->rec + 2, 10);
    memcpy(dep->currency, r->rec + 22, 3);
    dep->first_payment = r->f->n_payments;
    r->sum20 = r->sum21 = r->n20_sec = r->n21_sec = 0;
    return PM_OK;
}

/* The amount at positions 38-55 of a 20-23 record. */
static enum pm_err amount_of(struct reader *r, int64_t *out)
{
    if (!digits(r->rec, 37, 18, out))
        return fail(r, "amount (positions 38-55) is not 18 digits");
    if (*out > MONEY_MAX)
        return fail(r, "amount (positions 38-55) is out of range");
    return PM_OK;
}

static enum pm_err reference_of(struct reader *r, int code, char *dst, size_t cap)
{
    size_t n;

    text(r->rec, 12, 25, dst, cap);
    if (code == 2) {
        n = strlen(dst);
        if (n == 0 || strspn(dst, "0123456789") != n)
            return fail(r, "OCR reference (positions 13-37, code 2) is not digits");
        if (!luhn_valid(dst, n))
            warn(r, "OCR reference fails the check digit");
    }
    return PM_OK;
}

static enum pm_err rec_payment(struct reader *r, struct caps *caps, bool deduction)
{
    struct bgmax_payment *p;
    int64_t amount;
    enum pm_err rc;

    if (!digits(r->rec, 2, 10, NULL))
        return fail(r, "payer bankgiro number (positions 3-12) is not 10 digits");
    rc = amount_of(r, &amount);
    if (rc)
        return rc;
    if (!digits(r->rec, 55, 1, NULL) || !digits(r->rec, 56, 1, NULL) ||
        !digits(r->rec, 69, 1, NULL))
        return fail(r, "reference code, channel or image marker (positions 56, 57, 70) is not a "
                       "digit");
    if (deduction && !digits(r->rec, 70, 1, NULL))
        return fail(r, "deduction code (position 71) is not a digit");
    if (grow((void **)&r->f->payments, r->f->n_payments, &caps->payments, sizeof(*r->f->payments)))
        return pm_error_set(r->e, PM_ERR_NOMEM, "", "out of memory");
    p = &r->f->payments[r->f->n_payments];
    memset(p, 0, sizeof(*p));
    p->deduction = deduction;
    p->deposit = r->f->n_deposits - 1;
    p->line = r->lineno;
    memcpy(p->payer_bankgiro, r->rec + 2, 10);
    p->ref_code = r->rec[55] - '0';
    if (p->ref_code > 5)
        warn(r, "unknown reference code");
    rc = reference_of(r, p->ref_code, p->reference, sizeof(p->reference));
    if (rc)
        return rc;
    p->amount_minor = amount;
    p->channel = r->rec[56] - '0';
    if (p->channel < 1 || p->channel > 4)
        warn(r, "unknown payment channel code");
    if (!digits(r->rec, 57, 12, NULL))
        warn(r, "BGC serial number is not numeric");
    memcpy(p->serial, r->rec + 57, 12);
    p->image = r->rec[69] - '0';
    p->deduction_code = deduction ? r->rec[70] - '0' : 0;
    p->first_extra = r->f->n_extras;
    r->f->n_payments++;
    if (deduction) {
        rc = money_add(r->sum21, amount, &r->sum21);
        r->n21_sec++;
        r->n21++;
    } else {
        rc = money_add(r->sum20, amount, &r->sum20);
        r->n20_sec++;
        r->n20++;
    }
    if (!rc && (money_add(r->amounts_sum, amount, &r->amounts_sum) || r->amounts_sum > MONEY_MAX))
        return fail(r, "the file's payments add up to more than %lld öre (10 000 billion kr)",
                    (long long)MONEY_MAX);
    if (rc)
        return fail(r, "amounts overflow");
    r->rank = 0;
    memset(r->seen, 0, sizeof(r->seen));
    return PM_OK;
}

static struct bgmax_payment *current(struct reader *r)
{
    return &r->f->payments[r->f->n_payments - 1];
}

/* Check the order of an entry's records 22..29 (rank 1..6). */
static enum pm_err entry_order(struct reader *r, int rank, int tk)
{
    if (tk >= 26 && r->seen[tk - 20])
        return fail(r, "a second record %d for the same payment", tk);
    if (tk >= 26)
        r->seen[tk - 20] = true;
    if (rank < r->rank)
        warn(r, "records of a payment out of the usual order");
    else
        r->rank = rank;
    return PM_OK;
}

static enum pm_err rec_extra(struct reader *r, struct caps *caps, bool negative)
{
    struct bgmax_payment *p = current(r);
    struct bgmax_extra *x;
    int64_t amount;
    enum pm_err rc;

    rc = entry_order(r, 1, negative ? 23 : 22);
    if (!rc)
        rc = amount_of(r, &amount);
    if (rc)
        return rc;
    if (!digits(r->rec, 55, 1, NULL))
        return fail(r, "reference code (position 56) is not a digit");
    if (memcmp(r->rec + 2, p->payer_bankgiro, 10) != 0 || r->rec[56] - '0' != p->channel ||
        memcmp(r->rec + 57, p->serial, 12) != 0 || r->rec[69] - '0' != p->image)
        warn(r, "extra reference does not repeat its payment's fields");
    if (grow((void **)&r->f->extras, r->f->n_extras, &caps->extras, sizeof(*r->f->extras)))
        return pm_error_set(r->e, PM_ERR_NOMEM, "", "out of memory");
    x = &r->f->extras[r->f->n_extras];
    memset(x, 0, sizeof(*x));
    x->ref_code = r->rec[55] - '0';
    rc = reference_of(r, x->ref_code, x->reference, sizeof(x->reference));
    if (rc)
        return rc;
    x->amount_minor = negative ? -amount : amount;
    r->f->n_extras++;
    p->n_extra++;
    r->n2223++;
    return PM_OK;
}

static enum pm_err rec_info(struct reader *r, int tk)
{
    struct bgmax_payment *p = current(r);
    char part[sizeof(p->info)];
    size_t len;
    enum pm_err rc;

    rc = entry_order(r, tk - 23, tk);
    if (rc)
        return rc;
    switch (tk) {
    case 25:
        text(r->rec, 2, 50, part, sizeof(part));
        len = strlen(p->info);
        if (part[0] && len + strlen(part) + 2 < sizeof(p->info))
            snprintf(p->info + len, sizeof(p->info) - len, "%s%s", len ? " " : "", part);
        break;
    case 26:
        text(r->rec, 2, 35, p->payer_name, sizeof(p->payer_name));
        break;
    case 29:
        if (!digits(r->rec, 2, 12, NULL))
            warn(r, "payer organisation number is not numeric");
        else
            memcpy(p->payer_orgnr, r->rec + 2, 12);
        break;
    default: /* 27, 28: the payer's address, not needed for matching */
        break;
    }
    return PM_OK;
}

static enum pm_err rec_deposit(struct reader *r)
{
    struct bgmax_deposit *dep = &r->f->deposits[r->f->n_deposits - 1];
    int64_t y, m, d, serial, amount, count;

    if (!digits(r->rec, 2, 35, NULL))
        return fail(r, "payee bank account (positions 3-37) is not digits");
    if (!digits(r->rec, 37, 4, &y) || !digits(r->rec, 41, 2, &m) || !digits(r->rec, 43, 2, &d) ||
        date_from_ymd((int)y, (int)m, (int)d, &dep->date))
        return fail(r, "payment date (positions 38-45) is not a valid date");
    if (!digits(r->rec, 45, 5, &serial))
        return fail(r, "deposit serial number (positions 46-50) is not digits");
    if (!digits(r->rec, 50, 18, &amount) || amount > MONEY_MAX)
        return fail(r, "deposit amount (positions 51-68) is not an amount");
    if (!digits(r->rec, 71, 8, &count))
        return fail(r, "number of payments (positions 72-79) is not digits");
    if (memcmp(r->rec + 68, dep->currency, 3) != 0)
        return fail(r, "currency (positions 69-71) differs from the section's opening record");
    if (count != r->n20_sec + r->n21_sec)
        return fail(r, "number of payments is %lld but the section has %lld", (long long)count,
                    (long long)(r->n20_sec + r->n21_sec));
    if (r->sum21 > r->sum20)
        return fail(r, "the section's deductions exceed its payments");
    if (amount != r->sum20 - r->sum21)
        return fail(r, "deposit amount %lld öre differs from the section's payments %lld öre",
                    (long long)amount, (long long)(r->sum20 - r->sum21));
    /* Every total booked from the file fits a sane bound: beyond it sums of
     * the books (SIE balances, reports) could overflow. */
    if (money_add(r->deposits_sum, amount, &r->deposits_sum) || r->deposits_sum > MONEY_MAX)
        return fail(r, "the file's deposits add up to more than %lld öre (10 000 billion kr)",
                    (long long)MONEY_MAX);
    if (!strchr(" KDS", r->rec[79]))
        warn(r, "unknown deposit type");
    memcpy(dep->account, r->rec + 2, 35);
    dep->serial = (int)serial;
    dep->amount_minor = amount;
    dep->count = count;
    dep->type = r->rec[79];
    dep->n_payments = r->f->n_payments - dep->first_payment;
    r->n15++;
    return PM_OK;
}

static enum pm_err rec_end(struct reader *r)
{
    int64_t n20, n21, n2223, n15;

    if (!digits(r->rec, 2, 8, &n20) || !digits(r->rec, 10, 8, &n21) ||
        !digits(r->rec, 18, 8, &n2223) || !digits(r->rec, 26, 8, &n15))
        return fail(r, "record counts (positions 3-34) are not digits");
    if (n20 != r->n20)
        return fail(r, "end record counts %lld payments, the file has %lld", (long long)n20,
                    (long long)r->n20);
    if (n21 != r->n21)
        return fail(r, "end record counts %lld deductions, the file has %lld", (long long)n21,
                    (long long)r->n21);
    if (n2223 != r->n2223)
        return fail(r, "end record counts %lld extra references, the file has %lld",
                    (long long)n2223, (long long)r->n2223);
    if (n15 != r->n15)
        return fail(r, "end record counts %lld deposits, the file has %lld", (long long)n15,
                    (long long)r->n15);
    return PM_OK;
}

/* One record (already padded to 80 characters) in the current state. */
static enum pm_err record(struct reader *r, struct caps *caps)
{
    int tk;

    if (r->rec[0] < '0' || r->rec[0] > '9' || r->rec[1] < '0' || r->rec[1] > '9')
        return fail(r, "record type (positions 1-2) is not a number");
    tk = (r->rec[0] - '0') * 10 + (r->rec[1] - '0');
    switch (r->st) {
    case ST_START:
        if (tk != 1)
            return fail(r, "the file must start with a 01 record, not %02d", tk);
        r->st = ST_FILE;
        return rec_start(r);
    case ST_FILE:
        if (tk == 5) {
            r->st = ST_SECTION;
            return rec_open(r, caps);
        }
        if (tk == 70) {
            if (r->n15 == 0)
                return fail(r, "the file has no deposit section");
            r->st = ST_END;
            return rec_end(r);
        }
        break;
    case ST_SECTION:
    case ST_ENTRY:
        if (tk == 20 || tk == 21) {
            r->st = ST_ENTRY;
            return rec_payment(r, caps, tk == 21);
        }
        if (r->st == ST_SECTION)
            break;
        if (tk == 22 || tk == 23)
            return rec_extra(r, caps, tk == 23);
        if (tk >= 25 && tk <= 29)
            return rec_info(r, tk);
        if (tk == 15) {
            r->st = ST_FILE;
            return rec_deposit(r);
        }
        break;
    case ST_END:
        return fail(r, "nothing may follow the end record 70");
    }
    if (tk == 1 || tk == 5 || tk == 15 || tk == 70 || (tk >= 20 && tk <= 29))
        return fail(r, "record %02d is out of order here", tk);
    warn(r, "unknown record type skipped");
    return PM_OK;
}

void bgmax_file_release(struct bgmax_file *f)
{
    if (!f)
        return;
    free(f->deposits);
    free(f->payments);
    free(f->extras);
    memset(f, 0, sizeof(*f));
}

enum pm_err bgmax_parse(const char *data, size_t len, struct bgmax_file *out, struct pm_error *e)
{
    struct bgmax_file f;
    struct caps caps = {0};
    struct reader r;
    size_t pos = 0, end, n, i;
    bool blank_seen = false;
    enum pm_err rc = PM_OK;

    memset(&f, 0, sizeof(f));
    memset(&r, 0, sizeof(r));
    memset(out, 0, sizeof(*out));
    r.f = &f;
    r.e = e;
    if (!data || len == 0) {
        rc = pm_error_set(e, PM_ERR_INVALID, "", "the file is empty");
        goto out;
    }
    if (len > BGMAX_MAX_BYTES) {
        rc = pm_error_set(e, PM_ERR_RANGE, "", "the file is larger than %u bytes", BGMAX_MAX_BYTES);
        goto out;
    }
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);

        end = nl ? (size_t)(nl - data) : len;
        n = end - pos;
        if (n > 0 && data[pos + n - 1] == '\r')
            n--;
        r.lineno++;
        if (n == 0) {
            blank_seen = true;
        } else {
            if (blank_seen) {
                rc = fail(&r, "an empty line inside the file");
                goto out;
            }
            for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)data[pos + i];

                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                    rc = fail(&r, "control character at position %zu", i + 1);
                    goto out;
                }
            }
            if (n > REC_LEN && !all_blank(data + pos + REC_LEN, n - REC_LEN)) {
                rc = fail(&r, "the record is longer than 80 characters");
                goto out;
            }
            if (n < REC_LEN)
                warn(&r, "record shorter than 80 characters");
            memset(r.rec, ' ', REC_LEN);
            memcpy(r.rec, data + pos, n < REC_LEN ? n : REC_LEN);
            r.rec[REC_LEN] = '\0';
            rc = record(&r, &caps);
            if (rc)
                goto out;
        }
        pos = nl ? end + 1 : len;
    }
    r.lineno = 0;
    if (r.st != ST_END) {
        rc = fail(&r, r.st == ST_START ? "the file has no records"
                                       : "the file ends before its end record 70 (truncated)");
        goto out;
    }
    *out = f;
    return PM_OK;
out:
    bgmax_file_release(&f);
    return rc;
}

bool bgmax_normalize_bankgiro(const char *s, char dst[11])
{
    char d[11];
    size_t n = 0;

    for (; s && *s; s++) {
        if (*s == '-' || *s == ' ')
            continue;
        if (*s < '0' || *s > '9' || n == 10)
            return false;
        d[n++] = *s;
    }
    if (n < 7)
        return false;
    memset(dst, '0', 10 - n);
    memcpy(dst + 10 - n, d, n);
    dst[10] = '\0';
    return true;
}
