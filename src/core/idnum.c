/*
 * idnum.c — personnummer, samordningsnummer, organisationsnummer and OCR
 * references (see idnum.h).
 *
 * Part of core/: pure functions, no I/O.  Customer cards, the agency
 * hand-over (which needs the debtor's identity number in the agency's
 * 10/12-digit form) and payment matching (OCR) all go through these
 * parsers, which accept only what Skatteverket, Bolagsverket and Bankgirot
 * would accept: exact lengths, real birth dates, valid check digits.
 */
#include "core/idnum.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"

/* Earliest birth year accepted: '+' numbers reach back past DATE_MIN_YEAR. */
#define IDNUM_MIN_YEAR 1800
#define OCR_MAX_LEN    25

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Sum of the Luhn products, doubling the rightmost digit and every second
 * one to its left.  Digits are assumed checked. */
static int luhn_sum(const char *digits, size_t n)
{
    int sum = 0;
    bool twice = true;

    for (size_t i = n; i > 0; i--) {
        int v = digits[i - 1] - '0';

        if (twice) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
        twice = !twice;
    }
    return sum;
}

bool luhn_valid(const char *digits, size_t n)
{
    if (!digits || n < 2 || !all_digits(digits, n))
        return false;
    return luhn_check_digit(digits, n - 1) == digits[n - 1] - '0';
}

