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
    struct bgmax_file *f = r->f;
    char text[sizeof(f->first_warning)];

    if (r->lineno)
        snprintf(text, sizeof(text), "line %zu: %s", r->lineno, what);
    else
        snprintf(text, sizeof(text), "%s", what);
    if (f->n_warnings == 0)
        memcpy(f->first_warning, text, sizeof(text));
    if (f->n_warnings < BGMAX_WARNINGS_KEPT)
        memcpy(f->warnings[f->n_warnings], text, sizeof(text));
    f->n_warnings++;
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
        warn(r, "payee plusgiro number (positions 13-22) is neither blank nor digits (not used)");
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

/* The payer's bankgiro number at positions 3-12 into dst[11], zero-filled
 * to 10 digits.  Written with blanks around the digits ("009701233 ") it
 * is read with a warning; anything else that is no number is read as
 * unknown ("0000000000") with a warning: the number only helps to know
 * the payer, so it never refuses the file. */
static void payer_bankgiro(struct reader *r, char dst[11])
{
    const char *s = r->rec + 2;
    size_t len = 10, lead = 0, n;

    while (len > 0 && s[len - 1] == ' ')
        len--;
    while (lead < len && s[lead] == ' ')
        lead++;
    n = len - lead;
    memset(dst, '0', 10);
    dst[10] = '\0';
    if (n > 0 && digits(s, lead, n, NULL)) {
        memcpy(dst + 10 - n, s + lead, n);
        if (n != 10)
            warn(r, "payer bankgiro number (positions 3-12) written with blanks, read as digits");
        return;
    }
    if (n > 0)
        warn(r, "payer bankgiro number (positions 3-12) is not a number, read as unknown");
}

/* A one-digit field the reader keeps but does not act on: a non-digit is
 * read as 0 with a warning. */
static int soft_digit(struct reader *r, size_t off, const char *what)
{
    char msg[96];

    if (digits(r->rec, off, 1, NULL))
        return r->rec[off] - '0';
    snprintf(msg, sizeof(msg), "%s (position %zu) is not a digit, read as 0", what, off + 1);
    warn(r, msg);
    return 0;
}

static enum pm_err rec_payment(struct reader *r, struct caps *caps, bool deduction)
{
    struct bgmax_payment *p;
    int64_t amount;
    enum pm_err rc;

    rc = amount_of(r, &amount);
    if (rc)
        return rc;
    if (!digits(r->rec, 55, 1, NULL))
        return fail(r, "reference code (position 56) is not a digit");
    if (grow((void **)&r->f->payments, r->f->n_payments, &caps->payments, sizeof(*r->f->payments)))
        return pm_error_set(r->e, PM_ERR_NOMEM, "", "out of memory");
    p = &r->f->payments[r->f->n_payments];
    memset(p, 0, sizeof(*p));
    p->deduction = deduction;
    p->deposit = r->f->n_deposits - 1;
    p->line = r->lineno;
    payer_bankgiro(r, p->payer_bankgiro);
    p->ref_code = r->rec[55] - '0';
    if (p->ref_code > 5)
        warn(r, "unknown reference code");
    rc = reference_of(r, p->ref_code, p->reference, sizeof(p->reference));
    if (rc)
        return rc;
    p->amount_minor = amount;
    p->channel = soft_digit(r, 56, "payment channel");
    if (p->channel < 1 || p->channel > 4)
        warn(r, "unknown payment channel code");
    if (!digits(r->rec, 57, 12, NULL))
        warn(r, "BGC serial number is not numeric");
    memcpy(p->serial, r->rec + 57, 12);
    p->image = soft_digit(r, 69, "image marker");
    p->deduction_code = deduction ? soft_digit(r, 70, "deduction code") : 0;
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
    char payer[11];
    int64_t amount;
    enum pm_err rc;

    rc = entry_order(r, 1, negative ? 23 : 22);
    if (!rc)
        rc = amount_of(r, &amount);
    if (rc)
        return rc;
    if (!digits(r->rec, 55, 1, NULL))
        return fail(r, "reference code (position 56) is not a digit");
    payer_bankgiro(r, payer);
    if (strcmp(payer, p->payer_bankgiro) != 0 || r->rec[56] - '0' != p->channel ||
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
        warn(r, "payee bank account (positions 3-37) is not digits (not used)");
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

/* The length of the UTF-8 sequence at s[0..len), 0 when it is none (an
 * overlong form, a surrogate, beyond U+10FFFF, cut short); its code point
 * in *cp. */
static size_t utf8_seq(const unsigned char *s, size_t len, unsigned *cp)
{
    size_t n, i;
    unsigned c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (n == 0 || n > len)
        return 0;
    c &= 0x7Fu >> n;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (n == 4 && c < 0x10000) ||
        c > 0x10FFFF)
        return 0;
    *cp = c;
    return n;
}

/* True when data is UTF-8 with at least one character beyond ASCII: then
 * it is no ISO-8859-1 file (whose å ä ö are lone bytes, never valid
 * sequences in a text of names and towns). */
static bool is_utf8(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    bool wide = false;
    unsigned cp;
    size_t i = 0, n;

    while (i < len) {
        n = utf8_seq(s + i, len - i, &cp);
        if (n == 0)
            return false;
        wide = wide || n > 1;
        i += n;
    }
    return wide;
}

/* data in UTF-8 as ISO-8859-1 (what the records are laid out in) into a
 * new buffer *out of *out_len bytes; a character beyond U+00FF becomes
 * '?' (*replaced counts them). */
static enum pm_err utf8_to_latin1(const char *data, size_t len, char **out, size_t *out_len,
                                  size_t *replaced)
{
    const unsigned char *s = (const unsigned char *)data;
    char *d = malloc(len ? len : 1);
    unsigned cp = 0;
    size_t i = 0, k = 0, n;

    *replaced = 0;
    if (!d)
        return PM_ERR_NOMEM;
    while (i < len) {
        n = utf8_seq(s + i, len - i, &cp);
        if (cp > 0xFF)
            (*replaced)++;
        d[k++] = cp > 0xFF ? '?' : (char)cp;
        i += n ? n : 1;
    }
    *out = d;
    *out_len = k;
    return PM_OK;
}

/* Bytes a file is read from, after its encoding is known. */
struct input {
    const char *data;
    size_t len;
    char *owned;  /* a converted copy, freed after reading */
    bool chunked; /* records of 80 bytes one after the other, no line ends */
};

/* Decide how the bytes are read: a UTF-8 byte order mark is skipped, a
 * UTF-8 file converted, a stream of 80-byte records without line ends cut
 * into records, each with a warning. */
static enum pm_err prepare(struct reader *r, const char *data, size_t len, struct input *in)
{
    size_t replaced = 0;
    char msg[120];
    enum pm_err rc;

