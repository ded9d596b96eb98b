/*
 * money.c — checked öre arithmetic, parsing and Swedish formatting (see money.h).
 *
 * Part of core/: pure functions, no I/O.  Every amount the product reads from
 * a user, a file or the agency passes money_parse(), and every amount it
 * shows passes money_format(), so the Swedish conventions ("1 234,50 kr"
 * with no-break spaces) are decided here and nowhere else.
 */
#include "core/money.h"

#include <string.h>

static enum pm_err clamp_out(__int128 v, int64_t *out)
{
    if (v > MONEY_MAX * 1000 || v < -MONEY_MAX * 1000 || v > INT64_MAX || v < INT64_MIN)
        return PM_ERR_OVERFLOW;
    *out = (int64_t)v;
    return PM_OK;
}

enum pm_err money_add(int64_t a, int64_t b, int64_t *out)
{
    return clamp_out((__int128)a + b, out);
}

enum pm_err money_sub(int64_t a, int64_t b, int64_t *out)
{
    return clamp_out((__int128)a - b, out);
}

enum pm_err money_mul(int64_t a, int64_t b, int64_t *out)
{
    return clamp_out((__int128)a * b, out);
}

enum pm_err money_mul_div(int64_t a, int64_t num, int64_t den, int64_t *out)
{
    __int128 p, q, r;

    if (den <= 0)
        return PM_ERR_INVALID;
    p = (__int128)a * num;
    q = p / den;
    r = p % den;
    /* Half away from zero: |r| * 2 >= den moves one step away from zero. */
    if (r < 0)
        r = -r;
    if (r * 2 >= den)
        q += p < 0 ? -1 : 1;
    return clamp_out(q, out);
}

enum pm_err money_percent_bp(int64_t amount, int64_t bp, int64_t *out)
{
    return money_mul_div(amount, bp, 10000, out);
}

/* U+00A0 NO-BREAK SPACE in UTF-8. */
#define NBSP "\xc2\xa0"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of the thousands separator at s (' ' or U+00A0), or 0 if none. */
static size_t separator_len(const char *s)
{
    if (s[0] == ' ')
        return 1;
    if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
        return 2;
    return 0;
}

/* Append one digit to *v, remembering (in *too_big) once the value passes
 * MONEY_MAX so that an absurdly long number is a range error, not overflow. */
static void add_digit(int64_t *v, bool *too_big, char c)
{
    if (*too_big)
        return;
    *v = *v * 10 + (c - '0');
    if (*v > MONEY_MAX)
        *too_big = true;
}

enum pm_err money_parse(const char *s, int64_t *out)
{
    enum pm_err rc = PM_ERR_INVALID;
    const char *p = s;
    int64_t v = 0;
    bool negative = false, too_big = false;
    size_t group = 0, sep, decimals = 0;

    if (!s)
        goto out;
    if (*p == '-') {
        negative = true;
        p++;
    }
    if (!is_digit(*p))
        goto out;
    /* No leading zeros: "0", "0,50" yes, "007" no. */
    if (p[0] == '0' && is_digit(p[1]))
        goto out;
    /* Integer part: the first group has 1..3 digits when separators follow. */
    while (is_digit(*p)) {
        add_digit(&v, &too_big, *p++);
        group++;
    }
    sep = separator_len(p);
    if (sep && (group > 3 || v == 0))
        goto out;
    while (sep) {
        p += sep;
        for (group = 0; group < 3; group++) {
            if (!is_digit(*p))
                goto out;
            add_digit(&v, &too_big, *p++);
        }
        if (is_digit(*p))
            goto out;
        sep = separator_len(p);
    }
    /* Decimal part: one or two digits after ',' or '.'. */
    if (*p == ',' || *p == '.') {
        p++;
        while (is_digit(*p) && decimals < 3) {
            add_digit(&v, &too_big, *p++);
            decimals++;
        }
        if (decimals == 0 || decimals > 2)
            goto out;
    }
    if (*p != '\0')
        goto out;
    for (; decimals < 2; decimals++)
        add_digit(&v, &too_big, '0');
    if (too_big) {
        rc = PM_ERR_RANGE;
        goto out;
    }
    *out = negative ? -v : v;
    rc = PM_OK;
out:
    return rc;
}

/* Copy the len bytes of text into dst like snprintf: at most cap - 1 bytes
 * and a NUL, never cutting a UTF-8 sequence in half.  Returns len. */
static size_t copy_out(const char *text, size_t len, char *dst, size_t cap)
{
    size_t n = len;

    if (cap == 0 || !dst)
        return len;
    if (n > cap - 1) {
        n = cap - 1;
        /* Back off over continuation bytes so the cut falls between characters. */
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, text, n);
    dst[n] = '\0';
    return len;
}

/* Write the Swedish text of ore into text (MONEY_FORMAT_MAX bytes) with an
 * optional suffix; returns its length without the NUL. */
static size_t format_text(int64_t ore, const char *suffix, char *text)
{
    char digits[24];
    size_t nd = 0, len = 0, ls = strlen(suffix);
    /* The magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
    uint64_t mag = ore < 0 ? 0 - (uint64_t)ore : (uint64_t)ore;
    uint64_t kr = mag / 100, ore_part = mag % 100;

    do {
        digits[nd++] = (char)('0' + kr % 10);
        kr /= 10;
    } while (kr);
    if (ore < 0)
        text[len++] = '-';
    for (size_t i = nd; i > 0; i--) {
        text[len++] = digits[i - 1];
        if (i > 1 && (i - 1) % 3 == 0) {
            memcpy(text + len, NBSP, 2);
            len += 2;
        }
    }
    text[len++] = ',';
    text[len++] = (char)('0' + ore_part / 10);
    text[len++] = (char)('0' + ore_part % 10);
    memcpy(text + len, suffix, ls);
    len += ls;
    text[len] = '\0';
    return len;
}

size_t money_format(int64_t ore, char *dst, size_t cap)
{
    char text[MONEY_FORMAT_MAX];
    size_t len = format_text(ore, NBSP "kr", text);

    return copy_out(text, len, dst, cap);
}

size_t money_format_plain(int64_t ore, char *dst, size_t cap)
{
    char text[MONEY_FORMAT_MAX];
    size_t len = format_text(ore, "", text);

    return copy_out(text, len, dst, cap);
}
