/*
 * sie.c — the SIE 4 writer (see sie.h).
 *
 * Part of core/: pure.  Text goes out as CP437 (the only character set
 * `#FORMAT PC8` allows); the checksum is the standard CRC-32 over the label
 * and field bytes of every record between the two #KSUMMA records, without
 * separators, quotes, braces and line ends (§10 of the format).
 */
#include "core/sie.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/fiscal.h"
#include "core/money.h"

#define ACC_RETAINED_EARNINGS 2091

/* Unicode code points of CP437 bytes 0x80..0xFF. */
static const uint16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* Decode one UTF-8 character at s (n bytes left): its code point and length,
 * or 0xFFFD and 1 for an invalid sequence. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t cp;
    size_t need, i;

    *len = 1;
    if (s[0] < 0x80)
        return s[0];
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 4, cp = s[0] & 0x07;
    else
        return 0xFFFD;
    if (n < need)
        return 0xFFFD;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0xFFFD;
    *len = need;
    return cp;
}

static unsigned char cp437_of(uint32_t cp)
{
    int i;

    if (cp < 0x80)
        return (unsigned char)cp;
    for (i = 0; i < 128; i++) {
        if (cp437_high[i] == cp)
            return (unsigned char)(0x80 + i);
    }
    return '?';
}

size_t sie_cp437(const char *utf8, char *dst, size_t cap)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t n = strlen(utf8), i = 0, out = 0, len;

    while (i < n && out + 1 < cap) {
        dst[out++] = (char)cp437_of(utf8_next(s + i, n - i, &len));
        i += len;
    }
    if (cap)
        dst[out] = '\0';
    return out;
}

/* ---- the writer ---- */

static uint32_t crc_feed(uint32_t crc, const char *p, size_t n)
{
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        crc ^= (unsigned char)p[i];
        for (k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return crc;
}

void sie_writer_init(struct sie_writer *w, struct buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->crc = 0xFFFFFFFFu;
}

static void put(struct sie_writer *w, const char *p, size_t n, bool summed)
{
    if (w->error)
        return;
    w->error = buf_add(w->out, p, n);
    if (summed && w->crc_on)
        w->crc = crc_feed(w->crc, p, n);
}

void sie_label(struct sie_writer *w, const char *label)
{
    put(w, label, strlen(label), true);
    w->line_open = true;
}

void sie_field(struct sie_writer *w, const char *text)
{
    put(w, " ", 1, false);
    put(w, text, strlen(text), true);
}

void sie_text(struct sie_writer *w, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t n = strlen(utf8), i = 0, len;
    char c;

    put(w, " \"", 2, false);
    while (i < n) {
        c = (char)cp437_of(utf8_next(s + i, n - i, &len));
        i += len;
        if ((unsigned char)c < 0x20 || c == 0x7f)
            c = ' ';
        if (c == '\\' && i == n)
            c = '/';               /* would escape the closing quote */
        if (c == '"' || c == '\\') /* a reader takes a backslash as an escape */
            put(w, "\\", 1, false);
        put(w, &c, 1, true);
    }
    put(w, "\"", 1, false);
}

void sie_amount(struct sie_writer *w, int64_t minor)
{
    char text[32];
    uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;

    snprintf(text, sizeof(text), "%s%llu.%02llu", minor < 0 ? "-" : "",
             (unsigned long long)(a / 100), (unsigned long long)(a % 100));
    sie_field(w, text);
}

void sie_date(struct sie_writer *w, int32_t date)
{
    char text[16];
    int y, m, d;

    date_to_ymd(date, &y, &m, &d);
    snprintf(text, sizeof(text), "%04d%02d%02d", y, m, d);
    sie_field(w, text);
}

void sie_objects(struct sie_writer *w, const char *list)
{
    size_t i;

    put(w, " ", 1, false);
    for (i = 0; list[i]; i++) {
        bool summed = list[i] != '{' && list[i] != '}' && list[i] != '"' && list[i] != ' ';

        put(w, &list[i], 1, summed);
    }
}

void sie_end(struct sie_writer *w)
{
    put(w, "\r\n", 2, false);
    w->line_open = false;
}

void sie_brace(struct sie_writer *w, char brace)
{
    put(w, &brace, 1, false);
    sie_end(w);
}

void sie_ksumma_open(struct sie_writer *w)
{
    put(w, "#KSUMMA\r\n", 9, false);
    w->crc = 0xFFFFFFFFu;
    w->crc_on = true;
}

uint32_t sie_checksum(const struct sie_writer *w)
{
    return w->crc ^ 0xFFFFFFFFu;
}

void sie_ksumma_close(struct sie_writer *w)
{
    char text[32];

    w->crc_on = false;
    snprintf(text, sizeof(text), "#KSUMMA %lu\r\n", (unsigned long)sie_checksum(w));
    put(w, text, strlen(text), false);
}

/* ---- the export ---- */

struct account_sum {
    int account;
    int64_t opening; /* #IB 0 */
    int64_t closing; /* #UB 0 (balance accounts) */
    int64_t before;  /* of the vouchers before the year, as booked */
    int64_t earlier; /* of the vouchers before the previous year, as booked */
};

static int cmp_account(const void *a, const void *b)
{
    const struct account_sum *x = a, *y = b;

    return (x->account > y->account) - (x->account < y->account);
}

/* The entry of account in sums[0..*n), added when new (room for cap). */
static struct account_sum *account_entry(struct account_sum *sums, size_t *n, size_t cap,
                                         int account)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (sums[i].account == account)
            return &sums[i];
    }
    if (*n == cap)
        return NULL;
    memset(&sums[*n], 0, sizeof(sums[*n]));
    sums[*n].account = account;
    return &sums[(*n)++];
}