    memset(in, 0, sizeof(*in));
    in->data = data;
    in->len = len;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        in->data += 3;
        in->len -= 3;
        warn(r, "the file starts with a UTF-8 byte order mark");
        if (!is_utf8(in->data, in->len))
            warn(r, "the file has a UTF-8 byte order mark but is no UTF-8 text beyond it");
    }
    if (is_utf8(in->data, in->len)) {
        rc = utf8_to_latin1(in->data, in->len, &in->owned, &in->len, &replaced);
        if (rc)
            return pm_error_set(r->e, rc, "", "out of memory");
        in->data = in->owned;
        warn(r, "the file is UTF-8, not ISO-8859-1: read as UTF-8");
        if (replaced) {
            snprintf(msg, sizeof(msg), "%zu characters beyond ISO-8859-1 read as '?'", replaced);
            warn(r, msg);
        }
    }
    if (in->len > REC_LEN && in->len % REC_LEN == 0 && !memchr(in->data, '\n', in->len) &&
        !memchr(in->data, '\r', in->len) && !memcmp(in->data, "01", 2)) {
        in->chunked = true;
        warn(r, "records of 80 characters without line ends");
    }
    return PM_OK;
}

/* The record at in->data[pos ..): its length in *n (without CR LF), and
 * where the next one starts in *next. */
static void next_line(const struct input *in, size_t pos, size_t *n, size_t *next)
{
    const char *nl;

    if (in->chunked) {
        *n = in->len - pos < REC_LEN ? in->len - pos : REC_LEN;
        *next = pos + *n;
        return;
    }
    nl = memchr(in->data + pos, '\n', in->len - pos);
    *n = (nl ? (size_t)(nl - in->data) : in->len) - pos;
    *next = nl ? pos + *n + 1 : in->len;
    if (*n > 0 && in->data[pos + *n - 1] == '\r')
        (*n)--;
}

/* The line s[0..n) as the record r->rec, padded to 80 characters.  A TAB
 * moves to the next tab stop (every 8 characters), as the editor that put
 * it there showed it, so the fields after it stay in place; any other
 * control character refuses the file, and so does anything but blanks
 * beyond the 80th character. */
static enum pm_err fill_record(struct reader *r, const char *s, size_t n)
{
    size_t i, col = 0;
    bool tab = false;

    memset(r->rec, ' ', REC_LEN);
    r->rec[REC_LEN] = '\0';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\t') {
            tab = true;
            col = (col / 8 + 1) * 8;
            continue;
        }
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            return fail(r, "control character at position %zu", i + 1);
        if (col >= REC_LEN && c != ' ')
            return fail(r, "the record is longer than 80 characters");
        if (col < REC_LEN)
            r->rec[col] = (char)c;
        col++;
    }
    if (tab)
        warn(r, "TAB characters read as blanks up to the next tab stop (every 8 characters)");
    if (col < REC_LEN)
        warn(r, "record shorter than 80 characters");
    return PM_OK;
}

enum pm_err bgmax_parse(const char *data, size_t len, struct bgmax_file *out, struct pm_error *e)
{
    struct bgmax_file f;
    struct caps caps = {0};
    struct reader r;
    struct input in;
    size_t pos = 0, next, n;
    bool blank_seen = false;
    enum pm_err rc = PM_OK;

    memset(&f, 0, sizeof(f));
    memset(&r, 0, sizeof(r));
    memset(&in, 0, sizeof(in));
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
    rc = prepare(&r, data, len, &in);
    if (rc)
        goto out;
    while (pos < in.len) {
        const char *line = in.data + pos;

        next_line(&in, pos, &n, &next);
        r.lineno++;
        if (n == 0) {
            blank_seen = true;
        } else {
            if (blank_seen) {
                rc = fail(&r, "an empty line inside the file");
                goto out;
            }
            rc = fill_record(&r, line, n);
            if (!rc)
                rc = record(&r, &caps);
            if (rc)
                goto out;
        }
        pos = next;
    }
    r.lineno = 0;
    if (r.st != ST_END) {
        rc = fail(&r, r.st == ST_START ? "the file has no records"
                                       : "the file ends before its end record 70 (truncated)");
        goto out;
    }
    free(in.owned);
    *out = f;
    return PM_OK;
out:
    free(in.owned);
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