int luhn_check_digit(const char *digits, size_t n)
{
    if (!digits || n == 0 || !all_digits(digits, n))
        return -1;
    return (10 - luhn_sum(digits, n) % 10) % 10;
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* (y1, m1, d1) <= (y2, m2, d2) as calendar tuples. */
static bool ymd_not_after(int y1, int m1, int d1, int y2, int m2, int d2)
{
    if (y1 != y2)
        return y1 < y2;
    if (m1 != m2)
        return m1 < m2;
    return d1 <= d2;
}

/* The ten significant digits of a person's number, and its century if the
 * input carried one (else -1), and its separator ('-', '+' or 0). */
struct split {
    char ten[11];
    int century;
    char sep;
};

/* Accepts NNNNNNNNNN, NNNNNN-NNNN, NNNNNN+NNNN, CCNNNNNNNNNN, CCNNNNNN-NNNN. */
static enum pm_err split_number(const char *s, struct split *sp)
{
    size_t n;

    if (!s)
        return PM_ERR_INVALID;
    n = strnlen(s, 14);
    sp->century = -1;
    sp->sep = 0;
    switch (n) {
    case 10:
        if (!all_digits(s, 10))
            return PM_ERR_INVALID;
        memcpy(sp->ten, s, 10);
        break;
    case 11:
        if (!all_digits(s, 6) || (s[6] != '-' && s[6] != '+') || !all_digits(s + 7, 4))
            return PM_ERR_INVALID;
        sp->sep = s[6];
        memcpy(sp->ten, s, 6);
        memcpy(sp->ten + 6, s + 7, 4);
        break;
    case 12:
        if (!all_digits(s, 12))
            return PM_ERR_INVALID;
        sp->century = two(s);
        memcpy(sp->ten, s + 2, 10);
        break;
    case 13:
        /* With the century written out, only '-' makes sense. */
        if (!all_digits(s, 8) || s[8] != '-' || !all_digits(s + 9, 4))
            return PM_ERR_INVALID;
        sp->sep = '-';
        sp->century = two(s);
        memcpy(sp->ten, s + 2, 6);
        memcpy(sp->ten + 6, s + 9, 4);
        break;
    default:
        return PM_ERR_INVALID;
    }
    sp->ten[10] = '\0';
    return PM_OK;
}

enum pm_err idnum_parse_person(const char *s, int32_t today, struct idnum *out)
{
    enum pm_err rc = PM_OK;
    struct split sp;
    enum idnum_kind kind = IDNUM_PERSONAL;
    int ty, tm, td, yy, mm, dd, year;
    struct idnum id;

    rc = split_number(s, &sp);
    if (rc)
        goto out;
    if (!luhn_valid(sp.ten, 10)) {
        rc = PM_ERR_INVALID;
        goto out;
    }
    yy = two(sp.ten);
    mm = two(sp.ten + 2);
    dd = two(sp.ten + 4);
    if (dd > 60) {
        kind = IDNUM_COORDINATION;
        dd -= 60;
    }
    date_to_ymd(today, &ty, &tm, &td);
    if (sp.century >= 0) {
        year = sp.century * 100 + yy;
    } else {
        /* The latest century in which the birth date is not in the future;
         * with '+', not within the last hundred years. */
        int shift = sp.sep == '+' ? 100 : 0;

        year = (ty / 100) * 100 + yy;
        while (!ymd_not_after(year + shift, mm, dd, ty, tm, td))
            year -= 100;
    }
    if (mm < 1 || mm > 12 || dd < 1 || dd > date_days_in_month(year, mm) || year < IDNUM_MIN_YEAR ||
        year > 9999) {
        rc = PM_ERR_INVALID;
        goto out;
    }
    if (!ymd_not_after(year, mm, dd, ty, tm, td)) {
        rc = PM_ERR_RANGE; /* born in the future */
        goto out;
    }
    memset(&id, 0, sizeof(id));
    id.kind = kind;
    id.normalized[0] = (char)('0' + year / 1000);
    id.normalized[1] = (char)('0' + year / 100 % 10);
    memcpy(id.normalized + 2, sp.ten, 10);
    memcpy(id.display, id.normalized, 8);
    id.display[8] = '-';
    memcpy(id.display + 9, id.normalized + 8, 4);
    *out = id;
out:
    return rc;
}

enum pm_err idnum_parse_org(const char *s, struct idnum *out)
{
    enum pm_err rc = PM_ERR_INVALID;
    char ten[11];
    size_t n;
    struct idnum id;

    if (!s)
        goto out;
    n = strnlen(s, 14);
    /* An optional "16" prefix, as the 12-digit form of an organisation. */
    if ((n == 12 || n == 13) && s[0] == '1' && s[1] == '6') {
        s += 2;
        n -= 2;
    }
    if (n == 10 && all_digits(s, 10)) {
        memcpy(ten, s, 10);
    } else if (n == 11 && all_digits(s, 6) && s[6] == '-' && all_digits(s + 7, 4)) {
        memcpy(ten, s, 6);
        memcpy(ten + 6, s + 7, 4);
    } else {
        goto out;
    }
    ten[10] = '\0';
    /* The "month" digits of an organisation are >= 20 so it cannot be
     * mistaken for a person. */
    if (ten[2] < '2' || !luhn_valid(ten, 10))
        goto out;
    memset(&id, 0, sizeof(id));
    id.kind = IDNUM_ORGANISATION;
    memcpy(id.normalized, ten, 11);
    snprintf(id.display, sizeof(id.display), "%.6s-%.4s", ten, ten + 6);
    *out = id;
    rc = PM_OK;
out:
    return rc;
}

enum pm_err idnum_parse(const char *s, int32_t today, struct idnum *out)
{
    size_t n;

    if (!s)
        return PM_ERR_INVALID;
    n = strnlen(s, 14);
    /* 12/13 characters: "16" marks an organisation, a century a person. */
    if (n == 12 || n == 13)
        return s[0] == '1' && s[1] == '6' ? idnum_parse_org(s, out)
                                          : idnum_parse_person(s, today, out);
    if (n >= 3 && s[2] >= '2' && s[2] <= '9')
        return idnum_parse_org(s, out);
    return idnum_parse_person(s, today, out);
}

enum pm_err ocr_make(const char *base, bool with_length, char *dst, size_t cap)
{
    char ref[OCR_MAX_LEN + 1];
    size_t n;

    if (!base || !dst)
        return PM_ERR_INVALID;
    n = strnlen(base, OCR_MAX_LEN);
    if (n == 0 || n > OCR_MAX_LEN - 2 || !all_digits(base, n))
        return PM_ERR_INVALID;
    memcpy(ref, base, n);
    if (with_length) {
        ref[n] = (char)('0' + (n + 2) % 10);
        n++;
    }
    ref[n] = (char)('0' + luhn_check_digit(ref, n));
    n++;
    ref[n] = '\0';
    if (cap < n + 1)
        return PM_ERR_RANGE;
    memcpy(dst, ref, n + 1);
    return PM_OK;
}

bool ocr_valid(const char *s, bool with_length)
{
    size_t n;

    if (!s)
        return false;
    n = strnlen(s, OCR_MAX_LEN + 1);
    if (n < 2 || n > OCR_MAX_LEN || !luhn_valid(s, n))
        return false;
    return !with_length || s[n - 2] - '0' == (int)(n % 10);
}