/* Opening and closing balances of every account: result accounts of
 * earlier years are carried to 2091 in both.  *out is malloc'ed. */
static enum pm_err collect(const struct sie_export *x, struct account_sum **out, size_t *n_out)
{
    size_t cap = x->n_opening + x->n_closing + x->n_earlier + 2, n = 0, i;
    struct account_sum *sums, *a;
    enum pm_err rc = PM_OK;

    sums = calloc(cap, sizeof(*sums));
    if (!sums)
        return PM_ERR_NOMEM;
    for (i = 0; !rc && i < x->n_earlier; i++) {
        a = account_entry(sums, &n, cap, x->earlier[i].account);
        rc = a ? money_add(a->earlier, x->earlier[i].amount_minor, &a->earlier) : PM_ERR_INTERNAL;
    }
    for (i = 0; !rc && i < x->n_opening; i++) {
        int account = x->opening[i].account;
        int64_t amount = x->opening[i].amount_minor;

        a = account_entry(sums, &n, cap, account);
        rc = a ? money_add(a->before, amount, &a->before) : PM_ERR_INTERNAL;
        if (rc)
            break;

        if (!voucher_account_is_balance(account)) {
            /* an earlier year's result: balanced into 2091, out of the year's result */
            a = account_entry(sums, &n, cap, account);
            rc = a ? money_sub(a->closing, amount, &a->closing) : PM_ERR_INTERNAL;
            account = ACC_RETAINED_EARNINGS;
            if (!rc) {
                a = account_entry(sums, &n, cap, account);
                rc = a ? money_add(a->closing, amount, &a->closing) : PM_ERR_INTERNAL;
            }
        }
        a = rc ? NULL : account_entry(sums, &n, cap, account);
        if (!rc)
            rc = a ? money_add(a->opening, amount, &a->opening) : PM_ERR_INTERNAL;
    }
    for (i = 0; !rc && i < x->n_closing; i++) {
        a = account_entry(sums, &n, cap, x->closing[i].account);
        rc = a ? money_add(a->closing, x->closing[i].amount_minor, &a->closing) : PM_ERR_INTERNAL;
    }
    if (rc) {
        free(sums);
        return rc;
    }
    qsort(sums, n, sizeof(*sums), cmp_account);
    *out = sums;
    *n_out = n;
    return PM_OK;
}

/* A streamed voucher must balance, lie in the year and follow the last. */
static enum pm_err check_voucher(const struct voucher *v, int32_t start, int32_t end, int64_t last,
                                 struct pm_error *e)
{
    if (!voucher_balanced(v))
        return pm_error_set(e, PM_ERR_INVALID, "vouchers", "voucher %d-%lld does not balance",
                            v->year, (long long)v->number);
    if (v->date < start || v->date > end)
        return pm_error_set(e, PM_ERR_INVALID, "vouchers",
                            "voucher %d-%lld is dated outside the year", v->year,
                            (long long)v->number);
    if (v->number <= last)
        return pm_error_set(e, PM_ERR_INVALID, "vouchers",
                            "voucher numbers are not ascending at %lld", (long long)v->number);
    return PM_OK;
}

static int start_month(const struct sie_export *x)
{
    return x->start_month ? x->start_month : FISCAL_START_MONTH_DEFAULT;
}

static void write_head(struct sie_writer *w, const struct sie_export *x)
{
    const struct sie_company *co = x->company;
    char num[32];

    sie_label(w, "#FLAGGA");
    sie_field(w, "0");
    sie_end(w);
    sie_ksumma_open(w);
    sie_label(w, "#PROGRAM");
    sie_text(w, x->program ? x->program : "Påminn");
    sie_field(w, x->version ? x->version : "1.0");
    sie_end(w);
    sie_label(w, "#FORMAT");
    sie_field(w, "PC8");
    sie_end(w);
    sie_label(w, "#GEN");
    sie_date(w, x->generated);
    sie_end(w);
    sie_label(w, "#SIETYP");
    sie_field(w, "4");
    sie_end(w);
    sie_label(w, "#FNAMN");
    sie_text(w, co->name ? co->name : "");
    sie_end(w);
    if (co->organization_no && co->organization_no[0]) {
        sie_label(w, "#ORGNR");
        sie_field(w, co->organization_no);
        sie_end(w);
    }
    sie_label(w, "#ADRESS");
    sie_text(w, co->contact ? co->contact : "");
    sie_text(w, co->street ? co->street : "");
    sie_text(w, co->postal ? co->postal : "");
    sie_text(w, co->phone ? co->phone : "");
    sie_end(w);
    for (int y = 0; y >= (x->type == SIE_TYPE_4E && x->previous_year ? -1 : 0); y--) {
        struct fiscal_year fy = {0};

        snprintf(num, sizeof(num), "%d", y);
        sie_label(w, "#RAR");
        sie_field(w, num);
        /* sie_export() checked both years */
        fiscal_year_get(x->year + y, start_month(x), &fy);
        sie_date(w, fy.first);
        sie_date(w, fy.last);
        sie_end(w);
    }
    sie_label(w, "#KPTYP");
    sie_field(w, "EUBAS97");
    sie_end(w);
    sie_label(w, "#VALUTA");
    sie_field(w, "SEK");
    sie_end(w);
}

static void write_balance(struct sie_writer *w, const char *label, const char *year, int account,
                          int64_t amount)
{
    char num[16];

    if (amount == 0)
        return;
    sie_label(w, label);
    sie_field(w, year);
    snprintf(num, sizeof(num), "%d", account);
    sie_field(w, num);
    sie_amount(w, amount);
    sie_end(w);
}

static void write_voucher(struct sie_writer *w, const struct voucher *v)
{
    char num[32];
    size_t i;

    sie_label(w, "#VER");
    sie_field(w, "A");
    snprintf(num, sizeof(num), "%lld", (long long)v->number);
    sie_field(w, num);
    sie_date(w, v->date);
    sie_text(w, v->text);
    sie_end(w);
    sie_brace(w, '{');
    for (i = 0; i < v->n_rows; i++) {
        sie_label(w, "#TRANS");
        snprintf(num, sizeof(num), "%d", v->rows[i].account);
        sie_field(w, num);
        sie_objects(w, "{}");
        sie_amount(w, v->rows[i].debit_minor - v->rows[i].credit_minor);
        sie_end(w);
    }
    sie_brace(w, '}');
}

/* 4E: #IB 0 and #UB 0 of the balance accounts, #RES 0 of the result
 * accounts; with a previous year also its #UB -1 (as it closed: the
 * results of the years before it carried into 2091) and #RES -1. */
static enum pm_err write_balances(struct sie_writer *w, const struct sie_export *x,
                                  const struct account_sum *sums, size_t n)
{
    int64_t earlier_results = 0, ub;
    enum pm_err rc = PM_OK;
    size_t i;

    for (i = 0; i < n && !rc; i++) {
        if (!voucher_account_is_balance(sums[i].account))
            rc = money_add(earlier_results, sums[i].earlier, &earlier_results);
    }
    for (i = 0; i < n && !rc; i++) {
        if (!voucher_account_is_balance(sums[i].account))
            continue;
        if (x->previous_year) {
            ub = sums[i].before;
            if (sums[i].account == ACC_RETAINED_EARNINGS)
                rc = money_add(ub, earlier_results, &ub);
            write_balance(w, "#UB", "-1", sums[i].account, ub);
        }
        write_balance(w, "#IB", "0", sums[i].account, sums[i].opening);
        write_balance(w, "#UB", "0", sums[i].account, sums[i].closing);
    }
    for (i = 0; i < n && !rc; i++) {
        if (voucher_account_is_balance(sums[i].account))
            continue;
        if (x->previous_year)
            write_balance(w, "#RES", "-1", sums[i].account, sums[i].before - sums[i].earlier);
        write_balance(w, "#RES", "0", sums[i].account, sums[i].closing - sums[i].opening);
    }
    return rc;
}

enum pm_err sie_export(const struct sie_export *x, struct buf *out, struct pm_error *e)
{
    struct account_sum *sums = NULL;
    const struct voucher *v = NULL;
    struct sie_writer w;
    struct fiscal_year fy, previous;
    int64_t last = 0;
    size_t n = 0, i;
    char num[16];
    const char *name;
    enum pm_err rc;

    if (fiscal_year_get(x->year, start_month(x), &fy) ||
        (x->previous_year && fiscal_year_get(x->year - 1, start_month(x), &previous)))
        return pm_error_set(e, PM_ERR_RANGE, "year", "year %d is out of range", x->year);
    rc = collect(x, &sums, &n);
    if (rc)
        return pm_error_set(e, rc, "vouchers", "cannot sum the balances");
    sie_writer_init(&w, out);
    write_head(&w, x);
    for (i = 0; i < n; i++) {
        name = sums[i].account == ACC_RETAINED_EARNINGS ? "Balanserad vinst eller förlust"
                                                        : voucher_account_name(sums[i].account);
        snprintf(num, sizeof(num), "%d", sums[i].account);
        sie_label(&w, "#KONTO");
        sie_field(&w, num);
        sie_text(&w, name ? name : num);
        sie_end(&w);
    }
    if (x->type == SIE_TYPE_4E)
        rc = write_balances(&w, x, sums, n);
    if (rc) {
        pm_error_set(e, rc, "vouchers", "balances overflow");
        goto out_free;
    }
    for (;;) {
        rc = x->next_voucher(x->ctx, &v);
        if (rc) {
            pm_error_set(e, rc, "vouchers", "reading the vouchers failed");
            goto out_free;
        }
        if (!v)
            break;
        rc = check_voucher(v, fy.first, fy.last, last, e);
        if (rc)
            goto out_free;
        last = v->number;
        write_voucher(&w, v);
    }
    sie_ksumma_close(&w);
    if (w.error)
        rc = pm_error_set(e, w.error, "", "out of memory writing the SIE file");
out_free:
    free(sums);
    return rc;
}
